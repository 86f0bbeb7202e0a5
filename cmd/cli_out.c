/*
 * Output.  Commands describe records field by field; this file renders
 * them as plain lists (the first field of each record, one per line),
 * "key: value" lines, aligned --long tables, or one JSON document.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define SENTINEL_TIME "2000-01-01 00:00:00"

void
out_json_string(FILE *fp, const char *s)
{
	struct ma_buf b = MA_BUF_INIT;

	ma_json_str(&b, s, strlen(s));
	fputs(ma_buf_str(&b) ? ma_buf_str(&b) : "\"\"", fp);
	ma_buf_release(&b);
}

void
out_begin(struct cli *cli, int list)
{
	struct out *o = &cli->out;

	memset(o, 0, sizeof(*o));
	cli->printed = 1;
	o->fp = stdout;
	o->list = list;
	o->mode = cli->json ? OUT_JSON : list && cli->long_list ? OUT_LONG :
	    OUT_TEXT;
	if (o->mode == OUT_JSON && list)
		fputc('[', o->fp);
}

void
out_record(struct out *o)
{
	if (o->mode == OUT_JSON)
		fputs(o->records > 0 ? ",\n{" : o->list ? "\n{" : "{", o->fp);
	o->fields = 0;
}

/*
 * p (cap items of size) grown to hold n: the new block, with *cap updated,
 * or NULL (p is left as it was).
 */
static void *
reserve(void *p, size_t *cap, size_t n, size_t size)
{
	size_t c = *cap ? *cap : 256;

	if (n <= *cap)
		return p;
	while (c < n)
		c *= 2;
	if ((p = realloc(p, c * size)) != NULL)
		*cap = c;
	return p;
}

/* Keep one --long cell; the header comes from the first record's keys. */
static void
cell(struct out *o, const char *key, const char *value)
{
	size_t len = strlen(value) + 1, *cells;
	char **v, *text;

	if (o->records == 0) {
		if ((v = realloc(o->head, (o->ncols + 1) * sizeof(*v))) == NULL)
			return;
		o->head = v;
		o->head[o->ncols++] = strdup(key);
	}
	/* One buffer for all cells: a table of many rows costs no malloc each. */
	if ((cells = reserve(o->cells, &o->cellcap, o->ncells + 1,
	    sizeof(size_t))) == NULL)
		return;
	o->cells = cells;
	if ((text = reserve(o->text, &o->textcap, o->textlen + len, 1)) == NULL)
		return;
	o->text = text;
	memcpy(o->text + o->textlen, value, len);
	o->cells[o->ncells++] = o->textlen;
	o->textlen += len;
}

/* One field: text as shown to people, json as its JSON value. */
static void
field(struct out *o, const char *key, const char *text, const char *json,
    int quote)
{
	switch (o->mode) {
	case OUT_JSON:
		fprintf(o->fp, "%s\"%s\": ", o->fields ? ", " : "", key);
		if (quote)
			out_json_string(o->fp, json);
		else
			fputs(json, o->fp);
		break;
	case OUT_LONG:
		cell(o, key, text);
		break;
	case OUT_TEXT:
		if (o->list && o->fields == 0)
			fprintf(o->fp, "%s\n", text);
		else if (!o->list)
			fprintf(o->fp, "%s: %s\n", key, text);
		break;
	}
	o->fields++;
}

void
out_str(struct out *o, const char *key, const char *value)
{
	if (value == NULL)
		field(o, key, "-", "null", 0);
	else
		field(o, key, value, value, 1);
}

/*
 * v in decimal at the end of buf[24], after suffix; returns where it
 * starts.  Reports print tens of thousands of numbers: no printf.
 */
static char *
num(char *buf, int64_t v, const char *suffix)
{
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	char *p = buf + 24 - 1 - strlen(suffix);

	strcpy(p, suffix);
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) > 0);
	if (v < 0)
		*--p = '-';
	return p;
}

void
out_int(struct out *o, const char *key, int64_t value)
{
	char buf[24], *n = num(buf, value, "");

	field(o, key, n, n, 0);
}

void
out_bool(struct out *o, const char *key, int value)
{
	field(o, key, value ? "yes" : "no", value ? "true" : "false", 0);
}

void
out_size(struct out *o, const char *key, int64_t bytes)
{
	char text[32], json[24];

	field(o, key, ma_size_format(bytes, text, sizeof(text)),
	    num(json, bytes, ""), 0);
}

