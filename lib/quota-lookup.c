/*
 * Which mailbox a recipient's mail goes to, for the policy service: two
 * statements prepared once and run again for every request, so a
 * request costs one or two lookups by primary key.
 */
#include "policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ma_quota_lookup {
	struct ma_stmt	*mailbox, *alias_domain;
};

/* What Postfixadmin's virtual_mailbox_maps query accepts. */
static const char mailbox_sql[] =
    "SELECT m.username, m.maildir, m.quota FROM mailbox m JOIN domain d "
    "ON d.domain = m.domain WHERE m.username = ? AND m.active = 1 AND "
    "d.active = 1";
static const char alias_domain_sql[] =
    "SELECT target_domain FROM alias_domain WHERE alias_domain = ? AND "
    "active = 1";

int
ma_quota_lookup_open(struct ma_db *db, struct ma_quota_lookup **lp,
    struct ma_err *err)
{
	struct ma_quota_lookup *l = calloc(1, sizeof(*l));

	*lp = NULL;
	if (l == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	if (ma_db_prepare(db, mailbox_sql, &l->mailbox, err) < 0 ||
	    ma_db_prepare(db, alias_domain_sql, &l->alias_domain, err) < 0) {
		ma_quota_lookup_close(&l);
		return -1;
	}
	*lp = l;
	return 0;
}

void
ma_quota_lookup_close(struct ma_quota_lookup **lp)
{
	struct ma_quota_lookup *l = *lp;

	if (l == NULL)
		return;
	ma_stmt_finalize(&l->mailbox);
	ma_stmt_finalize(&l->alias_domain);
	free(l);
	*lp = NULL;
}

/* Run st with one parameter; 1 with a row (read it before the next), 0, -1. */
static int
run(struct ma_stmt *st, const char *param, struct ma_err *err)
{
	ma_stmt_reset(st);
	if (ma_stmt_bind_text(st, 1, param) < 0)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	return ma_stmt_step(st, err);
}

static int
find_mailbox(struct ma_quota_lookup *l, const char *address,
    struct ma_quota_rcpt *m, struct ma_err *err)
{
	const char *maildir;
	int rc;

	if ((rc = run(l->mailbox, address, err)) != 1)
		return rc;
	maildir = ma_stmt_text(l->mailbox, 1);
	snprintf(m->address, sizeof(m->address), "%s",
	    ma_stmt_text(l->mailbox, 0));
	snprintf(m->maildir, sizeof(m->maildir), "%s",
	    maildir != NULL ? maildir : "");
	m->quota = ma_stmt_int(l->mailbox, 2);
	ma_stmt_reset(l->mailbox);
	return 1;
}

int
ma_quota_lookup_find(struct ma_quota_lookup *l, const char *recipient,
    struct ma_quota_rcpt *m, struct ma_err *err)
{
	char target[MA_DOMAIN_MAX + 1], address[MA_ADDRESS_MAX + 2];
	struct ma_address a;
	struct ma_err ignored;
	int rc;

	/* Not an address mailadm could store: not one of its mailboxes. */
	if (ma_address_normalize(recipient, 0, &a, &ignored) < 0)
		return 0;
	if ((rc = find_mailbox(l, a.address, m, err)) != 0)
		return rc;
	if ((rc = run(l->alias_domain, a.domain, err)) != 1)
		return rc;
	snprintf(target, sizeof(target), "%s", ma_stmt_text(l->alias_domain,
	    0) != NULL ? ma_stmt_text(l->alias_domain, 0) : "");
	ma_stmt_reset(l->alias_domain);
	if (snprintf(address, sizeof(address), "%s@%s", a.local, target) >
	    MA_ADDRESS_MAX)
		return 0;
	return find_mailbox(l, address, m, err);
}
