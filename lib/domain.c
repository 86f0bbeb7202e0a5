#include "domain.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "size.h"

#define MAX_DESCRIPTION 255

/* One column of the domain table that add and set may write. */
struct field {
	unsigned int	 flag;
	const char	*column;
	const char	*label;		/* in log rows */
};

static const struct field fields[] = {
	{ MA_DOM_DESCRIPTION, "description", "description" },
	{ MA_DOM_MAX_ALIASES, "aliases", "max_aliases" },
	{ MA_DOM_MAX_MAILBOXES, "mailboxes", "max_mailboxes" },
	{ MA_DOM_MAX_QUOTA, "maxquota", "max_quota" },
	{ MA_DOM_DOMAIN_QUOTA, "quota", "domain_quota" },
	{ MA_DOM_QUOTA, "default_quota", "quota" },
	{ MA_DOM_TRANSPORT, "transport", "transport" },
	{ MA_DOM_BACKUP_MX, "backupmx", "backup_mx" },
	{ MA_DOM_ACTIVE, "active", "active" },
	{ MA_DOM_REQUIRE_AUTH, "smtp_auth", "require_auth" },
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* Bytes to Postfixadmin's MB units, rounding down; limits stay as they are. */
static int64_t
to_units(int64_t bytes, uint64_t multiplier)
{
	return bytes <= 0 || multiplier == 0 ? bytes :
	    bytes / (int64_t)multiplier;
}

/* The bytes a size reads back as once stored in whole units. */
static int64_t
stored(int64_t bytes, uint64_t multiplier)
{
	return bytes <= 0 ? bytes : to_units(bytes, multiplier) *
	    (int64_t)multiplier;
}

/* A limit under one unit would read as 0, which means unlimited. */
static int
check_units(const char *what, int64_t bytes, uint64_t multiplier,
    struct ma_err *err)
{
	char b[32], m[32];

	if (bytes > 0 && to_units(bytes, multiplier) == 0)
		return ma_fail(err, MA_EINVAL, 0, "invalid %s %s: less than one "
		    "quota unit (quota_multiplier = %s)", what,
		    ma_size_format(bytes, b, sizeof(b)),
		    ma_size_format((int64_t)multiplier, m, sizeof(m)));
	if (to_units(bytes, multiplier) > INT64_MAX / 1024 / 1024)
		return ma_fail(err, MA_EINVAL, 0, "invalid %s: too large", what);
	return 0;
}

/* Bind the value of field f from d at position idx. */
static int
bind_field(struct ma_stmt *st, int idx, const struct field *f,
    const struct ma_domain_req *req)
{
	const struct ma_domain *d = &req->values;

	switch (f->flag) {
	case MA_DOM_DESCRIPTION:
		return ma_stmt_bind_text(st, idx, d->description);
	case MA_DOM_MAX_ALIASES:
		return ma_stmt_bind_int(st, idx, d->max_aliases);
	case MA_DOM_MAX_MAILBOXES:
		return ma_stmt_bind_int(st, idx, d->max_mailboxes);
	case MA_DOM_MAX_QUOTA:
		return ma_stmt_bind_int(st, idx,
		    to_units(d->max_quota, req->multiplier));
	case MA_DOM_DOMAIN_QUOTA:
		return ma_stmt_bind_int(st, idx,
		    to_units(d->domain_quota, req->multiplier));
	case MA_DOM_QUOTA:
		return ma_stmt_bind_int(st, idx, d->quota);
	case MA_DOM_TRANSPORT:
		return ma_stmt_bind_text(st, idx, d->transport);
	case MA_DOM_BACKUP_MX:
		return ma_stmt_bind_int(st, idx, d->backup_mx);
	case MA_DOM_ACTIVE:
		return ma_stmt_bind_int(st, idx, d->active);
	case MA_DOM_REQUIRE_AUTH:
		return ma_stmt_bind_int(st, idx, d->require_auth);
	}
	return -1;
}

int
ma_domain_transport_check(const char *t, struct ma_err *err)
{
	char q[MA_QUOTE_MAX];
	const char *p;

	for (p = t; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			break;
	if (*t == '\0' || *t == ':' || *p != '\0' || p - t > 255)
		return ma_fail(err, MA_EINVAL, 0, "invalid transport '%s': "
		    "expected transport[:nexthop] without spaces",
		    ma_quote(t, q, sizeof(q)));
	return 0;
}

static int
check_req(const struct ma_domain_req *req, struct ma_err *err)
{
	const struct ma_domain *d = &req->values;

	if ((req->fields & MA_DOM_DESCRIPTION) && ma_text_check("description",
	    d->description, MAX_DESCRIPTION, err) < 0)
		return -1;
	if ((req->fields & MA_DOM_TRANSPORT) &&
	    ma_domain_transport_check(d->transport, err) < 0)
		return -1;
	if ((req->fields & MA_DOM_QUOTA) && d->quota < 0)
		return ma_fail(err, MA_EINVAL, 0, "invalid quota: a mailbox "
		    "quota cannot be disabled; use 0 for unlimited");
	if ((req->fields & MA_DOM_MAX_QUOTA) && check_units("max quota",
	    d->max_quota, req->multiplier, err) < 0)
		return -1;
	if ((req->fields & MA_DOM_DOMAIN_QUOTA) && check_units("domain quota",
	    d->domain_quota, req->multiplier, err) < 0)
		return -1;
	return 0;
}

/* "field=value" pairs for the log row of an add or set. */
static void
describe(struct ma_buf *b, const struct ma_domain_req *req, const char *name)
{
	const struct ma_domain *d = &req->values;
	size_t i;

	ma_buf_add(b, name);
	for (i = 0; i < NFIELDS; i++) {
		const struct field *f = &fields[i];

		if (!(req->fields & f->flag))
			continue;
		if (f->flag == MA_DOM_DESCRIPTION)
			ma_buf_addf(b, " %s=%s", f->label, d->description);
		else if (f->flag == MA_DOM_TRANSPORT)
			ma_buf_addf(b, " %s=%s", f->label, d->transport);
		else
			ma_buf_addf(b, " %s=%" PRId64, f->label,
			    f->flag == MA_DOM_MAX_ALIASES ? d->max_aliases :
			    f->flag == MA_DOM_MAX_MAILBOXES ? d->max_mailboxes :
			    f->flag == MA_DOM_MAX_QUOTA ? stored(d->max_quota,
			    req->multiplier) :
			    f->flag == MA_DOM_DOMAIN_QUOTA ? stored(d->domain_quota,
			    req->multiplier) :
			    f->flag == MA_DOM_QUOTA ? d->quota :
			    f->flag == MA_DOM_BACKUP_MX ? d->backup_mx :
			    f->flag == MA_DOM_ACTIVE ? d->active :
			    d->require_auth);
	}
}

static int
log_change(struct ma_db *db, const struct ma_domain_req *req,
    const char *name, const char *action, struct ma_err *err)
{
	struct ma_buf data = MA_BUF_INIT;
	int rc;

	describe(&data, req, name);
	rc = ma_buf_str(&data) == NULL ? ma_fail(err, MA_ENOMEM, ENOMEM,
	    "out of memory") : ma_log_write(db, name, action,
	    ma_buf_str(&data), err);
	ma_buf_release(&data);
	return rc;
}

/* Bind the requested fields from idx on; returns the next index. */
static int
bind_fields(struct ma_stmt *st, int idx, const struct ma_domain_req *req)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++)
		if ((req->fields & fields[i].flag) &&
		    bind_field(st, idx++, &fields[i], req) < 0)
			return -1;
	return idx;
}

