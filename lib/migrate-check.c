/*
 * Checks over the whole plan: targets in hosted domains that go nowhere,
 * aliases that loop, domains over their limits.  All in SQL over the
 * work tables, so that memory stays flat however big the source is.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "migrate-priv.h"

/*
 * Targets in a hosted domain (after its alias domain, if it is one) that
 * are neither a mailbox nor an alias nor covered by a catch-all, in the
 * plan or in the store: one statement, whatever the number of targets.
 * r is materialized: each target's destination is looked up once, not
 * again in each of the four tests that use it.
 */
static const char dangling_sql[] =
    "WITH r AS MATERIALIZED (SELECT t.rowid AS tr, a.src_table, "
    "a.key_json, t.target, "
    "substr(t.target, 1, instr(t.target, '@')) || COALESCE((SELECT "
    "substr(x.goto, 2) FROM work.alias x WHERE x.address = '@' || t.domain "
    "AND x.kind = 'domain_alias' AND x.status = 'import'), (SELECT "
    "target_domain FROM work.store_alias_domain WHERE alias_domain = "
    "t.domain), t.domain) AS dest FROM work.target t JOIN work.alias a ON "
    "a.seq = t.alias_seq WHERE a.status = 'import' AND a.kind <> "
    "'domain_alias' AND t.target NOT LIKE '@%' AND t.target <> a.address "
    "AND (t.domain IN (SELECT name FROM work.domain WHERE status = "
    "'import' AND NOT backup_mx) OR t.domain IN (SELECT name FROM "
    "work.store_domain WHERE NOT backupmx))) "
    "SELECT src_table, key_json, target FROM r WHERE NOT EXISTS (SELECT 1 "
    "FROM work.mailbox WHERE address = r.dest AND status = 'import') AND "
    "NOT EXISTS (SELECT 1 FROM work.store_mailbox WHERE address = r.dest) "
    "AND NOT EXISTS (SELECT 1 FROM work.alias WHERE address IN (r.dest, "
    "substr(r.dest, instr(r.dest, '@'))) AND status = 'import') AND NOT "
    "EXISTS (SELECT 1 FROM work.store_alias WHERE address IN (r.dest, "
    "substr(r.dest, instr(r.dest, '@')))) ORDER BY tr";

static int
dangling(struct ma_migrate *m, struct ma_err *err)
{
	struct ma_stmt *st;
	int rc;

	if (ma_db_prepare(m->w, dangling_sql, &st, err) < 0)
		return -1;
	while ((rc = ma_stmt_step(st, err)) == 1)
		if (mg_note(m, "warning", "DANGLING_LOCAL_TARGET",
		    ma_stmt_text(st, 0), ma_stmt_text(st, 1), NULL, err,
		    "target %s is in a hosted domain but is neither a mailbox "
		    "nor an alias (its mail bounces today): kept",
		    ma_stmt_text(st, 2)) < 0) {
			rc = -1;
			break;
		}
	ma_stmt_finalize(&st);
	return rc < 0 ? -1 : 0;
}

/*
 * The edges left once nodes that cannot be on a cycle are peeled off.  A
 * mailbox's own row that goes to the mailbox only (most targets) leads
 * nowhere: no edge to it is kept to begin with.
 */
static int
peel_edges(struct ma_migrate *m, struct ma_err *err)
{
	int64_t gone;

	if (mg_run(m, "DELETE FROM work.edge", NULL, err) < 0 ||
	    mg_run(m, "INSERT INTO work.edge (src, dst) SELECT t.alias_seq, "
	    "b.seq FROM work.target t JOIN work.alias a ON a.seq = t.alias_seq "
	    "JOIN work.alias b ON b.address = t.target AND b.status = 'import' "
	    "WHERE a.status = 'import' AND NOT (a.seq = b.seq AND a.kind = "
	    "'mailbox') AND NOT (b.kind = 'mailbox' AND b.goto = b.address)",
	    NULL, err) < 0)
		return -1;
	do {
		if (ma_db_run(m->w, "DELETE FROM work.edge WHERE dst NOT IN "
		    "(SELECT src FROM work.edge) OR src NOT IN (SELECT dst FROM "
		    "work.edge)", NULL, &gone, err) < 0)
			return -1;
	} while (gone > 0);
	return 0;
}

/* What is left, in memory: a few edges at most, in practice. */
struct graph {
	int64_t	*src, *dst;
	size_t	 n;
};

/* A path from node back to itself, as "a -> b -> a"; 0 if none. */
static int
cycle(struct ma_migrate *m, const struct graph *g, int64_t node,
    struct ma_buf *path, struct ma_err *err)
{
	size_t *from = malloc(g->n * sizeof(*from)), head = 0, tail = 0, i, e;
	size_t *queue = malloc(g->n * sizeof(*queue)), hit = SIZE_MAX;
	size_t chain[64], nchain = 0;
	char num[24];
	const char *const p[] = { num, NULL };
	struct ma_stmt *st;
	int rc;

