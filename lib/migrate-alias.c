/*
 * The aliases query: checked, normalized, into work.alias and
 * work.target.  An alias at a mailbox's address is its self alias row
 * (forwarding, with or without a copy); "@a" to "@b" between hosted
 * domains is an alias domain.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "goto.h"
#include "migrate-priv.h"
#include "utf8.h"
#include "valid.h"

enum { A_ADDRESS, A_GOTO, A_GOTO_SIZE, A_ACTIVE, A_CREATED };

static const char *const columns[] = { "address", "goto", "goto_size",
    "active", "created", NULL };

/* Postfixadmin's sample configuration, left unedited on old rows. */
#define PLACEHOLDER_DOMAIN "change-this-to-your.domain.tld"

struct ali {
	struct ma_address	 a;
	struct ma_goto		 targets;
	const char		*kind;		/* alias, mailbox,
	    domain_alias */
	int			 active;
	char			 created[20];
	const char		*reject;
	/* what the goto list showed */
	int			 caps, vacation, dup_targets, truncated;
	char			*placeholder, *dropped, *bad;
};

static void
ali_release(struct ali *x)
{
	ma_goto_release(&x->targets);
	free(x->placeholder);
	free(x->dropped);
	free(x->bad);
}

static int
reject(struct mg_query *q, const struct mg_src *src, struct ali *x,
    const char *code, struct ma_err *err, const char *reason)
{
	x->reject = code;
	return mg_row_note(q, src, "reject", code, err, "%s", reason);
}

static int
check_address(struct mg_query *q, const struct mg_src *src, const char *trim,
    struct ali *x, struct ma_err *err)
{
	const char *at = strrchr(trim, '@');
	const char *const p[] = { x->a.address, NULL };
	struct mg_domain_state ds;
	struct ma_stmt *st;
	struct ma_err bad;
	char why[400];
	int rc;

	if (at != NULL && (strcasecmp(at + 1, "localhost") == 0 ||
	    strcasecmp(at + 1, "localhost.localdomain") == 0))
		return reject(q, src, x, "LOCAL_PSEUDO_DOMAIN", err, "an alias "
		    "of the machine's own domain, not a hosted one");
	if (ma_address_normalize(trim, MA_ADDR_CATCHALL, &x->a, &bad) < 0)
		return reject(q, src, x, "INVALID_ADDRESS", err, bad.msg);
	if (mg_domain_state(q->m, x->a.domain, &ds, err) < 0)
		return -1;
	if (!ds.ok)
		return reject(q, src, x, ds.code, err, ds.reason);
	if (ds.backup_mx && mg_row_note(q, src, "warning",
	    "ALIAS_IN_BACKUP_MX_DOMAIN", err,
	    "alias in a relay (backup MX) domain: imported, but its mail is "
	    "relayed, not delivered here") < 0)
		return -1;
	rc = mg_query1(q->m, "SELECT raw FROM work.alias WHERE address = "
	    "? AND status = 'import'", p, &st, err);
	if (rc == 1) {
		snprintf(why, sizeof(why), "same address as %s%s",
		    ma_stmt_text(st, 0), strcmp(ma_stmt_text(st, 0), trim) ?
		    " except for case" : "");
		rc = reject(q, src, x, strcmp(ma_stmt_text(st, 0), trim) ?
		    "DUPLICATE_ADDRESS_CASE" : "DUPLICATE_ADDRESS", err, why);
	}
	return rc < 0 ? -1 : 0;
}

/* Whether goto fills its source column: MySQL cut it there. */
static int
truncated(struct mg_query *q, const char *s)
{
	const char *size = mg_val(q, A_GOTO_SIZE);
	const unsigned char *p;
	int64_t max, chars = 0;
	size_t n;

	if (size == NULL || mg_int(size, &max) < 0 || max <= 0)
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p += n ? n : 1, chars++)
		n = ma_utf8_seq(p);
	/* MySQL 4.1 also dropped the trailing space of a cut ", ". */
	return chars == max || (chars == max - 1 && s[strlen(s) - 1] == ',');
}

