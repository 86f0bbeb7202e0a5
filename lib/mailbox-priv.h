/* What mailbox.c shares with the bulk import (mailbox-import.c). */
#ifndef MA_MAILBOX_PRIV_H
#define MA_MAILBOX_PRIV_H

#include "domain.h"
#include "mailbox.h"

/*
 * The row req asks for at the normalized address a, in a domain with
 * limits l: the name checked, the defaults applied, the Maildir path
 * made; out owns copies of the name and password.  MA_EINVAL on a bad
 * name, a backup-MX domain or a Maildir path the format cannot make.
 */
int	mailbox_row_make(const struct ma_mailbox_req *req,
	    const struct ma_address *a, const struct ma_domain_limits *l,
	    struct ma_mailbox *out, struct ma_err *err);

/* MA_EEXIST when a mailbox or an alias already has the address. */
int	mailbox_check_free(struct ma_db *db, const char *address,
	    struct ma_err *err);

/*
 * Whether quota fits domain's limits l when the other mailboxes of the
 * domain have others bytes in all.  MA_EINVAL naming the limit if not.
 */
int	mailbox_quota_fits(const char *domain, int64_t quota,
	    const struct ma_domain_limits *l, uint64_t mult, int64_t others,
	    struct ma_err *err);

/*
 * INSERT n mailbox rows and their self aliases, as one statement each
 * (created: the row's, or the transaction's time when NULL).
 */
int	mailbox_insert_rows(struct ma_db *db, const struct ma_mailbox *rows,
	    size_t n, struct ma_err *err);

/* The same without the self aliases, for a caller that writes its own. */
int	mailbox_insert_only(struct ma_db *db, const struct ma_mailbox *rows,
	    size_t n, struct ma_err *err);

/* UPDATE the columns req names (and modified) of one mailbox row. */
int	mailbox_update_row(struct ma_db *db, const struct ma_mailbox_req *req,
	    const char *address, struct ma_err *err);

#endif
