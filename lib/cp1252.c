#include "cp1252.h"
#include "utf8.h"

/* 0x80-0x9F: where cp1252 differs from ISO 8859-1. */
static const uint16_t high[32] = {
	0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
	0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};

uint32_t
ma_cp1252_decode(unsigned char b)
{
	return b >= 0x80 && b <= 0x9f ? high[b - 0x80] : b;
}

int
ma_cp1252_encode(uint32_t cp)
{
	int i;

	if (cp < 0x80 || (cp >= 0xa0 && cp <= 0xff))
		return (int)cp;
	for (i = 0; i < 32; i++)
		if (high[i] == cp)
			return 0x80 + i;
	return -1;
}

size_t
ma_utf8_put(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t
ma_utf8_get(const char *s, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = ma_utf8_seq(p), i;

	if (n == 0)
		return 0;
	*cp = n == 1 ? p[0] : n == 2 ? p[0] & 0x1fu : n == 3 ? p[0] & 0x0fu :
	    p[0] & 0x07u;
	for (i = 1; i < n; i++)
		*cp = *cp << 6 | (p[i] & 0x3fu);
	return n;
}
