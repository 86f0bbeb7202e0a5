/*
 * The schema: Postfixadmin 3.3's domain, mailbox, alias, alias_domain and
 * log tables, plus mailadm's own columns and its version table.
 */
#ifndef MA_SCHEMA_H
#define MA_SCHEMA_H

#include <stddef.h>

#include "db.h"

#define MA_SCHEMA_VERSION 1

struct ma_schema_table {
	const char	*name;
	int		 present;
	char		**missing;	/* columns the table lacks */
	size_t		 nmissing;
};

struct ma_schema_status {
	int			 version;	/* 0: no mailadm version row */
	struct ma_schema_table	*tables;
	size_t			 ntables;
	int			 up_to_date;
};

/* Inspect the database. Release with ma_schema_status_release(). */
int	ma_schema_status(struct ma_db *db, struct ma_schema_status *out,
	    struct ma_err *err);
void	ma_schema_status_release(struct ma_schema_status *st);

/*
 * Create every table on a database that has none of them; MA_EEXIST if
 * any exists already.
 */
int	ma_schema_init(struct ma_db *db, struct ma_err *err);

/*
 * Create missing tables, add missing columns and record the version;
 * never changes or drops what is there.  Each change is reported through
 * report(what, arg).  Running it again changes nothing.
 */
int	ma_schema_upgrade(struct ma_db *db,
	    void (*report)(const char *what, void *arg), void *arg,
	    struct ma_err *err);

#endif
