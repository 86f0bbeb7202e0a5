/*
 * Writing the plan: the transaction of "migrate run".  New rows go in
 * with the library's own writers (multi-row INSERTs for mailboxes and
 * aliases, as "user import"); rows changed at the source are updated
 * only with update; rows already there as they are are left alone, so a
 * second run writes nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alias-priv.h"
#include "domain.h"
#include "log.h"
#include "migrate-priv.h"
#include "worker.h"

#define CHUNK MG_CHUNK
#define SENTINEL MG_SENTINEL

/* The rows of a work query to write: new ones, and changed ones if asked. */
static const char *
wanted(const struct ma_migrate *m)
{
	return m->o->update ? "(store IS NULL OR store = 'change')" :
	    "store IS NULL";
}

int
mg_write_prepare(struct ma_migrate *m, const char *fmt, struct ma_stmt **st,
    struct ma_err *err)
{
	char *sql;
	int rc;

	if (asprintf(&sql, fmt, wanted(m)) < 0)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	rc = ma_db_prepare(m->w, sql, st, err);
	free(sql);
	return rc;
}

/* New domains waiting for their INSERT; their strings are copies. */
struct new_domains {
	struct ma_domain_req	 req[CHUNK];
	char			*text[CHUNK][4];	/* name, … */
	size_t			 n;
};

static void
drop_domains(struct new_domains *nd)
{
	size_t i, j;

	for (i = 0; i < nd->n; i++)
		for (j = 0; j < 4; j++)
			free(nd->text[i][j]);
	nd->n = 0;
}

static int
flush_domains(struct ma_db *db, struct new_domains *nd, struct ma_err *err)
{
	int rc = ma_domain_add_rows(db, nd->req, nd->n, err);

	drop_domains(nd);
	return rc;
}

/*
 * A row of work.domain as a request: its strings st's, or copies in
 * copies[4] (which the caller frees) when copies is not NULL.
 */
static int
row_to_domain(struct ma_migrate *m, struct ma_stmt *st,
    struct ma_domain_req *req, char **copies, struct ma_err *err)
{
	static const int text_cols[4] = { 0, 1, 7, 10 };
	const char *v[4];
	size_t j;

	for (j = 0; j < 4; j++) {
		v[j] = ma_stmt_text(st, text_cols[j]);
		if (j == 3 && v[j] == NULL)
			v[j] = SENTINEL;
		if (copies == NULL || v[j] == NULL)
			continue;
		if ((copies[j] = strdup(v[j])) == NULL)
			return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
		v[j] = copies[j];
	}
	memset(req, 0, sizeof(*req));
	req->name = v[0];
	req->multiplier = m->o->multiplier;
	req->fields = MA_DOM_DESCRIPTION | MA_DOM_QUOTA | MA_DOM_MAX_QUOTA |
	    MA_DOM_DOMAIN_QUOTA | MA_DOM_MAX_MAILBOXES | MA_DOM_MAX_ALIASES |
	    MA_DOM_TRANSPORT | MA_DOM_BACKUP_MX | MA_DOM_ACTIVE;
	req->values.description = v[1];
	req->values.quota = ma_stmt_int(st, 2);
	req->values.max_quota = ma_stmt_int(st, 3);
	req->values.domain_quota = ma_stmt_int(st, 4);
	req->values.max_mailboxes = ma_stmt_int(st, 5);
	req->values.max_aliases = ma_stmt_int(st, 6);
	req->values.transport = v[2];
	req->values.backup_mx = ma_stmt_int(st, 8) != 0;
	req->values.active = ma_stmt_int(st, 9) != 0;
	req->values.created = v[3];
	return 0;
}

/*
 * New domains go in CHUNK at a time; a changed one is updated in its
 * place in the order (the log rows keep the plan's order).
 */
static int
write_domains(struct ma_migrate *m, struct ma_db *db, struct ma_err *err)
{
	struct new_domains nd;
	struct ma_domain_req req;
	struct ma_stmt *st;
	int rc;

	nd.n = 0;
	if (mg_write_prepare(m, "SELECT name, description, quota, max_quota, "
	    "domain_quota, max_mailboxes, max_aliases, transport, backup_mx, "
	    "active, created, store FROM work.domain WHERE status = 'import' "
	    "AND %s ORDER BY seq", &st, err) < 0)
		return -1;
	while ((rc = ma_stmt_step(st, err)) == 1) {
		if (ma_stmt_isnull(st, 11)) {
			memset(nd.text[nd.n], 0, sizeof(nd.text[nd.n]));
			rc = row_to_domain(m, st, &nd.req[nd.n], nd.text[nd.n],
			    err);
			nd.n++;
			if (rc == 0 && nd.n == CHUNK)
				rc = flush_domains(db, &nd, err);
		} else if ((rc = flush_domains(db, &nd, err)) == 0 &&
		    (rc = row_to_domain(m, st, &req, NULL, err)) == 0) {
			rc = ma_domain_set(db, &req, err);
		}
		if (rc < 0)
			break;
		m->written[MA_MIG_DOMAINS]++;
	}
	ma_stmt_finalize(&st);
	if (rc == 0)
		rc = flush_domains(db, &nd, err);
	drop_domains(&nd);
	return rc < 0 ? ma_err_prefix(err, "domains") : 0;
}

