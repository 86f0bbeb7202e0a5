/* A migration: its work tables, the plan, its counts. */
#include "migrate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migrate-priv.h"

/*
 * The work tables (see migrate-priv.h), in the attached "work" schema.
 * The address indexes carry the status: most lookups ask for an imported
 * row only, and need not read the (wide) row itself.
 */
static const char *const work_schema[] = {
	"CREATE TABLE work.domain (seq INTEGER PRIMARY KEY, name TEXT, raw "
	    "TEXT, src_table TEXT, key_json TEXT, key_text TEXT, description "
	    "TEXT, quota INTEGER, max_quota INTEGER, domain_quota INTEGER, "
	    "max_mailboxes INTEGER, max_aliases INTEGER, transport TEXT, "
	    "backup_mx INTEGER, active INTEGER, created TEXT, status TEXT, "
	    "reject TEXT, store TEXT)",
	"CREATE INDEX work.domain_name ON domain (name)",
	"CREATE TABLE work.mailbox (seq INTEGER PRIMARY KEY, address TEXT, raw "
	    "TEXT, local TEXT, domain TEXT, src_table TEXT, key_json TEXT, "
	    "key_text TEXT, password TEXT, pwclass TEXT, name TEXT, quota "
	    "INTEGER, quota_messages INTEGER, active INTEGER, created TEXT, "
	    "maildir TEXT, src_maildir TEXT, status TEXT, reject TEXT, store "
	    "TEXT)",
	"CREATE INDEX work.mailbox_address ON mailbox (address, status)",
	"CREATE TABLE work.alias (seq INTEGER PRIMARY KEY, address TEXT, raw "
	    "TEXT, domain TEXT, src_table TEXT, key_json TEXT, key_text TEXT, "
	    "goto TEXT, kind TEXT, active INTEGER, created TEXT, status TEXT, "
	    "reject TEXT, store TEXT)",
	"CREATE INDEX work.alias_address ON alias (address, status)",
	"CREATE TABLE work.target (alias_seq INTEGER, target TEXT, domain "
	    "TEXT)",
	"CREATE INDEX work.target_alias ON target (alias_seq)",
	"CREATE TABLE work.edge (src INTEGER, dst INTEGER)",
	"CREATE INDEX work.edge_src ON edge (src)",
	"CREATE INDEX work.edge_dst ON edge (dst)",
	"CREATE TABLE work.vacation (address TEXT PRIMARY KEY, active INTEGER)",
	"CREATE TABLE work.maildir (seq INTEGER PRIMARY KEY, address TEXT, "
	    "src TEXT, dst TEXT, quota INTEGER, state TEXT, messages INTEGER, "
	    "bytes INTEGER, files INTEGER, skipped INTEGER, have_messages "
	    "INTEGER, have_bytes INTEGER)",
	"CREATE TABLE work.report (seq INTEGER PRIMARY KEY, severity TEXT, code "
	    "TEXT, src_table TEXT, key_json TEXT, reason TEXT, row_json TEXT)",
	"CREATE TABLE work.store_domain (name TEXT PRIMARY KEY, description "
	    "TEXT, aliases INTEGER, mailboxes INTEGER, maxquota INTEGER, quota "
	    "INTEGER, default_quota INTEGER, transport TEXT, backupmx INTEGER, "
	    "active INTEGER)",
	"CREATE TABLE work.store_mailbox (address TEXT PRIMARY KEY, password "
	    "TEXT, name TEXT, quota INTEGER, active INTEGER)",
	"CREATE TABLE work.store_alias (address TEXT PRIMARY KEY, goto TEXT, "
	    "active INTEGER)",
	"CREATE TABLE work.store_alias_domain (alias_domain TEXT PRIMARY KEY, "
	    "target_domain TEXT)",
	NULL
};

struct ma_stmt *
mg_stmt(struct ma_migrate *m, const char *sql, const char *const *p,
    struct ma_err *err)
{
	struct ma_stmt *st = NULL;
	int i;

	for (i = 0; i < MG_STMTS && m->stmts[i].sql != NULL; i++)
		if (m->stmts[i].sql == sql) {
			st = m->stmts[i].st;
			ma_stmt_reset(st);
			break;
		}
	if (st == NULL) {
		if (i == MG_STMTS) {
			ma_fail(err, MA_ENOMEM, 0, "too many statements");
			return NULL;
		}
		if (ma_db_prepare(m->w, sql, &st, err) < 0)
			return NULL;
		m->stmts[i].sql = sql;
		m->stmts[i].st = st;
	}
	for (i = 0; p != NULL && p[i] != NULL; i++)
		ma_stmt_bind_text(st, i + 1, p[i]);
	return st;
}

