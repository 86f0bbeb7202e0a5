/* The mailboxes query: checked, normalized, into work.mailbox. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "maildir.h"
#include "migrate-priv.h"
#include "size.h"
#include "valid.h"

static const char *const columns[] = { "address", "password",
    "password_format", "password_clear", "name", "quota", "maildirpp_quota",
    "active", "created", "maildir", NULL };

/* A mailbox row as the plan has it. */
struct box {
	struct ma_address	 a;
	struct mg_domain_state	 ds;
	struct mg_password	 pw;
	char			*name;
	int64_t			 quota, messages;
	int			 active;
	char			 created[20];
	char			 maildir[MA_MAILDIR_MAX + 1];
	const char		*reject;
};

static int
reject(struct mg_query *q, const struct mg_src *src, struct box *b,
    const char *code, const char *reason, struct ma_err *err)
{
	b->reject = code;
	return mg_row_note(q, src, "reject", code, err, "%s", reason);
}

/* The address: syntax, its domain, duplicates. */
static int
check_address(struct mg_query *q, const struct mg_src *src, const char *trim,
    struct box *b, struct ma_err *err)
{
	const char *at = strrchr(trim, '@');
	const char *const p[] = { b->a.address, NULL };
	char why[600];
	struct ma_stmt *st;
	struct ma_err bad;
	int rc;

	if (ma_address_normalize(trim, 0, &b->a, &bad) < 0) {
		/* "root@localhost" has a one-label domain: say what it is. */
		if (at != NULL && (strcasecmp(at + 1, "localhost") == 0 ||
		    strcasecmp(at + 1, "localhost.localdomain") == 0))
			return reject(q, src, b, "LOCAL_PSEUDO_DOMAIN", "an "
			    "account of the machine's own domain", err);
		return reject(q, src, b, "INVALID_ADDRESS", bad.msg, err);
	}
	if (mg_domain_state(q->m, b->a.domain, &b->ds, err) < 0)
		return -1;
	if (!b->ds.ok)
		return reject(q, src, b, b->ds.code, b->ds.reason, err);
	if (b->ds.backup_mx) {
		snprintf(why, sizeof(why), "domain %s is a relay (backup MX): "
		    "it "
		    "has no mailboxes", b->a.domain);
		return reject(q, src, b, "MAILBOX_IN_BACKUP_MX", why, err);
	}
	rc = mg_query1(q->m, "SELECT raw, src_maildir FROM work.mailbox "
	    "WHERE address = ? AND status = 'import'", p, &st, err);
	if (rc == 1) {
		snprintf(why, sizeof(why), "same address as %s%s; Postfix "
		    "looks "
		    "addresses up in lower case, so it got no mail; its "
		    "Maildir "
		    "%s holds what was saved in it over IMAP: merge by hand",
		    ma_stmt_text(st, 0), strcmp(ma_stmt_text(st, 0), trim) ?
		    " except for case" : "", mg_val(q, MB_MAILDIR) ?
		    mg_val(q, MB_MAILDIR) : "(none given)");
		rc = reject(q, src, b, strcmp(ma_stmt_text(st, 0), trim) ?
		    "DUPLICATE_ADDRESS_CASE" : "DUPLICATE_ADDRESS", why, err);
	}
	return rc < 0 ? -1 : 0;
}

static int
name(struct mg_query *q, const struct mg_src *src, struct box *b,
    struct ma_err *err)
{
	const char *s = mg_val(q, MB_NAME), *why;
	char *fixed, reason[300];

	if ((b->name = strdup(s != NULL ? s : "")) == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	if ((why = mg_text_problem(b->name, s != NULL ? ma_stmt_len(q->st,
	    q->col[MB_NAME]) : 0, 255)) != NULL) {
		snprintf(reason, sizeof(reason), "the name %s", why);
		return reject(q, src, b, "INVALID_TEXT", reason, err);
	}
	if (mg_double_encoded(b->name, &fixed) != 1)
		return 0;
	free(b->name);
	b->name = fixed;
	return mg_note(q->m, "warning", "DOUBLE_ENCODED_UTF8", src->table,
	    src->key, NULL, err, "name holds UTF-8 bytes read as latin1; "
	    "repaired to '%s'", fixed);
}

/* quota (bytes) or maildirpp_quota ("NS,MC"); NULL: the domain's. */
static int
quota(struct mg_query *q, const struct mg_src *src, struct box *b,
    struct ma_err *err)
{
	const char *s = mg_has(q, MB_MDPP_QUOTA) ? mg_val(q, MB_MDPP_QUOTA) :
	    mg_val(q, MB_QUOTA);
	char qs[MA_QUOTE_MAX], a[32], d[32];
	int nounit = 0, rc = 0;

