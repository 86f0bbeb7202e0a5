#include "mailbox.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alias-priv.h"
#include "buf.h"
#include "domain.h"
#include "log.h"
#include "mailbox-priv.h"
#include "size.h"

#define MAILBOX_COLUMNS "username, local_part, domain, maildir, name, " \
	"password, quota, active, created, modified"

static char *
dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

static int
row_to_mailbox(struct ma_stmt *st, struct ma_mailbox *m, struct ma_err *err)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->address, sizeof(m->address), "%s", ma_stmt_text(st, 0));
	snprintf(m->local, sizeof(m->local), "%s", ma_stmt_text(st, 1));
	snprintf(m->domain, sizeof(m->domain), "%s", ma_stmt_text(st, 2));
	snprintf(m->maildir, sizeof(m->maildir), "%s", ma_stmt_text(st, 3) ?
	    ma_stmt_text(st, 3) : "");
	m->name = dup_or_empty(ma_stmt_text(st, 4));
	m->password = dup_or_empty(ma_stmt_text(st, 5));
	m->quota = ma_stmt_int(st, 6);
	m->active = ma_stmt_int(st, 7) != 0;
	m->created = dup_or_empty(ma_stmt_text(st, 8));
	m->modified = dup_or_empty(ma_stmt_text(st, 9));
	if (m->name == NULL || m->password == NULL || m->created == NULL ||
	    m->modified == NULL) {
		ma_mailbox_release(m);
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	}
	return 0;
}

void
ma_mailbox_release(struct ma_mailbox *m)
{
	if (m->password != NULL)
		explicit_bzero(m->password, strlen(m->password));
	free(m->name);
	free(m->password);
	free(m->created);
	free(m->modified);
	m->name = m->password = m->created = m->modified = NULL;
}

static int
read_mailbox(struct ma_db *db, const char *address, int lock,
    struct ma_mailbox *m, struct ma_err *err)
{
	const char *const p[] = { address, NULL };
	char sql[160];
	struct ma_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT " MAILBOX_COLUMNS " FROM mailbox "
	    "WHERE username = ?%s", lock ? ma_db_for_update(db) : "");
	if ((rc = ma_db_query(db, sql, p, &st, err)) == 1 &&
	    row_to_mailbox(st, m, err) < 0)
		rc = -1;
	ma_stmt_finalize(&st);
	return rc;
}

int
ma_mailbox_get(struct ma_db *db, const char *input, struct ma_mailbox *m,
    struct ma_err *err)
{
	struct ma_address a;

	if (ma_address_normalize(input, 0, &a, err) < 0)
		return -1;
	return read_mailbox(db, a.address, 0, m, err);
}

/*
 * A quota must fit the domain: at most its per-mailbox maximum and, with
 * what the other mailboxes have (others), at most its total.  An
 * unlimited mailbox fits neither limit.
 */
int
mailbox_quota_fits(const char *domain, int64_t quota,
    const struct ma_domain_limits *l, uint64_t mult, int64_t others,
    struct ma_err *err)
{
	char a[32], b[32], c[32];

	if (quota < 0)
		return ma_fail(err, MA_EINVAL, 0, "invalid quota: use 0 for "
		    "unlimited");
	if (l->max_quota_units > 0 && (quota == 0 ||
	    quota > l->max_quota_units * (int64_t)mult))
		return ma_fail(err, MA_EINVAL, 0, "quota %s is above the "
		    "maximum of %s per mailbox of domain '%s'",
		    ma_size_format(quota, a, sizeof(a)),
		    ma_size_format(l->max_quota_units * (int64_t)mult, b, sizeof(b)),
		    domain);
	if (l->domain_quota_units <= 0)
		return 0;
	if (quota == 0 || others + quota > l->domain_quota_units * (int64_t)mult)
		return ma_fail(err, MA_EINVAL, 0, "quota %s would bring domain "
		    "'%s' over its total of %s (%s given to other mailboxes)",
		    ma_size_format(quota, a, sizeof(a)), domain,
		    ma_size_format(l->domain_quota_units * (int64_t)mult, b, sizeof(b)),
		    ma_size_format(others, c, sizeof(c)));
	return 0;
}

