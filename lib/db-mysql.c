/* MariaDB/MySQL driver, on the binary (prepared statement) protocol. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "db-priv.h"

struct mysql_db {
	struct ma_db	 base;
	MYSQL		*h;
};

struct param {
	char		*str;
	unsigned long	 len;
	long long	 num;
};

struct mysql_stmt {
	struct ma_stmt	 base;
	MYSQL_STMT	*h;
	unsigned int	 nparams, ncols;
	MYSQL_BIND	*params;
	struct param	*values;
	MYSQL_BIND	*cols;
	char		**names;
	char		**bufs;
	unsigned long	*lens;
	my_bool		*nulls, *truncated;
	int		 executed;
};

static int my_exec(struct ma_db *, const char *, struct ma_err *);

#define H(db) (((struct mysql_db *)(void *)(db))->h)
#define ST(st) ((struct mysql_stmt *)(void *)(st))

/* The class of a server or client error number. */
static enum ma_status
mysql_status(unsigned int no)
{
	switch (no) {
	case ER_DUP_ENTRY:
		return MA_EEXIST;
	case ER_LOCK_WAIT_TIMEOUT:
	case ER_LOCK_DEADLOCK:	/* also Galera's certification failure */
	case ER_UNKNOWN_COM_ERROR: /* Galera node not ready (WSREP) */
	case ER_LOCK_TABLE_FULL:
		return MA_ETEMP;
	case ER_ACCESS_DENIED_ERROR:
	case ER_DBACCESS_DENIED_ERROR:
	case ER_TABLEACCESS_DENIED_ERROR:
	case ER_COLUMNACCESS_DENIED_ERROR:
	case ER_SPECIFIC_ACCESS_DENIED_ERROR:
		return MA_EPERM;
	case ER_NO_SUCH_TABLE:
	case ER_BAD_DB_ERROR:
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_UNKNOWN_HOST:
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
		return MA_EUNAVAIL;
	case ER_OUT_OF_RESOURCES:
	case CR_OUT_OF_MEMORY:
		return MA_ENOMEM;
	}
	return MA_EDB;
}

static int
mysql_fail(unsigned int no, const char *msg, struct ma_err *err)
{
	if (no == ER_NO_SUCH_TABLE)
		return ma_fail(err, MA_EUNAVAIL, (int)no, "database is not "
		    "initialised or out of date (%s): run 'mailadm schema init' "
		    "on a new database, 'mailadm schema upgrade' on an old one",
		    msg);
	if (no == ER_BAD_FIELD_ERROR)
		return ma_fail(err, MA_EUNAVAIL, (int)no, "database schema is "
		    "out of date (%s): run 'mailadm schema upgrade'", msg);
	return ma_fail(err, mysql_status(no), (int)no, "mysql: %s", msg);
}

#define DB_FAIL(h, err) mysql_fail(mysql_errno(h), mysql_error(h), err)
#define STMT_FAIL(h, err) \
	mysql_fail(mysql_stmt_errno(h), mysql_stmt_error(h), err)

static int
my_open(const struct ma_dburi *uri, const char *password, unsigned int flags,
    struct ma_db **dbp, struct ma_err *err)
{
	unsigned int timeout = 5;
	struct mysql_db *db;
	const char *pw = password != NULL ? password : uri->password;

	(void)flags;
	if ((db = calloc(1, sizeof(*db))) == NULL ||
	    (db->h = mysql_init(NULL)) == NULL) {
		free(db);
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	}
	mysql_options(db->h, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(db->h, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	/* CLIENT_FOUND_ROWS: an UPDATE counts the rows it matched. */
	if (mysql_real_connect(db->h, uri->host, uri->user, pw, uri->name,
	    uri->port, uri->socket, CLIENT_FOUND_ROWS) == NULL) {
		unsigned int no = mysql_errno(db->h);

		ma_fail(err, no == ER_ACCESS_DENIED_ERROR ||
		    no == ER_DBACCESS_DENIED_ERROR ? MA_EPERM : MA_EUNAVAIL,
		    (int)no, "cannot connect to database 'mysql://%s@%s/%s': "
		    "%s", uri->user ? uri->user : "", uri->socket ? uri->socket
		    : uri->host ? uri->host : "localhost",
		    uri->name ? uri->name : "", mysql_error(db->h));
		mysql_close(db->h);
		free(db);
		return -1;
	}
	*dbp = &db->base;
	return 0;
}

static int
my_lock_timeout(struct ma_db *db, int seconds, struct ma_err *err)
{
	char sql[80];

	snprintf(sql, sizeof(sql), "SET SESSION innodb_lock_wait_timeout = %d",
	    seconds);
	return my_exec(db, sql, err);
}

static void
my_close(struct ma_db *db)
{
	mysql_close(H(db));
	free(db);
}

static int
my_exec(struct ma_db *db, const char *sql, struct ma_err *err)
{
	MYSQL_RES *res;

	if (mysql_real_query(H(db), sql, strlen(sql)) != 0)
		return DB_FAIL(H(db), err);
	if ((res = mysql_store_result(H(db))) != NULL)
		mysql_free_result(res);
	return 0;
}

static int
my_prepare(struct ma_db *db, const char *sql, struct ma_stmt **stp,
    struct ma_err *err)
{
	struct mysql_stmt *st;

	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->h = mysql_stmt_init(H(db))) == NULL) {
		free(st);
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	}
	if (mysql_stmt_prepare(st->h, sql, strlen(sql)) != 0) {
		STMT_FAIL(st->h, err);
		mysql_stmt_close(st->h);
		free(st);
		return -1;
	}
	st->nparams = mysql_stmt_param_count(st->h);
	if (st->nparams > 0 &&
	    ((st->params = calloc(st->nparams, sizeof(*st->params))) == NULL ||
	    (st->values = calloc(st->nparams, sizeof(*st->values))) == NULL)) {
		free(st->params);
		mysql_stmt_close(st->h);
		free(st);
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	}
	*stp = &st->base;
	return 0;
}