	if (from == NULL || queue == NULL) {
		free(from);
		free(queue);
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	}
	/* breadth first over edges: from[e] is the edge that reached e */
	for (e = 0; e < g->n; e++) {
		from[e] = SIZE_MAX;
		if (g->src[e] == node) {
			from[e] = e;
			queue[tail++] = e;
		}
	}
	while (head < tail && hit == SIZE_MAX) {
		e = queue[head++];
		if (g->dst[e] == node) {
			hit = e;
			break;
		}
		for (i = 0; i < g->n; i++)
			if (from[i] == SIZE_MAX && g->src[i] == g->dst[e]) {
				from[i] = e;
				queue[tail++] = i;
			}
	}
	for (e = hit; e != SIZE_MAX && nchain < 64; e = from[e] == e ?
	    SIZE_MAX : from[e])
		chain[nchain++] = e;
	free(from);
	free(queue);
	if (hit == SIZE_MAX)
		return 0;
	for (i = nchain + 1; i-- > 0; ) {
		snprintf(num, sizeof(num), "%" PRId64, i == nchain ? node :
		    g->dst[chain[i]]);
		if ((rc = mg_query1(m, "SELECT address FROM work.alias WHERE "
		    "seq = ?", p, &st, err)) < 0)
			return -1;
		ma_buf_addf(path, "%s%s", i == nchain ? "" : " -> ",
		    rc == 1 ? ma_stmt_text(st, 0) : "?");
	}
	return 1;
}

static int
loops(struct ma_migrate *m, struct ma_err *err)
{
	struct graph g = { NULL, NULL, 0 };
	struct ma_stmt *st;
	int64_t *v;
	int rc;

	if (peel_edges(m, err) < 0 || ma_db_prepare(m->w, "SELECT src, dst "
	    "FROM work.edge ORDER BY src, dst", &st, err) < 0)
		return -1;
	while ((rc = ma_stmt_step(st, err)) == 1) {
		if ((v = realloc(g.src, (g.n + 1) * sizeof(*v))) != NULL)
			g.src = v;
		if (v == NULL || (v = realloc(g.dst, (g.n + 1) * sizeof(*v))) ==
		    NULL) {
			rc = ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
			break;
		}
		g.dst = v;
		g.src[g.n] = ma_stmt_int(st, 0);
		g.dst[g.n++] = ma_stmt_int(st, 1);
	}
	ma_stmt_finalize(&st);
	if (rc == 0 && ma_db_prepare(m->w, "SELECT DISTINCT a.seq, "
	    "a.src_table, a.key_json FROM work.edge e JOIN work.alias a ON "
	    "a.seq = e.src ORDER BY a.seq", &st, err) < 0)
		rc = -1;
	while (rc == 0 && (rc = ma_stmt_step(st, err)) == 1) {
		struct ma_buf path = MA_BUF_INIT;

		rc = cycle(m, &g, ma_stmt_int(st, 0), &path, err);
		if (rc == 1)
			rc = mg_note(m, "warning", "ALIAS_LOOP", ma_stmt_text(st,
			    1), ma_stmt_text(st, 2), NULL, err, "%s: mail to it "
			    "goes round in circles", ma_buf_str(&path) ?
			    ma_buf_str(&path) : "");
		ma_buf_release(&path);
	}
	ma_stmt_finalize(&st);
	free(g.src);
	free(g.dst);
	return rc < 0 ? -1 : 0;
}

/* Domains whose legacy rows are over the limits they carry. */
static int
limits(struct ma_migrate *m, struct ma_err *err)
{
	struct ma_stmt *st;
	int rc;

	if (ma_db_prepare(m->w, "SELECT * FROM (SELECT d.src_table, "
	    "d.key_json, d.name, 'mailboxes', d.max_mailboxes AS max, c.n FROM "
	    "work.domain d JOIN (SELECT domain, COUNT(*) AS n FROM work.mailbox "
	    "WHERE status = 'import' GROUP BY domain) c ON c.domain = d.name "
	    "WHERE d.status = 'import' AND NOT d.backup_mx UNION ALL SELECT "
	    "d.src_table, d.key_json, d.name, 'aliases', d.max_aliases, c.n "
	    "FROM work.domain d JOIN (SELECT domain, COUNT(*) AS n FROM "
	    "work.alias WHERE status = 'import' AND kind = 'alias' GROUP BY "
	    "domain) c ON c.domain = d.name WHERE d.status = 'import' AND NOT "
	    "d.backup_mx) WHERE (max > 0 AND n > max) OR (max < 0 AND n > 0)",
	    &st, err) < 0)
		return -1;
	while ((rc = ma_stmt_step(st, err)) == 1)
		if (mg_note(m, "info", "DOMAIN_LIMIT_EXCEEDED",
		    ma_stmt_text(st, 0), ma_stmt_text(st, 1), NULL, err,
		    "domain %s has %s %s but a limit of %s: imported all the "
		    "same (raise the limit)", ma_stmt_text(st, 2),
		    ma_stmt_text(st, 5), ma_stmt_text(st, 3), ma_stmt_int(st, 4)
		    < 0 ? "none (disabled)" : ma_stmt_text(st, 4)) < 0) {
			rc = -1;
			break;
		}
	ma_stmt_finalize(&st);
	return rc < 0 ? -1 : 0;
}

int
mg_cross_checks(struct ma_migrate *m, struct ma_err *err)
{
	if (dangling(m, err) < 0 || loops(m, err) < 0 || limits(m, err) < 0)
		return -1;
	return 0;
}