/* One target, as written: kept, dropped (and why) or the domain target. */
static int
target(struct ali *x, const char *t, int last, struct ma_err *err)
{
	const char *at = strrchr(t, '@');
	struct ma_address a;
	struct ma_err bad;
	int rc;

	x->caps |= mg_has_upper(t);
	/* 2.1's vacation hook: user@domain@vacation.domain */
	if (at != NULL && at != strchr(t, '@') && (size_t)(at - t) ==
	    strlen(x->a.address) && strncasecmp(t, x->a.address,
	    (size_t)(at - t)) == 0) {
		x->vacation = 1;
		return 0;
	}
	if (ma_address_normalize(t, *t == '@' ? MA_ADDR_CATCHALL : 0, &a,
	    &bad) < 0) {
		char **slot = last && x->truncated ? &x->dropped : &x->bad;

		if (*slot == NULL && (*slot = strdup(t)) == NULL)
			return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
		return 0;
	}
	if (strcmp(a.domain, PLACEHOLDER_DOMAIN) == 0) {
		if (x->placeholder == NULL &&
		    (x->placeholder = strdup(t)) == NULL)
			return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
		return 0;
	}
	if ((rc = ma_goto_add(&x->targets, a.address, err)) < 0)
		return -1;
	x->dup_targets |= rc == 0;
	return 0;
}

/* "@a" → "@b": an alias domain, when both are hosted. */
static int
domain_alias(struct mg_query *q, const struct mg_src *src, struct ali *x,
    struct ma_err *err)
{
	struct mg_domain_state ds;
	const char *t = x->targets.v[0];

	x->kind = "domain_alias";
	if (x->targets.n == 1 && *x->a.local == '\0' && *t == '@' &&
	    strcmp(t + 1, x->a.domain) != 0) {
		if (mg_domain_state(q->m, t + 1, &ds, err) < 0)
			return -1;
		if (ds.ok)
			return 0;
	}
	return reject(q, src, x, "INVALID_TARGET", err, "a whole domain as a "
	    "target: only one hosted domain to another (an alias domain)");
}

static int
parse_goto(struct mg_query *q, const struct mg_src *src, struct ali *x,
    struct mg_goto *g, struct ma_err *err)
{
	const char *s = mg_val(q, A_GOTO);
	char why[400];
	size_t i;

	if (s != NULL && mg_goto_split(s, g) < 0)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	if (s == NULL || g->n == 0)
		return reject(q, src, x, "NO_TARGET", err, "no target");
	x->truncated = truncated(q, s);
	for (i = 0; i < g->n; i++)
		if (target(x, g->v[i], i + 1 == g->n, err) < 0)
			return -1;
	if (x->targets.n > 0 && strchr(x->targets.v[0], '@') ==
	    x->targets.v[0])
		return domain_alias(q, src, x, err);
	for (i = 0; i < x->targets.n; i++)
		if (*x->targets.v[i] == '@')
			return reject(q, src, x, "INVALID_TARGET", err, "a "
			    "whole "
			    "domain among other targets");
	if (x->targets.n > 0)
		return 0;
	if (x->placeholder != NULL) {
		snprintf(why, sizeof(why), "goto %s: Postfixadmin's unedited "
		    "sample domain", x->placeholder);
		return reject(q, src, x, "PLACEHOLDER_TARGET", err, why);
	}
	return reject(q, src, x, "NO_TARGET", err, x->vacation ? "only the "
	    "vacation address as target" : "no target that is an address");
}

