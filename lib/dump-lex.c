/*
 * The dump reader's tokenizer: bytes in, tokens out, with the line and
 * column of each, comments skipped and strings decoded as MySQL's parser
 * decodes them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "cp1252.h"
#include "dump-priv.h"

/* Fill the buffer so that at least k bytes lie ahead (fewer at the end). */
static void
fill(struct ma_dump *d, size_t k)
{
	size_t n;

	if (d->end - d->pos >= k || d->eof)
		return;
	memmove(d->buf, d->buf + d->pos, d->end - d->pos);
	d->end -= d->pos;
	d->pos = 0;
	while (d->end < k && !d->eof) {
		n = fread(d->buf + d->end, 1, sizeof(d->buf) - d->end, d->in);
		d->end += n;
		if (n == 0)
			d->eof = 1;
	}
}

/* The byte k ahead, or EOF. */
static int
peek(struct ma_dump *d, size_t k)
{
	fill(d, k + 1);
	return d->pos + k < d->end ? (unsigned char)d->buf[d->pos + k] : EOF;
}

static int
get(struct ma_dump *d)
{
	int c = peek(d, 0);

	if (c == EOF)
		return EOF;
	d->pos++;
	if (c == '\n') {
		d->line++;
		d->col = 1;
	} else {
		d->col++;
	}
	return c;
}

int
lex_fail(struct ma_dump *d, const struct tok *t, struct ma_err *err,
    const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	(void)d;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ma_fail(err, MA_EINVAL, 0, "line %lu, column %lu: %s", t->line,
	    t->col, msg);
}

const char *
lex_what(const struct tok *t, char *buf, size_t size)
{
	char q[MA_QUOTE_MAX];

	switch (t->type) {
	case T_EOF:
		return "the end of the input";
	case T_DELIM:
		snprintf(buf, size, "the end of the statement");
		return buf;
	case T_STRING:
	case T_BYTES:
		return "a string";
	case T_PUNCT:
		snprintf(buf, size, (unsigned char)t->s[0] < 0x20 ? "'\\x%02x'" :
		    "'%c'", (unsigned char)t->s[0]);
		return buf;
	default:
		snprintf(buf, size, "'%s'", ma_quote(t->s, q, sizeof(q)));
		return buf;
	}
}

int
lex_is(const struct tok *t, const char *w)
{
	return t->type == T_WORD && strcasecmp(t->s, w) == 0;
}

int
lex_punct(const struct tok *t, int c)
{
	return t->type == T_PUNCT && (unsigned char)t->s[0] == c;
}

int
lex_set_charset(struct ma_dump *d, const char *name)
{
	static const char *const utf8[] = { "utf8", "utf8mb3", "utf8mb4",
	    "ascii", "binary", NULL };
	size_t i;

	if (d->forced != MA_DUMP_AUTO)
		return 0;
	if (strcasecmp(name, "latin1") == 0) {
		d->latin1 = 1;
		return 0;
	}
	for (i = 0; utf8[i] != NULL; i++)
		if (strcasecmp(name, utf8[i]) == 0) {
			d->latin1 = 0;
			return 0;
		}
	return -1;
}

