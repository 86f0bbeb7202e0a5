/* The neutral database API: URI parsing and dispatch to the drivers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "db-priv.h"

void
ma_dburi_release(struct ma_dburi *uri)
{
	free(uri->path);
	free(uri->user);
	if (uri->password != NULL) {
		explicit_bzero(uri->password, strlen(uri->password));
		free(uri->password);
	}
	free(uri->host);
	free(uri->socket);
	free(uri->name);
	memset(uri, 0, sizeof(*uri));
}

/* Copy [s, s+n) with %XX decoded; NULL when n is 0 or on bad escapes. */
static char *
decode(const char *s, size_t n, int *bad)
{
	char *out = malloc(n + 1), *o = out;
	size_t i;

	if (out == NULL || n == 0) {
		free(out);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    ma_hex_digit(s[i + 1]) >= 0 && ma_hex_digit(s[i + 2]) >= 0) {
			*o++ = (char)(ma_hex_digit(s[i + 1]) * 16 +
			    ma_hex_digit(s[i + 2]));
			i += 2;
		} else if (s[i] == '%') {
			*bad = 1;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

static int
uri_mysql(const char *rest, struct ma_dburi *u, int *bad)
{
	const char *at = strrchr(rest, '@'), *slash, *q, *colon, *hp;
	const char *port_s = NULL;
	char *end;
	unsigned long port;

	if (at == NULL || (slash = strchr(at, '/')) == NULL)
		return -1;
	colon = memchr(rest, ':', (size_t)(at - rest));
	u->user = decode(rest, (size_t)((colon ? colon : at) - rest), bad);
	if (colon != NULL)
		u->password = decode(colon + 1, (size_t)(at - colon - 1), bad);
	hp = at + 1;
	if (*hp == '[') {	/* [::1]:3306 */
		const char *rb = memchr(hp, ']', (size_t)(slash - hp));

		if (rb == NULL)
			return -1;
		u->host = decode(hp + 1, (size_t)(rb - hp - 1), bad);
		if (rb[1] == ':')
			port_s = rb + 2;
		else if (rb + 1 != slash)
			return -1;
	} else {
		colon = memchr(hp, ':', (size_t)(slash - hp));
		u->host = decode(hp, (size_t)((colon ? colon : slash) - hp), bad);
		if (colon != NULL)
			port_s = colon + 1;
	}
	if (port_s != NULL) {
		errno = 0;
		port = strtoul(port_s, &end, 10);
		if (end != slash || end == port_s || port == 0 || port > 65535)
			return -1;
		u->port = (unsigned int)port;
	}
	q = strchr(slash, '?');
	u->name = decode(slash + 1, q ? (size_t)(q - slash - 1) : strlen(slash + 1),
	    bad);
	if (q != NULL) {
		if (strncmp(q + 1, "socket=", 7) != 0 || q[8] == '\0')
			return -1;
		u->socket = decode(q + 8, strlen(q + 8), bad);
	}
	return u->user != NULL && u->name != NULL ? 0 : -1;
}

int
ma_dburi_parse(const char *uri, struct ma_dburi *out, struct ma_err *err)
{
	int bad = 0, rc = -1;

	memset(out, 0, sizeof(*out));
	if (strncmp(uri, "sqlite:", 7) == 0) {
		out->dialect = MA_SQLITE;
		out->path = uri[7] != '\0' ? strdup(uri + 7) : NULL;
		rc = out->path != NULL ? 0 : -1;
	} else if (strncmp(uri, "mysql://", 8) == 0 ||
	    strncmp(uri, "mariadb://", 10) == 0) {
		out->dialect = MA_MYSQL;
		rc = uri_mysql(strstr(uri, "//") + 2, out, &bad);
	}
	if (rc < 0 || bad) {
		ma_dburi_release(out);
		/* Never echo the URI: it may hold a password. */
		return ma_fail(err, MA_ECONFIG, 0, "invalid database URI: "
		    "expected sqlite:PATH or mysql://USER[:PASSWORD]@HOST"
		    "[:PORT]/DB[?socket=PATH]");
	}
	return 0;
}

int
ma_db_open(const struct ma_dburi *uri, const char *password,
    unsigned int flags, struct ma_db **dbp, struct ma_err *err)
{
	const struct ma_db_ops *ops = uri->dialect == MA_SQLITE ?
	    &ma_sqlite_ops : &ma_mysql_ops;

	if (ops->open(uri, password, flags, dbp, err) < 0)
		return -1;
	(*dbp)->ops = ops;
	(*dbp)->dialect = uri->dialect;
	return 0;
}

void
ma_db_close(struct ma_db **dbp)
{
	struct ma_db *db = *dbp;
	size_t i;

	if (db == NULL)
		return;
	if (db->in_txn)
		ma_db_rollback(db);
	for (i = 0; i < db->njournal; i++)
		free(db->journal[i]);
	free(db->journal);
	if (db->log_held != NULL)
		fclose(db->log_held);
	for (i = 0; i < MA_ROWS_KEPT; i++) {
		free(db->kept[i].head);
		if (db->kept[i].st != NULL) {
			db->kept[i].st->kept = NULL;
			ma_stmt_finalize(&db->kept[i].st);
		}
	}
	db->ops->close(db);
	*dbp = NULL;
}

enum ma_dialect
ma_db_dialect(const struct ma_db *db)
{
	return db->dialect;
}

int
ma_db_lock_timeout(struct ma_db *db, int seconds, struct ma_err *err)
{
	return db->ops->lock_timeout(db, seconds, err);
}

int
ma_db_exec(struct ma_db *db, const char *sql, struct ma_err *err)
{
	return db->ops->exec(db, sql, err);
}

int
ma_db_begin(struct ma_db *db, struct ma_err *err)
{
	if (db->ops->exec(db, db->ops->begin_sql, err) < 0)
		return -1;
	db->in_txn = 1;
	db->now[0] = '\0';
	return 0;
}

int
ma_db_commit(struct ma_db *db, struct ma_err *err)
{
	if (db->ops->exec(db, "COMMIT", err) < 0)
		return -1;
	db->in_txn = 0;
	return 0;
}

void
ma_db_rollback(struct ma_db *db)
{
	struct ma_err ignored;

	db->ops->exec(db, "ROLLBACK", &ignored);
	db->in_txn = 0;
}

int
ma_db_prepare(struct ma_db *db, const char *sql, struct ma_stmt **stp,
    struct ma_err *err)
{
	*stp = NULL;
	if (db->ops->prepare(db, sql, stp, err) < 0) {
		*stp = NULL;
		return -1;
	}
	(*stp)->db = db;
	(*stp)->kept = NULL;
	return 0;
}

int
ma_stmt_bind_text(struct ma_stmt *st, int idx, const char *s)
{
	return s == NULL ? st->db->ops->bind_null(st, idx) :
	    st->db->ops->bind_text(st, idx, s, strlen(s));
}

int
ma_stmt_bind_textn(struct ma_stmt *st, int idx, const char *s, size_t len)
{
	return s == NULL ? st->db->ops->bind_null(st, idx) :
	    st->db->ops->bind_text(st, idx, s, len);
}

int
ma_stmt_bind_int(struct ma_stmt *st, int idx, int64_t v)
{
	return st->db->ops->bind_int(st, idx, v);
}

int
ma_stmt_bind_null(struct ma_stmt *st, int idx)
{
	return st->db->ops->bind_null(st, idx);
}

int
ma_stmt_step(struct ma_stmt *st, struct ma_err *err)
{
	return st->db->ops->step(st, err);
}

int
ma_stmt_reset(struct ma_stmt *st)
{
	return st->db->ops->reset(st);
}

const char *
ma_stmt_text(struct ma_stmt *st, int col)
{
	return st->db->ops->text(st, col);
}

int64_t
ma_stmt_int(struct ma_stmt *st, int col)
{
	const char *s = st->db->ops->text(st, col);

	return s != NULL ? strtoll(s, NULL, 10) : 0;
}

int
ma_stmt_isnull(struct ma_stmt *st, int col)
{
	return st->db->ops->isnull(st, col);
}

size_t
ma_stmt_len(struct ma_stmt *st, int col)
{
	return st->db->ops->len(st, col);
}

int
ma_stmt_columns(struct ma_stmt *st)
{
	return st->db->ops->columns(st);
}

const char *
ma_stmt_column_name(struct ma_stmt *st, int col)
{
	return st->db->ops->column_name(st, col);
}

int64_t
ma_stmt_changes(struct ma_stmt *st)
{
	return st->db->ops->changes(st);
}

void
ma_stmt_finalize(struct ma_stmt **stp)
{
	if (*stp == NULL)
		return;
	if ((*stp)->kept != NULL) {
		(*stp)->db->ops->reset(*stp);
		(*stp)->kept->busy = 0;
	} else {
		(*stp)->db->ops->finalize(*stp);
	}
	*stp = NULL;
}

static int
prepare_bound(struct ma_db *db, const char *sql, const char *const *params,
    struct ma_stmt **stp, struct ma_err *err)
{
	int i;

	if (ma_db_prepare(db, sql, stp, err) < 0)
		return -1;
	for (i = 0; params != NULL && params[i] != NULL; i++)
		if (ma_stmt_bind_text(*stp, i + 1, params[i]) < 0) {
			ma_stmt_finalize(stp);
			return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
		}
	return 0;
}

int
ma_db_query(struct ma_db *db, const char *sql, const char *const *params,
    struct ma_stmt **stp, struct ma_err *err)
{
	int rc;

	if (prepare_bound(db, sql, params, stp, err) < 0)
		return -1;
	if ((rc = ma_stmt_step(*stp, err)) <= 0)
		ma_stmt_finalize(stp);
	return rc;
}

int
ma_db_run(struct ma_db *db, const char *sql, const char *const *params,
    int64_t *changes, struct ma_err *err)
{
	struct ma_stmt *st;
	int rc;

	if (prepare_bound(db, sql, params, &st, err) < 0)
		return -1;
	rc = ma_stmt_step(st, err);
	if (rc >= 0 && changes != NULL)
		*changes = ma_stmt_changes(st);
	ma_stmt_finalize(&st);
	return rc < 0 ? -1 : 0;
}

int
ma_db_int(struct ma_db *db, const char *sql, const char *const *params,
    int64_t *out, struct ma_err *err)
{
	struct ma_stmt *st;
	int rc;

	if (prepare_bound(db, sql, params, &st, err) < 0)
		return -1;
	rc = ma_stmt_step(st, err);
	*out = rc == 1 ? ma_stmt_int(st, 0) : 0;
	ma_stmt_finalize(&st);
	return rc < 0 ? -1 : 0;
}

const char *
ma_db_for_update(const struct ma_db *db)
{
	return db->dialect == MA_MYSQL ? " FOR UPDATE" : "";
}

const char *
ma_db_now(struct ma_db *db)
{
	time_t t;
	struct tm tm;

	/* One timestamp per transaction: all rows of a change agree. */
	if (db->now[0] == '\0' || !db->in_txn) {
		t = time(NULL);
		gmtime_r(&t, &tm);
		strftime(db->now, sizeof(db->now), "%Y-%m-%d %H:%M:%S", &tm);
	}
	return db->now;
}

int
ma_db_prepare_rows(struct ma_db *db, const char *head, int ncols,
    size_t nrows, struct ma_stmt **stp, struct ma_err *err)
{
	struct ma_buf sql = MA_BUF_INIT;
	struct ma_rows_stmt *k, *free_slot = NULL;
	size_t i;
	int j, rc;

	for (i = 0; i < MA_ROWS_KEPT; i++) {
		k = &db->kept[i];
		if (k->head == NULL) {
			free_slot = free_slot ? free_slot : k;
		} else if (!k->busy && k->ncols == ncols && k->nrows == nrows &&
		    strcmp(k->head, head) == 0) {
			k->busy = 1;
			*stp = k->st;
			return 0;
		}
	}
	ma_buf_add(&sql, head);
	for (i = 0; i < nrows; i++) {
		ma_buf_add(&sql, i ? ", (?" : " VALUES (?");
		for (j = 1; j < ncols; j++)
			ma_buf_add(&sql, ", ?");
		ma_buf_add(&sql, ")");
	}
	if (ma_buf_str(&sql) == NULL)
		rc = ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	else
		rc = ma_db_prepare(db, ma_buf_str(&sql), stp, err);
	ma_buf_release(&sql);
	/* Kept while there is room; a copy of head: some are built. */
	if (rc == 0 && free_slot != NULL &&
	    (free_slot->head = strdup(head)) != NULL) {
		free_slot->ncols = ncols;
		free_slot->nrows = nrows;
		free_slot->st = *stp;
		free_slot->busy = 1;
		(*stp)->kept = free_slot;
	}
	return rc;
}