	b->quota = b->ds.quota;
	if (s == NULL)
		return 0;
	if (mg_has(q, MB_MDPP_QUOTA) ? mg_maildirpp_quota(s, &b->quota,
	    &b->messages, &nounit) < 0 : mg_int(s, &b->quota) < 0) {
		b->quota = b->messages = 0;
		rc = mg_row_note(q, src, "warning", "QUOTA_UNPARSEABLE", err,
		    "quota '%s' cannot be read: imported "
		    "as unlimited", ma_quote(s, qs, sizeof(qs)));
	} else if (b->quota < 0) {
		rc = mg_row_note(q, src, "warning", "NEGATIVE_QUOTA", err,
		    "quota %" PRId64 " (the pre-quota "
		    "default): imported as unlimited", b->quota);
		b->quota = 0;
	} else if (nounit) {
		rc = mg_row_note(q, src, "warning", "QUOTA_NO_UNIT", err,
		    "quota '%s' has no S/C unit: taken as "
		    "bytes", ma_quote(s, qs, sizeof(qs)));
	}
	if (rc == 0 && b->messages > 0)
		rc = mg_row_note(q, src, "info", "MESSAGE_QUOTA", err, "a "
		    "limit of %" PRId64 " messages: mailadm's quota "
		    "counts bytes; the Maildir's maildirsize keeps the limit",
		    b->messages);
	if (rc == 0 && b->ds.max_quota > 0 && (b->quota == 0 ||
	    b->quota > b->ds.max_quota))
		rc = mg_row_note(q, src, "info", "QUOTA_ABOVE_DOMAIN_MAX",
		    err, "quota %s is above the "
		    "domain's maximum of %s per mailbox: imported as it is",
		    b->quota ? ma_size_format(b->quota, a, sizeof(a)) :
		    "unlimited", ma_size_format(b->ds.max_quota, d, sizeof(d)));
	return rc;
}

/* active, created: flags and dates as the domains have them. */
static int
state(struct mg_query *q, const struct mg_src *src, struct box *b,
    struct ma_err *err)
{
	const char *s = mg_val(q, MB_ACTIVE);
	char qs[MA_QUOTE_MAX], why[300];

