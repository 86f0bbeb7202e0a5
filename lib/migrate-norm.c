/* Rules for single legacy values: numbers, flags, dates, quotas, text. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cp1252.h"
#include "migrate-priv.h"
#include "utf8.h"
#include "valid.h"

static int
blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int
mg_trim(const char *s, char **out)
{
	size_t start = 0, end = strlen(s);

	while (start < end && blank((unsigned char)s[start]))
		start++;
	while (end > start && blank((unsigned char)s[end - 1]))
		end--;
	if ((*out = strndup(s + start, end - start)) == NULL)
		return -1;
	return start > 0 || s[end] != '\0';
}

int
mg_has_upper(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			return 1;
	return 0;
}

int
mg_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

int
mg_int(const char *s, int64_t *out)
{
	const char *p = s;
	long long v;
	char *end;

	if (*p == '-' || *p == '+')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0)
		return -1;
	/* SQLite writes a REAL with a point: "52428800.0". */
	if (*end == '.')
		for (end++; *end == '0'; end++)
			;
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

int
mg_bool(const char *s, int *out)
{
	static const char *const yes[] = { "1", "y", "yes", "true", "t", NULL };
	static const char *const no[] = { "0", "n", "no", "false", "f", NULL };
	size_t i;

	for (i = 0; yes[i] != NULL; i++)
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
	for (i = 0; no[i] != NULL; i++)
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	return -1;
}

/* n decimal digits at s, nothing else: 0 (*v set) or -1. */
static int
digits(const char *s, int n, unsigned *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

int
mg_date(const char *s, char out[20])
{
	unsigned y, mo, d, h = 0, mi = 0, se = 0;

	if (strncmp(s, "0000-00-00", 10) == 0)
		return 1;
	if (digits(s, 4, &y) < 0 || s[4] != '-' || digits(s + 5, 2, &mo) < 0 ||
	    s[7] != '-' || digits(s + 8, 2, &d) < 0)
		return -1;
	if (s[10] != '\0' && ((s[10] != ' ' && s[10] != 'T') ||
	    digits(s + 11, 2, &h) < 0 || s[13] != ':' ||
	    digits(s + 14, 2, &mi) < 0 || s[16] != ':' ||
	    digits(s + 17, 2, &se) < 0 || (s[19] != '\0' && s[19] != '.')))
		return -1;
	if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || se > 59)
		return -1;
	memcpy(out, s, 10);
	if (s[10] == '\0') {
		memcpy(out + 10, " 00:00:00", 10);
	} else {
		out[10] = ' ';
		memcpy(out + 11, s + 11, 8);
		out[19] = '\0';
	}
	return 0;
}

int
mg_maildirpp_quota(const char *s, int64_t *bytes, int64_t *msgs, int *nounit)
{
	const char *p = s;
	char *end;
	long long v;

	*bytes = 0;
	*msgs = 0;
	*nounit = 0;
	while (blank((unsigned char)*p))
		p++;
	if (*p == '\0')
		return 0;
	for (;;) {
		while (*p == ' ')
			p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		errno = 0;
		v = strtoll(p, &end, 10);
		if (errno != 0)
			return -1;
		p = end;
		if (*p == 'C')
			*msgs = v;
		else if (*p == 'S' || *p == ',' || *p == '\0' || blank(*p))
			*bytes = v;
		if (*p != 'C' && *p != 'S')
			*nounit = *nounit || v != 0;
		else
			p++;
		while (blank((unsigned char)*p))
			p++;
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			return -1;
	}
}

int
mg_double_encoded(const char *s, char **fixed)
{
	const char *p;
	char *b, *o;
	uint32_t cp;
	size_t n;
	int high = 0, c;

	*fixed = NULL;
	if ((b = malloc(strlen(s) + 1)) == NULL)
		return -1;
	for (p = s, o = b; *p != '\0'; p += n) {
		if ((n = ma_utf8_get(p, &cp)) == 0 ||
		    (c = ma_cp1252_encode(cp)) < 0) {
			free(b);
			return 0;
		}
		high |= c >= 0x80;
		*o++ = (char)c;
	}
	*o = '\0';
	/* Its bytes must be UTF-8 themselves, with a character beyond ASCII. */
	if (!high || !ma_utf8_valid(b)) {
		free(b);
		return 0;
	}
	*fixed = b;
	return 1;
}

const char *
mg_text_problem(const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, chars = 0;

	if (strlen(s) != len)
		return "contains a NUL byte";
	for (; *p != '\0'; p += n, chars++)
		if ((n = ma_utf8_seq(p)) == 0)
			return "is not valid UTF-8 (a latin1 dump read as UTF-8? "
			    "see --charset)";
	return chars > max ? "is too long" : NULL;
}

char *
mg_latin1(const char *s)
{
	char *b = malloc(strlen(s) + 1), *o = b;
	uint32_t cp;
	size_t n;
	int c;

	for (; b != NULL && *s != '\0'; s += n) {
		if ((n = ma_utf8_get(s, &cp)) == 0 ||
		    (c = ma_cp1252_encode(cp)) < 0) {
			free(b);
			return NULL;
		}
		*o++ = (char)c;
	}
	if (b != NULL)
		*o = '\0';
	return b;
}

void
mg_goto_release(struct mg_goto *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->v[i]);
	free(g->v);
	memset(g, 0, sizeof(*g));
}

/* Whether a run of separators is the usual one: one comma, blanks around. */
static int
usual(const char *p, size_t n)
{
	size_t i, commas = 0;

	for (i = 0; i < n; i++)
		if (p[i] == ',')
			commas++;
		else if (p[i] != ' ' && p[i] != '\t')
			return 0;
	return commas == 1;
}

int
mg_goto_split(const char *s, struct mg_goto *g)
{
	const char *p, *start;
	char **v;
	size_t n;

	memset(g, 0, sizeof(*g));
	for (p = s; blank((unsigned char)*p); p++)
		g->outer_blanks = 1;
	n = strlen(p);
	while (n > 0 && blank((unsigned char)p[n - 1])) {
		n--;
		g->outer_blanks = 1;
	}
	for (start = p; start < p + n; ) {
		size_t sep = strspn(start, ", \t\r\n"), len;

		if (sep > (size_t)(p + n - start))
			sep = (size_t)(p + n - start);
		/* Before the first target, after the last, or an odd run. */
		if (sep > 0 && (start == p || start + sep == p + n ||
		    !usual(start, sep)))
			g->separators = 1;
		start += sep;
		if (start >= p + n)
			break;
		len = strcspn(start, ", \t\r\n");
		if ((v = realloc(g->v, (g->n + 1) * sizeof(*v))) == NULL ||
		    (v[g->n] = strndup(start, len)) == NULL) {
			g->v = v != NULL ? v : g->v;
			mg_goto_release(g);
			return -1;
		}
		g->v = v;
		g->n++;
		start += len;
	}
	return 0;
}