/* Append n bytes to the token; -1 when it grows past a row's size. */
static int
put_bytes(struct tok *t, const char *s, size_t n)
{
	size_t cap = t->cap;
	char *p;

	while (t->len + n + 1 > cap)
		if ((cap = cap ? cap * 2 : 256) > MA_DUMP_ROW_MAX + 2)
			return -1;
	if (cap != t->cap) {
		if ((p = realloc(t->s, cap)) == NULL)
			return -1;
		t->s = p;
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
	return 0;
}

static int
put(struct tok *t, int c)
{
	char b = (char)c;

	return put_bytes(t, &b, 1);
}

/* Append a byte of a string in the client charset, as UTF-8. */
static int
put_char(struct tok *t, int c, int latin1)
{
	char u[4];
	size_t n, i;

	if (!latin1 || c < 0x80)
		return put(t, c);
	n = ma_utf8_put(ma_cp1252_decode((unsigned char)c), u);
	for (i = 0; i < n; i++)
		if (put(t, (unsigned char)u[i]) < 0)
			return -1;
	return 0;
}

static int
too_long(struct ma_dump *d, struct ma_err *err)
{
	return lex_fail(d, &d->tok, err, "a value longer than %lu bytes",
	    MA_DUMP_ROW_MAX);
}

/* The byte that "\c" stands for in a MySQL string; -1: keep "\c". */
static int
unescape(int c)
{
	switch (c) {
	case '0':	return '\0';
	case 'b':	return '\b';
	case 'n':	return '\n';
	case 'r':	return '\r';
	case 't':	return '\t';
	case 'Z':	return 0x1a;
	case '%':
	case '_':	return -1;	/* LIKE wildcards keep their backslash */
	default:	return c;
	}
}

/*
 * How many of the bytes already read stand for themselves in a string
 * quoted with q: no quote, backslash or line break, and no byte that
 * latin1 decoding changes.
 */
static size_t
plain_run(const struct ma_dump *d, int q, int latin1)
{
	size_t i;

	for (i = d->pos; i < d->end; i++) {
		unsigned char c = (unsigned char)d->buf[i];

		if (c == q || c == '\\' || c == '\n' || (latin1 && c >= 0x80))
			break;
	}
	return i - d->pos;
}

/* A quoted string; the opening quote q is read.  cs: -1 bytes, else latin1. */
static int
lex_string(struct ma_dump *d, int q, int latin1, struct ma_err *err)
{
	struct tok *t = &d->tok;
	size_t n;
	int c, e;

	t->type = latin1 < 0 ? T_BYTES : T_STRING;
	t->quote = q;
	for (;;) {
		/* Plain bytes a run at a time; the others one by one. */
		if ((n = plain_run(d, q, latin1 > 0)) > 0) {
			if (put_bytes(t, d->buf + d->pos, n) < 0)
				return too_long(d, err);
			d->pos += n;
			d->col += n;
			continue;
		}
		if ((c = get(d)) == EOF)
			return lex_fail(d, t, err, "unterminated string (the "
			    "dump is cut short?)");
		if (c == q && peek(d, 0) == q) {
			get(d);
		} else if (c == q) {
			return 0;
		} else if (c == '\\' && d->backslash) {
			if ((c = get(d)) == EOF)
				continue;
			if ((e = unescape(c)) < 0 && put(t, '\\') < 0)
				return too_long(d, err);
			c = e < 0 ? c : e;
		}
		if (put_char(t, c, latin1 > 0) < 0)
			return too_long(d, err);
	}
}

/* 0x… or X'…': hex digits to bytes. */
static int
lex_hex(struct ma_dump *d, int quoted, struct ma_err *err)
{
	struct tok *t = &d->tok;
	int hi, lo;

	t->type = T_BYTES;
	for (;;) {
		if ((hi = ma_hex_digit(peek(d, 0))) < 0)
			break;
		get(d);
		if ((lo = ma_hex_digit(peek(d, 0))) < 0)
			return lex_fail(d, t, err, "odd number of hex digits");
		get(d);
		if (put(t, hi * 16 + lo) < 0)
			return too_long(d, err);
	}
	if (quoted && get(d) != '\'')
		return lex_fail(d, t, err, "bad X'…' literal");
	return 0;
}

/* b'0101': a BIT value, as its decimal number. */
static int
lex_bits(struct ma_dump *d, struct ma_err *err)
{
	struct tok *t = &d->tok;
	unsigned long long v = 0;
	int c, n = 0;
	char num[24];

	while ((c = get(d)) == '0' || c == '1') {
		v = v << 1 | (unsigned)(c - '0');
		if (++n > 64)
			return lex_fail(d, t, err, "a b'…' literal over 64 bits");
	}
	if (c != '\'')
		return lex_fail(d, t, err, "bad b'…' literal");
	snprintf(num, sizeof(num), "%llu", v);
	t->type = T_NUMBER;
	for (n = 0; num[n] != '\0'; n++)
		put(t, num[n]);
	return 0;
}

static int
lex_number(struct ma_dump *d)
{
	struct tok *t = &d->tok;
	int c, prev = 0;

	t->type = T_NUMBER;
	while ((c = peek(d, 0)) != EOF && (isdigit(c) || c == '.' ||
	    c == 'e' || c == 'E' || ((c == '-' || c == '+') &&
	    (prev == 'e' || prev == 'E')))) {
		put(t, get(d));
		prev = c;
	}
	return 0;
}

static int
word_char(int c)
{
	return c != EOF && (isalnum(c) || c == '_' || c == '$' || c >= 0x80);
}

/* `name`: `` inside is one backquote. */
static int
lex_name(struct ma_dump *d, struct ma_err *err)
{
	struct tok *t = &d->tok;
	int c;

	t->type = T_NAME;
	for (;;) {
		if ((c = get(d)) == EOF)
			return lex_fail(d, t, err, "unterminated `name`");
		if (c == '`' && peek(d, 0) != '`')
			return 0;
		if (c == '`')
			get(d);
		if (put_char(t, c, d->latin1) < 0)
			return too_long(d, err);
	}
}

/* Skip blanks and comments; a versioned comment's text is read as SQL. */
static int
skip_space(struct ma_dump *d, struct ma_err *err)
{
	int c, c1, c2;

	for (;;) {
		c = peek(d, 0);
		c1 = peek(d, 1);
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f' || c == '\v') {
			get(d);
		} else if (c == '#' || (c == '-' && c1 == '-' &&
		    ((c2 = peek(d, 2)) == EOF || c2 <= ' '))) {
			while ((c = get(d)) != EOF && c != '\n')
				;
		} else if (c == '/' && c1 == '*' && (peek(d, 2) == '!' ||
		    (peek(d, 2) == 'M' && peek(d, 3) == '!'))) {
			get(d), get(d);
			if (get(d) == 'M')
				get(d);
			while (isdigit(peek(d, 0)))
				get(d);
			d->versioned = 1;
		} else if (c == '/' && c1 == '*') {
			unsigned long line = d->line, col = d->col;

			get(d), get(d);
			while ((c = get(d)) != EOF && !(c == '*' &&
			    peek(d, 0) == '/'))
				;
			if (c == EOF)
				return ma_fail(err, MA_EINVAL, 0, "line %lu, column "
				    "%lu: unterminated comment", line, col);
			get(d);
		} else if (c == '*' && c1 == '/' && d->versioned) {
			get(d), get(d);
			d->versioned = 0;
		} else {
			return 0;
		}
	}
}