/* The warnings a kept alias gets for what its goto showed. */
static int
goto_notes(struct mg_query *q, const struct mg_src *src, struct ali *x,
    int ws, const struct mg_goto *g, struct ma_err *err)
{
	const char *const p[] = { x->a.address, NULL };
	struct ma_migrate *m = q->m;
	int64_t vac = 0;
	int rc = 0;

	if (ws || g->outer_blanks)
		rc = mg_row_note(q, src, "warning", "ADDRESS_WHITESPACE", err,
		    "blanks or line breaks around the "
		    "address or its targets: trimmed");
	if (rc == 0 && g->separators)
		rc = mg_row_note(q, src, "warning", "GOTO_SEPARATORS", err,
		    "goto mixes separators (line breaks, "
		    "blanks, empty items): rewritten as a comma list");
	if (rc == 0 && (x->caps || mg_has_upper(mg_val(q, A_ADDRESS))))
		rc = mg_row_note(q, src, "warning", "ADDRESS_NOT_LOWERCASE",
		    err, "address or targets in capitals: "
		    "lower-cased");
	if (rc == 0 && x->truncated)
		rc = mg_row_note(q, src, "warning", "TRUNCATED_DESTINATION",
		    err, "goto fills its column (%s characters): "
		    "MySQL may have cut the list%s%s%s; ask the customer what is "
		    "missing",
		    mg_val(q, A_GOTO_SIZE), x->dropped ? " and its last "
		    "address '"
		    : "", x->dropped ? x->dropped : "", x->dropped ?
		    "' is incomplete: dropped" : "");
	if (rc == 0 && x->bad != NULL)
		rc = mg_row_note(q, src, "warning", "BAD_TARGET", err, "target "
		    "'%s' is not an address: dropped", x->bad);
	if (rc == 0 && x->placeholder != NULL)
		rc = mg_row_note(q, src, "warning", "PLACEHOLDER_TARGET", err,
		    "target %s is Postfixadmin's unedited "
		    "sample: dropped", x->placeholder);
	if (rc == 0 && x->dup_targets)
		rc = mg_row_note(q, src, "warning", "DUPLICATE_TARGET", err,
		    "a target given twice: kept once");
	if (rc == 0 && x->vacation)
		rc = mg_count(m, "SELECT COUNT(*) FROM work.vacation WHERE "
		    "address = ? AND active", p, &vac, err);
	if (rc == 0 && x->vacation)
		rc = mg_note(m, "warning", vac ? "VACATION_TARGET" :
		    "VACATION_TARGET_WITHOUT_VACATION", src->table, src->key,
		    NULL, err, vac ? "goto carries the address of Postfixadmin "
		    "2.1's auto-reply: dropped; mailadm keeps no auto-reply, "
		    "set "
		    "it up again on the new server" : "goto has the auto-reply "
		    "address but no vacation row exists: dropped");
	return rc;
}

static int
store_row(struct mg_query *q, const struct mg_src *src, const char *trim,
    const struct ali *x, struct ma_err *err)
{
	char *joined = ma_goto_join(&x->targets), seq[24];
	struct ma_stmt *st;
	int64_t id;
	size_t i;
	int rc;

	if (joined == NULL || (st = mg_stmt(q->m, "INSERT INTO work.alias "
	    "(address, raw, domain, src_table, key_json, key_text, goto, kind, "
	    "active, created, status, reject) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?)", NULL, err)) == NULL) {
		free(joined);
		return joined ? -1 : ma_fail(err, MA_ENOMEM, ENOMEM,
		    "out of memory");
	}
	ma_stmt_bind_text(st, 1, *x->a.address ? x->a.address : trim);
	ma_stmt_bind_text(st, 2, trim);
	ma_stmt_bind_text(st, 3, x->a.domain);
	ma_stmt_bind_text(st, 4, src->table);
	ma_stmt_bind_text(st, 5, src->key);
	ma_stmt_bind_text(st, 6, src->text);
	ma_stmt_bind_text(st, 7, joined);
	ma_stmt_bind_text(st, 8, x->kind);
	ma_stmt_bind_int(st, 9, x->active);
	ma_stmt_bind_text(st, 10, x->created[0] ? x->created : NULL);
	ma_stmt_bind_text(st, 11, x->reject ? "reject" : "import");
	ma_stmt_bind_text(st, 12, x->reject);
	rc = ma_stmt_step(st, err);
	free(joined);
	if (rc < 0 || x->reject != NULL || mg_count(q->m,
	    "SELECT last_insert_rowid()", NULL, &id, err) < 0)
		return rc < 0 ? -1 : x->reject != NULL ? 0 : -1;
	snprintf(seq, sizeof(seq), "%lld", (long long)id);
	for (i = 0; rc >= 0 && i < x->targets.n; i++) {
		const char *t = x->targets.v[i], *at = strrchr(t, '@');
		const char *const p[] = { seq, t, at != NULL ? at + 1 : "",
		    NULL };

		rc = mg_run(q->m, "INSERT INTO work.target (alias_seq, target, "
		    "domain) VALUES (?, ?, ?)", p, err);
	}
	return rc < 0 ? -1 : 0;
}

