/* Reading Postfix policy requests: any bytes in, never a crash. */
#include "policy.h"

#include <stdio.h>
#include <string.h>

void
ma_policy_req_init(struct ma_policy_req *r)
{
	memset(r, 0, sizeof(*r));
}

/* "name=value" with name n bytes: is it the attribute want? */
static int
is_attr(const char *line, size_t n, const char *want)
{
	return strlen(want) == n && memcmp(line, want, n) == 0;
}

static void
copy_value(char *dst, size_t size, const char *v, size_t len, int *cut)
{
	if (len >= size) {
		len = size - 1;
		if (cut != NULL)
			*cut = 1;
	}
	memcpy(dst, v, len);
	dst[len] = '\0';
}

/* size=: digits only, in range; else the request is bad. */
static void
take_size(struct ma_policy_req *r, const char *v, size_t len)
{
	int64_t n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		if (v[i] < '0' || v[i] > '9' ||
		    __builtin_mul_overflow(n, 10, &n) ||
		    __builtin_add_overflow(n, v[i] - '0', &n)) {
			r->bad = "size= is not a whole number of bytes";
			return;
		}
	r->size = n;
}

void
ma_policy_req_line(struct ma_policy_req *r, const char *line, size_t len,
    int cut)
{
	const char *eq, *v;
	size_t n, vlen;

	r->lines++;
	if (cut) {
		r->bad = "a line longer than 8192 bytes";
		return;
	}
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (memchr(line, '\0', len) != NULL) {
		r->bad = "a NUL byte in a line";
		return;
	}
	if ((eq = memchr(line, '=', len)) == NULL || eq == line) {
		r->bad = "a line that is not name=value";
		return;
	}
	n = (size_t)(eq - line);
	v = eq + 1;
	vlen = len - n - 1;
	if (is_attr(line, n, "request")) {
		if (vlen == 19 && memcmp(v, "smtpd_access_policy", 19) == 0)
			r->request = 1;
		else
			r->bad = "request= is not smtpd_access_policy";
	} else if (is_attr(line, n, "protocol_state")) {
		copy_value(r->state, sizeof(r->state), v, vlen, NULL);
	} else if (is_attr(line, n, "recipient")) {
		r->recipient_long = 0;
		copy_value(r->recipient, sizeof(r->recipient), v, vlen,
		    &r->recipient_long);
	} else if (is_attr(line, n, "size")) {
		take_size(r, v, vlen);
	}
}

const char *
ma_policy_req_end(struct ma_policy_req *r)
{
	if (r->bad == NULL && r->lines == 0)
		r->bad = "an empty request";
	if (r->bad == NULL && !r->request)
		r->bad = "no request=smtpd_access_policy";
	return r->bad;
}

int
ma_policy_req_checks(const struct ma_policy_req *r)
{
	return r->bad == NULL && r->recipient[0] != '\0' && !r->recipient_long &&
	    (strcmp(r->state, "RCPT") == 0 ||
	    strcmp(r->state, "END-OF-MESSAGE") == 0);
}
