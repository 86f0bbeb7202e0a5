/*
 * Transactions: every change runs as one, retried when the server reports
 * a lock wait timeout, a deadlock or a Galera certification failure.
 */
#ifndef MA_TXN_H
#define MA_TXN_H

#include "db.h"

typedef int ma_txn_fn(struct ma_db *db, void *arg, struct ma_err *err);

enum {
	MA_TXN_DRY_RUN	= 1 << 0,
	/* log rows wait until fn is done (ma_log_hold): for long changes */
	MA_TXN_HOLD_LOG	= 1 << 1
};

/*
 * Run fn inside a transaction and commit it (roll back with
 * MA_TXN_DRY_RUN).  fn may run several times: it must not keep state
 * between attempts other than in arg.  After the retries are spent the
 * error is MA_ETEMP.  Called inside a transaction that is already open
 * (a batch of commands), fn just runs in it: flags, retries and undo are
 * the outer transaction's.
 */
int	ma_txn_run(struct ma_db *db, ma_txn_fn *fn, void *arg,
	    unsigned int flags, struct ma_err *err);

/*
 * The same, for a change that also makes files: when an attempt that fn
 * completed is rolled back (its commit failed, or it is retried), undo
 * runs to take the files back, so none outlive their rows.
 */
int	ma_txn_run_undo(struct ma_db *db, ma_txn_fn *fn, ma_txn_fn *undo,
	    void *arg, unsigned int flags, struct ma_err *err);

/*
 * Nonzero inside a dry run.  Code that cannot be rolled back (DDL on
 * MariaDB commits at once) must check it and only report.
 */
int	ma_txn_dry_run(const struct ma_db *db);

#endif
