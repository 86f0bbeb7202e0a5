/*
 * Aliases: rows of the "alias" table, Postfixadmin style.  A mailbox has
 * its own self alias (address = goto = username); "@domain" is a
 * catch-all.
 */
#ifndef MA_ALIAS_H
#define MA_ALIAS_H

#include <stddef.h>

#include "db.h"
#include "goto.h"
#include "valid.h"

struct ma_alias {
	char		 address[MA_ADDRESS_MAX + 1];
	char		 domain[MA_DOMAIN_MAX + 1];
	struct ma_goto	 targets;
	int		 active;
	int		 is_mailbox;	/* the address is a mailbox too */
	char		*created, *modified;
};

enum { MA_ALIAS_FORCE = 1 << 0 };	/* allow targets that do not exist */

/*
 * Add targets to the alias at address, creating it if needed.  Targets
 * in one of our domains must be a mailbox, an alias or covered by a
 * catch-all unless MA_ALIAS_FORCE.  The domain's alias limit is checked
 * under a lock, so concurrent adds cannot exceed it.  Errors: MA_EINVAL,
 * MA_ENODOMAIN, MA_ENOTFOUND (a missing local target), MA_EEXIST (every
 * target already there).
 */
int	ma_alias_add(struct ma_db *db, const char *address,
	    const char *const *targets, size_t ntargets, unsigned int flags,
	    struct ma_err *err);

/*
 * Remove the given targets, or the whole alias when ntargets is 0.  A
 * mailbox keeps its self alias (MA_EINVAL).  MA_ENOTFOUND when the alias
 * or a target is not there.
 */
int	ma_alias_del(struct ma_db *db, const char *address,
	    const char *const *targets, size_t ntargets, struct ma_err *err);

/* 1 found, 0 not, -1 error.  Release with ma_alias_release(). */
int	ma_alias_get(struct ma_db *db, const char *address, struct ma_alias *a,
	    struct ma_err *err);

typedef int ma_alias_cb(const struct ma_alias *a, void *arg);

/*
 * Every alias (of domain, when not NULL) in address order, without the
 * bare self aliases of mailboxes.
 */
int	ma_alias_list(struct ma_db *db, const char *domain, ma_alias_cb *fn,
	    void *arg, struct ma_err *err);

void	ma_alias_release(struct ma_alias *a);

#endif
