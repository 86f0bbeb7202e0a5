/* migrate verify: where the store and the planned source part. */
#include "migrate-priv.h"

/* The rows of the plan the store lacks or has otherwise, then extras. */
static const char differences[] =
    "SELECT 'domain', name, CASE WHEN store IS NULL THEN 'missing' ELSE "
    "'differs' END FROM work.domain WHERE status = 'import' AND (store IS "
    "NULL OR store = 'change') "
    "UNION ALL SELECT 'alias_domain', substr(address, 2), CASE WHEN store "
    "IS NULL THEN 'missing' ELSE 'differs' END FROM work.alias WHERE "
    "status = 'import' AND kind = 'domain_alias' AND (store IS NULL OR "
    "store = 'change') "
    "UNION ALL SELECT 'mailbox', address, CASE WHEN store IS NULL THEN "
    "'missing' ELSE 'differs' END FROM work.mailbox WHERE status = "
    "'import' AND (store IS NULL OR store = 'change') "
    "UNION ALL SELECT 'alias', address, CASE WHEN store IS NULL THEN "
    "'missing' ELSE 'differs' END FROM work.alias WHERE status = 'import' "
    "AND kind <> 'domain_alias' AND (store IS NULL OR store = 'change') "
    "UNION ALL SELECT 'mailbox', s.address, 'extra' FROM "
    "work.store_mailbox s WHERE substr(s.address, instr(s.address, '@') + "
    "1) IN (SELECT name FROM work.domain WHERE status = 'import') AND NOT "
    "EXISTS (SELECT 1 FROM work.mailbox w WHERE w.address = s.address AND "
    "w.status = 'import') "
    /* a self alias is its mailbox's, not an alias of its own */
    "UNION ALL SELECT 'alias', s.address, 'extra' FROM work.store_alias s "
    "WHERE substr(s.address, instr(s.address, '@') + 1) IN (SELECT name "
    "FROM work.domain WHERE status = 'import') AND NOT EXISTS (SELECT 1 "
    "FROM work.alias w WHERE w.address = s.address AND w.status = "
    "'import') AND NOT (s.goto = s.address AND EXISTS (SELECT 1 FROM "
    "work.mailbox w WHERE w.address = s.address AND w.status = 'import')) "
    /* with --maildirs: a Maildir the plan would still copy or make */
    "UNION ALL SELECT 'maildir', address, 'missing' FROM work.maildir "
    "WHERE state IN ('copy', 'create') "
    /* or one in place whose messages are not the source's */
    "UNION ALL SELECT 'maildir', address, 'differs' FROM work.maildir "
    "WHERE state = 'present' AND have_messages IS NOT NULL AND "
    "(have_messages <> messages OR have_bytes <> bytes) "
    "ORDER BY 1, 2";

static int
diff_row(struct ma_stmt *st, const struct mg_out *o)
{
	struct ma_migrate_diff d = {
		.what = ma_stmt_text(st, 0),
		.name = ma_stmt_text(st, 1),
		.state = ma_stmt_text(st, 2),
	};

	return o->fn.diff != NULL ? o->fn.diff(&d, o->arg) : 0;
}

int
ma_migrate_differences(struct ma_migrate *m, ma_migrate_diff_cb *fn,
    void *arg, long *n, struct ma_err *err)
{
	struct mg_out o = { .fn.diff = fn, .arg = arg };

	return mg_rows(m, differences, diff_row, &o, "differences", n, err);
}