int
mg_query1(struct ma_migrate *m, const char *sql, const char *const *p,
    struct ma_stmt **stp, struct ma_err *err)
{
	if ((*stp = mg_stmt(m, sql, p, err)) == NULL)
		return -1;
	return ma_stmt_step(*stp, err);
}

int
mg_count(struct ma_migrate *m, const char *sql, const char *const *p,
    int64_t *out, struct ma_err *err)
{
	struct ma_stmt *st;
	int rc = mg_query1(m, sql, p, &st, err);

	*out = rc == 1 ? ma_stmt_int(st, 0) : 0;
	return rc < 0 ? -1 : 0;
}

int
mg_run(struct ma_migrate *m, const char *sql, const char *const *p,
    struct ma_err *err)
{
	struct ma_stmt *st;

	return mg_query1(m, sql, p, &st, err) < 0 ? -1 : 0;
}

int
ma_migrate_new(const struct ma_migrate_opts *o, struct ma_staging *s,
    const struct ma_map *map, struct ma_migrate **mp, struct ma_err *err)
{
	struct ma_migrate *m = calloc(1, sizeof(*m));
	size_t i;

	if (m == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	m->o = o;
	m->s = s;
	m->w = ma_staging_db(s);
	m->map = map;
	m->old_fd = -1;
	m->vmail.fd = -1;
	for (i = 0; work_schema[i] != NULL; i++)
		if (ma_db_exec(m->w, work_schema[i], err) < 0) {
			free(m);
			return ma_err_prefix(err, "staging database");
		}
	*mp = m;
	return 0;
}

void
ma_migrate_free(struct ma_migrate **mp)
{
	struct ma_migrate *m = *mp;
	int i;

	if (m == NULL)
		return;
	for (i = 0; i < MG_STMTS; i++)
		ma_stmt_finalize(&m->stmts[i].st);
	if (m->old_fd >= 0)
		close(m->old_fd);
	ma_vmail_close(&m->vmail);
	mg_domain_cache_free(m);
	mg_prehash_free(m);
	free(m);
	*mp = NULL;
}

/*
 * A plan for the transaction that writes it (early not NULL) hashes its
 * cleartext passwords ahead, writes new mailboxes' rows while the aliases
 * are checked and leaves the checks over the whole plan to that
 * transaction (see ma_migrate_txn).
 */
int
mg_plan(struct ma_migrate *m, struct ma_db *early, struct ma_err *err)
{
	int rc;

	/* One transaction on the staging file: far fewer disk syncs. */
	if (ma_db_begin(m->w, err) < 0)
		return -1;
	rc = mg_domains(m, err) < 0 || mg_vacations(m, err) < 0 ||
	    (early != NULL && mg_prehash_open(m, err) < 0) ||
	    mg_mailboxes(m, err) < 0 ||
	    (early != NULL && mg_early_open(m, early, err) < 0) ||
	    mg_aliases(m, err) < 0 ? -1 : 0;
	/* The early rows end with the aliases (all of them if those went). */
	mg_early_close(m, rc == 0);
	if (rc < 0 || mg_admins(m, err) < 0 || (early == NULL &&
	    mg_cross_checks(m, err) < 0) || mg_compare(m, err) < 0 ||
	    mg_maildirs(m, err) < 0) {
		ma_db_rollback(m->w);
		return -1;
	}
	if (ma_db_commit(m->w, err) < 0)
		return -1;
	m->planned = 1;
	m->checked = early == NULL;
	return 0;
}

int
ma_migrate_read_store(struct ma_migrate *m, struct ma_db *store,
    struct ma_err *err)
{
	if (m->store_read)
		return 0;
	if (ma_db_begin(m->w, err) < 0)
		return -1;
	if (mg_read_store(m, store, err) < 0) {
		ma_db_rollback(m->w);
		return -1;
	}
	if (ma_db_commit(m->w, err) < 0)
		return -1;
	m->store_read = 1;
	return 0;
}

int
ma_migrate_plan(struct ma_migrate *m, struct ma_db *store,
    struct ma_err *err)
{
	if (ma_migrate_read_store(m, store, err) < 0)
		return -1;
	return mg_plan(m, NULL, err);
}

void
ma_migrate_counts(const struct ma_migrate *m, enum ma_migrate_what w,
    struct ma_migrate_count *c)
{
	*c = m->count[w];
}

long
ma_migrate_written(const struct ma_migrate *m, enum ma_migrate_what w)
{
	return m->written[w];
}
