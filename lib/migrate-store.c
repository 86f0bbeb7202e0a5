/*
 * The store as it is before the migration, read once into work.store_*,
 * and the comparison that tells rows to add from rows already there, as
 * they are or changed at the source.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "goto.h"
#include "migrate-priv.h"
#include "passwd.h"

/* SELECT sql on the store, each row INSERTed with ins into the work db. */
static int
copy(struct ma_migrate *m, struct ma_db *store, const char *sql,
    const char *ins, struct ma_err *err)
{
	struct ma_stmt *from, *to;
	int rc, i;

	if (ma_db_prepare(store, sql, &from, err) < 0)
		return ma_err_prefix(err, "reading the store");
	if (ma_db_prepare(m->w, ins, &to, err) < 0) {
		ma_stmt_finalize(&from);
		return -1;
	}
	while ((rc = ma_stmt_step(from, err)) == 1) {
		for (i = 0; i < ma_stmt_columns(from); i++)
			ma_stmt_bind_text(to, i + 1, ma_stmt_text(from, i));
		if ((rc = ma_stmt_step(to, err)) < 0)
			break;
		ma_stmt_reset(to);
	}
	ma_stmt_finalize(&from);
	ma_stmt_finalize(&to);
	return rc < 0 ? -1 : 0;
}

int
mg_read_store(struct ma_migrate *m, struct ma_db *store, struct ma_err *err)
{
	if (copy(m, store, "SELECT domain, description, aliases, mailboxes, "
	    "maxquota, quota, default_quota, transport, backupmx, active FROM "
	    "domain", "INSERT INTO work.store_domain VALUES (?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?)", err) < 0 ||
	    copy(m, store, "SELECT username, password, name, quota, active FROM "
	    "mailbox", "INSERT INTO work.store_mailbox VALUES (?, ?, ?, ?, ?)",
	    err) < 0 ||
	    copy(m, store, "SELECT address, goto, active FROM alias",
	    "INSERT INTO work.store_alias VALUES (?, ?, ?)", err) < 0 ||
	    copy(m, store, "SELECT alias_domain, target_domain FROM "
	    "alias_domain", "INSERT INTO work.store_alias_domain VALUES (?, ?)",
	    err) < 0)
		return -1;
	return 0;
}

int
mg_goto_same(const char *a, const char *b)
{
	struct ma_goto x = MA_GOTO_INIT, y = MA_GOTO_INIT;
	struct ma_err ignored;
	size_t i;
	int same;

	same = ma_goto_parse(&x, a, &ignored) == 0 &&
	    ma_goto_parse(&y, b, &ignored) == 0 && x.n == y.n;
	for (i = 0; same && i < x.n; i++)
		same = ma_goto_has(&y, x.v[i]);
	ma_goto_release(&x);
	ma_goto_release(&y);
	return same;
}

static int
compare_domains(struct ma_migrate *m, struct ma_err *err)
{
	char mult[24];
	const char *const p[] = { mult, mult, NULL };

	snprintf(mult, sizeof(mult), "%" PRIu64, m->o->multiplier ?
	    m->o->multiplier : 1);
	if (mg_run(m, "UPDATE work.domain AS w SET store = (SELECT CASE WHEN "
	    "s.description IS w.description AND s.aliases = w.max_aliases AND "
	    "s.mailboxes = w.max_mailboxes AND s.maxquota = CASE WHEN "
	    "w.max_quota > 0 THEN w.max_quota / ?1 ELSE w.max_quota END AND "
	    "s.quota = CASE WHEN w.domain_quota > 0 THEN w.domain_quota / ?2 "
	    "ELSE w.domain_quota END AND s.default_quota = w.quota AND "
	    "s.transport IS w.transport AND s.backupmx = w.backup_mx AND "
	    "s.active = w.active THEN 'same' ELSE 'change' END FROM "
	    "work.store_domain s WHERE s.name = w.name) WHERE status = "
	    "'import'", p, err) < 0)
		return -1;
	return mg_run(m, "UPDATE work.alias AS w SET store = (SELECT CASE WHEN "
	    "s.target_domain = substr(w.goto, 2) THEN 'same' ELSE 'change' END "
	    "FROM work.store_alias_domain s WHERE s.alias_domain = "
	    "substr(w.address, 2)) WHERE status = 'import' AND kind = "
	    "'domain_alias'", NULL, err);
}

/* Whether the stored password stands for the plan's one. */
static int
same_password(const struct ma_migrate *m, const char *class,
    const char *want, const char *have)
{
	struct ma_err ignored;

	if (strcmp(class, MG_PW_HASH) == 0)
		return ma_passwd_verify(have, want, &ignored) == 1;
	/* A random password given by an earlier run (or since) stays. */
	if (strcmp(class, MG_PW_LOCK) == 0 && m->o->new_passwords != NULL)
		return 1;
	return strcmp(want, have) == 0;
}

/* What the store has of a work row (sql sets its store to ?): same or change. */
static int
verdict(struct ma_migrate *m, const char *sql, const char *seq, int same,
    struct ma_err *err)
{
	const char *const p[] = { same ? "same" : "change", seq, NULL };

	return mg_run(m, sql, p, err);
}

