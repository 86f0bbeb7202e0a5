#include "txn.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "db-priv.h"
#include "log.h"

#define TXN_ATTEMPTS 5

/* Sleep a random 25–100 ms times the attempt number, so rivals spread out. */
static void
backoff(int attempt)
{
	struct timespec ts;
	long ms = (25 + (long)(arc4random_uniform(76))) * attempt;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

int
ma_txn_run(struct ma_db *db, ma_txn_fn *fn, void *arg, unsigned int flags,
    struct ma_err *err)
{
	return ma_txn_run_undo(db, fn, NULL, arg, flags, err);
}

int
ma_txn_run_undo(struct ma_db *db, ma_txn_fn *fn, ma_txn_fn *undo, void *arg,
    unsigned int flags, struct ma_err *err)
{
	struct ma_err ignored;
	int attempt, rc, done;

	/*
	 * Inside a transaction of the caller's (a batch): that one commits,
	 * retries and undoes; a failing fn takes its own files back.
	 */
	if (db->in_txn) {
		ma_log_journal_reset(db);
		return fn(db, arg, err);
	}
	/*
	 * A dry run writes no log rows: even a rolled-back INSERT would move
	 * MariaDB's AUTO_INCREMENT counter, and a dry run changes nothing.
	 */
	db->dry_run = (flags & MA_TXN_DRY_RUN) != 0;
	for (attempt = 1; ; attempt++) {
		ma_log_journal_reset(db);
		rc = ma_db_begin(db, err);
		if (rc == 0 && (flags & MA_TXN_HOLD_LOG))
			rc = ma_log_hold(db, err);
		if (rc == 0)
			rc = fn(db, arg, err);
		done = rc == 0;
		if (rc == 0 && (flags & MA_TXN_HOLD_LOG))
			rc = ma_log_flush(db, err);
		if (rc == 0 && db->dry_run)
			ma_db_rollback(db);
		else if (rc == 0)
			rc = ma_db_commit(db, err);
		if (rc == 0)
			break;
		ma_db_rollback(db);
		if (done && undo != NULL)
			undo(db, arg, &ignored);
		if (err->status != MA_ETEMP)
			break;
		if (attempt == TXN_ATTEMPTS) {
			rc = ma_err_prefix(err, "gave up after %d attempts",
			    TXN_ATTEMPTS);
			break;
		}
		backoff(attempt);
	}
	db->dry_run = 0;
	ma_log_drop_held(db);
	return rc;
}

int
ma_txn_dry_run(const struct ma_db *db)
{
	return db->dry_run;
}