static struct param *
param_at(struct mysql_stmt *st, int idx)
{
	if (idx < 1 || (unsigned int)idx > st->nparams)
		return NULL;
	free(st->values[idx - 1].str);
	st->values[idx - 1].str = NULL;
	memset(&st->params[idx - 1], 0, sizeof(MYSQL_BIND));
	return &st->values[idx - 1];
}

static int
my_bind_text(struct ma_stmt *s, int idx, const char *str, size_t len)
{
	struct mysql_stmt *st = ST(s);
	struct param *p = param_at(st, idx);
	MYSQL_BIND *b = &st->params[idx - 1];

	if (p == NULL || (p->str = malloc(len + 1)) == NULL)
		return -1;
	memcpy(p->str, str, len);
	p->str[len] = '\0';
	p->len = len;
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = p->str;
	b->buffer_length = p->len;
	b->length = &p->len;
	return 0;
}

static int
my_bind_int(struct ma_stmt *s, int idx, int64_t v)
{
	struct mysql_stmt *st = ST(s);
	struct param *p = param_at(st, idx);
	MYSQL_BIND *b = &st->params[idx - 1];

	if (p == NULL)
		return -1;
	p->num = v;
	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = &p->num;
	return 0;
}

static int
my_bind_null(struct ma_stmt *s, int idx)
{
	struct mysql_stmt *st = ST(s);

	if (param_at(st, idx) == NULL)
		return -1;
	st->params[idx - 1].buffer_type = MYSQL_TYPE_NULL;
	return 0;
}

static void
free_cols(struct mysql_stmt *st)
{
	unsigned int i;

	for (i = 0; st->bufs != NULL && i < st->ncols; i++)
		free(st->bufs[i]);
	for (i = 0; st->names != NULL && i < st->ncols; i++)
		free(st->names[i]);
	free(st->names);
	st->names = NULL;
	free(st->bufs);
	free(st->cols);
	free(st->lens);
	free(st->nulls);
	free(st->truncated);
	st->bufs = NULL;
	st->cols = NULL;
	st->lens = NULL;
	st->nulls = st->truncated = NULL;
	st->ncols = 0;
}

/* Bind every result column as a string buffer big enough for its rows. */
static int
bind_results(struct mysql_stmt *st, struct ma_err *err)
{
	MYSQL_RES *meta = mysql_stmt_result_metadata(st->h);
	MYSQL_FIELD *f;
	unsigned int i;

	if (meta == NULL)
		return 0;
	st->ncols = mysql_num_fields(meta);
	f = mysql_fetch_fields(meta);
	st->cols = calloc(st->ncols, sizeof(*st->cols));
	st->bufs = calloc(st->ncols, sizeof(*st->bufs));
	st->lens = calloc(st->ncols, sizeof(*st->lens));
	st->nulls = calloc(st->ncols, sizeof(*st->nulls));
	st->truncated = calloc(st->ncols, sizeof(*st->truncated));
	st->names = calloc(st->ncols, sizeof(*st->names));
	for (i = 0; st->cols && st->bufs && st->lens && st->nulls &&
	    st->truncated && st->names && i < st->ncols; i++) {
		unsigned long size = (f[i].max_length > 63 ?
		    f[i].max_length : 63) + 1;

		if ((st->bufs[i] = malloc(size)) == NULL ||
		    (st->names[i] = strdup(f[i].name)) == NULL)
			break;
		st->cols[i].buffer_type = MYSQL_TYPE_STRING;
		st->cols[i].buffer = st->bufs[i];
		st->cols[i].buffer_length = size;
		st->cols[i].length = &st->lens[i];
		st->cols[i].is_null = &st->nulls[i];
		st->cols[i].error = &st->truncated[i];
	}
	mysql_free_result(meta);
	if (i < st->ncols) {
		free_cols(st);
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	}
	return mysql_stmt_bind_result(st->h, st->cols) ? STMT_FAIL(st->h, err)
	    : 0;
}