static int
compare_mailboxes(struct ma_migrate *m, struct ma_err *err)
{
	struct ma_stmt *st;
	int rc;

	/*
	 * The store's rows lead (CROSS JOIN keeps that order): a first
	 * migration, into an empty store, then reads none of the plan's.
	 */
	if (ma_db_prepare(m->w, "SELECT w.seq, w.pwclass, w.password, "
	    "s.password, w.name IS s.name AND w.quota = s.quota AND w.active = "
	    "s.active FROM work.store_mailbox s CROSS JOIN work.mailbox w ON "
	    "w.address = s.address WHERE w.status = 'import'", &st, err) < 0)
		return -1;
	while ((rc = ma_stmt_step(st, err)) == 1)
		if ((rc = verdict(m, "UPDATE work.mailbox SET store = ? WHERE "
		    "seq = ?", ma_stmt_text(st, 0),
		    ma_stmt_int(st, 4) && same_password(m, ma_stmt_text(st, 1),
		    ma_stmt_text(st, 2) ? ma_stmt_text(st, 2) : "",
		    ma_stmt_text(st, 3) ? ma_stmt_text(st, 3) : ""), err)) < 0)
			break;
	ma_stmt_finalize(&st);
	return rc < 0 ? -1 : 0;
}

static int
compare_aliases(struct ma_migrate *m, struct ma_err *err)
{
	struct ma_stmt *st;
	int rc;

	/*
	 * As for mailboxes, the store leads.  A new mailbox brings its self
	 * alias row: that one is added.
	 */
	if (ma_db_prepare(m->w, "SELECT w.seq, w.goto, s.goto, w.active = "
	    "s.active FROM work.store_alias s CROSS JOIN work.alias w ON "
	    "w.address = s.address WHERE w.status = 'import' AND w.kind <> "
	    "'domain_alias' "
	    "AND NOT EXISTS (SELECT 1 FROM work.mailbox x WHERE x.address = "
	    "w.address AND x.status = 'import' AND x.store IS NULL)", &st,
	    err) < 0)
		return -1;
	while ((rc = ma_stmt_step(st, err)) == 1)
		if ((rc = verdict(m, "UPDATE work.alias SET store = ? WHERE seq "
		    "= ?", ma_stmt_text(st, 0),
		    ma_stmt_int(st, 3) && mg_goto_same(ma_stmt_text(st, 1),
		    ma_stmt_text(st, 2) ? ma_stmt_text(st, 2) : ""), err)) < 0)
			break;
	ma_stmt_finalize(&st);
	return rc < 0 ? -1 : 0;
}

/* The counts of one work table: store NULL (add), same, change; rejects. */
static int
count(struct ma_migrate *m, const char *sql, struct ma_migrate_count *c,
    struct ma_err *err)
{
	struct ma_stmt *st;
	int rc;

	if (ma_db_prepare(m->w, sql, &st, err) < 0)
		return -1;
	while ((rc = ma_stmt_step(st, err)) == 1) {
		const char *s = ma_stmt_text(st, 0);
		long n = (long)ma_stmt_int(st, 1);

		if (s == NULL)
			c->add += n;
		else if (strcmp(s, "same") == 0)
			c->same += n;
		else if (strcmp(s, "change") == 0)
			c->change += n;
		else
			c->reject += n;
	}
	ma_stmt_finalize(&st);
	return rc;
}

int
mg_compare(struct ma_migrate *m, struct ma_err *err)
{
	struct ma_migrate_count *c = m->count;

	if (compare_domains(m, err) < 0 || compare_mailboxes(m, err) < 0 ||
	    compare_aliases(m, err) < 0)
		return -1;
	if (count(m, "SELECT CASE status WHEN 'reject' THEN 'reject' ELSE store "
	    "END AS s, COUNT(*) FROM work.domain GROUP BY s",
	    &c[MA_MIG_DOMAINS], err) < 0 ||
	    count(m, "SELECT CASE status WHEN 'reject' THEN 'reject' ELSE store "
	    "END AS s, COUNT(*) FROM work.mailbox GROUP BY s",
	    &c[MA_MIG_MAILBOXES], err) < 0 ||
	    count(m, "SELECT CASE status WHEN 'reject' THEN 'reject' ELSE store "
	    "END AS s, COUNT(*) FROM work.alias WHERE kind IS NOT "
	    "'domain_alias' GROUP BY s", &c[MA_MIG_ALIASES], err) < 0 ||
	    count(m, "SELECT store, COUNT(*) FROM work.alias WHERE kind = "
	    "'domain_alias' AND status = 'import' GROUP BY store",
	    &c[MA_MIG_ALIAS_DOMAINS], err) < 0)
		return -1;
	/* Rejected rows the map gave without a work row (no address). */
	c[MA_MIG_DOMAINS].reject = c[MA_MIG_DOMAINS].source -
	    c[MA_MIG_DOMAINS].add - c[MA_MIG_DOMAINS].same -
	    c[MA_MIG_DOMAINS].change;
	c[MA_MIG_MAILBOXES].reject = c[MA_MIG_MAILBOXES].source -
	    c[MA_MIG_MAILBOXES].add - c[MA_MIG_MAILBOXES].same -
	    c[MA_MIG_MAILBOXES].change;
	c[MA_MIG_ALIASES].reject = c[MA_MIG_ALIASES].source -
	    c[MA_MIG_ALIASES].add - c[MA_MIG_ALIASES].same -
	    c[MA_MIG_ALIASES].change - c[MA_MIG_ALIAS_DOMAINS].add -
	    c[MA_MIG_ALIAS_DOMAINS].same - c[MA_MIG_ALIAS_DOMAINS].change;
	c[MA_MIG_ALIAS_DOMAINS].source = c[MA_MIG_ALIAS_DOMAINS].add +
	    c[MA_MIG_ALIAS_DOMAINS].same + c[MA_MIG_ALIAS_DOMAINS].change;
	c[MA_MIG_ALIASES].source -= c[MA_MIG_ALIAS_DOMAINS].source;
	return 0;
}
