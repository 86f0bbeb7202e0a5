/* Reading a map query: its columns checked, its rows and their sources. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "json.h"
#include "migrate-priv.h"

static int
oom(struct ma_err *err)
{
	return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
}

/* Prepare "SELECT cols FROM main.table WHERE rowid = ?". */
static int
prepare_source(struct mg_query *q, const char *cols, struct ma_stmt **st,
    struct ma_err *err)
{
	const struct ma_map_source *src = &q->m->map->source[q->kind];
	struct ma_buf sql = MA_BUF_INIT;
	int rc;

	ma_buf_addf(&sql, "SELECT %s FROM main.", cols);
	ma_sql_name(&sql, src->table);
	ma_buf_add(&sql, " WHERE rowid = ?");
	rc = ma_buf_str(&sql) == NULL ? oom(err) :
	    ma_db_prepare(q->m->w, ma_buf_str(&sql), st, err);
	ma_buf_release(&sql);
	if (rc < 0)
		return ma_err_prefix(err, "%s.source", ma_map_kind_name(q->kind));
	return 0;
}

static int
open_source(struct mg_query *q, struct ma_err *err)
{
	const struct ma_map_source *src = &q->m->map->source[q->kind];
	struct ma_buf cols = MA_BUF_INIT;
	size_t i;
	int rc;

	if (src->table == NULL)
		return 0;
	if (q->source_col < 0)
		return ma_fail(err, MA_EINVAL, 0, "%s: the map names %s.source, "
		    "so the query must return source_row (the rowid of table "
		    "%s)", ma_map_kind_name(q->kind), ma_map_kind_name(q->kind),
		    src->table);
	for (i = 0; i < src->nkey; i++) {
		ma_buf_add(&cols, i ? ", " : "");
		ma_sql_name(&cols, src->key[i]);
	}
	rc = ma_buf_str(&cols) == NULL ? oom(err) :
	    prepare_source(q, ma_buf_str(&cols), &q->key_st, err);
	ma_buf_release(&cols);
	if (rc < 0 || prepare_source(q, "*", &q->row_st, err) < 0)
		return -1;
	return 0;
}

/* Map each result column to a known one; refuse unknown ones. */
static int
match_columns(struct mg_query *q, struct ma_err *err)
{
	const char *kind = ma_map_kind_name(q->kind), *name;
	char q1[MA_QUOTE_MAX];
	struct ma_buf known = MA_BUF_INIT;
	size_t c;
	int i, n = ma_stmt_columns(q->st);

	for (i = 0; i < n; i++) {
		name = ma_stmt_column_name(q->st, i);
		if (strcasecmp(name, "source_row") == 0) {
			q->source_col = i;
			continue;
		}
		for (c = 0; c < q->n && strcasecmp(name, q->names[c]) != 0; c++)
			;
		if (c < q->n && q->col[c] < 0) {
			q->col[c] = i;
			continue;
		}
		for (c = 0; c < q->n; c++)
			ma_buf_addf(&known, "%s, ", q->names[c]);
		ma_fail(err, MA_EINVAL, 0, "%s: %s result column '%s' (the "
		    "columns are %ssource_row)", kind, c < q->n ? "duplicate" :
		    "unknown", ma_quote(name, q1, sizeof(q1)),
		    ma_buf_str(&known) ? ma_buf_str(&known) : "");
		ma_buf_release(&known);
		return -1;
	}
	if (q->col[0] < 0)
		return ma_fail(err, MA_EINVAL, 0, "%s: the query must return "
		    "the column %s", kind, q->names[0]);
	if (q->source_col >= 0 && q->m->map->source[q->kind].table == NULL)
		return ma_fail(err, MA_EINVAL, 0, "%s: source_row without "
		    "%s.source = TABLE (KEY)", kind, kind);
	return 0;
}

int
mg_query_open(struct ma_migrate *m, enum ma_map_kind kind,
    const char *const *names, struct mg_query *q, struct ma_err *err)
{
	size_t c;

	memset(q, 0, sizeof(*q));
	q->m = m;
	q->kind = kind;
	q->names = names;
	q->source_col = -1;
	for (c = 0; names[c] != NULL; c++)
		q->col[c] = -1;
	q->n = c;
	if (m->map->query[kind] == NULL)
		return 0;
	if (ma_db_prepare(m->w, m->map->query[kind], &q->st, err) < 0)
		return ma_err_prefix(err, "%s query", ma_map_kind_name(kind));
	if (match_columns(q, err) < 0 || open_source(q, err) < 0) {
		mg_query_close(q);
		return -1;
	}
	return 0;
}

int
mg_query_next(struct mg_query *q, struct ma_err *err)
{
	int rc;

	if (q->st == NULL)
		return 0;
	if ((rc = ma_stmt_step(q->st, err)) < 0)
		return ma_err_prefix(err, "%s query", ma_map_kind_name(q->kind));
	q->rows += rc;
	return rc;
}

int
mg_query_each(struct ma_migrate *m, enum ma_map_kind kind,
    const char *const *names, mg_row_fn *fn, void *arg, long *rows,
    struct ma_err *err)
{
	struct mg_query q;
	int rc;

