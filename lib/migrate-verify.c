/* migrate verify: where the store and the planned source part. */
#include <errno.h>
#include <string.h>

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
    "ORDER BY 1, 2";

int
ma_migrate_differences(struct ma_migrate *m, ma_migrate_diff_cb *fn,
    void *arg, long *n, struct ma_err *err)
{
	struct ma_migrate_diff d;
	struct ma_stmt *st;
	long count = 0;
	int rc;

	if (ma_db_prepare(m->w, differences, &st, err) < 0)
		return -1;
	while ((rc = ma_stmt_step(st, err)) == 1) {
		d.what = ma_stmt_text(st, 0);
		d.name = ma_stmt_text(st, 1);
		d.state = ma_stmt_text(st, 2);
		count++;
		if (fn != NULL && fn(&d, arg) < 0) {
			rc = ma_fail(err, MA_EIO, errno, "cannot write the "
			    "differences: %s", strerror(errno));
			break;
		}
	}
	ma_stmt_finalize(&st);
	if (n != NULL)
		*n = count;
	return rc < 0 ? -1 : 0;
}