void
out_usage(struct out *o, const char *key, int64_t bytes)
{
	static const char units[] = "KMGTPE";
	char text[32], ip[24], json[24], *p;
	__int128 a = bytes < 0 ? -(__int128)bytes : bytes, div = 1;
	int64_t tenths;
	size_t n;
	int u = -1;

	while (a >= div * 1024 && u < 5) {
		div *= 1024;
		u++;
	}
	if (u < 0) {
		field(o, key, num(text, bytes, ""), num(json, bytes, ""), 0);
		return;
	}
	/* One decimal, rounded: "812.3M". */
	tenths = (int64_t)((a * 10 + div / 2) / div);
	p = num(ip, bytes < 0 ? -(tenths / 10) : tenths / 10, "");
	n = strlen(p);
	memcpy(text, p, n);
	text[n] = '.';
	text[n + 1] = (char)('0' + tenths % 10);
	text[n + 2] = units[u];
	text[n + 3] = '\0';
	field(o, key, text, num(json, bytes, ""), 0);
}

void
out_limit(struct out *o, const char *key, int64_t n)
{
	char buf[24], *text = num(buf, n, "");

	field(o, key, n == 0 ? "unlimited" : n < 0 ? "disabled" : text, text,
	    0);
}

void
out_time(struct out *o, const char *key, const char *stamp)
{
	char iso[32];

	/* Postfixadmin's "never set" sentinel is no time at all. */
	if (stamp == NULL || *stamp == '\0' || strcmp(stamp, SENTINEL_TIME) == 0)
		return field(o, key, "-", "null", 0);
	snprintf(iso, sizeof(iso), "%.10sT%.8sZ", stamp,
	    strlen(stamp) > 11 ? stamp + 11 : "00:00:00");
	field(o, key, iso, iso, 1);
}

void
out_strv(struct out *o, const char *key, char *const *v, size_t n)
{
	struct ma_buf text = MA_BUF_INIT;
	size_t i;

	if (o->mode == OUT_JSON) {
		fprintf(o->fp, "%s\"%s\": [", o->fields ? ", " : "", key);
		for (i = 0; i < n; i++) {
			fputs(i ? ", " : "", o->fp);
			out_json_string(o->fp, v[i]);
		}
		fputc(']', o->fp);
		o->fields++;
		return;
	}
	for (i = 0; i < n; i++)
		ma_buf_addf(&text, "%s%s", i ? "," : "", v[i]);
	field(o, key, ma_buf_str(&text) ? ma_buf_str(&text) : "", "", 1);
	ma_buf_release(&text);
}

void
out_record_end(struct out *o)
{
	if (o->mode == OUT_JSON)
		fputc('}', o->fp);
	o->records++;
}

static void
print_row(struct out *o, char *const *head, const size_t *row,
    const size_t *width)
{
	const char *v;
	size_t c;

	for (c = 0; c < o->ncols; c++) {
		v = head != NULL ? head[c] : o->text + row[c];
		if (v == NULL)
			v = "";
		if (c + 1 == o->ncols)
			fprintf(o->fp, "%s\n", v);
		else
			fprintf(o->fp, "%-*s  ", (int)width[c], v);
	}
}

static void
print_table(struct out *o)
{
	size_t *width = calloc(o->ncols, sizeof(size_t));
	size_t i, len;

	if (width == NULL)
		return;
	for (i = 0; i < o->ncols; i++)
		width[i] = o->head[i] ? strlen(o->head[i]) : 0;
	for (i = 0; i < o->ncells; i++) {
		len = strlen(o->text + o->cells[i]);
		if (len > width[i % o->ncols])
			width[i % o->ncols] = len;
	}
	print_row(o, o->head, NULL, width);
	for (i = 0; i + o->ncols <= o->ncells; i += o->ncols)
		print_row(o, NULL, o->cells + i, width);
	free(width);
}

void
out_end(struct out *o)
{
	size_t i;

	if (o->mode == OUT_JSON)
		fputs(o->list ? (o->records ? "\n]\n" : "]\n") : "\n", o->fp);
	if (o->mode == OUT_LONG && o->ncols > 0)
		print_table(o);
	for (i = 0; i < o->ncols; i++)
		free(o->head[i]);
	free(o->head);
	free(o->cells);
	free(o->text);
	o->head = NULL;
	o->cells = NULL;
	o->text = NULL;
	o->ncells = o->ncols = o->textlen = o->textcap = o->cellcap = 0;
}
