#include "staging.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* The page cache of each staging file, in KiB. */
#define STAGING_CACHE_KB "8192"

struct ma_staging {
	struct ma_db	*db;
	const char	*charset;
	/* the INSERT of the table rows go to now */
	struct ma_stmt	*insert;
	char		*insert_table;
	struct ma_buf	 insert_cols;	/* its column list, "" for none */
	int64_t		 ncols;		/* the table's */
};

int
ma_staging_open(struct ma_staging **sp, struct ma_err *err)
{
	/* An empty SQLite path: a private temporary file, gone at close. */
	struct ma_dburi uri = { .dialect = MA_SQLITE, .path = (char *)"" };
	struct ma_staging *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	if (ma_db_open(&uri, NULL, MA_DB_CREATE | MA_DB_FOREIGN, &s->db,
	    err) < 0 ||
	    ma_db_exec(s->db, "ATTACH '' AS work", err) < 0 ||
	    /*
	     * Private files, gone at close: no journal, no syncs, and pages
	     * cached up to a fixed size (memory stays flat beyond it).
	     */
	    ma_db_exec(s->db, "PRAGMA main.journal_mode = OFF; PRAGMA "
	    "work.journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA "
	    "main.cache_size = -" STAGING_CACHE_KB "; PRAGMA work.cache_size = "
	    "-" STAGING_CACHE_KB, err) < 0 ||
	    ma_db_exec(s->db, "CREATE TABLE work.source_table (name TEXT "
	    "PRIMARY KEY COLLATE NOCASE, columns INTEGER, rows INTEGER)",
	    err) < 0) {
		ma_staging_close(&s);
		return ma_err_prefix(err, "staging database");
	}
	s->charset = "utf8";
	*sp = s;
	return 0;
}

static void
end_insert(struct ma_staging *s)
{
	ma_stmt_finalize(&s->insert);
	free(s->insert_table);
	s->insert_table = NULL;
	ma_buf_release(&s->insert_cols);
}

void
ma_staging_close(struct ma_staging **sp)
{
	struct ma_staging *s = *sp;

	if (s == NULL)
		return;
	end_insert(s);
	ma_db_close(&s->db);
	free(s);
	*sp = NULL;
}

struct ma_db *
ma_staging_db(struct ma_staging *s)
{
	return s->db;
}

const char *
ma_staging_charset(const struct ma_staging *s)
{
	return s->charset;
}

void
ma_sql_name(struct ma_buf *b, const char *name)
{
	const char *p;

	ma_buf_add(b, "\"");
	for (p = name; *p != '\0'; p++)
		ma_buf_add(b, *p == '"' ? "\"\"" : (char[]){ *p, '\0' });
	ma_buf_add(b, "\"");
}

static int
run_sql(struct ma_db *db, struct ma_buf *sql, struct ma_err *err)
{
	int rc = ma_buf_str(sql) == NULL ? ma_fail(err, MA_ENOMEM, ENOMEM,
	    "out of memory") : ma_db_exec(db, ma_buf_str(sql), err);

	ma_buf_release(sql);
	return rc;
}

/* (Re)create table name with the columns given, all TEXT. */
static int
create_table(struct ma_staging *s, const char *name, const char *const *cols,
    size_t n, struct ma_err *err)
{
	struct ma_buf sql = MA_BUF_INIT;
	char num[24];
	const char *const p[] = { name, num, NULL };
	size_t i;

	end_insert(s);
	ma_buf_add(&sql, "DROP TABLE IF EXISTS main.");
	ma_sql_name(&sql, name);
	if (run_sql(s->db, &sql, err) < 0)
		return -1;
	ma_buf_add(&sql, "CREATE TABLE main.");
	ma_sql_name(&sql, name);
	for (i = 0; i < n; i++) {
		ma_buf_add(&sql, i ? ", " : " (");
		ma_sql_name(&sql, cols[i]);
		ma_buf_add(&sql, " TEXT");
	}
	ma_buf_add(&sql, ")");
	if (run_sql(s->db, &sql, err) < 0)
		return -1;
	snprintf(num, sizeof(num), "%zu", n);
	return ma_db_run(s->db, "INSERT OR REPLACE INTO work.source_table "
	    "(name, columns, rows) VALUES (?, ?, 0)", p, NULL, err);
}

