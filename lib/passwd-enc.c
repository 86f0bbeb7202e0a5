/*
 * Base64 and hex for password hashes.  Decoding is strict (padding
 * required, no white space): a hash that does not decode cleanly is
 * reported as malformed rather than half-checked.
 */
#include <string.h>

#include "buf.h"
#include "passwd-priv.h"

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
pw_b64_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

/* out gets pw_b64_len(n) characters and a NUL. */
void
pw_b64_encode(const unsigned char *in, size_t n, char *out)
{
	unsigned long v;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 |
		    in[i + 2];
		*out++ = b64[v >> 18 & 63];
		*out++ = b64[v >> 12 & 63];
		*out++ = b64[v >> 6 & 63];
		*out++ = b64[v & 63];
	}
	if (i < n) {
		v = (unsigned long)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned long)in[i + 1] << 8;
		*out++ = b64[v >> 18 & 63];
		*out++ = b64[v >> 12 & 63];
		*out++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
		*out++ = '=';
	}
	*out = '\0';
}

static int
b64_value(char c)
{
	const char *p = c != '\0' ? strchr(b64, c) : NULL;

	return p != NULL ? (int)(p - b64) : -1;
}

int
pw_b64_decode(const char *in, size_t len, unsigned char *out, size_t cap,
    size_t *n_r)
{
	unsigned long v;
	size_t i, j, n = 0, pad = 0;
	int d;

	if (len == 0 || len % 4 != 0)
		return -1;
	if (in[len - 1] == '=')
		pad = in[len - 2] == '=' ? 2 : 1;
	if ((len / 4) * 3 - pad > cap)
		return -1;
	for (i = 0; i < len; i += 4) {
		v = 0;
		for (j = 0; j < 4; j++) {
			/* '=' only as the padding of the last group */
			if (i + j >= len - pad) {
				v <<= 6;
				continue;
			}
			if ((d = b64_value(in[i + j])) < 0)
				return -1;
			v = v << 6 | (unsigned long)d;
		}
		out[n++] = (unsigned char)(v >> 16);
		if (i + 4 < len || pad < 2)
			out[n++] = (unsigned char)(v >> 8);
		if (i + 4 < len || pad < 1)
			out[n++] = (unsigned char)v;
	}
	*n_r = n;
	return 0;
}

int
pw_is_hex(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (ma_hex_digit(s[i]) < 0)
			return 0;
	return len > 0;
}

int
pw_hex_decode(const char *in, size_t len, unsigned char *out, size_t cap,
    size_t *n_r)
{
	size_t i;

	if (len % 2 != 0 || len / 2 > cap || !pw_is_hex(in, len))
		return -1;
	for (i = 0; i < len; i += 2)
		out[i / 2] = (unsigned char)(ma_hex_digit(in[i]) << 4 |
		    ma_hex_digit(in[i + 1]));
	*n_r = len / 2;
	return 0;
}