/* The same, with the other mailboxes' quotas (all but self) summed. */
static int
check_quota(struct ma_db *db, const char *domain, const char *self,
    int64_t quota, const struct ma_domain_limits *l, uint64_t mult,
    struct ma_err *err)
{
	const char *const p[] = { domain, self, NULL };
	int64_t others = 0;

	if (quota >= 0 && l->domain_quota_units > 0 && ma_db_int(db,
	    "SELECT COALESCE(SUM(quota), 0) FROM mailbox WHERE domain = ? "
	    "AND username <> ?", p, &others, err) < 0)
		return -1;
	return mailbox_quota_fits(domain, quota, l, mult, others, err);
}

int
mailbox_insert_only(struct ma_db *db, const struct ma_mailbox *rows,
    size_t n, struct ma_err *err)
{
	const char *now = ma_db_now(db);
	struct ma_stmt *st;
	size_t i;
	int rc, k;

	if (ma_db_prepare_rows(db, "INSERT INTO mailbox (username, password, name, "
	    "maildir, quota, local_part, domain, created, modified, active)",
	    10, n, &st, err) < 0)
		return -1;
	for (i = 0, k = 1; i < n; i++) {
		ma_stmt_bind_text(st, k++, rows[i].address);
		ma_stmt_bind_text(st, k++, rows[i].password);
		ma_stmt_bind_text(st, k++, rows[i].name);
		ma_stmt_bind_text(st, k++, rows[i].maildir);
		ma_stmt_bind_int(st, k++, rows[i].quota);
		ma_stmt_bind_text(st, k++, rows[i].local);
		ma_stmt_bind_text(st, k++, rows[i].domain);
		ma_stmt_bind_text(st, k++, rows[i].created ? rows[i].created :
		    now);
		ma_stmt_bind_text(st, k++, now);
		ma_stmt_bind_int(st, k++, rows[i].active);
	}
	rc = ma_stmt_step(st, err);
	ma_stmt_finalize(&st);
	return rc < 0 ? -1 : 0;
}

int
mailbox_insert_rows(struct ma_db *db, const struct ma_mailbox *rows,
    size_t n, struct ma_err *err)
{
	struct alias_row *self;
	size_t i;
	int rc;

	if (mailbox_insert_only(db, rows, n, err) < 0)
		return -1;
	/* The self aliases: Postfix's virtual_alias_maps query needs them. */
	if ((self = calloc(n, sizeof(*self))) == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		self[i].address = self[i].goto_list = rows[i].address;
		self[i].domain = rows[i].domain;
		self[i].created = rows[i].created;
		self[i].active = rows[i].active;
	}
	rc = alias_insert_rows(db, self, n, err);
	free(self);
	return rc;
}

/* A mailbox may not take an address a mailbox or an alias already has. */
int
mailbox_check_free(struct ma_db *db, const char *address, struct ma_err *err)
{
	const char *const p[] = { address, address, NULL };
	int64_t mailbox, alias;

	if (ma_db_int(db, "SELECT COUNT(*) FROM mailbox WHERE username = ?",
	    p + 1, &mailbox, err) < 0 || ma_db_int(db, "SELECT COUNT(*) FROM "
	    "alias WHERE address = ?", p + 1, &alias, err) < 0)
		return -1;
	if (mailbox > 0)
		return ma_fail(err, MA_EEXIST, 0, "mailbox '%s' already exists",
		    address);
	if (alias > 0)
		return ma_fail(err, MA_EEXIST, 0, "'%s' is already an alias: "
		    "delete it first ('mailadm alias del')", address);
	return 0;
}

