/*
 * The dump reader's statements: CREATE TABLE gives a table's columns,
 * INSERT its rows (one per call), SET the client charset, DELIMITER the
 * statement delimiter; every other statement is skipped whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dump-priv.h"

int
ma_dump_open(FILE *in, enum ma_dump_charset cs, struct ma_dump **dp,
    struct ma_err *err)
{
	struct ma_dump *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	d->in = in;
	d->line = d->col = 1;
	d->forced = cs;
	d->latin1 = cs == MA_DUMP_LATIN1;
	d->backslash = 1;
	strcpy(d->delim, ";");
	*dp = d;
	return 0;
}

static void
drop_columns(struct ma_dump *d)
{
	size_t i;

	for (i = 0; i < d->ncols; i++)
		free(d->cols[i]);
	free(d->cols);
	d->cols = NULL;
	d->ncols = 0;
}

void
ma_dump_free(struct ma_dump **dp)
{
	struct ma_dump *d = *dp;

	if (d == NULL)
		return;
	drop_columns(d);
	free(d->table);
	free(d->tok.s);
	free(d->arena);
	free(d->vals);
	free(d->offs);
	free(d);
	*dp = NULL;
}

const char *
ma_dump_charset(const struct ma_dump *d)
{
	return d->latin1 ? "latin1" : "utf8";
}

static int
oom(struct ma_err *err)
{
	return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
}

static int
expected(struct ma_dump *d, const char *what, struct ma_err *err)
{
	char buf[MA_QUOTE_MAX + 8];

	if (d->tok.type == T_EOF)
		return lex_fail(d, &d->tok, err, "the input ends inside a "
		    "statement (the dump is cut short?)");
	return lex_fail(d, &d->tok, err, "expected %s, got %s", what,
	    lex_what(&d->tok, buf, sizeof(buf)));
}

/* Skip to the end of the statement. */
static int
skip_statement(struct ma_dump *d, struct ma_err *err)
{
	for (;;) {
		if (lex_next(d, err) < 0)
			return -1;
		if (d->tok.type == T_DELIM || d->tok.type == T_EOF)
			return 0;
	}
}

/* Whether the current token can be a name: `x`, x or "x". */
static int
is_name(const struct tok *t)
{
	return t->type == T_NAME || t->type == T_WORD ||
	    (t->type == T_STRING && t->quote == '"');
}

/* A table name, db.table or table; its last part goes to d->table. */
static int
read_table_name(struct ma_dump *d, struct ma_err *err)
{
	char *name;

	for (;;) {
		if (lex_next(d, err) < 0)
			return -1;
		if (!is_name(&d->tok) || d->tok.len == 0)
			return expected(d, "a table name", err);
		if ((name = strdup(d->tok.s)) == NULL)
			return oom(err);
		free(d->table);
		d->table = name;
		if (lex_next(d, err) < 0)
			return -1;
		if (!lex_punct(&d->tok, '.')) {
			lex_unget(d);
			return 0;
		}
	}
}

static int
add_column(struct ma_dump *d, const char *name, struct ma_err *err)
{
	char **v;

	if (d->ncols == MA_DUMP_COLUMNS_MAX)
		return lex_fail(d, &d->tok, err, "more than %d columns",
		    MA_DUMP_COLUMNS_MAX);
	if ((v = realloc(d->cols, (d->ncols + 1) * sizeof(*v))) == NULL)
		return oom(err);
	d->cols = v;
	if ((v[d->ncols] = strdup(name)) == NULL)
		return oom(err);
	d->ncols++;
	return 0;
}

/* Skip to the ',' or ')' that ends an item of a parenthesized list. */
static int
skip_item(struct ma_dump *d, struct ma_err *err)
{
	int depth = 0;

	for (;;) {
		if (lex_next(d, err) < 0)
			return -1;
		if (d->tok.type == T_EOF || d->tok.type == T_DELIM)
			return expected(d, "')'", err);
		if (lex_punct(&d->tok, '('))
			depth++;
		else if (lex_punct(&d->tok, ')') && depth-- == 0)
			return 0;
		else if (lex_punct(&d->tok, ',') && depth == 0)
			return 0;
	}
}

