/* The maildir path of a mailbox: maildir_format expanded and checked. */
#include "maildir.h"

#include <string.h>

#include "maildir-priv.h"

static int
has_control(const char *s, size_t n)
{
	for (; n > 0 && *s != '\0'; s++, n--)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

const char *
ma_md_rel_problem(const char *rel, int need_slash)
{
	const char *c, *e;
	size_t len = strlen(rel);

	if (len == 0)
		return "it is empty";
	if (len > MA_MAILDIR_MAX)
		return "it is longer than 255 bytes";
	if (rel[0] == '/')
		return "it must be relative to vmail_base";
	if (has_control(rel, len))
		return "it holds a control character";
	if (need_slash && rel[len - 1] != '/')
		return "it must end in '/'";
	for (c = rel; *c != '\0'; c = *e == '/' ? e + 1 : e) {
		e = strchrnul(c, '/');
		if (e == c)
			return "it holds an empty component ('//')";
		if ((e - c == 1 && c[0] == '.') ||
		    (e - c == 2 && c[0] == '.' && c[1] == '.'))
			return "it holds a '.' or '..' component";
	}
	if (rel[0] == '.')
		return "it must not start with '.'";
	return NULL;
}

int
ma_maildir_rel_check(const char *rel, struct ma_err *err)
{
	const char *why = ma_md_rel_problem(rel, 1);
	char q[MA_QUOTE_MAX];

	if (why == NULL)
		return 0;
	return ma_fail(err, MA_EINVAL, 0, "invalid maildir '%s': %s",
	    ma_quote(rel, q, sizeof(q)), why);
}

/*
 * Domain and local part arrive validated, but they become path
 * components: refuse anything that could climb out or hide a component.
 */
static int
value_check(const char *what, const char *v, struct ma_err *err)
{
	const char *why = NULL;
	char q[MA_QUOTE_MAX];

	if (*v == '\0')
		why = "it is empty";
	else if (strchr(v, '/') != NULL)
		why = "it holds '/'";
	else if (has_control(v, strlen(v)))
		why = "it holds a control character";
	else if (*v == '.')
		why = "it starts with '.'";
	if (why == NULL)
		return 0;
	return ma_fail(err, MA_EINVAL, 0, "%s '%s' cannot be used in a maildir "
	    "path: %s", what, ma_quote(v, q, sizeof(q)), why);
}

/* Append s to out at *o; 0, or -1 when it does not fit. */
static int
put(char *out, size_t size, size_t *o, const char *s, size_t n)
{
	if (n >= size - *o)
		return -1;
	memcpy(out + *o, s, n);
	*o += n;
	out[*o] = '\0';
	return 0;
}

/* Expand format; 1 on success, 0 if too long, -1 (err set) if malformed. */
static int
expand(const char *format, const char *domain, const char *local,
    char *out, size_t size, struct ma_err *err)
{
	size_t o = 0;
	const char *f, *v;
	char q[MA_QUOTE_MAX], sq[16], seq[3] = "%";
	int r = 0;

	out[0] = '\0';
	for (f = format; *f != '\0' && r == 0; f++) {
		if (*f != '%') {
			r = put(out, size, &o, f, 1);
			continue;
		}
		switch (*++f) {
		case 'd': v = domain; break;
		case 'l': v = local; break;
		case '%': v = "%"; break;
		case 'a':
			if ((r = put(out, size, &o, local, strlen(local))) == 0)
				r = put(out, size, &o, "@", 1);
			v = domain;
			break;
		default:
			seq[1] = *f;
			return ma_fail(err, MA_ECONFIG, 0,
			    "maildir_format '%s': %s%s%s (use %%d, %%l, %%a "
			    "or %%%%)",
			    ma_quote(format, q, sizeof(q)), *f == '\0' ?
			    "it ends in a lone '%'" : "unknown sequence '",
			    *f == '\0' ? "" : ma_quote(seq, sq, sizeof(sq)),
			    *f == '\0' ? "" : "'");
		}
		if (r == 0)
			r = put(out, size, &o, v, strlen(v));
	}
	return r == 0;
}

/* Mailboxes must not share a Maildir: the format has to tell them apart. */
static int
format_distinct(const char *format)
{
	int d = 0, l = 0;
	const char *f;

	for (f = format; *f != '\0'; f++)
		if (*f == '%' && f[1] != '\0') {
			f++;
			if (*f == 'a')
				return 1;
			d |= *f == 'd';
			l |= *f == 'l';
		}
	return d && l;
}

int
ma_maildir_path(const char *format, const char *domain, const char *local,
    char *out, size_t size, struct ma_err *err)
{
	char buf[MA_MAILDIR_MAX + 2], q[MA_QUOTE_MAX], b[MA_QUOTE_MAX];
	const char *why;
	int r;

	if (value_check("domain", domain, err) < 0 ||
	    value_check("local part", local, err) < 0)
		return -1;
	if ((r = expand(format, domain, local, buf, sizeof(buf), err)) < 0)
		return -1;
	if (!format_distinct(format))
		return ma_fail(err, MA_ECONFIG, 0, "maildir_format '%s': it "
		    "must hold %%a, or both %%d and %%l, or mailboxes would "
		    "share a Maildir", ma_quote(format, q, sizeof(q)));
	if (r == 0 || strlen(buf) > MA_MAILDIR_MAX || strlen(buf) >= size)
		return ma_fail(err, MA_EINVAL, 0, "maildir path for '%s@%s' is "
		    "too long (at most %zu bytes)", local, domain,
		    size > 0 && size - 1 < MA_MAILDIR_MAX ? size - 1 :
		    (size_t)MA_MAILDIR_MAX);
	/* The values were checked above: what is left is the format's. */
	if ((why = ma_md_rel_problem(buf, 1)) != NULL)
		return ma_fail(err, MA_ECONFIG, 0, "maildir_format '%s' gives "
		    "'%s': %s", ma_quote(format, q, sizeof(q)),
		    ma_quote(buf, b, sizeof(b)), why);
	memcpy(out, buf, strlen(buf) + 1);
	return 0;
}
