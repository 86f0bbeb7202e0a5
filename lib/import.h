/*
 * Bulk creation of mailboxes from CSV ("user import").  The first record
 * names the columns: address and password are required, name and quota
 * optional, in any order.  A password that starts with '$' or '{' must be
 * a hash mailadm recognises and is stored as it is; any other is a clear
 * password, hashed with the configured scheme.  An empty quota is the
 * domain's default.  Every row is checked as "user add" checks one, the
 * domain limits included, and rows go to the database in multi-row
 * INSERTs: the whole input is one transaction, in constant memory.
 */
#ifndef MA_IMPORT_H
#define MA_IMPORT_H

#include <stdint.h>
#include <stdio.h>

#include "db.h"
#include "mailbox.h"
#include "maildir.h"

struct ma_import_opts {
	const char	*scheme;	/* for clear passwords */
	int		 prefix;	/* password_prefix */
	const char	*maildir_format;
	uint64_t	 multiplier;	/* quota_multiplier */
	/* where to make Maildirs; NULL for none (--no-maildir) */
	const struct ma_maildir_opts *dirs;
	/* called for each mailbox once it is written (or would be) */
	void		(*added)(const struct ma_mailbox *m, void *arg);
	void		*arg;
};

struct ma_import;

/*
 * Prepare an import of in, which must be seekable (the transaction may
 * run again): see ma_spool() in spool.h.  o and in are borrowed.
 */
int	ma_import_new(const struct ma_import_opts *o, FILE *in,
	    struct ma_import **impp, struct ma_err *err);

/*
 * The transaction (a ma_txn_fn): every record, from the start of the
 * input.  Errors name the input line: "line N: …" — MA_EINVAL (a CSV or
 * value error), MA_EEXIST, MA_ENODOMAIN, and those of the database.
 */
int	ma_import_txn(struct ma_db *db, void *imp, struct ma_err *err);

/* Its undo: remove the Maildirs the last attempt made. */
int	ma_import_undo(struct ma_db *db, void *imp, struct ma_err *err);

/* Mailboxes written by the last attempt. */
unsigned long ma_import_count(const struct ma_import *imp);

void	ma_import_free(struct ma_import **impp);

#endif
