/*
 * Reading Maildir++ text as Courier reads it (maildirquota.c,
 * maildirparsequota.c): the maildirsize lines, the quota string, and the
 * ",S=" size and ":2," flags of message file names.  Pure functions: any
 * bytes in, never a read past len.
 */
#include "quota.h"

#include <limits.h>
#include <string.h>

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Courier's isspace() on a line: blanks, \t \v \f \r (no \n in a line). */
static int
is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Read digits at *p (before end) into *v; 0, or -1 when out of range. */
static int
digits(const char **p, const char *end, int64_t *v)
{
	int64_t n = 0;
	int over = 0;

	for (; *p < end && is_digit(**p); (*p)++)
		if (__builtin_mul_overflow(n, 10, &n) ||
		    __builtin_add_overflow(n, **p - '0', &n))
			over = 1;
	*v = n;
	return over ? -1 : 0;
}

int
ma_mdsize_parse_limits(const char *s, size_t len, int64_t *bytes,
    int64_t *count)
{
	const char *p = s, *end = s + len;
	int64_t v;
	int rc = 0;

	*bytes = *count = 0;
	while (p < end && *p != '\0') {
		if (!is_digit(*p)) {
			p++;
			continue;
		}
		if (digits(&p, end, &v) < 0)
			rc = -1;
		else if (p < end && *p == 'S')
			*bytes = v;
		else if (p < end && *p == 'C')
			*count = v;
		else
			rc = -1;	/* Courier: "quota string not parseable" */
	}
	return rc;
}

/* One optional '-' and digits; 1 read, 0 none there, -1 out of range. */
static int
signed_number(const char **p, const char *end, int64_t *v)
{
	int neg = 0;

	if (*p < end && **p == '-') {
		neg = 1;
		(*p)++;
	}
	if (*p >= end || !is_digit(**p))
		return 0;
	if (digits(p, end, v) < 0)
		return -1;
	if (neg)
		*v = -*v;
	return 1;
}

static void
skip_space(const char **p, const char *end)
{
	while (*p < end && is_space(**p))
		(*p)++;
}

/* One usage line [p, end): summed into m as Courier sums it. */
static void
usage_line(const char *p, const char *end, struct ma_mdsize *m)
{
	int64_t n = 0, c = 0;
	int rn, rc = 0;

	m->lines++;
	skip_space(&p, end);
	if ((rn = signed_number(&p, end, &n)) == 1) {
		skip_space(&p, end);
		rc = signed_number(&p, end, &c);
	}
	skip_space(&p, end);
	if (rn < 0 || rc < 0 || rc == 0 || p != end) {
		/* Courier sums a line once it has two numbers, whatever follows. */
		m->flags |= MA_MDS_MALFORMED;
		if (rn != 1 || rc != 1)
			return;
	}
	if (__builtin_add_overflow(m->bytes, n, &n) ||
	    __builtin_add_overflow(m->count, c, &c)) {
		m->flags |= MA_MDS_MALFORMED;	/* and the line is not summed */
		return;
	}
	m->bytes = n;
	m->count = c;
}

void
ma_mdsize_parse(const char *buf, size_t len, struct ma_mdsize *m)
{
	const char *p = buf, *end, *nl;

	memset(m, 0, sizeof(*m));
	/* Courier's buffer is a C string: a NUL ends what it reads. */
	if ((nl = memchr(buf, '\0', len)) != NULL) {
		len = (size_t)(nl - buf);
		m->flags |= MA_MDS_MALFORMED;
	}
	if (len >= MA_MDS_READ) {
		/* Courier reads the first line of what fits, less a byte. */
		m->flags |= MA_MDS_OVERFLOW;
		len = MA_MDS_READ - 1;
		nl = memchr(buf, '\n', len);
		ma_mdsize_parse_limits(buf, nl != NULL ? (size_t)(nl - buf) :
		    len, &m->limit_bytes, &m->limit_count);
		return;
	}
	end = buf + len;
	/* Empty, or a last line cut short: appends would join it. */
	if (len == 0 || end[-1] != '\n')
		m->flags |= MA_MDS_MALFORMED;
	nl = memchr(p, '\n', len);
	if (nl == NULL)
		nl = end;
	if (ma_mdsize_parse_limits(p, (size_t)(nl - p), &m->limit_bytes,
	    &m->limit_count) < 0)
		m->flags |= MA_MDS_MALFORMED;
	for (p = nl < end ? nl + 1 : end; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		usage_line(p, nl, m);
	}
	if (m->bytes < 0 || m->count < 0)
		m->flags |= MA_MDS_NEGATIVE;
}

int
ma_msgname_size(const char *name, uint64_t *size)
{
	const char *o = name + strcspn(name, ":"), *p;
	uint64_t n = 0;

	/* Back from the ':' (or the end) to the nearest ",S=". */
	for (;; o--) {
		if (o[0] == ',' && o[1] == 'S' && o[2] == '=')
			break;
		if (o == name)
			return 0;
	}
	for (p = o + 3; is_digit(*p); p++)
		if (__builtin_mul_overflow(n, 10, &n) ||
		    __builtin_add_overflow(n, (uint64_t)(*p - '0'), &n))
			return 0;
	*size = n;
	return 1;
}

int
ma_msgname_counted(const char *name)
{
	const char *n = strstr(name, ":2,");

	if (n == NULL)
		return 1;
	for (n += 3; *n >= 'A' && *n <= 'Z'; n++)
		if (*n == 'T')
			return 0;
	return 1;
}

int
ma_folder_counted(const char *name)
{
	return strcmp(name, ".Trash") != 0;
}

int
ma_quota_percent(int64_t used, int64_t limit)
{
	__int128 p;

	if (limit <= 0 || used <= 0)
		return 0;
	p = (__int128)used * 100 / limit;
	return p > INT_MAX ? INT_MAX : (int)p;
}

int
ma_quota_full(const struct ma_quota_usage *u, int64_t extra_bytes)
{
	int64_t after;

	if (u->limit_count > 0 && u->count >= u->limit_count)
		return 1;
	if (u->limit_bytes <= 0)
		return 0;
	if (extra_bytes < 0)
		extra_bytes = 0;
	if (__builtin_add_overflow(u->bytes, extra_bytes, &after))
		return 1;
	return u->bytes >= u->limit_bytes || after > u->limit_bytes;
}
