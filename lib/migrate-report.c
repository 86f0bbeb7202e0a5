/* The report: one entry per problem row, kept in work.report. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate-priv.h"

static int
severity_index(const char *severity)
{
	return strcmp(severity, "reject") == 0 ? 0 :
	    strcmp(severity, "warning") == 0 ? 1 : 2;
}

static int
vnote(struct ma_migrate *m, const char *severity, const char *code,
    const char *table, const char *key, const char *row, struct ma_err *err,
    const char *fmt, va_list ap)
{
	char reason[1024];
	const char *const p[] = { severity, code, table, key, reason, row,
	    NULL };
	struct ma_stmt *st;
	int i;

	vsnprintf(reason, sizeof(reason), fmt, ap);
	if ((st = mg_stmt(m, "INSERT INTO work.report (severity, code, "
	    "src_table, key_json, reason, row_json) VALUES (?, ?, ?, ?, ?, ?)",
	    NULL, err)) == NULL)
		return -1;
	/* bound one by one: row, the last, is NULL but for rejects */
	for (i = 0; i < 6; i++)
		ma_stmt_bind_text(st, i + 1, p[i]);
	if (ma_stmt_step(st, err) < 0)
		return -1;
	m->notes[severity_index(severity)]++;
	return 0;
}

int
mg_note(struct ma_migrate *m, const char *severity, const char *code,
    const char *table, const char *key, const char *row, struct ma_err *err,
    const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vnote(m, severity, code, table, key, row, err, fmt, ap);
	va_end(ap);
	return rc;
}

int
mg_row_note(struct mg_query *q, const struct mg_src *src,
    const char *severity, const char *code, struct ma_err *err,
    const char *fmt, ...)
{
	char *row = NULL;
	va_list ap;
	int rc;

	if (strcmp(severity, "reject") == 0 &&
	    (row = mg_source_row(q, err)) == NULL)
		return -1;
	va_start(ap, fmt);
	rc = vnote(q->m, severity, code, src->table, src->key, row, err, fmt,
	    ap);
	va_end(ap);
	free(row);
	return rc;
}

long
ma_migrate_notes(const struct ma_migrate *m, const char *severity)
{
	return m->notes[severity_index(severity)];
}

int
mg_rows(struct ma_migrate *m, const char *sql, mg_out_fn *row,
    const struct mg_out *out, const char *what, long *n, struct ma_err *err)
{
	struct ma_stmt *st;
	long count = 0;
	int rc;

	if (ma_db_prepare(m->w, sql, &st, err) < 0)
		return -1;
	while ((rc = ma_stmt_step(st, err)) == 1) {
		count++;
		if (row(st, out) < 0) {
			rc = ma_fail(err, MA_EIO, errno, "cannot write the "
			    "%s: %s", what, strerror(errno));
			break;
		}
	}
	ma_stmt_finalize(&st);
	if (n != NULL)
		*n = count;
	return rc < 0 ? -1 : 0;
}

static int
note_row(struct ma_stmt *st, const struct mg_out *o)
{
	struct ma_migrate_note n = {
		.severity = ma_stmt_text(st, 0),
		.code = ma_stmt_text(st, 1),
		.table = ma_stmt_text(st, 2),
		.key = ma_stmt_text(st, 3),
		.reason = ma_stmt_text(st, 4),
		.row = ma_stmt_text(st, 5),
	};

	return o->fn.note(&n, o->arg);
}

int
ma_migrate_report(struct ma_migrate *m, ma_migrate_note_cb *fn, void *arg,
    struct ma_err *err)
{
	struct mg_out o = { .fn.note = fn, .arg = arg };

	return mg_rows(m, "SELECT severity, code, src_table, key_json, "
	    "reason, row_json FROM work.report ORDER BY seq", note_row, &o,
	    "report", NULL, err);
}
