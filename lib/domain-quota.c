/*
 * A domain's quota for all its mailboxes at once ("quota set @domain"):
 * the default new mailboxes get, and every mailbox it has now.
 */
#include "domain.h"

#include <inttypes.h>
#include <stdio.h>

#include "log.h"
#include "mailbox-priv.h"
#include "size.h"

/* n mailboxes of quota bytes each must fit the domain's total. */
static int
check_total(const char *name, int64_t quota, int64_t n,
    const struct ma_domain_limits *l, uint64_t mult, struct ma_err *err)
{
	int64_t total = l->domain_quota_units * (int64_t)mult, all;
	char a[32], b[32], c[32];

	if (l->domain_quota_units <= 0 || n <= 1)
		return 0;
	if (!__builtin_mul_overflow(quota, n, &all) && all <= total)
		return 0;
	if (__builtin_mul_overflow(quota, n, &all))
		snprintf(c, sizeof(c), "more");
	else
		ma_size_format(all, c, sizeof(c));
	return ma_fail(err, MA_EINVAL, 0, "quota %s for each of the %" PRId64
	    " mailboxes of domain '%s' is %s in all, over its total of %s",
	    ma_size_format(quota, a, sizeof(a)), n, name, c,
	    ma_size_format(total, b, sizeof(b)));
}

int
ma_domain_quota_set(struct ma_db *db, const char *input, int64_t quota,
    uint64_t mult, int64_t *changed, struct ma_err *err)
{
	char name[MA_DOMAIN_MAX + 1], q[32], data[MA_DOMAIN_MAX + 64];
	const char *p[] = { q, NULL, name, NULL };
	struct ma_domain_limits l;
	int64_t n;

	*changed = 0;
	if (ma_domain_normalize(input, name, err) < 0 ||
	    ma_domain_lock(db, name, &l, err) < 0 ||
	    ma_db_int(db, "SELECT COUNT(*) FROM mailbox WHERE domain = ?",
	    p + 2, &n, err) < 0)
		return -1;
	/* The maximum as for one mailbox; the total for all of them. */
	if (mailbox_quota_fits(name, quota, &l, mult, 0, err) < 0 ||
	    check_total(name, quota, n, &l, mult, err) < 0)
		return -1;
	snprintf(q, sizeof(q), "%" PRId64, quota);
	p[1] = ma_db_now(db);
	if (ma_db_run(db, "UPDATE domain SET default_quota = ?, modified = ? "
	    "WHERE domain = ?", p, NULL, err) < 0 ||
	    ma_db_run(db, "UPDATE mailbox SET quota = ?, modified = ? WHERE "
	    "domain = ?", p, changed, err) < 0)
		return -1;
	snprintf(data, sizeof(data), "%s quota=%" PRId64 " mailboxes=%" PRId64,
	    name, quota, *changed);
	return ma_log_write(db, name, "edit_domain", data, err);
}