int
mailbox_row_make(const struct ma_mailbox_req *req, const struct ma_address *a,
    const struct ma_domain_limits *l, struct ma_mailbox *out,
    struct ma_err *err)
{
	memset(out, 0, sizeof(*out));
	if (req->name != NULL && ma_text_check("name", req->name, 255, err) < 0)
		return -1;
	if (l->backup_mx)
		return ma_fail(err, MA_EINVAL, 0, "domain '%s' is a backup MX: "
		    "it has no mailboxes", a->domain);
	memcpy(out->address, a->address, sizeof(out->address));
	memcpy(out->local, a->local, sizeof(out->local));
	memcpy(out->domain, a->domain, sizeof(out->domain));
	out->quota = (req->fields & MA_MBX_QUOTA) ? req->quota : l->quota;
	out->active = (req->fields & MA_MBX_ACTIVE) ? req->active : 1;
	if (ma_maildir_path(req->maildir_format, a->domain, a->local,
	    out->maildir, sizeof(out->maildir), err) < 0)
		return -1;
	if ((out->name = dup_or_empty(req->name)) == NULL ||
	    (out->password = dup_or_empty(req->password)) == NULL) {
		ma_mailbox_release(out);
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	}
	return 0;
}

void
ma_mailbox_describe(const struct ma_mailbox *m, char *buf, size_t size)
{
	snprintf(buf, size, "%s quota=%" PRId64 "%s", m->address, m->quota,
	    m->active ? "" : " active=0");
}

int
ma_mailbox_add(struct ma_db *db, const struct ma_mailbox_req *req,
    struct ma_mailbox *out, struct ma_err *err)
{
	struct ma_address a;
	struct ma_domain_limits l;
	char data[MA_MAILBOX_DESCRIBE_MAX];

	memset(out, 0, sizeof(*out));
	if (ma_address_normalize(req->address, 0, &a, err) < 0 ||
	    ma_domain_lock(db, a.domain, &l, err) < 0 ||
	    mailbox_row_make(req, &a, &l, out, err) < 0)
		return -1;
	if (mailbox_check_free(db, a.address, err) < 0 ||
	    ma_domain_check_room(db, a.domain, l.max_mailboxes, "mailboxes",
	    "SELECT COUNT(*) FROM mailbox WHERE domain = ?", err) < 0 ||
	    check_quota(db, a.domain, a.address, out->quota, &l,
	    req->multiplier, err) < 0 ||
	    (req->before_insert != NULL && req->before_insert(out,
	    req->before_insert_arg, err) < 0) ||
	    mailbox_insert_rows(db, out, 1, err) < 0) {
		ma_mailbox_release(out);
		return -1;
	}
	ma_mailbox_describe(out, data, sizeof(data));
	return ma_log_write(db, a.domain, "create_mailbox", data, err);
}

int
mailbox_update_row(struct ma_db *db, const struct ma_mailbox_req *req,
    const char *address, struct ma_err *err)
{
	struct ma_buf sql = MA_BUF_INIT;
	struct ma_stmt *st;
	int idx = 1, rc;

	ma_buf_add(&sql, "UPDATE mailbox SET modified = ?");
	if (req->fields & MA_MBX_NAME)
		ma_buf_add(&sql, ", name = ?");
	if (req->fields & MA_MBX_QUOTA)
		ma_buf_add(&sql, ", quota = ?");
	if (req->fields & MA_MBX_ACTIVE)
		ma_buf_add(&sql, ", active = ?");
	if (req->fields & MA_MBX_PASSWORD)
		ma_buf_add(&sql, ", password = ?");
	ma_buf_add(&sql, " WHERE username = ?");
	if (ma_buf_str(&sql) == NULL) {
		ma_buf_release(&sql);
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	}
	rc = ma_db_prepare(db, ma_buf_str(&sql), &st, err);
	ma_buf_release(&sql);
	if (rc < 0)
		return -1;
	ma_stmt_bind_text(st, idx++, ma_db_now(db));
	if (req->fields & MA_MBX_NAME)
		ma_stmt_bind_text(st, idx++, req->name);
	if (req->fields & MA_MBX_QUOTA)
		ma_stmt_bind_int(st, idx++, req->quota);
	if (req->fields & MA_MBX_ACTIVE)
		ma_stmt_bind_int(st, idx++, req->active);
	if (req->fields & MA_MBX_PASSWORD)
		ma_stmt_bind_text(st, idx++, req->password);
	ma_stmt_bind_text(st, idx, address);
	rc = ma_stmt_step(st, err);
	ma_stmt_finalize(&st);
	return rc < 0 ? -1 : 0;
}

