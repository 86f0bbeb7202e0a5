/*
 * The vacations and admins queries: mailadm keeps neither auto-replies
 * nor web admins, but what they say is checked and reported.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "migrate-priv.h"
#include "valid.h"

static const char *const vacation_columns[] = { "address", "active", NULL };
static const char *const admin_columns[] = { "admin", "domain", NULL };

static int
vacation_row(struct mg_query *q, void *arg, struct ma_err *err)
{
	const char *raw = mg_val(q, 0), *flag = mg_val(q, 1);
	struct ma_address a;
	struct ma_err bad;
	struct mg_src src;
	int active = 1, rc;

	(void)arg;
	if (raw == NULL || ma_address_normalize(raw, 0, &a, &bad) < 0)
		return 0;
	if (flag != NULL && mg_bool(flag, &active) < 0)
		active = 1;
	rc = mg_run(q->m, "INSERT OR REPLACE INTO work.vacation (address, "
	    "active) VALUES (?, ?)", (const char *const[]){ a.address,
	    active ? "1" : "0", NULL }, err);
	if (rc < 0 || mg_source(q, &src, err) < 0)
		return -1;
	rc = mg_row_note(q, &src, "info", "VACATION_NOT_IMPORTED", err, "an "
	    "auto-reply%s: mailadm keeps none, set it up on the "
	    "new server", active ? "" : " (inactive)");
	mg_src_release(&src);
	return rc;
}

int
mg_vacations(struct ma_migrate *m, struct ma_err *err)
{
	long rows;

	return mg_query_each(m, MA_MAP_VACATIONS, vacation_columns,
	    vacation_row, NULL, &rows, err);
}

/* One admin right: on 'ALL' (superadmins), or on a domain we import. */
static int
admin_row(struct mg_query *q, void *arg, struct ma_err *err)
{
	int *all_seen = arg;
	const char *domain = mg_val(q, 1);
	struct mg_domain_state ds;
	char name[MA_DOMAIN_MAX + 1], *lower;
	struct ma_err bad;
	struct mg_src src;
	int rc = 0;

	if (domain == NULL || mg_source(q, &src, err) < 0)
		return domain == NULL ? 0 : -1;
	if (strcasecmp(domain, "ALL") == 0) {
		if (!(*all_seen)++)
			rc = mg_note(q->m, "warning", "PSEUDO_DOMAIN_ALL",
			    src.table, "{\"domain\": \"ALL\"}", NULL, err,
			    "domain 'ALL' marks Postfixadmin's superadmins: "
			    "not a "
			    "domain");
	} else if (ma_domain_normalize(domain, name, &bad) < 0) {
		if (mg_trim(domain, &lower) < 0)
			rc = -1;
		else
			rc = mg_row_note(q, &src, "warning",
			    "DOMAIN_ROW_MISSING", err, "admin right on '%s', "
			    "which is not a domain", lower);
		free(lower);
	} else if ((rc = mg_domain_state(q->m, name, &ds,
	    err)) == 0 && !ds.ok) {
		rc = mg_row_note(q, &src, "warning", "DOMAIN_ROW_MISSING", err,
		    "admin right on a domain that is not "
		    "imported: %s", ds.reason);
	}
	mg_src_release(&src);
	return rc;
}

int
mg_admins(struct ma_migrate *m, struct ma_err *err)
{
	const char *table = m->map->source[MA_MAP_ADMINS].table;
	long rows = 0;
	int all = 0;

	if (mg_query_each(m, MA_MAP_ADMINS, admin_columns, admin_row, &all,
	    &rows, err) < 0)
		return -1;
	if (rows == 0)
		return 0;
	return mg_note(m, "info", "ADMINS_NOT_IMPORTED", table ? table :
	    "admins", "{}", NULL, err, "%ld admin rights: mailadm keeps no web "
	    "admins (give them to the new admin interface)", rows);
}
