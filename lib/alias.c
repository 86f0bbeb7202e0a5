#include "alias.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alias-priv.h"
#include "buf.h"
#include "domain.h"
#include "log.h"

/* Aliases as Postfixadmin counts them: not mailboxes' own. */
static const char count_aliases[] = "SELECT COUNT(*) FROM alias a WHERE "
    "a.domain = ? AND NOT EXISTS (SELECT 1 FROM mailbox m WHERE m.username "
    "= a.address)";

/*
 * Mail to a target in one of our domains must have somewhere to go: a
 * mailbox, an alias or a catch-all, after following an alias domain.
 */
static int
check_target(struct ma_db *db, const struct ma_address *t, struct ma_err *err)
{
	char domain[MA_DOMAIN_MAX + 1], addr[MA_LOCAL_MAX + MA_DOMAIN_MAX + 2];
	char catchall[MA_DOMAIN_MAX + 2];
	const char *const dom[] = { t->domain, NULL };
	const char *const find[] = { addr, addr, catchall, NULL };
	struct ma_stmt *st;
	int64_t ours, found;
	int rc;

	snprintf(domain, sizeof(domain), "%s", t->domain);
	rc = ma_db_query(db, "SELECT target_domain FROM alias_domain WHERE "
	    "alias_domain = ?", dom, &st, err);
	if (rc == 1)
		snprintf(domain, sizeof(domain), "%s", ma_stmt_text(st, 0));
	ma_stmt_finalize(&st);
	if (rc < 0 || ma_db_int(db, "SELECT COUNT(*) FROM domain WHERE "
	    "domain = ?", dom, &ours, err) < 0)
		return -1;
	if (ours == 0)
		return 0;
	snprintf(addr, sizeof(addr), "%s@%s", t->local, domain);
	snprintf(catchall, sizeof(catchall), "@%s", domain);
	if (ma_db_int(db, "SELECT (SELECT COUNT(*) FROM mailbox WHERE "
	    "username = ?) + (SELECT COUNT(*) FROM alias WHERE address IN "
	    "(?, ?))", find, &found, err) < 0)
		return -1;
	if (found == 0)
		return ma_fail(err, MA_ENOTFOUND, 0, "no mailbox or alias '%s' "
		    "(use --force to forward to it anyway)", t->address);
	return 0;
}

/* The alias row at address, locked; 1 found, 0 not, -1 error. */
static int
read_alias(struct ma_db *db, const char *address, int lock,
    struct ma_alias *a, struct ma_err *err)
{
	const char *const p[] = { address, address, NULL };
	char sql[256];
	struct ma_stmt *st;
	int rc;

	memset(a, 0, sizeof(*a));
	snprintf(sql, sizeof(sql), "SELECT a.address, a.domain, a.goto, "
	    "a.active, a.created, a.modified, (SELECT COUNT(*) FROM mailbox m "
	    "WHERE m.username = ?) FROM alias a WHERE a.address = ?%s",
	    lock ? ma_db_for_update(db) : "");
	if ((rc = ma_db_query(db, sql, p, &st, err)) == 1) {
		snprintf(a->address, sizeof(a->address), "%s",
		    ma_stmt_text(st, 0));
		snprintf(a->domain, sizeof(a->domain), "%s", ma_stmt_text(st, 1));
		a->active = ma_stmt_int(st, 3) != 0;
		a->is_mailbox = ma_stmt_int(st, 6) > 0;
		a->created = strdup(ma_stmt_text(st, 4) ? ma_stmt_text(st, 4) : "");
		a->modified = strdup(ma_stmt_text(st, 5) ? ma_stmt_text(st, 5) :
		    "");
		if (a->created == NULL || a->modified == NULL ||
		    ma_goto_parse(&a->targets, ma_stmt_text(st, 2) ?
		    ma_stmt_text(st, 2) : "", err) < 0)
			rc = a->created && a->modified ? -1 :
			    ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	}
	ma_stmt_finalize(&st);
	if (rc < 0)
		ma_alias_release(a);
	return rc;
}

void
ma_alias_release(struct ma_alias *a)
{
	ma_goto_release(&a->targets);
	free(a->created);
	free(a->modified);
	a->created = a->modified = NULL;
}