/* Log rows in Postfixadmin's vocabulary, one per kind of change. */
static int
log_set(struct ma_db *db, const struct ma_mailbox_req *req,
    const struct ma_mailbox *m, struct ma_err *err)
{
	char data[MA_ADDRESS_MAX + 320];
	int rc = 0;

	if (req->fields & (MA_MBX_NAME | MA_MBX_QUOTA)) {
		snprintf(data, sizeof(data), "%s%s%s%s", m->address,
		    (req->fields & MA_MBX_NAME) ? " name=" : "",
		    (req->fields & MA_MBX_NAME) ? req->name : "",
		    (req->fields & MA_MBX_QUOTA) ? " quota" : "");
		if (req->fields & MA_MBX_QUOTA)
			snprintf(data + strlen(data), sizeof(data) - strlen(data),
			    "=%" PRId64, req->quota);
		rc = ma_log_write(db, m->domain, "edit_mailbox", data, err);
	}
	if (rc == 0 && (req->fields & MA_MBX_ACTIVE)) {
		snprintf(data, sizeof(data), "%s active=%d", m->address,
		    req->active);
		rc = ma_log_write(db, m->domain, "edit_mailbox_state", data,
		    err);
	}
	if (rc == 0 && (req->fields & MA_MBX_PASSWORD))
		rc = ma_log_write(db, m->domain, "edit_password", m->address,
		    err);
	return rc;
}

int
ma_mailbox_set(struct ma_db *db, const struct ma_mailbox_req *req,
    struct ma_mailbox *out, struct ma_err *err)
{
	struct ma_domain_limits l = { 0 };
	struct ma_mailbox old;
	struct ma_address a;
	int rc;

	memset(out, 0, sizeof(*out));
	if (ma_address_normalize(req->address, 0, &a, err) < 0 ||
	    ((req->fields & MA_MBX_NAME) && ma_text_check("name", req->name,
	    255, err) < 0))
		return -1;
	if ((req->fields & MA_MBX_QUOTA) && ma_domain_lock(db, a.domain, &l,
	    err) < 0)
		return -1;
	if ((rc = read_mailbox(db, a.address, 1, &old, err)) <= 0)
		return rc < 0 ? -1 : ma_fail(err, MA_ENOTFOUND, 0, "no such "
		    "mailbox '%s'", a.address);
	rc = (req->fields & MA_MBX_QUOTA) ? check_quota(db, a.domain,
	    a.address, req->quota, &l, req->multiplier, err) : 0;
	if (rc == 0)
		rc = mailbox_update_row(db, req, a.address, err);
	/* The self alias follows: else RCPT is accepted, then bounced. */
	if (rc == 0 && (req->fields & MA_MBX_ACTIVE)) {
		const char *const p[] = { req->active ? "1" : "0",
		    ma_db_now(db), a.address, a.address, NULL };

		rc = ma_db_run(db, "UPDATE alias SET active = ?, modified = ? "
		    "WHERE address = ? AND goto = ?", p, NULL, err);
	}
	if (rc == 0)
		rc = log_set(db, req, &old, err);
	ma_mailbox_release(&old);
	if (rc == 0 && read_mailbox(db, a.address, 0, out, err) != 1)
		rc = -1;
	return rc;
}

int
ma_mailbox_del(struct ma_db *db, const char *input, struct ma_mailbox *out,
    struct ma_err *err)
{
	struct ma_address a;
	const char *const p[] = { a.address, NULL };
	int rc;

