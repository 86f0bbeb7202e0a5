/* The domains query: checked, normalized, into work.domain. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "domain.h"
#include "migrate-priv.h"
#include "valid.h"

enum { D_DOMAIN, D_DESCRIPTION, D_QUOTA, D_MAX_QUOTA, D_DOMAIN_QUOTA,
       D_MAX_MAILBOXES, D_MAX_ALIASES, D_TRANSPORT, D_BACKUP_MX, D_ACTIVE,
       D_CREATED };

static const char *const columns[] = { "domain", "description", "quota",
    "max_quota", "domain_quota", "max_mailboxes", "max_aliases", "transport",
    "backup_mx", "active", "created", NULL };

/* A domain row as the plan has it. */
struct dom {
	char		 name[MA_DOMAIN_MAX + 1];
	char		*description, *transport;
	int64_t		 v[D_CREATED];		/* the numeric columns */
	int		 backup_mx, active;
	char		 created[20];
	const char	*reject;		/* a code, or NULL */
};

/*
 * The domains found importable, by name: every mailbox and alias row
 * asks for its domain, and a big dump has a few thousand domains for
 * hundreds of thousands of rows.  Open addressing; emptied when three
 * quarters full, so that it stays the same size however many there are.
 */
#define DOMAIN_SLOTS 4096
struct mg_domain_cache {
	struct {
		char	 name[MA_DOMAIN_MAX + 1];	/* "": free */
		int	 backup_mx;
		int64_t	 quota, max_quota;
	}		 slot[DOMAIN_SLOTS];
	size_t		 n;
};

/* name's slot: its entry, or the free one where it goes. */
static size_t
cache_slot(const struct mg_domain_cache *c, const char *name)
{
	const unsigned char *p;
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (p = (const unsigned char *)name; *p != '\0'; p++)
		h = (h ^ *p) * 16777619u;
	for (;; h++)
		if (c->slot[h % DOMAIN_SLOTS].name[0] == '\0' ||
		    strcmp(c->slot[h % DOMAIN_SLOTS].name, name) == 0)
			return h % DOMAIN_SLOTS;
}

static void
cache_put(struct ma_migrate *m, const char *name,
    const struct mg_domain_state *ds)
{
	struct mg_domain_cache *c = m->domain_cache;
	size_t i;

	if (c == NULL && (c = m->domain_cache = calloc(1, sizeof(*c))) == NULL)
		return;		/* no cache: the query each time */
	if (c->n >= DOMAIN_SLOTS / 4 * 3)
		memset(c, 0, sizeof(*c));
	i = cache_slot(c, name);
	snprintf(c->slot[i].name, sizeof(c->slot[i].name), "%s", name);
	c->slot[i].backup_mx = ds->backup_mx;
	c->slot[i].quota = ds->quota;
	c->slot[i].max_quota = ds->max_quota;
	c->n++;
}

void
mg_domain_cache_free(struct ma_migrate *m)
{
	free(m->domain_cache);
	m->domain_cache = NULL;
}

int
mg_domain_state(struct ma_migrate *m, const char *name,
    struct mg_domain_state *ds, struct ma_err *err)
{
	const struct mg_domain_cache *c = m->domain_cache;
	char mult[24];
	const char *const p[] = { name, mult, name, NULL };
	struct ma_stmt *st;
	size_t i;
	int rc;

