/* Alias domains: the alias_domain table. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "domain.h"
#include "log.h"

/* 1 if sql counts a row for name, 0 if not, -1 on error. */
static int
exists(struct ma_db *db, const char *sql, const char *name,
    struct ma_err *err)
{
	const char *const p[] = { name, NULL };
	int64_t n;

	return ma_db_int(db, sql, p, &n, err) < 0 ? -1 : n > 0;
}

#define DOMAIN_EXISTS "SELECT COUNT(*) FROM domain WHERE domain = ?"
#define IS_ALIAS_DOMAIN "SELECT COUNT(*) FROM alias_domain WHERE alias_domain = ?"
#define IS_ALIAS_TARGET "SELECT COUNT(*) FROM alias_domain WHERE target_domain = ?"

int
ma_alias_domain_add(struct ma_db *db, const char *alias_in,
    const char *target_in, struct ma_err *err)
{
	char alias[MA_DOMAIN_MAX + 1], target[MA_DOMAIN_MAX + 1], data[520];
	struct ma_stmt *st;
	int rc;

	if (ma_domain_normalize(alias_in, alias, err) < 0 ||
	    ma_domain_normalize(target_in, target, err) < 0)
		return -1;
	if (strcmp(alias, target) == 0)
		return ma_fail(err, MA_EINVAL, 0, "alias domain '%s' cannot "
		    "point to itself", alias);
	/*
	 * Postfix accepts mail for an alias domain only when it is also a
	 * domain row (Postfixadmin's convention), so both must exist.
	 */
	if ((rc = exists(db, DOMAIN_EXISTS, alias, err)) <= 0)
		return rc < 0 ? -1 : ma_fail(err, MA_ENODOMAIN, 0, "no such "
		    "domain '%s': add it with 'mailadm domain add' first", alias);
	if ((rc = exists(db, DOMAIN_EXISTS, target, err)) <= 0)
		return rc < 0 ? -1 : ma_fail(err, MA_ENODOMAIN, 0, "no such "
		    "domain '%s'", target);
	/* One level only: a chain could loop back on itself. */
	if ((rc = exists(db, IS_ALIAS_DOMAIN, target, err)) != 0)
		return rc < 0 ? -1 : ma_fail(err, MA_EINVAL, 0, "'%s' is itself "
		    "an alias domain: point '%s' at its target instead", target,
		    alias);
	if ((rc = exists(db, IS_ALIAS_TARGET, alias, err)) != 0)
		return rc < 0 ? -1 : ma_fail(err, MA_EINVAL, 0, "'%s' is the "
		    "target of other alias domains: it cannot become an alias "
		    "itself", alias);
	if (ma_db_prepare(db, "INSERT INTO alias_domain (alias_domain, "
	    "target_domain, created, modified, active) VALUES (?, ?, ?, ?, 1)",
	    &st, err) < 0)
		return -1;
	ma_stmt_bind_text(st, 1, alias);
	ma_stmt_bind_text(st, 2, target);
	ma_stmt_bind_text(st, 3, ma_db_now(db));
	ma_stmt_bind_text(st, 4, ma_db_now(db));
	rc = ma_stmt_step(st, err);
	ma_stmt_finalize(&st);
	if (rc < 0 && err->status == MA_EEXIST)
		return ma_fail(err, MA_EEXIST, err->code, "alias domain '%s' "
		    "already exists", alias);
	if (rc < 0)
		return -1;
	snprintf(data, sizeof(data), "%s -> %s", alias, target);
	return ma_log_write(db, alias, "create_alias_domain", data, err);
}

int
ma_alias_domain_del(struct ma_db *db, const char *alias_in,
    struct ma_err *err)
{
	char alias[MA_DOMAIN_MAX + 1];
	const char *const p[] = { alias, NULL };
	int64_t gone;

	if (ma_domain_normalize(alias_in, alias, err) < 0 ||
	    ma_db_run(db, "DELETE FROM alias_domain WHERE alias_domain = ?",
	    p, &gone, err) < 0)
		return -1;
	if (gone == 0)
		return ma_fail(err, MA_ENODOMAIN, 0, "no such alias domain '%s'",
		    alias);
	return ma_log_write(db, alias, "delete_alias_domain", alias, err);
}

int
ma_alias_domain_list(struct ma_db *db, ma_alias_domain_cb *fn, void *arg,
    struct ma_err *err)
{
	struct ma_stmt *st;
	int rc;

	if (ma_db_prepare(db, "SELECT alias_domain, target_domain, active FROM "
	    "alias_domain ORDER BY alias_domain", &st, err) < 0)
		return -1;
	while ((rc = ma_stmt_step(st, err)) == 1)
		if (fn(ma_stmt_text(st, 0), ma_stmt_text(st, 1),
		    ma_stmt_int(st, 2) != 0, arg) < 0) {
			rc = ma_fail(err, MA_EIO, errno, "cannot write the "
			    "list: %s", strerror(errno));
			break;
		}
	ma_stmt_finalize(&st);
	return rc < 0 ? -1 : 0;
}
