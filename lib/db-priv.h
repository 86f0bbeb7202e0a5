/* What the two database drivers implement; only db*.c include this. */
#ifndef MA_DB_PRIV_H
#define MA_DB_PRIV_H

#include <stddef.h>
#include <stdio.h>

#include "db.h"

struct ma_db_ops {
	int	(*open)(const struct ma_dburi *, const char *, unsigned int,
		    struct ma_db **, struct ma_err *);
	void	(*close)(struct ma_db *);
	int	(*exec)(struct ma_db *, const char *, struct ma_err *);
	int	(*prepare)(struct ma_db *, const char *, struct ma_stmt **,
		    struct ma_err *);
	int	(*bind_text)(struct ma_stmt *, int, const char *, size_t);
	int	(*bind_int)(struct ma_stmt *, int, int64_t);
	int	(*bind_null)(struct ma_stmt *, int);
	int	(*step)(struct ma_stmt *, struct ma_err *);
	int	(*reset)(struct ma_stmt *);
	const char *(*text)(struct ma_stmt *, int);
	int	(*isnull)(struct ma_stmt *, int);
	size_t	(*len)(struct ma_stmt *, int);
	int	(*columns)(struct ma_stmt *);
	const char *(*column_name)(struct ma_stmt *, int);
	int64_t	(*changes)(struct ma_stmt *);
	void	(*finalize)(struct ma_stmt *);
	int	(*lock_timeout)(struct ma_db *, int, struct ma_err *);
	const char *begin_sql;
};

/*
 * A multi-row INSERT kept prepared: bulk writers send hundreds of chunks
 * of the same shape, and the server would parse each one again.
 */
struct ma_rows_stmt {
	char			*head;
	int			 ncols;
	size_t			 nrows;
	struct ma_stmt		*st;
	int			 busy;	/* handed out, not finalized yet */
};
#define MA_ROWS_KEPT 8

/* The part of a connection every driver shares; drivers embed it first. */
struct ma_db {
	const struct ma_db_ops	*ops;
	enum ma_dialect		 dialect;
	int			 in_txn;
	int			 dry_run;	/* log rows go to the journal only */
	char			 now[24];
	char			 actor[128];	/* log.username */
	char			**journal;	/* changes, for --dry-run */
	size_t			 njournal;
	FILE			*log_held;	/* see ma_log_hold() */
	struct ma_rows_stmt	 kept[MA_ROWS_KEPT];
};

struct ma_stmt {
	struct ma_db		*db;
	struct ma_rows_stmt	*kept;	/* db's, or NULL */
};

extern const struct ma_db_ops ma_sqlite_ops;
extern const struct ma_db_ops ma_mysql_ops;

#endif