static int
execute(struct mysql_stmt *st, struct ma_err *err)
{
	my_bool on = 1;

	if (st->nparams > 0 && mysql_stmt_bind_param(st->h, st->params))
		return STMT_FAIL(st->h, err);
	if (mysql_stmt_execute(st->h) != 0)
		return STMT_FAIL(st->h, err);
	st->executed = 1;
	if (mysql_stmt_field_count(st->h) == 0)
		return 0;
	mysql_stmt_attr_set(st->h, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
	if (mysql_stmt_store_result(st->h) != 0)
		return STMT_FAIL(st->h, err);
	return bind_results(st, err);
}

/* Fetch again the columns that did not fit, into grown buffers. */
static int
refetch_truncated(struct mysql_stmt *st, struct ma_err *err)
{
	unsigned int i;
	char *p;

	for (i = 0; i < st->ncols; i++) {
		if (!st->truncated[i])
			continue;
		if ((p = realloc(st->bufs[i], st->lens[i] + 1)) == NULL)
			return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
		st->bufs[i] = p;
		st->cols[i].buffer = p;
		st->cols[i].buffer_length = st->lens[i] + 1;
		if (mysql_stmt_fetch_column(st->h, &st->cols[i], i, 0) != 0)
			return STMT_FAIL(st->h, err);
	}
	return mysql_stmt_bind_result(st->h, st->cols) ? STMT_FAIL(st->h, err)
	    : 0;
}

static int
my_step(struct ma_stmt *s, struct ma_err *err)
{
	struct mysql_stmt *st = ST(s);
	unsigned int i;
	int rc;

	if (!st->executed && execute(st, err) < 0)
		return -1;
	if (st->ncols == 0)
		return 0;
	rc = mysql_stmt_fetch(st->h);
	if (rc == MYSQL_NO_DATA)
		return 0;
	if (rc == 1)
		return STMT_FAIL(st->h, err);
	if (rc == MYSQL_DATA_TRUNCATED && refetch_truncated(st, err) < 0)
		return -1;
	for (i = 0; i < st->ncols; i++)
		st->bufs[i][st->nulls[i] ? 0 : st->lens[i]] = '\0';
	return 1;
}

static int
my_reset(struct ma_stmt *s)
{
	struct mysql_stmt *st = ST(s);

	free_cols(st);
	st->executed = 0;
	/*
	 * Results are stored, no cursor is open and no long data was sent:
	 * freeing them is all a new execution needs.  mysql_stmt_reset()
	 * would cost a round trip to the server for nothing.
	 */
	return mysql_stmt_free_result(st->h) ? -1 : 0;
}

static const char *
my_text(struct ma_stmt *s, int col)
{
	struct mysql_stmt *st = ST(s);

	if (col < 0 || (unsigned int)col >= st->ncols || st->nulls[col])
		return NULL;
	return st->bufs[col];
}

static int
my_isnull(struct ma_stmt *s, int col)
{
	struct mysql_stmt *st = ST(s);

	return col < 0 || (unsigned int)col >= st->ncols || st->nulls[col];
}

static size_t
my_len(struct ma_stmt *s, int col)
{
	struct mysql_stmt *st = ST(s);

	return my_isnull(s, col) ? 0 : st->lens[col];
}

static int
my_columns(struct ma_stmt *s)
{
	return (int)ST(s)->ncols;
}

static const char *
my_column_name(struct ma_stmt *s, int col)
{
	struct mysql_stmt *st = ST(s);

	return col < 0 || (unsigned int)col >= st->ncols ? NULL :
	    st->names[col];
}

static int64_t
my_changes(struct ma_stmt *s)
{
	return (int64_t)mysql_stmt_affected_rows(ST(s)->h);
}

static void
my_finalize(struct ma_stmt *s)
{
	struct mysql_stmt *st = ST(s);
	unsigned int i;

	free_cols(st);
	for (i = 0; i < st->nparams; i++)
		free(st->values[i].str);
	free(st->values);
	free(st->params);
	mysql_stmt_close(st->h);
	free(st);
}

const struct ma_db_ops ma_mysql_ops = {
	.open = my_open,
	.close = my_close,
	.lock_timeout = my_lock_timeout,
	.exec = my_exec,
	.prepare = my_prepare,
	.bind_text = my_bind_text,
	.bind_int = my_bind_int,
	.bind_null = my_bind_null,
	.step = my_step,
	.reset = my_reset,
	.text = my_text,
	.isnull = my_isnull,
	.len = my_len,
	.columns = my_columns,
	.column_name = my_column_name,
	.changes = my_changes,
	.finalize = my_finalize,
	.begin_sql = "START TRANSACTION",
};
