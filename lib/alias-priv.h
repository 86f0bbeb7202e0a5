/* What alias.c shares with the bulk writers (mailboxes, migration). */
#ifndef MA_ALIAS_PRIV_H
#define MA_ALIAS_PRIV_H

#include <stddef.h>

#include "db.h"

/* One alias row to INSERT; created NULL: the transaction's time. */
struct alias_row {
	const char	*address, *goto_list, *domain, *created;
	int		 active;
};

/* INSERT n alias rows as one statement. */
int	alias_insert_rows(struct ma_db *db, const struct alias_row *rows,
	    size_t n, struct ma_err *err);

#endif
