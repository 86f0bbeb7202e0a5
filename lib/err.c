#include "err.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
ma_fail(struct ma_err *err, enum ma_status st, int code, const char *fmt, ...)
{
	va_list ap;

	err->status = st;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int
ma_err_prefix(struct ma_err *err, const char *fmt, ...)
{
	char old[sizeof(err->msg)];
	size_t n;
	va_list ap;

	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	if (n + 2 < sizeof(err->msg)) {
		memcpy(err->msg + n, ": ", 3);
		strncat(err->msg, old, sizeof(err->msg) - n - 3);
	}
	return -1;
}

void
ma_err_clear(struct ma_err *err)
{
	err->status = MA_OK;
	err->code = 0;
	err->msg[0] = '\0';
}

const char *
ma_quote(const char *s, char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, n, shown = 0;

	while (*p != '\0' && o + 8 < size) {
		if (shown >= 60) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		n = ma_utf8_seq(p);
		if (n == 0 || *p < 0x20 || *p == 0x7f) {
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", *p);
			p++;
		} else {
			memcpy(buf + o, p, n);
			o += n;
			p += n;
		}
		shown++;
	}
	buf[o] = '\0';
	return buf;
}