	b->active = 1;
	if (s != NULL && mg_bool(s, &b->active) < 0) {
		snprintf(why, sizeof(why), "active '%s' is not a flag",
		    ma_quote(s, qs, sizeof(qs)));
		return reject(q, src, b, "INVALID_VALUE", why, err);
	}
	s = mg_val(q, MB_CREATED);
	if (s == NULL)
		return 0;
	switch (mg_date(s, b->created)) {
	case 1:
		b->created[0] = '\0';
		return mg_row_note(q, src, "info", "ZERO_DATE", err, "created "
		    "is the zero date: stored as "
		    "2000-01-01 00:00:00");
	case -1:
		b->created[0] = '\0';
		return mg_row_note(q, src, "info", "BAD_DATE", err, "created "
		    "'%s' is not a date",
		    ma_quote(s, qs, sizeof(qs)));
	}
	return 0;
}

static int
store_row(struct mg_query *q, const struct mg_src *src, const char *trim,
    const struct box *b, struct ma_err *err)
{
	struct ma_stmt *st;

	if ((st = mg_stmt(q->m, "INSERT INTO work.mailbox (address, raw, "
	    "local, domain, src_table, key_json, key_text, password, pwclass, "
	    "name, quota, quota_messages, active, created, maildir, "
	    "src_maildir, status, reject) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, "
	    "?, ?, ?, ?, ?, ?, ?, ?)", NULL, err)) == NULL)
		return -1;
	ma_stmt_bind_text(st, 1, b->a.address);
	ma_stmt_bind_text(st, 2, trim);
	ma_stmt_bind_text(st, 3, b->a.local);
	ma_stmt_bind_text(st, 4, b->a.domain);
	ma_stmt_bind_text(st, 5, src->table);
	ma_stmt_bind_text(st, 6, src->key);
	ma_stmt_bind_text(st, 7, src->text);
	ma_stmt_bind_text(st, 8, b->pw.value);
	ma_stmt_bind_text(st, 9, b->pw.class);
	ma_stmt_bind_text(st, 10, b->name);
	ma_stmt_bind_int(st, 11, b->quota);
	ma_stmt_bind_int(st, 12, b->messages);
	ma_stmt_bind_int(st, 13, b->active);
	ma_stmt_bind_text(st, 14, b->created[0] ? b->created : NULL);
	ma_stmt_bind_text(st, 15, b->maildir);
	ma_stmt_bind_text(st, 16, mg_val(q, MB_MAILDIR));
	ma_stmt_bind_text(st, 17, b->reject ? "reject" : "import");
	ma_stmt_bind_text(st, 18, b->reject);
	if (ma_stmt_step(st, err) < 0)
		return -1;
	if (b->reject != NULL || strcmp(b->pw.class, MG_PW_HASH) != 0)
		return 0;
	return mg_prehash_add(q->m, b->a.address, b->pw.value ? b->pw.value :
	    "", err);
}

/* The checks that follow a good address. */
static int
details(struct mg_query *q, const struct mg_src *src, const char *trim,
    int ws, struct box *b, struct ma_err *err)
{
	struct ma_err bad;
	int rc = 0;

	if (b->reject == NULL && ma_maildir_path(q->m->o->maildir_format,
	    b->a.domain, b->a.local, b->maildir, sizeof(b->maildir), &bad) < 0)
		rc = reject(q, src, b, "INVALID_ADDRESS", bad.msg, err);
	if (rc == 0 && b->reject == NULL)
		rc = name(q, src, b, err);
	if (rc == 0 && b->reject == NULL)
		rc = quota(q, src, b, err);
	if (rc == 0 && b->reject == NULL)
		rc = state(q, src, b, err);
	if (rc == 0 && b->reject == NULL && ws)
		rc = mg_row_note(q, src, "warning", "ADDRESS_WHITESPACE", err,
		    "blanks around the address: trimmed");
	if (rc == 0 && b->reject == NULL && mg_has_upper(trim))
		rc = mg_row_note(q, src, "warning", "ADDRESS_NOT_LOWERCASE",
		    err, "address stored in "
		    "capitals: imported as %s", b->a.address);
	return rc;
}

static int
mailbox_row(struct mg_query *q, void *arg, struct ma_err *err)
{
	const char *raw = mg_val(q, MB_ADDRESS);
	struct mg_src src;
	struct box b;
	char *trim = NULL;
	int ws = 0, rc;

	(void)arg;
	/* quota and maildirpp_quota say the same thing two ways. */
	if (mg_has(q, MB_QUOTA) && mg_has(q, MB_MDPP_QUOTA))
		return ma_fail(err, MA_EINVAL, 0, "mailboxes: give quota or "
		    "maildirpp_quota, not both");
	memset(&b, 0, sizeof(b));
	if (mg_source(q, &src, err) < 0)
		return -1;
	if (raw == NULL || (ws = mg_trim(raw, &trim)) < 0 || *trim == '\0') {
		rc = raw != NULL && trim == NULL ? ma_fail(err, MA_ENOMEM,
		    ENOMEM, "out of memory") : mg_row_note(q, &src, "reject",
		    "BAD_ADDRESS", err, "no address (a LEFT JOIN that found no "
		    "domain row?)");
		free(trim);
		mg_src_release(&src);
		return rc;
	}
	rc = check_address(q, &src, trim, &b, err);
	/* The password is checked even on a rejected row: it says more. */
	if (rc == 0)
		rc = mg_password(q, &src, &b.pw, err);
	if (rc == 0)
		rc = details(q, &src, trim, ws, &b, err);
	if (rc == 0)
		rc = store_row(q, &src, trim, &b, err);
	mg_password_release(&b.pw);
	free(b.name);
	free(trim);
	mg_src_release(&src);
	return rc;
}

int
mg_mailboxes(struct ma_migrate *m, struct ma_err *err)
{
	return mg_query_each(m, MA_MAP_MAILBOXES, columns, mailbox_row, NULL,
	    &m->count[MA_MIG_MAILBOXES].source, err);
}