/*
 * Run the UPDATE in sql: its first parameter takes the time, then come
 * the requested fields, then the domain name.
 */
static int
update_row(struct ma_db *db, const char *sql, const char *name,
    const struct ma_domain_req *req, struct ma_err *err)
{
	struct ma_stmt *st;
	int idx, rc;

	if (ma_db_prepare(db, sql, &st, err) < 0)
		return -1;
	ma_stmt_bind_text(st, 1, ma_db_now(db));
	idx = bind_fields(st, 2, req);
	if (idx < 0 || ma_stmt_bind_text(st, idx, name) < 0)
		rc = ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	else if ((rc = ma_stmt_step(st, err)) == 0 &&
	    ma_stmt_changes(st) == 0)
		rc = ma_fail(err, MA_ENODOMAIN, 0, "no such domain '%s'", name);
	ma_stmt_finalize(&st);
	return rc < 0 ? -1 : 0;
}

/*
 * The row add writes for want: the name normalized into name, the fields
 * checked; Postfixadmin's description and transport columns have no
 * default, so they are always written.
 */
static int
add_req(const struct ma_domain_req *want, char name[MA_DOMAIN_MAX + 1],
    struct ma_domain_req *full, struct ma_err *err)
{
	if (ma_domain_normalize(want->name, name, err) < 0 ||
	    check_req(want, err) < 0)
		return -1;
	*full = *want;
	full->name = name;
	if (!(full->fields & MA_DOM_DESCRIPTION))
		full->values.description = "";
	if (!(full->fields & MA_DOM_TRANSPORT))
		full->values.transport = "virtual";
	full->fields |= MA_DOM_DESCRIPTION | MA_DOM_TRANSPORT;
	return 0;
}

