/*
 * The staging database of a migration (SPEC §10): the legacy tables as
 * they are, same table and column names, every column TEXT and NULL kept
 * as NULL, in a private SQLite file that is deleted when it is closed.
 * Map files query it; the migration keeps its own work tables in a
 * second private file attached as "work", so that no legacy table name
 * can clash with them.
 */
#ifndef MA_STAGING_H
#define MA_STAGING_H

#include <stdint.h>
#include <stdio.h>

#include "db.h"
#include "dump.h"

struct ma_staging;

int	ma_staging_open(struct ma_staging **sp, struct ma_err *err);
void	ma_staging_close(struct ma_staging **sp);

/* The SQLite connection, for queries over the tables. */
struct ma_db *ma_staging_db(struct ma_staging *s);

/*
 * Load a mysqldump file (see dump.h) in one transaction; a table the
 * dump creates again replaces the first.  MA_EINVAL names the line and
 * column of malformed input, or of an INSERT whose table or columns the
 * dump never created.
 */
int	ma_staging_load_dump(struct ma_staging *s, FILE *in,
	    enum ma_dump_charset cs, struct ma_err *err);

/* Load every table of a live legacy server (base tables, not views). */
int	ma_staging_load_db(struct ma_staging *s, struct ma_db *src,
	    struct ma_err *err);

/* What the source held: "utf8", "latin1" (a dump) or "server". */
const char *ma_staging_charset(const struct ma_staging *s);

typedef int ma_staging_table_cb(const char *table, int64_t rows, void *arg);

/* The tables loaded, in name order, with their row counts. */
int	ma_staging_tables(struct ma_staging *s, ma_staging_table_cb *fn,
	    void *arg, struct ma_err *err);

/* Append "name" to b as an SQL identifier in double quotes. */
struct ma_buf;
void	ma_sql_name(struct ma_buf *b, const char *name);

#endif
