/*
 * The Postfixadmin-compatible "log" table: one row per change, written in
 * the change's own transaction.  Every row is also kept in memory so that
 * a dry run can show what would have been done.
 */
#ifndef MA_LOG_H
#define MA_LOG_H

#include <stddef.h>
#include <sys/types.h>

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

/*
 * Hold the log rows of the current transaction back, in a temporary
 * file, until ma_log_flush() writes them: a long transaction (an import,
 * a batch) that fails late then has inserted none, and a rollback moves
 * nothing, not even MariaDB's AUTO_INCREMENT counter.  Every call starts
 * an empty hold.
 */
int	ma_log_hold(struct ma_db *db, struct ma_err *err);
/* Write what is held, in multi-row INSERTs, and stop holding. */
int	ma_log_flush(struct ma_db *db, struct ma_err *err);
/*
 * Where the hold is now, and back to there: what a savepoint rolled
 * back must not be written either.
 */
off_t	ma_log_mark(struct ma_db *db);
void	ma_log_back_to(struct ma_db *db, off_t mark);
/* Forget what is held (the transaction rolled back), and stop holding. */
void	ma_log_drop_held(struct ma_db *db);

/* The "action data" lines logged since the current transaction began. */
const char *const *ma_log_journal(struct ma_db *db, size_t *n);
void	ma_log_journal_reset(struct ma_db *db);

#endif