/* INSERT the n rows of full (with the same fields) as one statement. */
static int
insert_rows(struct ma_db *db, const struct ma_domain_req *full, size_t n,
    struct ma_err *err)
{
	struct ma_buf head = MA_BUF_INIT;
	struct ma_stmt *st;
	size_t i, r;
	int ncols = 3, idx = 1, rc;

	ma_buf_add(&head, "INSERT INTO domain (created, modified");
	for (i = 0; i < NFIELDS; i++)
		if (full->fields & fields[i].flag) {
			ma_buf_addf(&head, ", %s", fields[i].column);
			ncols++;
		}
	ma_buf_add(&head, ", domain)");
	rc = ma_buf_str(&head) == NULL ? ma_fail(err, MA_ENOMEM, ENOMEM,
	    "out of memory") : ma_db_prepare_rows(db, ma_buf_str(&head), ncols,
	    n, &st, err);
	ma_buf_release(&head);
	if (rc < 0)
		return -1;
	for (r = 0; r < n && idx > 0; r++) {
		/* created and modified share the one transaction timestamp. */
		ma_stmt_bind_text(st, idx++, full[r].values.created != NULL ?
		    full[r].values.created : ma_db_now(db));
		ma_stmt_bind_text(st, idx++, ma_db_now(db));
		if ((idx = bind_fields(st, idx, &full[r])) > 0 &&
		    ma_stmt_bind_text(st, idx++, full[r].name) < 0)
			idx = -1;
	}
	rc = idx < 0 ? ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory") :
	    ma_stmt_step(st, err);
	ma_stmt_finalize(&st);
	if (rc < 0 && err->status == MA_EEXIST)
		return n == 1 ? ma_fail(err, MA_EEXIST, err->code, "domain "
		    "'%s' already exists", full->name) : ma_fail(err,
		    MA_EEXIST, err->code, "one of the %zu domains from '%s' to "
		    "'%s' already exists", n, full->name, full[n - 1].name);
	return rc < 0 ? -1 : 0;
}

int
ma_domain_add(struct ma_db *db, const struct ma_domain_req *want,
    struct ma_err *err)
{
	struct ma_domain_req full;
	char name[MA_DOMAIN_MAX + 1];

	if (add_req(want, name, &full, err) < 0 ||
	    insert_rows(db, &full, 1, err) < 0)
		return -1;
	return log_change(db, want, name, "create_domain", err);
}

