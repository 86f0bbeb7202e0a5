/* Virtual domains: the "domain" and "alias_domain" tables. */
#ifndef MA_DOMAIN_H
#define MA_DOMAIN_H

#include <stdint.h>

#include "db.h"
#include "valid.h"

/* The fields of a domain a request may set. */
enum ma_domain_field {
	MA_DOM_DESCRIPTION	= 1 << 0,
	MA_DOM_MAX_ALIASES	= 1 << 1,
	MA_DOM_MAX_MAILBOXES	= 1 << 2,
	MA_DOM_MAX_QUOTA	= 1 << 3,
	MA_DOM_DOMAIN_QUOTA	= 1 << 4,
	MA_DOM_QUOTA		= 1 << 5,
	MA_DOM_TRANSPORT	= 1 << 6,
	MA_DOM_BACKUP_MX	= 1 << 7,
	MA_DOM_ACTIVE		= 1 << 8,
	MA_DOM_REQUIRE_AUTH	= 1 << 9
};

/*
 * A domain as mailadm shows it.  Sizes are bytes (max_quota and
 * domain_quota are stored in MB of quota_multiplier bytes); limits are
 * 0 for unlimited and -1 for disabled, as Postfixadmin has them.
 */
struct ma_domain {
	char		 domain[MA_DOMAIN_MAX + 1];
	const char	*description;
	int64_t		 max_aliases, max_mailboxes;
	int64_t		 max_quota, domain_quota, quota;
	const char	*transport;
	int		 backup_mx, active, require_auth;
	const char	*created, *modified;
	int64_t		 mailbox_count, alias_count;
	const char	*alias_of;	/* when it is an alias domain */
};

/* What add or set should write: the fields named in "fields". */
struct ma_domain_req {
	const char	*name;		/* as typed; normalized by the library */
	unsigned int	 fields;
	struct ma_domain values;
	uint64_t	 multiplier;	/* bytes per quota unit (quota_multiplier) */
};

/*
 * Create a domain; fields not in req get Postfixadmin's defaults, and
 * created the time (unless req->values.created is set).
 * Errors: MA_EINVAL, MA_EEXIST, MA_EDB, MA_ETEMP.  Quota sizes that are
 * not whole quota units are rounded down (ma_domain_get shows them).
 */
int	ma_domain_add(struct ma_db *db, const struct ma_domain_req *req,
	    struct ma_err *err);

/*
 * Create n domains as ma_domain_add does, in one INSERT (and one of
 * their log rows, which stay out of the journal: a bulk writer reports
 * what it does itself).  Every request must name the same fields.
 */
int	ma_domain_add_rows(struct ma_db *db, const struct ma_domain_req *reqs,
	    size_t n, struct ma_err *err);

/* Postfix transport syntax, "transport[:nexthop]": 0, or MA_EINVAL. */
int	ma_domain_transport_check(const char *t, struct ma_err *err);

/* Change the fields named in req. MA_ENODOMAIN if it does not exist. */
int	ma_domain_set(struct ma_db *db, const struct ma_domain_req *req,
	    struct ma_err *err);

/*
 * Delete a domain.  Without force, MA_EEXIST while it has mailboxes,
 * aliases or alias domains; with force they go with it.
 */
int	ma_domain_del(struct ma_db *db, const char *name, int force,
	    struct ma_err *err);

/*
 * Look a domain up by name (as typed): 1 found (with counts), 0 not, -1
 * error.  Free d's strings with ma_domain_release().
 */
int	ma_domain_get(struct ma_db *db, const char *name, struct ma_domain *d,
	    uint64_t multiplier, struct ma_err *err);

typedef int ma_domain_cb(const struct ma_domain *d, void *arg);

/* Call fn for every domain in name order; fn returning -1 stops it. */
int	ma_domain_list(struct ma_db *db, uint64_t multiplier, ma_domain_cb *fn,
	    void *arg, struct ma_err *err);

/* Release the strings that get/list left in d. */
void	ma_domain_release(struct ma_domain *d);

/* A domain's limits in bytes and counts, as mailbox and alias checks need. */
struct ma_domain_limits {
	int64_t	max_aliases, max_mailboxes;
	int64_t	max_quota_units, domain_quota_units;	/* MB of the multiplier */
	int64_t	quota;					/* default, bytes */
	int	backup_mx;
};

/*
 * Read a domain's limits and lock its row until the transaction ends, so
 * that adds checking them run one after the other.  name is stored form.
 * MA_ENODOMAIN if there is no such domain.
 */
int	ma_domain_lock(struct ma_db *db, const char *name,
	    struct ma_domain_limits *l, struct ma_err *err);

/*
 * Whether a domain with limit (0 unlimited, -1 disabled) has room for one
 * more of what ("mailboxes", "aliases"), of which count_sql (one
 * parameter: the domain) counts those it has.  MA_EINVAL when not.
 */
int	ma_domain_check_room(struct ma_db *db, const char *name, int64_t limit,
	    const char *what, const char *count_sql, struct ma_err *err);

/* The same check when the caller has counted them: n of what. */
int	ma_domain_room(const char *name, int64_t limit, int64_t n,
	    const char *what, struct ma_err *err);

/*
 * Give every mailbox of a domain the quota (bytes, 0 unlimited), and make
 * it the default of new ones (domain.default_quota), under a lock on the
 * domain row: refused (MA_EINVAL, naming the limit) when it is above the
 * domain's per-mailbox maximum, or when all the mailboxes with it would
 * pass the domain's total.  *changed: the mailboxes changed.
 * MA_ENODOMAIN if there is no such domain.
 */
int	ma_domain_quota_set(struct ma_db *db, const char *name, int64_t quota,
	    uint64_t multiplier, int64_t *changed, struct ma_err *err);

/* Alias domains: mail to user@alias goes to user@target. */
int	ma_alias_domain_add(struct ma_db *db, const char *alias,
	    const char *target, struct ma_err *err);
int	ma_alias_domain_del(struct ma_db *db, const char *alias,
	    struct ma_err *err);

typedef int ma_alias_domain_cb(const char *alias, const char *target,
	    int active, void *arg);
int	ma_alias_domain_list(struct ma_db *db, ma_alias_domain_cb *fn,
	    void *arg, struct ma_err *err);

#endif