static int
write_alias_domains(struct ma_migrate *m, struct ma_db *db, struct ma_err *err)
{
	struct ma_stmt *st;
	int rc;

	if (mg_write_prepare(m, "SELECT substr(address, 2), substr(goto, 2), store FROM "
	    "work.alias WHERE status = 'import' AND kind = 'domain_alias' AND "
	    "%s ORDER BY seq", &st, err) < 0)
		return -1;
	while ((rc = ma_stmt_step(st, err)) == 1) {
		if ((!ma_stmt_isnull(st, 2) && ma_alias_domain_del(db,
		    ma_stmt_text(st, 0), err) < 0) || ma_alias_domain_add(db,
		    ma_stmt_text(st, 0), ma_stmt_text(st, 1), err) < 0) {
			rc = -1;
			break;
		}
		m->written[MA_MIG_ALIAS_DOMAINS]++;
	}
	ma_stmt_finalize(&st);
	return rc < 0 ? ma_err_prefix(err, "alias domains") : 0;
}

/* "address +t1 +t2", the log data alias add writes. */
static char *
describe_alias(const char *address, const char *targets)
{
	char *s = NULL, *p;
	size_t n = strlen(address) + 2 * strlen(targets) + 4;

	if ((s = malloc(n)) == NULL)
		return NULL;
	p = s + snprintf(s, n, "%s +", address);
	for (; *targets != '\0'; targets++) {
		if (*targets == ',') {
			*p++ = ' ';
			*p++ = '+';
		} else {
			*p++ = *targets;
		}
	}
	*p = '\0';
	return s;
}

/* New aliases waiting for their INSERT; their strings are copies. */
struct new_aliases {
	struct ma_db		*db;
	struct alias_row	 rows[CHUNK];
	char			*data[CHUNK];	/* their log rows */
	char			*strings[CHUNK][3];
	size_t			 n;
};

static void
drop_aliases(struct new_aliases *na)
{
	size_t i, j;

	for (i = 0; i < na->n; i++) {
		for (j = 0; j < 3; j++)
			free(na->strings[i][j]);
		free(na->data[i]);
	}
	na->n = 0;
}

/* The aliases and their log rows, as the worker's job. */
static int
flush_aliases(void *arg, struct ma_err *err)
{
	struct new_aliases *na = arg;
	const char *domains[CHUNK];
	size_t i;
	int rc = 0;

	for (i = 0; i < na->n; i++)
		domains[i] = na->rows[i].domain;
	if (na->n > 0 && (alias_insert_rows(na->db, na->rows, na->n, err) < 0 ||
	    ma_log_write_rows(na->db, na->n, domains, "create_alias",
	    (const char *const *)na->data, err) < 0))
		rc = -1;
	drop_aliases(na);
	return rc;
}

