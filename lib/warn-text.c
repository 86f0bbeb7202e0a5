/*
 * The quota warning message: a template (quota_warn_template, else the
 * built-in French and English text) made into a complete RFC 5322
 * message for one mailbox.
 *
 * A template is header lines ("Subject: …", at least that one), an empty
 * line and the body, in UTF-8.  ${address}, ${domain}, ${usage},
 * ${limit} and ${percent} are replaced, "$$" is a '$'.  mailadm adds
 * Date and Message-ID (a template may not have them), and From, To,
 * MIME-Version, Content-Type, Content-Transfer-Encoding and
 * Auto-Submitted when the template has none; a header value that is not
 * ASCII is encoded (RFC 2047).
 */
#include "quota.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "utf8.h"
#include "valid.h"

#define TEXT_MAX	(64 * 1024)
#define LINE_MAX_RFC	998	/* RFC 5322 §2.1.1 */

struct ma_warn_text {
	char	*text;		/* checked: headers, "\n\n", body */
	size_t	 hlen;		/* the header block, its last "\n" included */
};

static const char builtin[] =
    "From: Postmaster <postmaster@${domain}>\n"
    "Subject: Votre boîte aux lettres est pleine à ${percent} % / "
    "Your mailbox is ${percent}% full\n"
    "\n"
    "(English below)\n"
    "\n"
    "Bonjour,\n"
    "\n"
    "Votre boîte aux lettres ${address} occupe ${usage} sur les ${limit}\n"
    "qui lui sont accordés (${percent} %).\n"
    "\n"
    "Quand elle sera pleine, les messages qui vous sont envoyés seront\n"
    "refusés et retournés à leurs expéditeurs.  Supprimez les messages\n"
    "dont vous n'avez plus besoin, et videz la corbeille.\n"
    "\n"
    "----\n"
    "\n"
    "Hello,\n"
    "\n"
    "Your mailbox ${address} uses ${usage} of the ${limit} it is given\n"
    "(${percent}%).\n"
    "\n"
    "When it is full, messages sent to you will be refused and returned\n"
    "to their senders.  Please delete the messages you no longer need,\n"
    "and empty the Trash.\n";

static const char *const names[] = { "address", "domain", "usage", "limit",
	"percent" };
#define NNAMES (sizeof(names) / sizeof(names[0]))

/* The placeholder at s ("${name}"): its index, or -1; *len its length. */
static int
placeholder(const char *s, size_t *len)
{
	size_t i, n;

	for (i = 0; i < NNAMES; i++) {
		n = strlen(names[i]);
		if (strncmp(s + 2, names[i], n) == 0 && s[2 + n] == '}') {
			*len = n + 3;
			return (int)i;
		}
	}
	return -1;
}

/* Header names a template must not hold, and those that must be ASCII. */
static int
is_name(const char *line, size_t n, const char *name)
{
	return n == strlen(name) && strncasecmp(line, name, n) == 0;
}

static int
structured(const char *line, size_t n)
{
	return is_name(line, n, "From") || is_name(line, n, "To") ||
	    is_name(line, n, "Cc") || is_name(line, n, "Reply-To") ||
	    is_name(line, n, "Sender");
}

/* Why one line of the header block is wrong, or NULL. */
static const char *
header_problem(const char *line, size_t len, int first, int *subject)
{
	size_t n = 0, i;

	if (line[0] == ' ' || line[0] == '\t')
		return first ? "the first line continues no header" : NULL;
	while (n < len && line[n] != ':' && line[n] > ' ' && line[n] < 0x7f)
		n++;
	if (n == 0 || n == len || line[n] != ':')
		return "expected a header line 'Name: value' (then an empty "
		    "line and the body)";
	if (is_name(line, n, "Date") || is_name(line, n, "Message-ID"))
		return "mailadm writes Date and Message-ID itself";
	if (is_name(line, n, "Subject"))
		*subject = 1;
	if (structured(line, n))
		for (i = n; i < len; i++)
			if ((unsigned char)line[i] >= 0x80)
				return "an address header must be ASCII (encode "
				    "a name as RFC 2047 says)";
	return NULL;
}