/* Prepare the INSERT for rows of table (with the column list cols). */
static int
begin_insert(struct ma_staging *s, const char *table, const char *const *cols,
    size_t n, struct ma_err *err)
{
	struct ma_buf list = MA_BUF_INIT, sql = MA_BUF_INIT;
	const char *const p[] = { table, NULL };
	size_t i;
	int rc;

	for (i = 0; cols != NULL && i < n; i++) {
		ma_buf_add(&list, i ? ", " : "(");
		ma_sql_name(&list, cols[i]);
		ma_buf_add(&list, i + 1 == n ? ")" : "");
	}
	if (ma_buf_str(&list) == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	if (s->insert != NULL && strcmp(s->insert_table, table) == 0 &&
	    strcmp(ma_buf_str(&s->insert_cols), ma_buf_str(&list)) == 0) {
		ma_buf_release(&list);
		return 0;
	}
	end_insert(s);
	if (ma_db_int(s->db, "SELECT columns FROM work.source_table WHERE "
	    "name = ?", p, &s->ncols, err) < 0 || s->ncols == 0) {
		ma_buf_release(&list);
		return s->ncols == 0 ? ma_fail(err, MA_EINVAL, 0, "INSERT into "
		    "a table the dump never created (made with "
		    "--no-create-info?)") : -1;
	}
	ma_buf_add(&sql, "INSERT INTO main.");
	ma_sql_name(&sql, table);
	ma_buf_addf(&sql, " %s VALUES (", ma_buf_str(&list));
	for (i = 0; i < (cols != NULL ? n : (size_t)s->ncols); i++)
		ma_buf_add(&sql, i ? ", ?" : "?");
	ma_buf_add(&sql, ")");
	s->insert_cols = list;
	s->insert_table = strdup(table);
	rc = ma_buf_str(&sql) == NULL || s->insert_table == NULL ?
	    ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory") :
	    ma_db_prepare(s->db, ma_buf_str(&sql), &s->insert, err);
	ma_buf_release(&sql);
	if (rc < 0)
		end_insert(s);
	return rc;
}

static int
add_row(struct ma_staging *s, const struct ma_dump_item *it, struct ma_err *err)
{
	char q[MA_QUOTE_MAX];
	size_t i;

	if (begin_insert(s, it->table, it->columns, it->n, err) < 0)
		return ma_err_prefix(err, "line %lu: table '%s'", it->line,
		    ma_quote(it->table, q, sizeof(q)));
	if (it->columns == NULL && (int64_t)it->n != s->ncols)
		return ma_fail(err, MA_EINVAL, 0, "line %lu: a row of %zu values "
		    "for the %lld columns of table '%s'", it->line, it->n,
		    (long long)s->ncols, ma_quote(it->table, q, sizeof(q)));
	for (i = 0; i < it->n; i++)
		if (ma_stmt_bind_textn(s->insert, (int)i + 1, it->values[i].s,
		    it->values[i].len) < 0)
			return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	if (ma_stmt_step(s->insert, err) < 0) {
		ma_stmt_reset(s->insert);
		return ma_err_prefix(err, "line %lu: table '%s'", it->line,
		    ma_quote(it->table, q, sizeof(q)));
	}
	return ma_stmt_reset(s->insert) < 0 ? ma_fail(err, MA_EDB, 0,
	    "staging database: cannot reset a statement") : 0;
}

/* Count the rows of every table once they are loaded. */
static int
count_rows(struct ma_staging *s, struct ma_err *err)
{
	struct ma_stmt *st;
	struct ma_buf sql = MA_BUF_INIT;
	char **names = NULL, num[24];
	size_t n = 0, i;
	int rc;

	if (ma_db_prepare(s->db, "SELECT name FROM work.source_table", &st,
	    err) < 0)
		return -1;
	while ((rc = ma_stmt_step(st, err)) == 1) {
		char **v = realloc(names, (n + 1) * sizeof(*v));

		if (v == NULL || (v[n] = strdup(ma_stmt_text(st, 0))) == NULL) {
			names = v != NULL ? v : names;
			rc = ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
			break;
		}
		names = v;
		n++;
	}
	ma_stmt_finalize(&st);
	for (i = 0; rc == 0 && i < n; i++) {
		const char *const p[] = { num, names[i], NULL };
		int64_t rows;

		ma_buf_add(&sql, "SELECT COUNT(*) FROM main.");
		ma_sql_name(&sql, names[i]);
		rc = ma_buf_str(&sql) == NULL ? ma_fail(err, MA_ENOMEM, ENOMEM,
		    "out of memory") : ma_db_int(s->db, ma_buf_str(&sql), NULL,
		    &rows, err);
		ma_buf_release(&sql);
		snprintf(num, sizeof(num), "%lld", (long long)rows);
		if (rc == 0)
			rc = ma_db_run(s->db, "UPDATE work.source_table SET rows "
			    "= ? WHERE name = ?", p, NULL, err);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc < 0 ? -1 : 0;
}

int
ma_staging_load_dump(struct ma_staging *s, FILE *in, enum ma_dump_charset cs,
    struct ma_err *err)
{
	struct ma_dump_item it;
	struct ma_dump *d;
	int rc;

	if (ma_dump_open(in, cs, &d, err) < 0)
		return -1;
	if (ma_db_begin(s->db, err) < 0) {
		ma_dump_free(&d);
		return -1;
	}
	while ((rc = ma_dump_next(d, &it, err)) == 1) {
		rc = it.kind == MA_DUMP_TABLE ? create_table(s, it.table,
		    it.columns, it.n, err) : add_row(s, &it, err);
		if (rc < 0)
			break;
		/* Later strings are read in the charset SET NAMES gives now. */
		s->charset = ma_dump_charset(d);
	}
	end_insert(s);
	ma_dump_free(&d);
	if (rc < 0 || count_rows(s, err) < 0) {
		ma_db_rollback(s->db);
		return -1;
	}
	return ma_db_commit(s->db, err);
}

int
ma_staging_tables(struct ma_staging *s, ma_staging_table_cb *fn, void *arg,
    struct ma_err *err)
{
	struct ma_stmt *st;
	int rc;

	if (ma_db_prepare(s->db, "SELECT name, rows FROM work.source_table "
	    "ORDER BY name", &st, err) < 0)
		return -1;
	while ((rc = ma_stmt_step(st, err)) == 1)
		if (fn(ma_stmt_text(st, 0), ma_stmt_int(st, 1), arg) < 0) {
			rc = ma_fail(err, MA_EIO, errno, "cannot write the list: "
			    "%s", strerror(errno));
			break;
		}
	ma_stmt_finalize(&st);
	return rc < 0 ? -1 : 0;
}

/* The names of the source's base tables (views left out), one a line. */
static int
list_tables(struct ma_db *src, struct ma_buf *names, struct ma_err *err)
{
	struct ma_stmt *st;
	int rc, full = 1;

	if (ma_db_prepare(src, "SHOW FULL TABLES", &st, err) < 0) {
		full = 0;
		if (ma_db_prepare(src, "SHOW TABLES", &st, err) < 0)
			return ma_err_prefix(err, "cannot list the tables of the "
			    "legacy server (dump it with mysqldump and migrate "
			    "from the file)");
	}
	while ((rc = ma_stmt_step(st, err)) == 1)
		if (!full || strcmp(ma_stmt_text(st, 1), "VIEW") != 0)
			ma_buf_addf(names, "%s\n", ma_stmt_text(st, 0));
	ma_stmt_finalize(&st);
	if (rc == 0 && ma_buf_str(names) == NULL)
		rc = ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	return rc;
}

/* SELECT * of one source table into its staging copy. */
static int
copy_table(struct ma_staging *s, struct ma_db *src, const char *name,
    struct ma_err *err)
{
	struct ma_buf sql = MA_BUF_INIT;
	struct ma_dump_item it;
	struct ma_dump_value *v = NULL;
	const char **cols = NULL;
	struct ma_stmt *st;
	const char *p;
	int rc, i, n = 0;

	ma_buf_add(&sql, "SELECT * FROM `");
	for (p = name; *p != '\0'; p++)
		ma_buf_add(&sql, *p == '`' ? "``" : (char[]){ *p, '\0' });
	ma_buf_add(&sql, "`");
	rc = ma_buf_str(&sql) == NULL ? ma_fail(err, MA_ENOMEM, ENOMEM,
	    "out of memory") : ma_db_prepare(src, ma_buf_str(&sql), &st, err);
	ma_buf_release(&sql);
	if (rc < 0)
		return -1;
	memset(&it, 0, sizeof(it));
	it.kind = MA_DUMP_ROW;
	it.table = name;
	while ((rc = ma_stmt_step(st, err)) == 1) {
		if (v == NULL) {
			n = ma_stmt_columns(st);
			cols = calloc((size_t)n, sizeof(*cols));
			v = calloc((size_t)n, sizeof(*v));
			for (i = 0; cols != NULL && i < n; i++)
				cols[i] = ma_stmt_column_name(st, i);
			if (cols == NULL || v == NULL || create_table(s, name,
			    cols, (size_t)n, err) < 0) {
				rc = cols && v ? -1 : ma_fail(err, MA_ENOMEM,
				    ENOMEM, "out of memory");
				break;
			}
		}
		for (i = 0; i < n; i++) {
			v[i].s = ma_stmt_text(st, i);
			v[i].len = ma_stmt_len(st, i);
		}
		it.n = (size_t)n;
		it.values = v;
		if ((rc = add_row(s, &it, err)) < 0)
			break;
	}
	ma_stmt_finalize(&st);
	free(cols);
	free(v);
	return rc < 0 ? -1 : 0;
}

int
ma_staging_load_db(struct ma_staging *s, struct ma_db *src, struct ma_err *err)
{
	struct ma_buf names = MA_BUF_INIT;
	char *line, *next;
	int rc;

	/* The server converts its latin1 (cp1252) tables for us. */
	if (ma_db_exec(src, "SET NAMES utf8mb4", err) < 0 &&
	    ma_db_exec(src, "SET NAMES utf8", err) < 0)
		return -1;
	if (list_tables(src, &names, err) < 0 || ma_db_begin(s->db, err) < 0) {
		ma_buf_release(&names);
		return -1;
	}
	s->charset = "server";
	rc = 0;
	for (line = names.s; rc == 0 && line != NULL && *line != '\0';
	    line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		rc = copy_table(s, src, line, err);
	}
	end_insert(s);
	ma_buf_release(&names);
	if (rc < 0 || count_rows(s, err) < 0) {
		ma_db_rollback(s->db);
		return -1;
	}
	return ma_db_commit(s->db, err);
}
