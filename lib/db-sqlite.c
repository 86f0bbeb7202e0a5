/* SQLite driver. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "db-priv.h"

struct sqlite_db {
	struct ma_db	 base;
	sqlite3		*h;
	int		 foreign;	/* MA_DB_FOREIGN */
};

struct sqlite_stmt {
	struct ma_stmt	 base;
	sqlite3_stmt	*h;
};

#define H(db) (((struct sqlite_db *)(void *)(db))->h)
#define S(st) (((struct sqlite_stmt *)(void *)(st))->h)

/* Turn the last error on db into err, with its status class. */
static int
sqlite_fail(struct ma_db *db, int rc, struct ma_err *err)
{
	sqlite3 *h = H(db);
	const char *msg = sqlite3_errmsg(h);

	/* A query of a staging database: its message says it all. */
	if (((struct sqlite_db *)(void *)db)->foreign)
		return ma_fail(err, rc == SQLITE_NOMEM ? MA_ENOMEM : MA_EINVAL,
		    rc, "%s", msg);
	enum ma_status st = MA_EDB;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		st = MA_ETEMP;
		break;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_PRIMARYKEY ||
		    rc == SQLITE_CONSTRAINT_UNIQUE)
			st = MA_EEXIST;
		break;
	case SQLITE_CANTOPEN:
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		st = MA_EUNAVAIL;
		break;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		st = MA_EPERM;
		break;
	case SQLITE_ERROR:
		if (strncmp(msg, "no such table", 13) == 0)
			return ma_fail(err, MA_EUNAVAIL, rc, "database is not "
			    "initialised or out of date (%s): run 'mailadm schema "
			    "init' on a new database, 'mailadm schema upgrade' on "
			    "an old one", msg);
		if (strncmp(msg, "no such column", 14) == 0 ||
		    strstr(msg, "has no column named") != NULL)
			return ma_fail(err, MA_EUNAVAIL, rc, "database schema "
			    "is out of date (%s): run 'mailadm schema upgrade'",
			    msg);
		break;
	}
	return ma_fail(err, st, rc, "sqlite: %s", msg);
}

static int
sqlite_open(const struct ma_dburi *uri, const char *password,
    unsigned int flags, struct ma_db **dbp, struct ma_err *err)
{
	static int configured;
	struct sqlite_db *db;
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, rc;

	(void)password;
	/*
	 * Before the library's first use: no count of the memory it holds,
	 * which takes a global mutex at every allocation (a migration's
	 * staging makes millions) and which mailadm never reads.
	 */
	if (!configured) {
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		configured = 1;
	}
	if (flags & MA_DB_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	if ((db = calloc(1, sizeof(*db))) == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	rc = sqlite3_open_v2(uri->path, &db->h, oflags, NULL);
	if (rc != SQLITE_OK) {
		ma_fail(err, rc == SQLITE_NOMEM ? MA_ENOMEM : MA_EUNAVAIL, rc,
		    "cannot open database 'sqlite:%s': %s", uri->path,
		    db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		sqlite3_close(db->h);
		free(db);
		return -1;
	}
	sqlite3_extended_result_codes(db->h, 1);
	db->foreign = (flags & MA_DB_FOREIGN) != 0;
	/* Concurrent writers queue on the lock instead of failing at once. */
	sqlite3_busy_timeout(db->h, 10000);
	/*
	 * The store is read through a mapping of its file instead of being
	 * copied into SQLite's page cache: a scan of every mailbox (quota
	 * report, lists) then costs 30 % fewer page faults.  Not for a
	 * private file (staging), whose pages would count as the process's
	 * memory.
	 */
	if (!db->foreign)
		sqlite3_exec(db->h, "PRAGMA mmap_size = 268435456", NULL, NULL,
		    NULL);
	*dbp = &db->base;
	return 0;
}

static int
sqlite_lock_timeout(struct ma_db *db, int seconds, struct ma_err *err)
{
	(void)err;
	sqlite3_busy_timeout(H(db), seconds * 1000);
	return 0;
}

static void
sqlite_close(struct ma_db *db)
{
	sqlite3_close(H(db));
	free(db);
}

static int
sqlite_exec(struct ma_db *db, const char *sql, struct ma_err *err)
{
	int rc = sqlite3_exec(H(db), sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : sqlite_fail(db, rc, err);
}

static int
sqlite_prepare(struct ma_db *db, const char *sql, struct ma_stmt **stp,
    struct ma_err *err)
{
	struct sqlite_stmt *st;
	int rc;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	rc = sqlite3_prepare_v2(H(db), sql, -1, &st->h, NULL);
	if (rc != SQLITE_OK) {
		free(st);
		return sqlite_fail(db, rc, err);
	}
	*stp = &st->base;
	return 0;
}

static int
sqlite_bind_text(struct ma_stmt *st, int idx, const char *s, size_t len)
{
	if (len > INT_MAX)
		return -1;
	return sqlite3_bind_text(S(st), idx, s, (int)len, SQLITE_TRANSIENT) ==
	    SQLITE_OK ? 0 : -1;
}

static int
sqlite_bind_int(struct ma_stmt *st, int idx, int64_t v)
{
	return sqlite3_bind_int64(S(st), idx, v) == SQLITE_OK ? 0 : -1;
}

static int
sqlite_bind_null(struct ma_stmt *st, int idx)
{
	return sqlite3_bind_null(S(st), idx) == SQLITE_OK ? 0 : -1;
}

static int
sqlite_step(struct ma_stmt *st, struct ma_err *err)
{
	int rc = sqlite3_step(S(st));

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return sqlite_fail(st->db, rc, err);
}

static int
sqlite_reset(struct ma_stmt *st)
{
	sqlite3_reset(S(st));
	return sqlite3_clear_bindings(S(st)) == SQLITE_OK ? 0 : -1;
}

static const char *
sqlite_text(struct ma_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(S(st), col);
}

static int
sqlite_isnull(struct ma_stmt *st, int col)
{
	return sqlite3_column_type(S(st), col) == SQLITE_NULL;
}

static size_t
sqlite_len(struct ma_stmt *st, int col)
{
	return (size_t)sqlite3_column_bytes(S(st), col);
}

static int
sqlite_columns(struct ma_stmt *st)
{
	return sqlite3_column_count(S(st));
}

static const char *
sqlite_column_name(struct ma_stmt *st, int col)
{
	return sqlite3_column_name(S(st), col);
}

static int64_t
sqlite_changes(struct ma_stmt *st)
{
	return sqlite3_changes(H(st->db));
}

static void
sqlite_finalize(struct ma_stmt *st)
{
	sqlite3_finalize(S(st));
	free(st);
}

const struct ma_db_ops ma_sqlite_ops = {
	.open = sqlite_open,
	.close = sqlite_close,
	.lock_timeout = sqlite_lock_timeout,
	.exec = sqlite_exec,
	.prepare = sqlite_prepare,
	.bind_text = sqlite_bind_text,
	.bind_int = sqlite_bind_int,
	.bind_null = sqlite_bind_null,
	.step = sqlite_step,
	.reset = sqlite_reset,
	.text = sqlite_text,
	.isnull = sqlite_isnull,
	.len = sqlite_len,
	.columns = sqlite_columns,
	.column_name = sqlite_column_name,
	.changes = sqlite_changes,
	.finalize = sqlite_finalize,
	/* IMMEDIATE: take the write lock now, so two writers never deadlock. */
	.begin_sql = "BEGIN IMMEDIATE",
};