/* Why line (len bytes, no '\n') is wrong anywhere in a template, or NULL. */
static const char *
line_problem(const char *line, size_t len)
{
	const char *p;
	size_t n;

	if (len > LINE_MAX_RFC)
		return "a line is longer than 998 bytes";
	for (p = line; p < line + len; p++) {
		if ((unsigned char)*p < 0x20 && *p != '\t')
			return "a control character";
		if (p[0] == '$' && p + 1 < line + len && p[1] == '{' &&
		    placeholder(p, &n) < 0)
			return "an unknown ${…} (use ${address}, ${domain}, "
			    "${usage}, ${limit} or ${percent}; $$ for '$')";
		if (p[0] == '$' && p + 1 < line + len && p[1] == '$')
			p++;
	}
	return NULL;
}

/* Check text; on success set hlen.  Why it is wrong and where, or NULL. */
static const char *
check(struct ma_warn_text *t, size_t size, int *lineno)
{
	const char *p = t->text, *nl, *why;
	int in_head = 1, subject = 0;
	size_t len;

	if (memchr(t->text, '\0', size) != NULL)
		return "a NUL byte";
	if (!ma_utf8_valid(t->text))
		return "not UTF-8";
	for (*lineno = 1; *p != '\0'; p = nl + 1, ++*lineno) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		len = (size_t)(nl - p);
		if ((why = line_problem(p, len)) != NULL)
			return why;
		if (in_head && len == 0) {
			in_head = 0;
			t->hlen = (size_t)(p - t->text);
		} else if (in_head && (why = header_problem(p, len,
		    *lineno == 1, &subject)) != NULL)
			return why;
		if (*nl == '\0')
			break;
	}
	if (in_head)
		return "no empty line between the headers and the body";
	if (!subject)
		return "no Subject header";
	*lineno = 0;
	return NULL;
}