	memset(ds, 0, sizeof(*ds));
	if (c != NULL && *name != '\0' && (i = cache_slot(c, name),
	    c->slot[i].name[0] != '\0')) {
		ds->ok = 1;
		ds->backup_mx = c->slot[i].backup_mx;
		ds->quota = c->slot[i].quota;
		ds->max_quota = c->slot[i].max_quota;
		return 0;
	}
	snprintf(mult, sizeof(mult), "%" PRIu64, m->o->multiplier);
	rc = mg_query1(m, "SELECT backup_mx, quota, max_quota FROM "
	    "work.domain WHERE name = ? AND status = 'import' UNION ALL "
	    "SELECT backupmx, default_quota, CASE WHEN maxquota > 0 THEN "
	    "maxquota * ? ELSE maxquota END FROM work.store_domain WHERE "
	    "name = ?", p, &st, err);
	if (rc == 1) {
		ds->ok = 1;
		ds->backup_mx = ma_stmt_int(st, 0) != 0;
		ds->quota = ma_stmt_int(st, 1);
		ds->max_quota = ma_stmt_int(st, 2);
		if (*name != '\0' && strlen(name) <= MA_DOMAIN_MAX)
			cache_put(m, name, ds);
	}
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	rc = mg_query1(m, "SELECT reject FROM work.domain WHERE name = ? "
	    "AND status = 'reject'", p + 2, &st, err);
	if (rc == 1) {
		ds->code = strcmp(ma_stmt_text(st, 0),
		    "LOCAL_PSEUDO_DOMAIN") == 0 ?
		    "LOCAL_PSEUDO_DOMAIN" : "DOMAIN_REJECTED";
		snprintf(ds->reason, sizeof(ds->reason), "its domain %s is "
		    "rejected (%s)", name, ma_stmt_text(st, 0));
	}
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (strcmp(name, "localhost") == 0 ||
	    strcmp(name, "localhost.localdomain") == 0) {
		ds->code = "LOCAL_PSEUDO_DOMAIN";
		snprintf(ds->reason, sizeof(ds->reason), "%s is the machine's "
		    "own domain, not a hosted one", name);
	} else {
		ds->code = "DOMAIN_ROW_MISSING";
		snprintf(ds->reason, sizeof(ds->reason), "domain %s has no "
		    "domain row (a deleted customer?)", name);
	}
	return 0;
}

/* A number (flag NULL) or a flag column: NULL keeps the default. */
static int
value(struct mg_query *q, const struct mg_src *src, int c, int64_t *v,
    int *flag, struct dom *d, struct ma_err *err)
{
	const char *s = mg_val(q, c);
	char qs[MA_QUOTE_MAX];

	if (s == NULL || (flag != NULL ? mg_bool(s, flag) : mg_int(s, v)) == 0)
		return 0;
	d->reject = "INVALID_VALUE";
	return mg_row_note(q, src, "reject", d->reject, err, "%s '%s' is not "
	    "%s", columns[c], ma_quote(s, qs, sizeof(qs)), flag != NULL ?
	    "a flag (1/0, y/n, yes/no, true/false)" : "a number");
}

/* The name: pseudo-domains, syntax, duplicates.  d->reject when refused. */
static int
check_name(struct mg_query *q, const struct mg_src *src, const char *trim,
    struct dom *d, struct ma_err *err)
{
	const char *const p[] = { d->name, NULL };
	char norm[MA_DOMAIN_MAX + 1];
	struct ma_stmt *st;
	struct ma_err why;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(d->name) - 1 && trim[i] != '\0'; i++)
		d->name[i] = (char)(trim[i] >= 'A' && trim[i] <= 'Z' ?
		    trim[i] + 32 : trim[i]);
	d->name[i] = '\0';
	if (strcmp(d->name, "localhost") == 0 ||
	    strcmp(d->name, "localhost.localdomain") == 0) {
		d->reject = "LOCAL_PSEUDO_DOMAIN";
		return mg_row_note(q, src, "reject", d->reject, err, "the "
		    "machine's own domain, not a hosted one (transport %s)",
		    mg_val(q, D_TRANSPORT) ? mg_val(q, D_TRANSPORT) : "-");
	}
	if (strcmp(d->name, "all") == 0) {
		d->reject = "PSEUDO_DOMAIN_ALL";
		return mg_row_note(q, src, "reject", d->reject, err, "'ALL' is "
		    "Postfixadmin's pseudo-domain of its superadmins");
	}
	if (ma_domain_normalize(trim, norm, &why) < 0) {
		d->reject = "INVALID_DOMAIN";
		return mg_row_note(q, src, "reject", d->reject, err, "%s",
		    why.msg);
	}
	memcpy(d->name, norm, sizeof(d->name));
	rc = mg_query1(q->m, "SELECT raw, key_text FROM work.domain "
	    "WHERE name = ? AND status = 'import'", p, &st, err);
	if (rc == 1) {
		d->reject = strcmp(ma_stmt_text(st, 0), trim) != 0 ?
		    "DUPLICATE_DOMAIN_CASE" : "DUPLICATE_DOMAIN";
		rc = mg_row_note(q, src, "reject", d->reject, err, "same "
		    "domain "
		    "as %s (%s)%s", ma_stmt_text(st, 0), ma_stmt_text(st, 1),
		    strcmp(ma_stmt_text(st, 0), trim) != 0 ?
		    " except for case" : "");
	}
	return rc < 0 ? -1 : 0;
}

