/*
 * The database layer: one neutral API over SQLite and MariaDB/MySQL.
 * Statements use "?" placeholders on both; values are always bound.
 */
#ifndef MA_DB_H
#define MA_DB_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct ma_db;
struct ma_stmt;

enum ma_dialect { MA_SQLITE, MA_MYSQL };

/* Where the database is, as parsed from a URI. */
struct ma_dburi {
	enum ma_dialect	 dialect;
	char		*path;		/* sqlite */
	char		*user, *password, *host, *socket, *name;
	unsigned int	 port;
};

/*
 * Parse "sqlite:PATH" or "mysql://USER[:PASSWORD]@HOST[:PORT]/DB[?socket=S]".
 * MA_ECONFIG on a malformed URI.  Release with ma_dburi_release().
 */
int	ma_dburi_parse(const char *uri, struct ma_dburi *out,
	    struct ma_err *err);
void	ma_dburi_release(struct ma_dburi *uri);

enum {
	MA_DB_CREATE = 1 << 0,	/* sqlite: create the file if missing */
	/* not mailadm's store: errors as the server words them */
	MA_DB_FOREIGN = 1 << 1
};

/*
 * Connect.  password, if not NULL, overrides the URI's.  Errors:
 * MA_EUNAVAIL (unreachable, access denied, no such file), MA_ENOMEM.
 */
int	ma_db_open(const struct ma_dburi *uri, const char *password,
	    unsigned int flags, struct ma_db **dbp, struct ma_err *err);
/* Close and set *dbp to NULL; rolls back an open transaction. */
void	ma_db_close(struct ma_db **dbp);
enum ma_dialect ma_db_dialect(const struct ma_db *db);

/* How long to wait for a lock held by another client before MA_ETEMP. */
int	ma_db_lock_timeout(struct ma_db *db, int seconds, struct ma_err *err);

/* Run SQL that takes no parameters and returns no rows (DDL). */
int	ma_db_exec(struct ma_db *db, const char *sql, struct ma_err *err);

/* Write transactions; begin takes the write lock at once on SQLite. */
int	ma_db_begin(struct ma_db *db, struct ma_err *err);
int	ma_db_commit(struct ma_db *db, struct ma_err *err);
void	ma_db_rollback(struct ma_db *db);

/*
 * Statements.  Parameters are numbered from 1, columns from 0.  step
 * returns 1 for a row, 0 when done, -1 on error; the first step after
 * prepare or reset executes.  Column values stay valid until the next
 * step, reset or finalize.  NULL columns read as NULL text and 0.
 */
int	ma_db_prepare(struct ma_db *db, const char *sql, struct ma_stmt **stp,
	    struct ma_err *err);
int	ma_stmt_bind_text(struct ma_stmt *st, int idx, const char *s);
/* len bytes of s, which may hold NUL bytes (text read from a dump). */
int	ma_stmt_bind_textn(struct ma_stmt *st, int idx, const char *s,
	    size_t len);
int	ma_stmt_bind_int(struct ma_stmt *st, int idx, int64_t v);
int	ma_stmt_bind_null(struct ma_stmt *st, int idx);
int	ma_stmt_step(struct ma_stmt *st, struct ma_err *err);
int	ma_stmt_reset(struct ma_stmt *st);
const char *ma_stmt_text(struct ma_stmt *st, int col);
int64_t	ma_stmt_int(struct ma_stmt *st, int col);
int	ma_stmt_isnull(struct ma_stmt *st, int col);
/* The bytes of a column's value (NUL bytes inside included). */
size_t	ma_stmt_len(struct ma_stmt *st, int col);
/*
 * The result columns: their number and names (SQLite knows them once
 * prepared, MariaDB once the statement has run: after the first step).
 */
int	ma_stmt_columns(struct ma_stmt *st);
const char *ma_stmt_column_name(struct ma_stmt *st, int col);
/* Rows changed by the last executed statement. */
int64_t	ma_stmt_changes(struct ma_stmt *st);
void	ma_stmt_finalize(struct ma_stmt **stp);

/*
 * Prepare a multi-row INSERT: head ("INSERT INTO t (a, b)") followed by
 * " VALUES (?, ?), …" for nrows rows of ncols; bind row r's column c
 * (from 0) as parameter r * ncols + c + 1.  The first few shapes stay
 * prepared until the connection closes: ma_stmt_finalize hands such a
 * statement back, and the next call of the same shape gets it again.
 */
int	ma_db_prepare_rows(struct ma_db *db, const char *head, int ncols,
	    size_t nrows, struct ma_stmt **stp, struct ma_err *err);

/*
 * Prepare sql, bind the NULL-terminated text params, step once.
 * Returns 1 with *stp holding the first row, 0 when there is none (and
 * *stp finalized), -1 on error.
 */
int	ma_db_query(struct ma_db *db, const char *sql, const char *const *params,
	    struct ma_stmt **stp, struct ma_err *err);

/*
 * Run sql with the NULL-terminated text params; *changes (if not NULL)
 * gets the number of rows it changed.
 */
int	ma_db_run(struct ma_db *db, const char *sql, const char *const *params,
	    int64_t *changes, struct ma_err *err);

/* The integer in the first column of the first row (0 without a row). */
int	ma_db_int(struct ma_db *db, const char *sql, const char *const *params,
	    int64_t *out, struct ma_err *err);

/*
 * " FOR UPDATE" on MariaDB, "" on SQLite (whose write transactions hold
 * the whole database): appended to a SELECT that reads what it will
 * change, so concurrent changes queue instead of both passing a check.
 */
const char *ma_db_for_update(const struct ma_db *db);

/* Current time as the database stores it: "YYYY-MM-DD HH:MM:SS" UTC. */
const char *ma_db_now(struct ma_db *db);

#endif