int
ma_alias_get(struct ma_db *db, const char *input, struct ma_alias *a,
    struct ma_err *err)
{
	struct ma_address addr;

	if (ma_address_normalize(input, MA_ADDR_CATCHALL, &addr, err) < 0)
		return -1;
	return read_alias(db, addr.address, 0, a, err);
}

int
alias_insert_rows(struct ma_db *db, const struct alias_row *rows, size_t n,
    struct ma_err *err)
{
	const char *now = ma_db_now(db);
	struct ma_stmt *st;
	size_t i;
	int k, rc;

	if (n == 0)
		return 0;
	if (ma_db_prepare_rows(db, "INSERT INTO alias (address, goto, domain, "
	    "created, modified, active)", 6, n, &st, err) < 0)
		return -1;
	for (i = 0, k = 1; i < n; i++) {
		ma_stmt_bind_text(st, k++, rows[i].address);
		ma_stmt_bind_text(st, k++, rows[i].goto_list);
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

/* Write goto for address (INSERT when create), then the log row. */
static int
store(struct ma_db *db, const struct ma_address *addr,
    const struct ma_goto *targets, int create, const char *action,
    const char *change, struct ma_err *err)
{
	char *joined = ma_goto_join(targets);
	const struct alias_row row = { addr->address, joined, addr->domain,
	    NULL, 1 };
	const char *const upd[] = { joined, ma_db_now(db), addr->address,
	    NULL };
	struct ma_buf data = MA_BUF_INIT;
	int rc;

	if (joined == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	rc = create ? alias_insert_rows(db, &row, 1, err) : ma_db_run(db,
	    "UPDATE alias SET goto = ?, modified = ? WHERE address = ?", upd,
	    NULL, err);
	free(joined);
	ma_buf_addf(&data, "%s%s", addr->address, change);
	if (rc == 0)
		rc = ma_buf_str(&data) == NULL ? ma_fail(err, MA_ENOMEM, ENOMEM,
		    "out of memory") : ma_log_write(db, addr->domain, action,
		    ma_buf_str(&data), err);
	ma_buf_release(&data);
	return rc;
}

/* Normalize the targets into g; a target may not be the alias itself. */
static int
parse_targets(struct ma_db *db, const struct ma_address *addr,
    const char *const *targets, size_t n, int check, struct ma_goto *g,
    struct ma_err *err)
{
	struct ma_address t;
	size_t i;

	for (i = 0; i < n; i++) {
		if (ma_address_normalize(targets[i], 0, &t, err) < 0)
			return ma_err_prefix(err, "target");
		if (strcmp(t.address, addr->address) == 0 && check)
			return ma_fail(err, MA_EINVAL, 0, "alias '%s' cannot "
			    "forward to itself", addr->address);
		if (check && check_target(db, &t, err) < 0)
			return -1;
		if (ma_goto_add(g, t.address, err) < 0)
			return -1;
	}
	return 0;
}

int
ma_alias_add(struct ma_db *db, const char *input, const char *const *targets,
    size_t ntargets, unsigned int flags, struct ma_err *err)
{
	struct ma_goto want = MA_GOTO_INIT;
	struct ma_buf change = MA_BUF_INIT;
	struct ma_address addr;
	struct ma_domain_limits l;
	struct ma_alias a;
	size_t i;
	int found, rc;

	if (ma_address_normalize(input, MA_ADDR_CATCHALL, &addr, err) < 0)
		return -1;
	if (ntargets == 0)
		return ma_fail(err, MA_EUSAGE, 0, "alias '%s' needs a target",
		    addr.address);
	if (ma_domain_lock(db, addr.domain, &l, err) < 0 ||
	    (found = read_alias(db, addr.address, 1, &a, err)) < 0)
		return -1;
	rc = parse_targets(db, &addr, targets, ntargets,
	    !(flags & MA_ALIAS_FORCE), &want, err);
	if (rc == 0 && !found)
		rc = ma_domain_check_room(db, addr.domain, l.max_aliases,
		    "aliases", count_aliases, err);
	for (i = 0; rc == 0 && i < want.n; i++)
		if ((rc = ma_goto_add(&a.targets, want.v[i], err)) == 1) {
			ma_buf_addf(&change, " +%s", want.v[i]);
			rc = 0;
		}
	if (rc == 0 && change.len == 0)
		rc = ma_fail(err, MA_EEXIST, 0, "alias '%s' already forwards to "
		    "%s", addr.address, want.n == 1 ? want.v[0] :
		    "all of these targets");
	if (rc == 0)
		rc = store(db, &addr, &a.targets, !found, found ? "edit_alias" :
		    "create_alias", ma_buf_str(&change) ? ma_buf_str(&change) :
		    "", err);
	ma_buf_release(&change);
	ma_goto_release(&want);
	ma_alias_release(&a);
	return rc;
}

static int
delete_row(struct ma_db *db, const struct ma_address *addr,
    struct ma_err *err)
{
	const char *const p[] = { addr->address, NULL };

	if (ma_db_run(db, "DELETE FROM alias WHERE address = ?", p, NULL,
	    err) < 0)
		return -1;
	return ma_log_write(db, addr->domain, "delete_alias", addr->address,
	    err);
}

int
ma_alias_del(struct ma_db *db, const char *input, const char *const *targets,
    size_t ntargets, struct ma_err *err)
{
	struct ma_goto gone = MA_GOTO_INIT;
	struct ma_buf change = MA_BUF_INIT;
	struct ma_address addr;
	struct ma_alias a;
	size_t i;
	int found, rc;

	if (ma_address_normalize(input, MA_ADDR_CATCHALL, &addr, err) < 0 ||
	    (found = read_alias(db, addr.address, 1, &a, err)) < 0)
		return -1;
	if (found == 0)
		return ma_fail(err, MA_ENOTFOUND, 0, "no such alias '%s'",
		    addr.address);
	rc = parse_targets(db, &addr, targets, ntargets, 0, &gone, err);
	if (rc == 0 && a.is_mailbox && (ntargets == 0 ||
	    ma_goto_has(&gone, addr.address)))
		rc = ma_fail(err, MA_EINVAL, 0, "'%s' is a mailbox: it keeps "
		    "its own alias (delete the mailbox with 'mailadm user del')",
		    addr.address);
	for (i = 0; rc == 0 && i < gone.n; i++) {
		if (!ma_goto_remove(&a.targets, gone.v[i]))
			rc = ma_fail(err, MA_ENOTFOUND, 0, "alias '%s' does not "
			    "forward to '%s'", addr.address, gone.v[i]);
		ma_buf_addf(&change, " -%s", gone.v[i]);
	}
	if (rc == 0 && (ntargets == 0 || a.targets.n == 0))
		rc = delete_row(db, &addr, err);
	else if (rc == 0)
		rc = store(db, &addr, &a.targets, 0, "edit_alias",
		    ma_buf_str(&change) ? ma_buf_str(&change) : "", err);
	ma_buf_release(&change);
	ma_goto_release(&gone);
	ma_alias_release(&a);
	return rc;
}

int
ma_alias_list(struct ma_db *db, const char *domain_in, ma_alias_cb *fn,
    void *arg, struct ma_err *err)
{
	char domain[MA_DOMAIN_MAX + 1];
	struct ma_stmt *st;
	struct ma_alias a;
	int rc;

	if (domain_in != NULL && ma_domain_normalize(domain_in, domain, err) < 0)
		return -1;
	/* A mailbox's bare self alias is the mailbox, not an alias. */
	if (ma_db_prepare(db, domain_in != NULL ?
	    "SELECT address FROM alias WHERE goto <> address AND domain = ? "
	    "ORDER BY address" : "SELECT address FROM alias WHERE goto <> "
	    "address ORDER BY address", &st, err) < 0)
		return -1;
	if (domain_in != NULL)
		ma_stmt_bind_text(st, 1, domain);
	while ((rc = ma_stmt_step(st, err)) == 1) {
		char address[MA_ADDRESS_MAX + 1];

		snprintf(address, sizeof(address), "%s", ma_stmt_text(st, 0));
		if ((rc = read_alias(db, address, 0, &a, err)) < 0)
			break;
		rc = rc == 1 ? fn(&a, arg) : 0;
		ma_alias_release(&a);
		if (rc < 0) {
			ma_fail(err, MA_EIO, errno, "cannot write the list: %s",
			    strerror(errno));
			break;
		}
	}
	ma_stmt_finalize(&st);
	return rc < 0 ? -1 : 0;
}
