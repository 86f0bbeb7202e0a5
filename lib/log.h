/*
 * The Postfixadmin-compatible "log" table: one row per change, written in
 * the change's own transaction.  Every row is also kept in memory so that
 * a dry run can show what would have been done.
 */
#ifndef MA_LOG_H
#define MA_LOG_H

#include <stddef.h>

#include "db.h"

/* Who makes the changes, as log.username ("root (mailadm)"). */
void	ma_log_set_actor(struct ma_db *db, const char *actor);

/*
 * Insert a log row: action is Postfixadmin's vocabulary (create_domain,
 * edit_domain, delete_domain, create_alias_domain…), data free text.
 */
int	ma_log_write(struct ma_db *db, const char *domain, const char *action,
	    const char *data, struct ma_err *err);

/*
 * n rows of one action in one INSERT, for bulk changes, which report
 * what they do themselves: not kept in the journal.
 */
int	ma_log_write_rows(struct ma_db *db, size_t n, const char *const *domains,
	    const char *action, const char *const *data, struct ma_err *err);

/* The "action data" lines logged since the current transaction began. */
const char *const *ma_log_journal(struct ma_db *db, size_t *n);
void	ma_log_journal_reset(struct ma_db *db);

#endif