/* Queue a new alias (the current row of st) for the next INSERT. */
static int
add_alias(struct ma_stmt *st, struct new_aliases *na, struct ma_err *err)
{
	size_t i = na->n++, j;

	for (j = 0; j < 3; j++)
		na->strings[i][j] = strdup(ma_stmt_text(st, (int)j));
	na->rows[i].address = na->strings[i][0];
	na->rows[i].goto_list = na->strings[i][1];
	na->rows[i].domain = na->strings[i][2];
	na->rows[i].active = ma_stmt_int(st, 3) != 0;
	na->rows[i].created = NULL;
	na->data[i] = na->strings[i][0] && na->strings[i][1] ? describe_alias(
	    na->strings[i][0], na->strings[i][1]) : NULL;
	if (na->strings[i][2] == NULL || na->data[i] == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	return 0;
}

/* An alias row the store has (or a new mailbox just got): new targets. */
static int
update_alias(struct ma_db *db, struct ma_stmt *st, struct ma_err *err)
{
	const char *const p[] = { ma_stmt_text(st, 1), ma_stmt_int(st, 3) ?
	    "1" : "0", ma_db_now(db), ma_stmt_text(st, 0), NULL };
	char *data;
	int rc;

	if (ma_db_run(db, "UPDATE alias SET goto = ?, active = ?, modified = ? "
	    "WHERE address = ?", p, NULL, err) < 0)
		return -1;
	if ((data = describe_alias(ma_stmt_text(st, 0), ma_stmt_text(st, 1))) ==
	    NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	rc = ma_log_write(db, ma_stmt_text(st, 2), "edit_alias", data, err);
	free(data);
	return rc;
}

/*
 * New aliases go in CHUNK at a time, the worker writing one chunk while
 * the next is read; one the store has is updated in its place.
 */
static int
write_aliases(struct ma_migrate *m, struct ma_db *db, struct ma_err *err)
{
	struct new_aliases *na = calloc(2, sizeof(*na)), *cur = na;
	struct ma_worker *w = NULL;
	struct ma_stmt *st;
	int rc;

	if (na == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	na[0].db = na[1].db = db;
	/* A new mailbox's own row went in with it. */
	if (ma_worker_start(&w, err) < 0 || mg_write_prepare(m, "SELECT "
	    "address, goto, domain, active, created, kind, store FROM work.alias "
	    "WHERE status = 'import' AND kind <> 'domain_alias' AND (%s) AND "
	    "NOT (kind = 'mailbox' AND store IS NULL) ORDER BY seq", &st,
	    err) < 0) {
		ma_worker_stop(&w);
		free(na);
		return -1;
	}
	while ((rc = ma_stmt_step(st, err)) == 1) {
		if (strcmp(ma_stmt_text(st, 5), "mailbox") == 0 ||
		    !ma_stmt_isnull(st, 6)) {
			if ((rc = ma_worker_wait(w, err)) < 0 ||
			    (rc = update_alias(db, st, err)) < 0)
				break;
		} else if ((rc = add_alias(st, cur, err)) < 0) {
			break;
		} else if (cur->n == CHUNK) {
			if ((rc = ma_worker_run(w, flush_aliases, cur,
			    err)) < 0)
				break;
			cur = cur == na ? na + 1 : na;
		}
		m->written[MA_MIG_ALIASES]++;
	}
	ma_stmt_finalize(&st);
	rc = ma_worker_last(&w, flush_aliases, cur, rc, err);
	drop_aliases(&na[0]);
	drop_aliases(&na[1]);
	free(na);
	return rc < 0 ? ma_err_prefix(err, "aliases") : 0;
}

static int
flush_log(void *db, struct ma_err *err)
{
	return ma_log_flush(db, err);
}

/*
 * The late checks (in SQLite), made while the worker writes the held log
 * rows: the server is busy with the one, a processor with the other.
 * Once: an attempt that is retried has them already.
 */
static int
log_and_check(struct ma_migrate *m, struct ma_db *db, struct ma_err *err)
{
	struct ma_worker *w;
	struct ma_err logged;
	int rc;

	if (ma_worker_start(&w, err) < 0)
		return -1;
	if ((rc = ma_worker_run(w, flush_log, db, err)) == 0) {
		rc = mg_cross_checks(m, err);
		m->checked = rc == 0;
	}
	if (ma_worker_wait(w, &logged) < 0 && rc == 0) {
		*err = logged;
		rc = -1;
	}
	ma_worker_stop(&w);
	return rc;
}

int
ma_migrate_txn(struct ma_db *db, void *arg, struct ma_err *err)
{
	struct ma_migrate *m = arg;
	FILE *pw = m->o->new_passwords;

	memset(m->written, 0, sizeof(m->written));
	/* An attempt that is retried starts the passwords file again. */
	if (pw != NULL && (fflush(pw) != 0 || ftruncate(fileno(pw), 0) < 0 ||
	    fseeko(pw, 0, SEEK_SET) < 0 || fprintf(pw, "address,password\n") < 0))
		return ma_fail(err, MA_EIO, errno, "cannot write the passwords "
		    "file: %s", strerror(errno));
	/*
	 * Not planned yet: planned now, the new mailboxes' rows (and their
	 * new passwords) going in meanwhile.  An attempt that is retried has
	 * its plan, and writes every row itself.
	 */
	if (m->planned)
		m->early_done = 0;
	else if (ma_migrate_read_store(m, db, err) < 0 ||
	    mg_plan(m, db, err) < 0)
		return -1;
	else if (m->early_err.status != MA_OK) {
		*err = m->early_err;
		return -1;
	}
	if (write_domains(m, db, err) < 0 || write_alias_domains(m, db, err) < 0 ||
	    mg_write_mailboxes(m, db, err) < 0 || write_aliases(m, db, err) < 0)
		return -1;
	if (!m->checked && log_and_check(m, db, err) < 0)
		return -1;
	if (pw != NULL && fflush(pw) != 0)
		return ma_fail(err, MA_EIO, errno, "cannot write the passwords "
		    "file: %s", strerror(errno));
	return 0;
}