/* active and created, as for mailboxes; the kind of row. */
static int
details(struct mg_query *q, const struct mg_src *src, struct ali *x,
    struct ma_err *err)
{
	const char *const p[] = { x->a.address, x->a.address, NULL };
	const char *s = mg_val(q, A_ACTIVE);
	char qs[MA_QUOTE_MAX], why[300];
	int64_t box;

	x->active = 1;
	if (s != NULL && mg_bool(s, &x->active) < 0) {
		snprintf(why, sizeof(why), "active '%s' is not a flag",
		    ma_quote(s, qs, sizeof(qs)));
		return reject(q, src, x, "INVALID_VALUE", err, why);
	}
	s = mg_val(q, A_CREATED);
	if (s != NULL && mg_date(s, x->created) != 0)
		x->created[0] = '\0';
	if (strcmp(x->kind, "domain_alias") == 0)
		return 0;
	if (mg_count(q->m, "SELECT (SELECT COUNT(*) FROM work.mailbox "
	    "WHERE address = ? AND status = 'import') + (SELECT COUNT(*) FROM "
	    "work.store_mailbox WHERE address = ?)", p, &box, err) < 0)
		return -1;
	x->kind = box ? "mailbox" : "alias";
	return 0;
}

static int
alias_row(struct mg_query *q, void *arg, struct ma_err *err)
{
	const char *raw = mg_val(q, A_ADDRESS);
	struct mg_goto g;
	struct mg_src src;
	struct ali x;
	char *trim = NULL;
	int ws = 0, rc;

	(void)arg;
	/* The server writes new mailboxes meanwhile. */
	mg_early_step(q->m);
	memset(&x, 0, sizeof(x));
	memset(&g, 0, sizeof(g));
	x.kind = "alias";
	if (mg_source(q, &src, err) < 0)
		return -1;
	if (raw == NULL || (ws = mg_trim(raw, &trim)) < 0 || *trim == '\0') {
		rc = raw != NULL && trim == NULL ? ma_fail(err, MA_ENOMEM,
		    ENOMEM, "out of memory") : mg_row_note(q, &src, "reject",
		    "BAD_ADDRESS", err, "no address");
		free(trim);
		mg_src_release(&src);
		return rc;
	}
	rc = check_address(q, &src, trim, &x, err);
	if (rc == 0 && x.reject == NULL)
		rc = parse_goto(q, &src, &x, &g, err);
	if (rc == 0 && x.reject == NULL)
		rc = details(q, &src, &x, err);
	if (rc == 0 && x.reject == NULL)
		rc = goto_notes(q, &src, &x, ws, &g, err);
	if (rc == 0)
		rc = store_row(q, &src, trim, &x, err);
	mg_goto_release(&g);
	ali_release(&x);
	free(trim);
	mg_src_release(&src);
	return rc;
}

int
mg_aliases(struct ma_migrate *m, struct ma_err *err)
{
	return mg_query_each(m, MA_MAP_ALIASES, columns, alias_row, NULL,
	    &m->count[MA_MIG_ALIASES].source, err);
}