static int
load_builtin(struct ma_warn_text *t, struct ma_err *err)
{
	int line;

	if ((t->text = strdup(builtin)) == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	check(t, sizeof(builtin) - 1, &line);
	return 0;
}

/* A template written on Windows: "\r\n" becomes "\n" (Maildir uses LF). */
static void
crlf_to_lf(char *s, size_t *size)
{
	size_t i, o = 0;

	for (i = 0; i < *size; i++)
		if (!(s[i] == '\r' && i + 1 < *size && s[i + 1] == '\n'))
			s[o++] = s[i];
	s[o] = '\0';
	*size = o;
}

/* Read path (at most TEXT_MAX bytes) into t->text; *size its length. */
static int
read_template(const char *path, struct ma_warn_text *t, size_t *size,
    struct ma_err *err)
{
	struct stat st;
	ssize_t r;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : ma_fail(err, MA_ENOINPUT, errno,
		    "quota_warn_template '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		return ma_fail(err, MA_ENOINPUT, e, "quota_warn_template '%s': "
		    "%s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode) || st.st_size > TEXT_MAX) {
		close(fd);
		return ma_fail(err, MA_ECONFIG, 0, "quota_warn_template '%s': "
		    "%s", path, !S_ISREG(st.st_mode) ? "not a regular file" :
		    "larger than 64 KiB");
	}
	if ((t->text = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	}
	*size = 0;
	while (*size < (size_t)st.st_size && ((r = read(fd, t->text + *size,
	    (size_t)st.st_size - *size)) > 0 || (r < 0 && errno == EINTR)))
		*size += r > 0 ? (size_t)r : 0;
	e = errno;
	close(fd);
	t->text[*size] = '\0';
	if (*size < (size_t)st.st_size)
		return ma_fail(err, MA_ENOINPUT, e, "quota_warn_template '%s': "
		    "%s", path, strerror(e));
	crlf_to_lf(t->text, size);
	return 1;
}

int
ma_warn_text_load(const char *path, struct ma_warn_text **tp,
    struct ma_err *err)
{
	struct ma_warn_text *t = calloc(1, sizeof(*t));
	const char *why;
	size_t size = 0;
	int rc = 0, line;

	*tp = NULL;
	if (t == NULL)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	if (path != NULL && *path != '\0')
		rc = read_template(path, t, &size, err);
	if (rc == 0)
		rc = load_builtin(t, err);
	else if (rc > 0 && (why = check(t, size, &line)) != NULL)
		rc = ma_fail(err, MA_ECONFIG, 0, "quota_warn_template '%s'%s%.0d: "
		    "%s", path, line > 0 ? " line " : "", line, why);
	if (rc < 0) {
		ma_warn_text_free(t);
		return -1;
	}
	*tp = t;
	return 0;
}

void
ma_warn_text_free(struct ma_warn_text *t)
{
	if (t == NULL)
		return;
	free(t->text);
	free(t);
}

/* "812.3 MB": sizes for people, in units of 1024. */
static void
human(int64_t bytes, char *buf, size_t size)
{
	static const char *const unit[] = { "KB", "MB", "GB", "TB", "PB" };
	double v = (double)bytes;
	int u = -1;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, size, "%" PRId64 " bytes", bytes);
	else
		snprintf(buf, size, "%.1f %s", v, unit[u]);
}

/* Append [s, s + n) to b with the placeholders replaced. */
static void
expand(struct ma_buf *b, const char *s, size_t n,
    const struct ma_warn_vars *vars)
{
	char usage[32], limit[32], percent[16];
	const char *val[NNAMES], *p, *end = s + n;
	size_t len;
	int i;

	human(vars->used, usage, sizeof(usage));
	human(vars->limit, limit, sizeof(limit));
	snprintf(percent, sizeof(percent), "%d", vars->percent);
	val[0] = vars->address;
	val[1] = vars->domain;
	val[2] = usage;
	val[3] = limit;
	val[4] = percent;
	for (p = s; p < end; p++) {
		if (*p != '$' || p + 1 >= end || (p[1] != '$' && p[1] != '{'))
			continue;
		ma_buf_addf(b, "%.*s", (int)(p - s), s);
		if (p[1] == '$') {
			ma_buf_add(b, "$");
			s = ++p + 1;
		} else if ((i = placeholder(p, &len)) >= 0) {
			ma_buf_add(b, val[i]);
			s = p + len;
			p = s - 1;
		}
	}
	ma_buf_addf(b, "%.*s", (int)(end - s), s);
}

/* Add value as RFC 2047 encoded words of at most 45 bytes each. */
static void
encode_words(struct ma_buf *b, const char *v)
{
	unsigned char enc[64];
	size_t n, k;

	while (*v != '\0') {
		/* Cut at a character boundary. */
		for (n = 0; v[n] != '\0' && (k = ma_utf8_seq((const unsigned
		    char *)v + n)) > 0 && n + k <= 45; n += k)
			;
		if (n == 0)
			n = 1;
		EVP_EncodeBlock(enc, (const unsigned char *)v, (int)n);
		ma_buf_addf(b, "=?UTF-8?B?%s?=%s", enc, v[n] ? "\n " : "");
		v += n;
	}
}

static int
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* The header block: each line expanded, non-ASCII values encoded. */
static void
headers(struct ma_buf *b, const struct ma_warn_text *t,
    const struct ma_warn_vars *vars, unsigned int *have)
{
	static const char *const want[] = { "From", "To", "MIME-Version",
		"Content-Type", "Content-Transfer-Encoding", "Auto-Submitted" };
	const char *p = t->text, *end = t->text + t->hlen, *nl, *colon;
	struct ma_buf line = MA_BUF_INIT;
	size_t i, skip;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		line.len = 0;
		expand(&line, p, (size_t)(nl - p), vars);
		if (ma_buf_str(&line) == NULL || line.len == 0) {
			b->oom = 1;
			break;
		}
		colon = *p == ' ' || *p == '\t' ? NULL : strchr(line.s, ':');
		for (i = 0; colon != NULL && i < sizeof(want) / sizeof(*want);
		    i++)
			if (is_name(line.s, (size_t)(colon - line.s), want[i]))
				*have |= 1u << i;
		if (is_ascii(line.s)) {
			ma_buf_addf(b, "%s\n", line.s);
			continue;
		}
		/* "Name: value" or a continuation: keep what leads the value. */
		skip = colon != NULL ? (size_t)(colon - line.s) + 1 : 0;
		skip += strspn(line.s + skip, " \t");
		ma_buf_addf(b, "%.*s", (int)skip, line.s);
		encode_words(b, line.s + skip);
		ma_buf_add(b, "\n");
	}
	ma_buf_release(&line);
}