/* Keywords that start an index or constraint, not a column. */
static int
is_key_item(const struct tok *t)
{
	static const char *const words[] = { "PRIMARY", "KEY", "INDEX",
	    "UNIQUE", "FULLTEXT", "SPATIAL", "CONSTRAINT", "FOREIGN", "CHECK",
	    "PERIOD", NULL };
	size_t i;

	for (i = 0; words[i] != NULL; i++)
		if (lex_is(t, words[i]))
			return 1;
	return 0;
}

/* CREATE [OR REPLACE] [TEMPORARY] TABLE [IF NOT EXISTS] name (…) …; */
static int
read_create(struct ma_dump *d, struct ma_dump_item *it, struct ma_err *err)
{
	struct tok *t = &d->tok;

	do {
		if (lex_next(d, err) < 0)
			return -1;
	} while (lex_is(t, "OR") || lex_is(t, "REPLACE") ||
	    lex_is(t, "TEMPORARY"));
	if (!lex_is(t, "TABLE"))
		return skip_statement(d, err);
	if (lex_next(d, err) < 0)
		return -1;
	if (lex_is(t, "IF")) {
		if (lex_next(d, err) < 0 || lex_next(d, err) < 0)
			return -1;
	} else {
		lex_unget(d);
	}
	if (read_table_name(d, err) < 0 || lex_next(d, err) < 0)
		return -1;
	/* CREATE TABLE … LIKE / AS SELECT: no column list to read. */
	if (!lex_punct(t, '('))
		return t->type == T_DELIM ? 0 : skip_statement(d, err);
	drop_columns(d);
	for (;;) {
		if (lex_next(d, err) < 0)
			return -1;
		if (!is_key_item(t)) {
			if (!is_name(t) || t->len == 0)
				return expected(d, "a column name", err);
			if (add_column(d, t->s, err) < 0)
				return -1;
		}
		if (skip_item(d, err) < 0)
			return -1;
		if (lex_punct(t, ')'))
			break;
	}
	if (d->ncols == 0)
		return lex_fail(d, t, err, "table '%s' has no columns",
		    d->table);
	if (skip_statement(d, err) < 0)
		return -1;
	it->kind = MA_DUMP_TABLE;
	it->table = d->table;
	it->n = d->ncols;
	it->columns = (const char *const *)d->cols;
	it->values = NULL;
	return 1;
}

/* SET NAMES x, SET character_set_client = x | @saved, SET SQL_MODE = '…' */
static int
read_set(struct ma_dump *d, struct ma_err *err)
{
	struct tok *t = &d->tok;
	char var[64] = "";
	int user = 0, set_names = 0;

	for (;;) {
		if (lex_next(d, err) < 0)
			return -1;
		if (t->type == T_DELIM || t->type == T_EOF)
			return 0;
		if (lex_punct(t, ',')) {
			var[0] = '\0';
			user = set_names = 0;
		} else if (lex_punct(t, '@')) {
			user = 1;
		} else if (var[0] == '\0' && (t->type == T_WORD ||
		    t->type == T_NAME)) {
			snprintf(var, sizeof(var), "%s%s", user ? "@" : "", t->s);
			user = 0;
			set_names = strcasecmp(var, "NAMES") == 0;
			if (lex_is(t, "SESSION") || lex_is(t, "LOCAL"))
				var[0] = '\0';
		} else if (set_names && (t->type == T_WORD ||
		    t->type == T_STRING)) {
			if (lex_set_charset(d, t->s) < 0)
				return lex_fail(d, t, err, "SET NAMES %s: mailadm "
				    "reads utf8 and latin1 dumps", t->s);
			set_names = 0;
		} else if (lex_punct(t, '=')) {
			/* the value follows */
			if (lex_next(d, err) < 0)
				return -1;
			if (strcasecmp(var, "character_set_client") == 0 &&
			    lex_punct(t, '@')) {
				if (lex_next(d, err) < 0)
					return -1;
				if (strcmp(t->s, d->saved_var + 1) == 0 &&
				    d->forced == MA_DUMP_AUTO)
					d->latin1 = d->saved_latin1;
			} else if (strcasecmp(var, "character_set_client") == 0 &&
			    (t->type == T_WORD || t->type == T_STRING)) {
				if (lex_set_charset(d, t->s) < 0)
					return lex_fail(d, t, err, "character_set_"
					    "client %s: mailadm reads utf8 and "
					    "latin1 dumps", t->s);
			} else if (strcasecmp(var, "SQL_MODE") == 0 &&
			    t->type == T_STRING) {
				d->backslash = strcasestr(t->s,
				    "NO_BACKSLASH_ESCAPES") == NULL;
			} else if (var[0] == '@' && lex_punct(t, '@')) {
				/* SET @saved = @@character_set_client */
				if (lex_next(d, err) < 0 || lex_next(d, err) < 0)
					return -1;
				if (strcasecmp(t->s, "character_set_client") == 0) {
					snprintf(d->saved_var, sizeof(d->saved_var),
					    "%s", var);
					d->saved_latin1 = d->latin1;
				}
			} else {
				lex_unget(d);
			}
		}
	}
}

