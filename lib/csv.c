#include "csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void
ma_csv_init(struct ma_csv *c, FILE *fp)
{
	memset(c, 0, sizeof(*c));
	c->fp = fp;
	c->next_line = 1;
}

void
ma_csv_release(struct ma_csv *c)
{
	if (c->buf != NULL)
		explicit_bzero(c->buf, c->cap);	/* it held passwords */
	free(c->buf);
	c->buf = NULL;
	c->cap = 0;
}

static int
put(struct ma_csv *c, size_t *len, char ch, struct ma_err *err)
{
	char *nb;
	size_t ncap;

	if (*len >= MA_CSV_RECORD_MAX)
		return ma_fail(err, MA_EINVAL, 0, "line %lu: record longer "
		    "than %d bytes", c->line, MA_CSV_RECORD_MAX);
	if (*len + 1 >= c->cap) {
		ncap = c->cap ? c->cap * 2 : 256;
		if ((nb = malloc(ncap)) == NULL)
			return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
		/* Not realloc: the old copy held passwords and is wiped. */
		if (c->buf != NULL) {
			memcpy(nb, c->buf, *len);
			explicit_bzero(c->buf, c->cap);
			free(c->buf);
		}
		c->buf = nb;
		c->cap = ncap;
	}
	c->buf[(*len)++] = ch;
	return 0;
}

/* The UTF-8 byte order mark, which spreadsheets put first. */
static int
skip_bom(struct ma_csv *c, struct ma_err *err)
{
	int ch = getc(c->fp);

	c->started = 1;
	if (ch != 0xEF) {
		if (ch != EOF)
			ungetc(ch, c->fp);
		return 0;
	}
	if (getc(c->fp) == 0xBB && getc(c->fp) == 0xBF)
		return 0;
	return ma_fail(err, MA_EINVAL, 0, "line 1: not UTF-8 (a broken byte "
	    "order mark)");
}

static int
bad(struct ma_csv *c, const char *why, struct ma_err *err)
{
	return ma_fail(err, MA_EINVAL, 0, "line %lu: %s", c->next_line, why);
}

/* Offsets of the fields are kept while the buffer may move. */
static int
end_field(struct ma_csv *c, size_t *len, size_t *starts, struct ma_err *err)
{
	if (c->nfields == MA_CSV_FIELDS_MAX)
		return ma_fail(err, MA_EINVAL, 0, "line %lu: more than %d "
		    "fields", c->line, MA_CSV_FIELDS_MAX);
	if (put(c, len, '\0', err) < 0)
		return -1;
	c->nfields++;
	starts[c->nfields] = *len;
	return 0;
}

int
ma_csv_read(struct ma_csv *c, struct ma_err *err)
{
	size_t len = 0, starts[MA_CSV_FIELDS_MAX + 1], i;
	int ch, quoted = 0, after_quote = 0, any = 0;

	if (!c->started && skip_bom(c, err) < 0)
		return -1;
	c->nfields = 0;
	starts[0] = 0;
	c->line = c->next_line;
	for (;;) {
		ch = getc(c->fp);
		if (ch == EOF) {
			if (ferror(c->fp))
				return ma_fail(err, MA_EIO, errno, "read error "
				    "at line %lu: %s", c->next_line,
				    strerror(errno));
			if (quoted)
				return ma_fail(err, MA_EINVAL, 0, "line %lu: "
				    "quoted field not closed", c->line);
			if (!any)
				return 0;
			break;
		}
		any = 1;
		if (ch == '\0')
			return bad(c, "NUL byte in the input", err);
		if (quoted) {
			if (ch == '"') {
				quoted = 0;
				after_quote = 1;
				continue;
			}
			if (ch == '\n')
				c->next_line++;
		} else if (ch == '"') {
			if (after_quote) {	/* "" inside quotes */
				quoted = 1;
				after_quote = 0;
			} else if (len == starts[c->nfields]) {
				quoted = 1;
				continue;
			} else {
				return bad(c, "quote inside an unquoted field",
				    err);
			}
		} else if (ch == ',') {
			after_quote = 0;
			if (end_field(c, &len, starts, err) < 0)
				return -1;
			continue;
		} else if (ch == '\r' || ch == '\n') {
			if (ch == '\r' && (ch = getc(c->fp)) != '\n')
				return bad(c, "carriage return without a line "
				    "feed", err);
			c->next_line++;
			if (len == 0 && c->nfields == 0 && !after_quote) {
				c->line = c->next_line;
				any = 0;
				continue;	/* a blank line */
			}
			break;
		} else if (after_quote) {
			return bad(c, "text after a closing quote", err);
		}
		if (put(c, &len, (char)ch, err) < 0)
			return -1;
	}
	if (end_field(c, &len, starts, err) < 0)
		return -1;
	for (i = 0; i < c->nfields; i++)
		c->field[i] = c->buf + starts[i];
	return 1;
}