/* What ma_domain_add_rows needs for n rows. */
struct add_rows {
	struct ma_domain_req	*full;
	char			(*names)[MA_DOMAIN_MAX + 1];
	struct ma_buf		*text;
	const char		**data, **domains;
};

int
ma_domain_add_rows(struct ma_db *db, const struct ma_domain_req *want,
    size_t n, struct ma_err *err)
{
	struct add_rows a;
	size_t i;
	int rc = 0;

	if (n == 0)
		return 0;
	a.full = calloc(n, sizeof(*a.full));
	a.names = calloc(n, sizeof(*a.names));
	a.text = calloc(n, sizeof(*a.text));
	a.data = calloc(n, sizeof(*a.data));
	a.domains = calloc(n, sizeof(*a.domains));
	if (a.full == NULL || a.names == NULL || a.text == NULL ||
	    a.data == NULL || a.domains == NULL)
		rc = ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	for (i = 0; i < n && rc == 0; i++) {
		if (add_req(&want[i], a.names[i], &a.full[i], err) < 0)
			rc = ma_err_prefix(err, "%s", want[i].name);
		else if (a.full[i].fields != a.full[0].fields)
			rc = ma_fail(err, MA_EINVAL, 0, "domain '%s' sets other "
			    "fields than '%s': not one INSERT", a.names[i],
			    a.names[0]);
	}
	if (rc == 0)
		rc = insert_rows(db, a.full, n, err);
	for (i = 0; i < n && rc == 0; i++) {
		describe(&a.text[i], &want[i], a.names[i]);
		a.domains[i] = a.names[i];
		if ((a.data[i] = ma_buf_str(&a.text[i])) == NULL)
			rc = ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	}
	if (rc == 0)
		rc = ma_log_write_rows(db, n, a.domains, "create_domain",
		    a.data, err);
	for (i = 0; a.text != NULL && i < n; i++)
		ma_buf_release(&a.text[i]);
	free(a.full);
	free(a.names);
	free(a.text);
	free(a.data);
	free(a.domains);
	return rc;
}

int
ma_domain_set(struct ma_db *db, const struct ma_domain_req *req,
    struct ma_err *err)
{
	struct ma_buf sql = MA_BUF_INIT;
	char name[MA_DOMAIN_MAX + 1];
	size_t i;
	int rc;

	if (ma_domain_normalize(req->name, name, err) < 0 ||
	    check_req(req, err) < 0)
		return -1;
	ma_buf_add(&sql, "UPDATE domain SET modified = ?");
	for (i = 0; i < NFIELDS; i++)
		if (req->fields & fields[i].flag)
			ma_buf_addf(&sql, ", %s = ?", fields[i].column);
	ma_buf_add(&sql, " WHERE domain = ?");
	rc = ma_buf_str(&sql) == NULL ? ma_fail(err, MA_ENOMEM, ENOMEM,
	    "out of memory") : update_row(db, ma_buf_str(&sql), name, req, err);
	ma_buf_release(&sql);
	return rc < 0 ? -1 : log_change(db, req, name, "edit_domain", err);
}

static const char count_mailboxes[] =
    "SELECT COUNT(*) FROM mailbox WHERE domain = ?";
/* Mailboxes' own self-alias rows are not aliases to the admin. */
static const char count_aliases[] =
    "SELECT COUNT(*) FROM alias a WHERE a.domain = ? AND NOT EXISTS "
    "(SELECT 1 FROM mailbox m WHERE m.username = a.address)";
static const char count_alias_domains[] =
    "SELECT COUNT(*) FROM alias_domain WHERE target_domain = ? OR "
    "alias_domain = ?";

int
ma_domain_del(struct ma_db *db, const char *input, int force,
    struct ma_err *err)
{
	static const char *const purge[] = {
		"DELETE FROM alias WHERE domain = ?",
		"DELETE FROM mailbox WHERE domain = ?",
		"DELETE FROM alias_domain WHERE alias_domain = ? OR "
		    "target_domain = ?",
	};
	char name[MA_DOMAIN_MAX + 1];
	const char *const p[] = { name, name, NULL };
	int64_t nmbox, nalias, nadom, gone;
	size_t i;