/* Append a value's bytes (s NULL: SQL NULL) to the current row. */
static int
add_value(struct ma_dump *d, const char *s, size_t len, struct ma_err *err)
{
	if (d->nvals == MA_DUMP_COLUMNS_MAX)
		return lex_fail(d, &d->tok, err, "a row of more than %d values",
		    MA_DUMP_COLUMNS_MAX);
	if (d->nvals == d->vcap) {
		size_t cap = d->vcap ? d->vcap * 2 : 16;
		struct ma_dump_value *v = realloc(d->vals, cap * sizeof(*v));
		size_t *o;

		if (v == NULL)
			return oom(err);
		d->vals = v;
		if ((o = realloc(d->offs, cap * sizeof(*o))) == NULL)
			return oom(err);
		d->offs = o;
		d->vcap = cap;
	}
	d->vals[d->nvals].len = len;
	d->vals[d->nvals].s = s;
	d->offs[d->nvals] = d->alen;
	d->nvals++;
	if (s == NULL)
		return 0;
	if (d->alen + len + 1 > MA_DUMP_ROW_MAX)
		return lex_fail(d, &d->tok, err, "a row longer than %lu bytes",
		    MA_DUMP_ROW_MAX);
	if (d->alen + len + 1 > d->acap) {
		size_t cap = d->acap ? d->acap : 4096;
		char *a;

		while (cap < d->alen + len + 1)
			cap *= 2;
		if ((a = realloc(d->arena, cap)) == NULL)
			return oom(err);
		d->arena = a;
		d->acap = cap;
	}
	memcpy(d->arena + d->alen, s, len);
	d->arena[d->alen + len] = '\0';
	d->alen += len + 1;
	return 0;
}

/* One value of a row: a string, a signed number, NULL, TRUE, FALSE. */
static int
read_value(struct ma_dump *d, struct ma_err *err)
{
	struct tok *t = &d->tok;
	char sign[2] = "";

	if (lex_next(d, err) < 0)
		return -1;
	if (lex_punct(t, '-') || lex_punct(t, '+')) {
		sign[0] = t->s[0];
		if (lex_next(d, err) < 0)
			return -1;
		if (t->type != T_NUMBER)
			return expected(d, "a number", err);
	}
	switch (t->type) {
	case T_STRING:
	case T_BYTES:
		return add_value(d, t->s, t->len, err);
	case T_NUMBER:
		if (sign[0] == '-') {
			/* the token buffer has room: it grows by doubling */
			memmove(t->s + 1, t->s, t->len + 1);
			t->s[0] = '-';
			t->len++;
		}
		return add_value(d, t->s, t->len, err);
	case T_WORD:
		if (lex_is(t, "NULL"))
			return add_value(d, NULL, 0, err);
		if (lex_is(t, "TRUE") || lex_is(t, "FALSE"))
			return add_value(d, lex_is(t, "TRUE") ? "1" : "0", 1,
			    err);
		/* FALLTHROUGH */
	default:
		return expected(d, "a value", err);
	}
}