/* Whether the delimiter starts here (then it is consumed). */
static int
at_delimiter(struct ma_dump *d)
{
	size_t i, n = strlen(d->delim);

	for (i = 0; i < n; i++)
		if (peek(d, i) != (unsigned char)d->delim[i])
			return 0;
	for (i = 0; i < n; i++)
		get(d);
	return 1;
}

void
lex_unget(struct ma_dump *d)
{
	d->again = 1;
}

/* _latin1'…', _utf8'…', _binary'…': the string in that charset. */
static int
introducer(struct ma_dump *d, struct ma_err *err)
{
	struct tok *t = &d->tok;
	int cs, c;

	if (strcasecmp(t->s, "_binary") == 0)
		cs = -1;
	else if (strcasecmp(t->s, "_latin1") == 0)
		cs = 1;
	else if (strncasecmp(t->s, "_utf8", 5) == 0)
		cs = 0;
	else
		return 0;
	if (skip_space(d, err) < 0)
		return -1;
	c = peek(d, 0);
	if (c == '0' && (peek(d, 1) == 'x' || peek(d, 1) == 'X')) {
		get(d), get(d);
		t->len = 0;
		t->s[0] = '\0';
		return lex_hex(d, 0, err);
	}
	if (c != '\'' && c != '"')
		return 0;
	get(d);
	t->len = 0;
	t->s[0] = '\0';
	return lex_string(d, c, cs, err);
}

int
lex_next(struct ma_dump *d, struct ma_err *err)
{
	struct tok *t = &d->tok;
	int c, c1;

	if (d->again) {
		d->again = 0;
		return 0;
	}
	if (skip_space(d, err) < 0)
		return -1;
	t->len = 0;
	if (put(t, 0) < 0)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	t->len = 0;
	t->line = d->line;
	t->col = d->col;
	if (at_delimiter(d)) {
		t->type = T_DELIM;
		put(t, ';');
		return 0;
	}
	c = peek(d, 0);
	c1 = peek(d, 1);
	if (c == EOF) {
		t->type = T_EOF;
		return ferror(d->in) ? ma_fail(err, MA_EIO, errno, "cannot "
		    "read the dump: %s", strerror(errno)) : 0;
	}
	if (c == '\'' || c == '"') {
		get(d);
		return lex_string(d, c, d->latin1, err);
	}
	if (c == '`') {
		get(d);
		return lex_name(d, err);
	}
	if (c == '0' && (c1 == 'x' || c1 == 'X') &&
	    ma_hex_digit(peek(d, 2)) >= 0) {
		get(d), get(d);
		return lex_hex(d, 0, err);
	}
	if ((c == 'x' || c == 'X') && c1 == '\'') {
		get(d), get(d);
		return lex_hex(d, 1, err);
	}
	if ((c == 'b' || c == 'B') && c1 == '\'') {
		get(d), get(d);
		return lex_bits(d, err);
	}
	if (isdigit(c) || (c == '.' && isdigit(c1)))
		return lex_number(d);
	if (word_char(c)) {
		t->type = T_WORD;
		while (word_char(peek(d, 0)))
			if (put_char(t, get(d), d->latin1) < 0)
				return too_long(d, err);
		return t->s[0] == '_' ? introducer(d, err) : 0;
	}
	t->type = T_PUNCT;
	put(t, get(d));
	return 0;
}

int
lex_delimiter(struct ma_dump *d, struct ma_err *err)
{
	char delim[DELIM_MAX];
	size_t n = 0;
	int c;

	while ((c = peek(d, 0)) == ' ' || c == '\t')
		get(d);
	while ((c = peek(d, 0)) != EOF && c != '\n' && c != '\r' &&
	    c != ' ' && c != '\t') {
		if (n + 1 >= sizeof(delim))
			return lex_fail(d, &d->tok, err, "DELIMITER longer than "
			    "%d characters", DELIM_MAX - 1);
		delim[n++] = (char)get(d);
	}
	while ((c = peek(d, 0)) != EOF && c != '\n')
		get(d);
	if (n == 0)
		return lex_fail(d, &d->tok, err, "DELIMITER without a "
		    "delimiter");
	delim[n] = '\0';
	memcpy(d->delim, delim, n + 1);
	return 0;
}