	if (ma_domain_normalize(input, name, err) < 0 ||
	    ma_db_int(db, count_mailboxes, p + 1, &nmbox, err) < 0 ||
	    ma_db_int(db, count_aliases, p + 1, &nalias, err) < 0 ||
	    ma_db_int(db, count_alias_domains, p, &nadom, err) < 0)
		return -1;
	if (!force && nmbox + nalias + nadom > 0)
		return ma_fail(err, MA_EEXIST, 0, "domain '%s' still has %" PRId64
		    " mailboxes, %" PRId64 " aliases and %" PRId64 " alias "
		    "domains: delete them first or use --force", name, nmbox,
		    nalias, nadom);
	for (i = 0; i < sizeof(purge) / sizeof(purge[0]); i++)
		if (ma_db_run(db, purge[i], i == 2 ? p : p + 1, NULL, err) < 0)
			return -1;
	if (ma_db_run(db, "DELETE FROM domain WHERE domain = ?", p + 1, &gone,
	    err) < 0)
		return -1;
	if (gone == 0)
		return ma_fail(err, MA_ENODOMAIN, 0, "no such domain '%s'", name);
	return ma_log_write(db, name, "delete_domain", name, err);
}

#define DOMAIN_COLUMNS "d.domain, d.description, d.aliases, d.mailboxes, " \
	"d.maxquota, d.quota, d.default_quota, d.transport, d.backupmx, " \
	"d.active, d.smtp_auth, d.created, d.modified, " \
	"(SELECT COUNT(*) FROM mailbox m WHERE m.domain = d.domain), " \
	"(SELECT COUNT(*) FROM alias a WHERE a.domain = d.domain AND NOT " \
	"EXISTS (SELECT 1 FROM mailbox m WHERE m.username = a.address)), " \
	"(SELECT target_domain FROM alias_domain x WHERE x.alias_domain = " \
	"d.domain)"

static char *
dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

/* Fill d from a row of a DOMAIN_COLUMNS query. */
static int
row_to_domain(struct ma_stmt *st, struct ma_domain *d, uint64_t mult,
    struct ma_err *err)
{
	int64_t units;

	memset(d, 0, sizeof(*d));
	snprintf(d->domain, sizeof(d->domain), "%s", ma_stmt_text(st, 0));
	d->description = dup_or_empty(ma_stmt_text(st, 1));
	d->max_aliases = ma_stmt_int(st, 2);
	d->max_mailboxes = ma_stmt_int(st, 3);
	units = ma_stmt_int(st, 4);
	d->max_quota = units > 0 ? units * (int64_t)mult : units;
	units = ma_stmt_int(st, 5);
	d->domain_quota = units > 0 ? units * (int64_t)mult : units;
	d->quota = ma_stmt_int(st, 6);
	d->transport = dup_or_empty(ma_stmt_text(st, 7));
	d->backup_mx = ma_stmt_int(st, 8) != 0;
	d->active = ma_stmt_int(st, 9) != 0;
	d->require_auth = ma_stmt_int(st, 10) != 0;
	d->created = dup_or_empty(ma_stmt_text(st, 11));
	d->modified = dup_or_empty(ma_stmt_text(st, 12));
	d->mailbox_count = ma_stmt_int(st, 13);
	d->alias_count = ma_stmt_int(st, 14);
	d->alias_of = ma_stmt_isnull(st, 15) ? NULL :
	    strdup(ma_stmt_text(st, 15));
	if (d->description == NULL || d->transport == NULL ||
	    d->created == NULL || d->modified == NULL ||
	    (!ma_stmt_isnull(st, 15) && d->alias_of == NULL)) {
		ma_domain_release(d);
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	}
	return 0;
}