	if (mg_query_open(m, kind, names, &q, err) < 0)
		return -1;
	while ((rc = mg_query_next(&q, err)) == 1)
		if ((rc = fn(&q, arg, err)) < 0)
			break;
	*rows = q.rows;
	mg_query_close(&q);
	return rc < 0 ? -1 : 0;
}

void
mg_query_close(struct mg_query *q)
{
	ma_stmt_finalize(&q->st);
	ma_stmt_finalize(&q->key_st);
	ma_stmt_finalize(&q->row_st);
}

int
mg_has(const struct mg_query *q, int c)
{
	return q->col[c] >= 0;
}

const char *
mg_val(const struct mg_query *q, int c)
{
	return q->col[c] < 0 ? NULL : ma_stmt_text(q->st, q->col[c]);
}

void
mg_src_release(struct mg_src *src)
{
	free(src->table);
	free(src->key);
	free(src->text);
	memset(src, 0, sizeof(*src));
}

/* Add "name": value (JSON) to an object being built. */
static void
member(struct ma_buf *b, const char *name, const char *v, size_t len)
{
	ma_buf_add(b, b->len > 1 ? ", " : "");
	ma_json_str(b, name, strlen(name));
	ma_buf_add(b, ": ");
	if (v == NULL)
		ma_buf_add(b, "null");
	else
		ma_json_str(b, v, len);
}

/* Step st (bound to the row's rowid) and render its columns as JSON. */
static int
source_json(struct mg_query *q, struct ma_stmt *st, struct ma_buf *json,
    struct ma_buf *text, struct ma_err *err)
{
	int i, rc;

	ma_stmt_reset(st);
	ma_stmt_bind_text(st, 1, ma_stmt_text(q->st, q->source_col));
	if ((rc = ma_stmt_step(st, err)) <= 0)
		return rc < 0 ? -1 : ma_fail(err, MA_EINVAL, 0, "%s: no row "
		    "%s in table %s (source_row must be its rowid)",
		    ma_map_kind_name(q->kind), ma_stmt_text(q->st,
		    q->source_col) ? ma_stmt_text(q->st, q->source_col) :
		    "NULL", q->m->map->source[q->kind].table);
	ma_buf_add(json, "{");
	for (i = 0; i < ma_stmt_columns(st); i++) {
		member(json, ma_stmt_column_name(st, i), ma_stmt_text(st, i),
		    ma_stmt_len(st, i));
		if (text != NULL)
			ma_buf_addf(text, "%s%s %s", i ? ", " : "",
			    ma_stmt_column_name(st, i), ma_stmt_text(st, i) ?
			    ma_stmt_text(st, i) : "NULL");
	}
	ma_buf_add(json, "}");
	return 0;
}

int
mg_source(struct mg_query *q, struct mg_src *src, struct ma_err *err)
{
	struct ma_buf key = MA_BUF_INIT, text = MA_BUF_INIT;
	const char *table = q->m->map->source[q->kind].table;

	memset(src, 0, sizeof(*src));
	if (table != NULL) {
		if (source_json(q, q->key_st, &key, &text, err) < 0) {
			ma_buf_release(&key);
			ma_buf_release(&text);
			return -1;
		}
	} else {
		table = ma_map_kind_name(q->kind);
		ma_buf_add(&key, "{");
		member(&key, q->names[0], mg_val(q, 0), mg_val(q, 0) ?
		    ma_stmt_len(q->st, q->col[0]) : 0);
		ma_buf_add(&key, "}");
		ma_buf_addf(&text, "%s %s", q->names[0], mg_val(q, 0) ?
		    mg_val(q, 0) : "NULL");
	}
	src->table = strdup(table);
	src->key = ma_buf_str(&key) ? strdup(ma_buf_str(&key)) : NULL;
	src->text = ma_buf_str(&text) ? strdup(ma_buf_str(&text)) : NULL;
	ma_buf_release(&key);
	ma_buf_release(&text);
	if (src->table == NULL || src->key == NULL || src->text == NULL) {
		mg_src_release(src);
		return oom(err);
	}
	return 0;
}

char *
mg_source_row(struct mg_query *q, struct ma_err *err)
{
	struct ma_buf row = MA_BUF_INIT;
	char *s;
	size_t c;

	if (q->row_st != NULL) {
		if (source_json(q, q->row_st, &row, NULL, err) < 0) {
			ma_buf_release(&row);
			return NULL;
		}
	} else {
		ma_buf_add(&row, "{");
		for (c = 0; c < q->n; c++)
			if (mg_has(q, c))
				member(&row, q->names[c], mg_val(q, c),
				    mg_val(q, c) ? ma_stmt_len(q->st, q->col[c]) :
				    0);
		ma_buf_add(&row, "}");
	}
	s = ma_buf_str(&row) ? strdup(ma_buf_str(&row)) : NULL;
	ma_buf_release(&row);
	if (s == NULL)
		oom(err);
	return s;
}