/* Descriptions must pass mailadm's own check: control characters go. */
static int
description(struct mg_query *q, const struct mg_src *src, struct dom *d,
    struct ma_err *err)
{
	const char *s = mg_val(q, D_DESCRIPTION), *why;
	struct ma_err bad;
	char *fixed, *p;

	if ((d->description = strdup(s != NULL ? s : "")) == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	if ((why = mg_text_problem(d->description, s != NULL ?
	    ma_stmt_len(q->st, q->col[D_DESCRIPTION]) : 0, 255)) != NULL) {
		d->reject = "INVALID_TEXT";
		return mg_row_note(q, src, "reject", d->reject, err, "the "
		    "description %s", why);
	}
	if (mg_double_encoded(d->description, &fixed) == 1) {
		free(d->description);
		d->description = fixed;
		if (mg_note(q->m, "warning", "DOUBLE_ENCODED_UTF8", src->table,
		    src->key, NULL, err, "description holds UTF-8 bytes read "
		    "as latin1; repaired to '%s'", fixed) < 0)
			return -1;
	}
	if (ma_text_check("description", d->description, 255, &bad) == 0)
		return 0;
	for (p = d->description; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return mg_row_note(q, src, "warning", "TEXT_CONTROL_CHARACTERS", err,
	    "description has control characters (line "
	    "breaks…): replaced by spaces");
}

/* The limits and the transport; backup MX relays; dates. */
static int
values(struct mg_query *q, const struct mg_src *src, struct dom *d,
    struct ma_err *err)
{
	const char *t = mg_val(q, D_TRANSPORT);
	struct ma_err bad;
	size_t tn;
	int c, rc = 0;

	for (c = D_QUOTA; rc == 0 && c <= D_MAX_ALIASES; c++)
		rc = value(q, src, c, &d->v[c], NULL, d, err);
	if (rc == 0)
		rc = value(q, src, D_BACKUP_MX, NULL, &d->backup_mx, d, err);
	if (rc == 0)
		rc = value(q, src, D_ACTIVE, NULL, &d->active, d, err);
	if (rc < 0)
		return -1;
	for (c = D_MAX_QUOTA; c <= D_MAX_ALIASES; c++)
		if (d->v[c] < 0)
			d->v[c] = -1;
	if (d->v[D_QUOTA] < 0) {
		d->v[D_QUOTA] = 0;
		if (mg_row_note(q, src, "warning", "NEGATIVE_QUOTA", err,
		    "default mailbox quota is negative: "
		    "unlimited") < 0)
			return -1;
	}
	if ((d->transport = strdup(t != NULL && *t != '\0' ? t : "virtual")) ==
	    NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	if (ma_domain_transport_check(d->transport, &bad) < 0) {
		d->reject = "INVALID_VALUE";
		return mg_row_note(q, src, "reject", d->reject, err, "%s",
		    bad.msg);
	}
	tn = strcspn(d->transport, ":");
	if (d->backup_mx)
		return mg_row_note(q, src, "warning", "BACKUP_MX_DOMAIN", err,
		    "backupmx=1: a relay (backup MX) "
		    "domain, not hosted mail: it can have no mailboxes");
	if ((tn == 4 && strncasecmp(d->transport, "smtp", 4) == 0) ||
	    (tn == 5 && strncasecmp(d->transport, "relay", 5) == 0)) {
		d->backup_mx = 1;
		return mg_row_note(q, src, "warning", "BACKUP_MX_DOMAIN", err,
		    "transport %s: relayed to another "
		    "server (backup MX), not hosted mail: it can have no "
		    "mailboxes", d->transport);
	}
	return 0;
}

static int
created(struct mg_query *q, const struct mg_src *src, char out[20],
    struct ma_err *err)
{
	const char *s = mg_val(q, D_CREATED);
	char qs[MA_QUOTE_MAX];

	out[0] = '\0';
	if (s == NULL)
		return 0;
	switch (mg_date(s, out)) {
	case 1:
		return mg_row_note(q, src, "info", "ZERO_DATE", err, "created "
		    "is 0000-00-00 00:00:00: unknown date, "
		    "stored as Postfixadmin's 2000-01-01 00:00:00");
	case -1:
		return mg_row_note(q, src, "info", "BAD_DATE", err, "created "
		    "'%s' is not a date: stored as "
		    "2000-01-01 00:00:00", ma_quote(s, qs, sizeof(qs)));
	}
	return 0;
}

static int
store_row(struct mg_query *q, const struct mg_src *src, const char *raw,
    const struct dom *d, struct ma_err *err)
{
	struct ma_stmt *st;
	int i, rc;

	if ((st = mg_stmt(q->m, "INSERT INTO work.domain (name, raw, "
	    "src_table, key_json, key_text, description, quota, max_quota, "
	    "domain_quota, max_mailboxes, max_aliases, transport, backup_mx, "
	    "active, created, status, reject) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?, ?)", NULL, err)) == NULL)
		return -1;
	ma_stmt_bind_text(st, 1, d->name);
	ma_stmt_bind_text(st, 2, raw);
	ma_stmt_bind_text(st, 3, src->table);
	ma_stmt_bind_text(st, 4, src->key);
	ma_stmt_bind_text(st, 5, src->text);
	ma_stmt_bind_text(st, 6, d->description);
	for (i = D_QUOTA; i <= D_MAX_ALIASES; i++)
		ma_stmt_bind_int(st, 7 + i - D_QUOTA, d->v[i]);
	ma_stmt_bind_text(st, 12, d->transport);
	ma_stmt_bind_int(st, 13, d->backup_mx);
	ma_stmt_bind_int(st, 14, d->active);
	ma_stmt_bind_text(st, 15, d->created[0] ? d->created : NULL);
	ma_stmt_bind_text(st, 16, d->reject ? "reject" : "import");
	ma_stmt_bind_text(st, 17, d->reject);
	rc = ma_stmt_step(st, err);
	return rc < 0 ? -1 : 0;
}

static int
domain_row(struct mg_query *q, void *arg, struct ma_err *err)
{
	const char *raw = mg_val(q, D_DOMAIN);
	struct dom d;
	struct mg_src src;
	char *trim = NULL;
	int ws, rc;

	(void)arg;
	memset(&d, 0, sizeof(d));
	d.active = 1;
	if (mg_source(q, &src, err) < 0)
		return -1;
	if (raw == NULL || (ws = mg_trim(raw, &trim)) < 0 || *trim == '\0') {
		rc = trim == NULL && raw != NULL ? ma_fail(err, MA_ENOMEM,
		    ENOMEM, "out of memory") : mg_row_note(q, &src, "reject",
		    "BAD_DOMAIN", err, "no domain name");
		free(trim);
		mg_src_release(&src);
		return rc;
	}
	rc = check_name(q, &src, trim, &d, err);
	if (rc == 0 && d.reject == NULL)
		rc = description(q, &src, &d, err);
	if (rc == 0 && d.reject == NULL)
		rc = values(q, &src, &d, err);
	if (rc == 0 && d.reject == NULL)
		rc = created(q, &src, d.created, err);
	if (rc == 0 && d.reject == NULL && ws)
		rc = mg_row_note(q, &src, "warning", "ADDRESS_WHITESPACE", err,
		    "blanks around the domain name: trimmed");
	if (rc == 0 && d.reject == NULL && mg_has_upper(trim))
		rc = mg_row_note(q, &src, "warning", "DOMAIN_NOT_LOWERCASE",
		    err, "domain stored in capitals; import as %s",
		    d.name);
	if (rc == 0)
		rc = store_row(q, &src, trim, &d, err);
	free(d.description);
	free(d.transport);
	free(trim);
	mg_src_release(&src);
	return rc;
}

int
mg_domains(struct ma_migrate *m, struct ma_err *err)
{
	return mg_query_each(m, MA_MAP_DOMAINS, columns, domain_row, NULL,
	    &m->count[MA_MIG_DOMAINS].source, err);
}