int
ma_domain_lock(struct ma_db *db, const char *name, struct ma_domain_limits *l,
    struct ma_err *err)
{
	const char *const p[] = { name, NULL };
	char sql[200];
	struct ma_stmt *st;
	int rc;

	memset(l, 0, sizeof(*l));
	snprintf(sql, sizeof(sql), "SELECT aliases, mailboxes, maxquota, quota, "
	    "default_quota, backupmx FROM domain WHERE domain = ?%s",
	    ma_db_for_update(db));
	if ((rc = ma_db_query(db, sql, p, &st, err)) == 1) {
		l->max_aliases = ma_stmt_int(st, 0);
		l->max_mailboxes = ma_stmt_int(st, 1);
		l->max_quota_units = ma_stmt_int(st, 2);
		l->domain_quota_units = ma_stmt_int(st, 3);
		l->quota = ma_stmt_int(st, 4);
		l->backup_mx = ma_stmt_int(st, 5) != 0;
	}
	ma_stmt_finalize(&st);
	if (rc == 0)
		return ma_fail(err, MA_ENODOMAIN, 0, "no such domain '%s'", name);
	return rc < 0 ? -1 : 0;
}

int
ma_domain_room(const char *name, int64_t limit, int64_t n, const char *what,
    struct ma_err *err)
{
	if (limit < 0)
		return ma_fail(err, MA_EINVAL, 0, "domain '%s' may not have %s "
		    "(its limit is disabled)", name, what);
	if (limit > 0 && n >= limit)
		return ma_fail(err, MA_EINVAL, 0, "domain '%s' has reached its "
		    "limit of %" PRId64 " %s", name, limit, what);
	return 0;
}

int
ma_domain_check_room(struct ma_db *db, const char *name, int64_t limit,
    const char *what, const char *count_sql, struct ma_err *err)
{
	const char *const p[] = { name, NULL };
	int64_t n = 0;

	if (limit > 0 && ma_db_int(db, count_sql, p, &n, err) < 0)
		return -1;
	return ma_domain_room(name, limit, n, what, err);
}

void
ma_domain_release(struct ma_domain *d)
{
	free((char *)d->description);
	free((char *)d->transport);
	free((char *)d->created);
	free((char *)d->modified);
	free((char *)d->alias_of);
	d->description = d->transport = d->created = d->modified = NULL;
	d->alias_of = NULL;
}

int
ma_domain_get(struct ma_db *db, const char *input, struct ma_domain *d,
    uint64_t mult, struct ma_err *err)
{
	char name[MA_DOMAIN_MAX + 1];
	const char *const p[] = { name, NULL };
	struct ma_stmt *st;
	int rc;

	if (ma_domain_normalize(input, name, err) < 0)
		return -1;
	rc = ma_db_query(db, "SELECT " DOMAIN_COLUMNS " FROM domain d WHERE "
	    "d.domain = ?", p, &st, err);
	if (rc == 1 && row_to_domain(st, d, mult, err) < 0)
		rc = -1;
	ma_stmt_finalize(&st);
	return rc;
}

int
ma_domain_list(struct ma_db *db, uint64_t mult, ma_domain_cb *fn, void *arg,
    struct ma_err *err)
{
	struct ma_domain d;
	struct ma_stmt *st;
	int rc;

	/* Postfixadmin keeps a pseudo-domain 'ALL' for its superadmins. */
	if (ma_db_prepare(db, "SELECT " DOMAIN_COLUMNS " FROM domain d WHERE "
	    "d.domain <> 'ALL' ORDER BY d.domain", &st, err) < 0)
		return -1;
	while ((rc = ma_stmt_step(st, err)) == 1) {
		if (row_to_domain(st, &d, mult, err) < 0) {
			rc = -1;
			break;
		}
		rc = fn(&d, arg);
		ma_domain_release(&d);
		if (rc < 0) {
			ma_fail(err, MA_EIO, errno, "cannot write the list: %s",
			    strerror(errno));
			break;
		}
	}
	ma_stmt_finalize(&st);
	return rc < 0 ? -1 : 0;
}