/* "(v, v, …)": one row; the '(' is the current token. */
static int
read_row(struct ma_dump *d, struct ma_dump_item *it, struct ma_err *err)
{
	struct tok *t = &d->tok;
	size_t i;

	d->nvals = 0;
	d->alen = 0;
	it->line = t->line;
	for (;;) {
		if (read_value(d, err) < 0 || lex_next(d, err) < 0)
			return -1;
		if (lex_punct(t, ')'))
			break;
		if (!lex_punct(t, ','))
			return expected(d, "',' or ')' after a value", err);
	}
	for (i = 0; i < d->nvals; i++)
		if (d->vals[i].s != NULL)
			d->vals[i].s = d->arena + d->offs[i];
	if (lex_next(d, err) < 0)
		return -1;
	if (lex_punct(t, ','))
		d->in_insert = 1;
	else if (t->type == T_DELIM)
		d->in_insert = 0;
	else if (lex_is(t, "ON")) {	/* ON DUPLICATE KEY UPDATE … */
		d->in_insert = 0;
		if (skip_statement(d, err) < 0)
			return -1;
	} else
		return expected(d, "',' or the end of the INSERT after a row",
		    err);
	it->kind = MA_DUMP_ROW;
	it->table = d->table;
	it->n = d->nvals;
	it->columns = d->insert_cols ? (const char *const *)d->cols : NULL;
	it->values = d->vals;
	return 1;
}

/* INSERT|REPLACE [modifiers] [INTO] name [(cols)] VALUES (…), … */
static int
read_insert(struct ma_dump *d, struct ma_dump_item *it, struct ma_err *err)
{
	struct tok *t = &d->tok;

	do {
		if (lex_next(d, err) < 0)
			return -1;
	} while (lex_is(t, "LOW_PRIORITY") || lex_is(t, "DELAYED") ||
	    lex_is(t, "HIGH_PRIORITY") || lex_is(t, "IGNORE"));
	if (!lex_is(t, "INTO"))
		lex_unget(d);
	if (read_table_name(d, err) < 0 || lex_next(d, err) < 0)
		return -1;
	d->insert_cols = 0;
	if (lex_punct(t, '(')) {
		drop_columns(d);
		d->insert_cols = 1;
		for (;;) {
			if (lex_next(d, err) < 0)
				return -1;
			if (!is_name(t) || t->len == 0)
				return expected(d, "a column name", err);
			if (add_column(d, t->s, err) < 0 || lex_next(d, err) < 0)
				return -1;
			if (lex_punct(t, ')'))
				break;
			if (!lex_punct(t, ','))
				return expected(d, "',' or ')'", err);
		}
		if (lex_next(d, err) < 0)
			return -1;
	}
	/* INSERT … SELECT or INSERT … SET: no rows of their own. */
	if (!lex_is(t, "VALUES") && !lex_is(t, "VALUE"))
		return t->type == T_DELIM ? 0 : skip_statement(d, err);
	if (lex_next(d, err) < 0)
		return -1;
	if (!lex_punct(t, '('))
		return expected(d, "'(' to start a row", err);
	return read_row(d, it, err);
}

/* One statement: 1 with an item, 0 without (skipped), -1 on error. */
static int
read_statement(struct ma_dump *d, struct ma_dump_item *it, struct ma_err *err)
{
	struct tok *t = &d->tok;

	d->stmt_line = t->line;
	it->line = t->line;
	if (lex_is(t, "DELIMITER"))
		return lex_delimiter(d, err) < 0 ? -1 : 0;
	if (lex_is(t, "CREATE"))
		return read_create(d, it, err);
	if (lex_is(t, "INSERT") || lex_is(t, "REPLACE"))
		return read_insert(d, it, err);
	if (lex_is(t, "SET"))
		return read_set(d, err);
	if (t->type != T_WORD && !lex_punct(t, '('))
		return expected(d, "a statement", err);
	return skip_statement(d, err);
}

int
ma_dump_next(struct ma_dump *d, struct ma_dump_item *it, struct ma_err *err)
{
	int rc;

	memset(it, 0, sizeof(*it));
	if (d->in_insert) {
		if (lex_next(d, err) < 0)
			return -1;
		if (!lex_punct(&d->tok, '('))
			return expected(d, "'(' to start a row", err);
		return read_row(d, it, err);
	}
	for (;;) {
		if (lex_next(d, err) < 0)
			return -1;
		if (d->tok.type == T_EOF) {
			if (d->versioned)
				return lex_fail(d, &d->tok, err, "unterminated "
				    "versioned comment");
			return 0;
		}
		if (d->tok.type == T_DELIM)
			continue;
		if ((rc = read_statement(d, it, err)) != 0)
			return rc;
	}
}