	memset(out, 0, sizeof(*out));
	if (ma_address_normalize(input, 0, &a, err) < 0)
		return -1;
	if ((rc = read_mailbox(db, a.address, 1, out, err)) <= 0)
		return rc < 0 ? -1 : ma_fail(err, MA_ENOTFOUND, 0, "no such "
		    "mailbox '%s'", a.address);
	/* Its own alias goes with it; other aliases' targets are kept. */
	if (ma_db_run(db, "DELETE FROM mailbox WHERE username = ?", p, NULL,
	    err) < 0 || ma_db_run(db, "DELETE FROM alias WHERE address = ?", p,
	    NULL, err) < 0)
		return -1;
	return ma_log_write(db, a.domain, "delete_mailbox", a.address, err);
}

/* Run sql (with a "domain = ?" variant) and call row() on each result. */
static int
each_row(struct ma_db *db, const char *domain_in, const char *sql_all,
    const char *sql_domain, int (*row)(struct ma_stmt *, void *,
    struct ma_err *), void *arg, struct ma_err *err)
{
	char domain[MA_DOMAIN_MAX + 1];
	struct ma_stmt *st;
	int rc;

	if (domain_in != NULL && ma_domain_normalize(domain_in, domain, err) < 0)
		return -1;
	if (ma_db_prepare(db, domain_in != NULL ? sql_domain : sql_all, &st,
	    err) < 0)
		return -1;
	if (domain_in != NULL)
		ma_stmt_bind_text(st, 1, domain);
	while ((rc = ma_stmt_step(st, err)) == 1)
		if ((rc = row(st, arg, err)) < 0)
			break;
	ma_stmt_finalize(&st);
	return rc < 0 ? -1 : 0;
}

struct list_ctx {
	ma_mailbox_cb	*fn;
	void		*arg;
};

static int
list_row(struct ma_stmt *st, void *arg, struct ma_err *err)
{
	struct list_ctx *c = arg;
	struct ma_mailbox m;
	int rc;

	if (row_to_mailbox(st, &m, err) < 0)
		return -1;
	rc = c->fn(&m, c->arg);
	ma_mailbox_release(&m);
	if (rc < 0)
		return ma_fail(err, MA_EIO, errno, "cannot write the list: %s",
		    strerror(errno));
	return 0;
}

int
ma_mailbox_list(struct ma_db *db, const char *domain_in, ma_mailbox_cb *fn,
    void *arg, struct ma_err *err)
{
	struct list_ctx c = { fn, arg };

	return each_row(db, domain_in, "SELECT " MAILBOX_COLUMNS " FROM "
	    "mailbox ORDER BY username", "SELECT " MAILBOX_COLUMNS " FROM "
	    "mailbox WHERE domain = ? ORDER BY username", list_row, &c, err);
}

struct brief_ctx {
	ma_mailbox_brief_cb	*fn;
	void			*arg;
};

static int
brief_row(struct ma_stmt *st, void *arg, struct ma_err *err)
{
	struct brief_ctx *c = arg;
	struct ma_mailbox_brief b;

	b.address = ma_stmt_text(st, 0);
	b.maildir = ma_stmt_text(st, 1) != NULL ? ma_stmt_text(st, 1) : "";
	b.quota = ma_stmt_int(st, 2);
	b.active = ma_stmt_int(st, 3) != 0;
	return c->fn(&b, c->arg) < 0 ? ma_fail(err, MA_ENOMEM, ENOMEM,
	    "out of memory") : 0;
}

int
ma_mailbox_list_brief(struct ma_db *db, const char *domain_in,
    ma_mailbox_brief_cb *fn, void *arg, struct ma_err *err)
{
	struct brief_ctx c = { fn, arg };

	return each_row(db, domain_in, "SELECT username, maildir, quota, "
	    "active FROM mailbox", "SELECT username, maildir, quota, active "
	    "FROM mailbox WHERE domain = ?", brief_row, &c, err);
}
