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
	int attempt, rc = -1;

	/*
	 * A dry run writes no log rows: even a rolled-back INSERT would move
	 * MariaDB's AUTO_INCREMENT counter, and a dry run changes nothing.
	 */
	db->dry_run = (flags & MA_TXN_DRY_RUN) != 0;
	for (attempt = 1; attempt <= TXN_ATTEMPTS; attempt++) {
		ma_log_journal_reset(db);
		rc = ma_db_begin(db, err);
		if (rc == 0)
			rc = fn(db, arg, err);
		if (rc == 0 && (flags & MA_TXN_DRY_RUN)) {
			ma_db_rollback(db);
			return 0;
		}
		if (rc == 0 && ma_db_commit(db, err) == 0)
			return 0;
		ma_db_rollback(db);
		if (err->status != MA_ETEMP)
			return -1;
		if (attempt < TXN_ATTEMPTS)
			backoff(attempt);
	}
	return ma_err_prefix(err, "gave up after %d attempts", TXN_ATTEMPTS);
}

int
ma_txn_dry_run(const struct ma_db *db)
{
	return db->dry_run;
}