/* RFC 5322 date of t in local time: "Sat, 28 Nov 2026 17:12:00 +0100". */
static void
rfc5322_date(time_t t, char *buf, size_t size)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm;
	long off;

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff / 60;
	snprintf(buf, size, "%.3s, %02d %.3s %04d %02d:%02d:%02d %c%02ld%02ld",
	    days + 3 * tm.tm_wday, tm.tm_mday, months + 3 * tm.tm_mon,
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
}

/* This host's name as a Message-ID may hold it ("localhost" if odd). */
static void
host_name(char *buf, size_t size)
{
	size_t i;

	if (gethostname(buf, size) < 0)
		buf[0] = '\0';
	buf[size - 1] = '\0';
	for (i = 0; buf[i] != '\0'; i++)
		if (!(buf[i] == '-' || buf[i] == '.' || (buf[i] >= '0' &&
		    buf[i] <= '9') || ((buf[i] | 0x20) >= 'a' &&
		    (buf[i] | 0x20) <= 'z')))
			break;
	if (buf[0] == '\0' || buf[i] != '\0')
		snprintf(buf, size, "localhost");
}

int
ma_warn_text_render(const struct ma_warn_text *t,
    const struct ma_warn_vars *vars, char **out, size_t *len,
    struct ma_err *err)
{
	struct ma_buf b = MA_BUF_INIT;
	const char *body = t->text + t->hlen + 1;
	char date[64], host[256];
	unsigned int have = 0;
	uint64_t r = 0;
	struct tm tm;

	rfc5322_date(vars->now, date, sizeof(date));
	host_name(host, sizeof(host));
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r ^= (uint64_t)(uintptr_t)&b;
	gmtime_r(&vars->now, &tm);
	ma_buf_addf(&b, "Date: %s\nMessage-ID: <%04d%02d%02d%02d%02d%02d.%d."
	    "%016" PRIx64 ".quota@%s>\n", date, tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)getpid(), r,
	    host);
	headers(&b, t, vars, &have);
	if (!(have & 1))
		ma_buf_addf(&b, "From: Postmaster <postmaster@%s>\n",
		    vars->domain);
	if (!(have & 2))
		ma_buf_addf(&b, "To: <%s>\n", vars->address);
	if (!(have & 4))
		ma_buf_add(&b, "MIME-Version: 1.0\n");
	if (!(have & 8))
		ma_buf_add(&b, "Content-Type: text/plain; charset=UTF-8\n");
	if (!(have & 16))
		ma_buf_addf(&b, "Content-Transfer-Encoding: %s\n",
		    is_ascii(body) ? "7bit" : "8bit");
	if (!(have & 32))
		ma_buf_add(&b, "Auto-Submitted: auto-generated\n");
	ma_buf_add(&b, "\n");
	expand(&b, body, strlen(body), vars);
	if (b.len > 0 && b.s[b.len - 1] != '\n')
		ma_buf_add(&b, "\n");
	if (ma_buf_str(&b) == NULL) {
		ma_buf_release(&b);
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	}
	*out = b.s;
	*len = b.len;
	return 0;
}
