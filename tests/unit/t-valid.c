/*
 * Name syntax: ma_domain_normalize, ma_domain_unicode, ma_text_check,
 * ma_utf8_valid, and ma_quote (err.h) that error messages rely on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "valid.h"
#include "tap.h"

static void
norm_ok(const char *in, const char *want, const char *label)
{
	struct ma_err err = { MA_OK, 0, "" };
	char out[MA_DOMAIN_MAX + 1], name[160];
	int rc;

	memset(out, 0, sizeof(out));
	rc = ma_domain_normalize(in, out, &err);
	snprintf(name, sizeof(name), "normalize %s: accepted", label);
	if (!ok(rc == 0, "%s", name))
		diag("message: %s", err.msg);
	snprintf(name, sizeof(name), "normalize %s: stored form", label);
	is_str(rc == 0 ? out : NULL, want, name);
}

/* Refused with MA_EINVAL, the message quoting the value (as ma_quote). */
static void
norm_bad(const char *in, const char *label, const char *why)
{
	struct ma_err err = { MA_OK, 0, "" };
	char out[MA_DOMAIN_MAX + 1], q[MA_QUOTE_MAX], want[MA_QUOTE_MAX + 2];
	char name[160];
	int rc;

	rc = ma_domain_normalize(in, out, &err);
	snprintf(name, sizeof(name), "normalize %s: refused", label);
	is_int(rc, -1, name);
	snprintf(name, sizeof(name), "normalize %s: MA_EINVAL", label);
	is_int(err.status, MA_EINVAL, name);
	snprintf(want, sizeof(want), "'%s'", ma_quote(in, q, sizeof(q)));
	snprintf(name, sizeof(name), "normalize %s: message quotes the value",
	    label);
	if (!ok(strstr(err.msg, want) != NULL, "%s", name))
		diag("message: %s", err.msg);
	snprintf(name, sizeof(name), "normalize %s: message is one printable "
	    "line", label);
	ok(!has_control(err.msg), "%s", name);
	if (why != NULL) {
		snprintf(name, sizeof(name), "normalize %s: message says '%s'",
		    label, why);
		if (!ok(strstr(err.msg, why) != NULL, "%s", name))
			diag("message: %s", err.msg);
	}
}

/* n copies of unit (a string) into a fresh buffer. */
static char *
repeat(const char *unit, size_t n)
{
	size_t len = strlen(unit), i;
	char *s = malloc(len * n + 1);

	if (s == NULL)
		abort();
	for (i = 0; i < n; i++)
		memcpy(s + i * len, unit, len);
	s[len * n] = '\0';
	return s;
}

/* A host name of exactly len characters: 63-letter labels, ".com". */
static char *
name_of_length(size_t len)
{
	char *s = malloc(len + 1);
	size_t i, label = 0;

	if (s == NULL || len < 5)
		abort();
	for (i = 0; i < len - 4; i++) {
		if (label == 63) {
			s[i] = '.';
			label = 0;
		} else {
			s[i] = (char)('a' + i % 26);
			label++;
		}
	}
	/* no label may end with the dot just before ".com" */
	if (s[len - 5] == '.')
		s[len - 5] = 'x';
	memcpy(s + len - 4, ".com", 5);
	return s;
}

static void
text_ok(const char *s, size_t max, const char *label)
{
	struct ma_err err = { MA_OK, 0, "" };
	char name[160];

	snprintf(name, sizeof(name), "text %s accepted", label);
	if (!ok(ma_text_check("name", s, max, &err) == 0, "%s", name))
		diag("message: %s", err.msg);
}

static void
text_bad(const char *s, size_t max, const char *label, const char *why)
{
	struct ma_err err = { MA_OK, 0, "" };
	char name[160];
	int rc = ma_text_check("description", s, max, &err);

	snprintf(name, sizeof(name), "text %s refused with MA_EINVAL", label);
	ok(rc == -1 && err.status == MA_EINVAL, "%s", name);
	snprintf(name, sizeof(name), "text %s: message names what and why",
	    label);
	if (!ok(strstr(err.msg, "description") != NULL &&
	    strstr(err.msg, why) != NULL && !has_control(err.msg), "%s", name))
		diag("message: %s", err.msg);
}

static void
quote_is(const char *s, const char *want, const char *label)
{
	char buf[MA_QUOTE_MAX], name[160];

	snprintf(name, sizeof(name), "quote %s", label);
	is_str(ma_quote(s, buf, sizeof(buf)), want, name);
}

static void
addr_ok(const char *in, unsigned int flags, const char *want_addr,
    const char *want_local, const char *want_domain)
{
	struct ma_address a;
	struct ma_err err;

	ma_err_clear(&err);
	if (!ok(ma_address_normalize(in, flags, &a, &err) == 0,
	    "address '%s' accepted", in)) {
		diag("error: %s", err.msg);
		return;
	}
	is_str(a.address, want_addr, "address");
	is_str(a.local, want_local, "local part");
	is_str(a.domain, want_domain, "domain");
}

static void
addr_bad(const char *in, unsigned int flags, const char *why)
{
	struct ma_address a;
	struct ma_err err;

	ma_err_clear(&err);
	ok(ma_address_normalize(in, flags, &a, &err) == -1 &&
	    err.status == MA_EINVAL, "address refused: %s", why);
	ok(strstr(err.msg, why) != NULL, "message says '%s' (%s)", why, err.msg);
}

static void
test_address(void)
{
	char big[80];

	test_begin("ma_address_normalize");
	addr_ok("Bob@Example.COM", 0, "bob@example.com", "bob", "example.com");
	addr_ok("first.last+tag@café.fr", 0, "first.last+tag@xn--caf-dma.fr",
	    "first.last+tag", "xn--caf-dma.fr");
	addr_ok("o'neil!#$%&*=?^_`{|}~-@x.org", 0,
	    "o'neil!#$%&*=?^_`{|}~-@x.org", "o'neil!#$%&*=?^_`{|}~-", "x.org");
	addr_ok("@Example.com", MA_ADDR_CATCHALL, "@example.com", "",
	    "example.com");
	addr_bad("@example.com", 0, "empty local part");
	addr_bad("", 0, "empty");
	addr_bad("bob", 0, "no '@'");
	addr_bad("a..b@x.org", 0, "two dots in a row");
	addr_bad(".a@x.org", 0, "begins or ends with a dot");
	addr_bad("a.@x.org", 0, "begins or ends with a dot");
	addr_bad("\"a\"@x.org", 0, "quoted local parts");
	addr_bad("a/b@x.org", 0, "only letters");
	addr_bad("a b@x.org", 0, "contains a space");
	addr_bad("a\tb@x.org", 0, "control character");
	addr_bad("\xc3\xa9@x.org", 0, "non-ASCII");
	addr_bad("a@b@x.org", 0, "only letters");
	addr_bad("bob@exa mple.com", 0, "contains a space");
	memset(big, 'l', 65);
	strcpy(big + 65, "@x.org");
	addr_bad(big, 0, "longer than 64");
}

int
main(void)
{
	char *s, *t, name[160];

	test_address();
	test_begin("ma_domain_normalize: accepted");
	norm_ok("example.com", "example.com", "plain");
	norm_ok("Example.COM.", "example.com", "upper case, trailing dot");
	norm_ok("mail.example.co.uk", "mail.example.co.uk", "four labels");
	norm_ok("a-b.example", "a-b.example", "inner hyphen");
	norm_ok("xn--caf-dma.fr", "xn--caf-dma.fr", "A-label stays");
	norm_ok("XN--CAF-DMA.FR", "xn--caf-dma.fr", "upper-case A-label");
	norm_ok("café.fr", "xn--caf-dma.fr", "U-label");
	norm_ok("CAFÉ.FR", "xn--caf-dma.fr", "upper-case U-label");
	norm_ok("bücher.example", "xn--bcher-kva.example", "bücher.example");
	norm_ok("www.bücher.example.", "www.xn--bcher-kva.example",
	    "U-label with trailing dot");
	norm_ok("1.2.3.example", "1.2.3.example", "numeric inner labels");
	norm_ok("123.com4", "123.com4", "top label with a digit");
	norm_ok("a.b", "a.b", "shortest");
	s = repeat("a", 63);
	t = malloc(80);
	snprintf(t, 80, "%s.com", s);
	norm_ok(t, t, "63-character label");
	free(t);
	free(s);
	s = name_of_length(253);
	is_int((int64_t)strlen(s), 253, "253-character name built");
	norm_ok(s, s, "253-character name");
	t = malloc(256);
	snprintf(t, 256, "%s.", s);
	norm_ok(t, s, "253 characters and a trailing dot");
	free(t);
	free(s);

	test_begin("ma_domain_normalize: refused");
	norm_bad("", "empty", NULL);
	norm_bad(".", "a lone dot", NULL);
	norm_bad("exa mple.com", "with a space", "space");
	norm_bad("a..b", "a..b", "empty label");
	norm_bad(".a.com", ".a.com", "empty label");
	norm_bad("a.com..", "two trailing dots", "empty label");
	norm_bad("-a.com", "-a.com", "hyphen");
	norm_bad("a-.com", "a-.com", "hyphen");
	norm_bad("a.-com", "a.-com", "hyphen");
	norm_bad("localhost", "single label", "two labels");
	norm_bad("1.2.3.4", "1.2.3.4", "all digits");
	norm_bad("example.123", "example.123", "all digits");
	norm_bad("'; DROP TABLE domain; --", "SQL injection", NULL);
	norm_bad("a_b.com", "a_b.com", NULL);
	norm_bad("a/b.com", "a/b.com", NULL);
	norm_bad("user@example.com", "an address", NULL);
	norm_bad("\xff\xfe.com", "\\xff\\xfe.com", "UTF-8");
	norm_bad("caf\xe9.fr", "Latin-1 café.fr", "UTF-8");
	norm_bad("a\tb.com", "a\\tb.com", "control");
	norm_bad("a\nb.com", "a\\nb.com", "control");
	norm_bad("example.com\r", "trailing CR", "control");
	norm_bad("a\x7f.com", "a DEL", "control");
	s = repeat("a", 64);
	t = malloc(80);
	snprintf(t, 80, "%s.com", s);
	norm_bad(t, "64-character label", "63");
	free(t);
	free(s);
	s = name_of_length(254);
	norm_bad(s, "254-character name", "253");
	free(s);
	s = name_of_length(300);
	norm_bad(s, "300-character name", "253");
	free(s);
	s = repeat("a.", 600);
	norm_bad(s, "1200-character name", "253");
	free(s);

	/* Punycode "a" decodes to U+0080, a C1 control character. */
	norm_bad("xn--a.com", "invalid A-label xn--a.com", "A-label");
	norm_bad("www.xn--a.com", "invalid inner A-label", "A-label");
	norm_bad("xn--caf-dma.xn--a", "invalid top A-label", "A-label");

	test_begin("ma_domain_unicode");
	s = ma_domain_unicode("xn--caf-dma.fr");
	is_str(s, "café.fr", "xn--caf-dma.fr is café.fr");
	free(s);
	s = ma_domain_unicode("www.xn--bcher-kva.example");
	is_str(s, "www.bücher.example", "inner A-label converted");
	free(s);
	s = ma_domain_unicode("example.com");
	is_str(s, NULL, "example.com has no U-label form");
	free(s);
	s = ma_domain_unicode("xn--a.com");
	is_str(s, NULL, "an invalid A-label (U+0080) has no U-label form");
	free(s);
	s = ma_domain_unicode("axn--b.com");
	is_str(s, NULL, "'xn--' inside a label is no A-label");
	free(s);

	test_begin("ma_text_check");
	text_ok("", 255, "empty");
	text_ok("Jean Dupont", 255, "ASCII");
	text_ok("Zoë Ñandú — 日本語 😀", 255, "UTF-8");
	text_ok("it's \"quoted\" \\ back", 255, "quotes and backslash");
	s = repeat("é", 255);
	is_int((int64_t)strlen(s), 510, "255 é are 510 bytes");
	text_ok(s, 255, "255 é (510 bytes) within 255 characters");
	free(s);
	s = repeat("é", 256);
	text_bad(s, 255, "256 é", "255 characters");
	free(s);
	s = repeat("a", 255);
	text_ok(s, 255, "255 ASCII characters");
	free(s);
	s = repeat("a", 256);
	text_bad(s, 255, "256 ASCII characters", "255");
	free(s);
	s = repeat("😀", 10);
	text_ok(s, 10, "10 four-byte characters, max 10");
	free(s);
	text_ok("日本語", 3, "3 CJK characters, max 3");
	text_bad("日本語x", 3, "4 characters, max 3", "3 characters");
	text_bad("a\tb", 255, "with a tab", "control");
	text_bad("a\nb", 255, "with a newline", "control");
	text_bad("a\rb", 255, "with a CR", "control");
	text_bad("a\x1b[31mred", 255, "with an escape", "control");
	text_bad("a\x7f", 255, "with DEL", "control");
	text_bad("caf\xe9", 255, "Latin-1", "UTF-8");
	text_bad("\xc0\xaf", 255, "overlong", "UTF-8");

	test_begin("ma_utf8_valid");
	ok(ma_utf8_valid(""), "empty is valid");
	ok(ma_utf8_valid("plain ASCII"), "ASCII is valid");
	ok(ma_utf8_valid("é"), "2-byte sequence");
	ok(ma_utf8_valid("日本"), "3-byte sequences");
	ok(ma_utf8_valid("\xf0\x9f\x98\x80"), "4-byte sequence U+1F600");
	ok(ma_utf8_valid("\xc2\x80"), "U+0080, the first 2-byte");
	ok(ma_utf8_valid("\xe0\xa0\x80"), "U+0800, the first 3-byte");
	ok(ma_utf8_valid("\xf0\x90\x80\x80"), "U+10000, the first 4-byte");
	ok(ma_utf8_valid("\xed\x9f\xbf"), "U+D7FF, before the surrogates");
	ok(ma_utf8_valid("\xee\x80\x80"), "U+E000, after the surrogates");
	ok(ma_utf8_valid("\xef\xbf\xbd"), "U+FFFD");
	ok(ma_utf8_valid("\xf4\x8f\xbf\xbf"), "U+10FFFF, the last");
	ok(!ma_utf8_valid("\xc0\xaf"), "overlong 2-byte \\xc0\\xaf refused");
	ok(!ma_utf8_valid("\xc1\xbf"), "overlong 2-byte \\xc1\\xbf refused");
	ok(!ma_utf8_valid("\xe0\x80\xaf"), "overlong 3-byte refused");
	ok(!ma_utf8_valid("\xe0\x9f\xbf"), "overlong 3-byte U+07FF refused");
	ok(!ma_utf8_valid("\xf0\x80\x80\xaf"), "overlong 4-byte refused");
	ok(!ma_utf8_valid("\xf0\x8f\xbf\xbf"), "overlong 4-byte U+FFFF refused");
	ok(!ma_utf8_valid("\xed\xa0\x80"), "surrogate U+D800 refused");
	ok(!ma_utf8_valid("\xed\xbf\xbf"), "surrogate U+DFFF refused");
	ok(!ma_utf8_valid("\xf4\x90\x80\x80"), "U+110000 refused");
	ok(!ma_utf8_valid("\xf5\x80\x80\x80"), "lead byte \\xf5 refused");
	ok(!ma_utf8_valid("\xff"), "\\xff refused");
	ok(!ma_utf8_valid("\xfe"), "\\xfe refused");
	ok(!ma_utf8_valid("\x80"), "lone continuation byte refused");
	ok(!ma_utf8_valid("a\xbf"), "stray continuation byte refused");
	ok(!ma_utf8_valid("\xc3"), "truncated 2-byte refused");
	ok(!ma_utf8_valid("a\xc3"), "truncated 2-byte at the end refused");
	ok(!ma_utf8_valid("\xe6\x97"), "truncated 3-byte refused");
	ok(!ma_utf8_valid("\xf0\x9f\x98"), "truncated 4-byte refused");
	ok(!ma_utf8_valid("\xc3("), "bad continuation refused");
	ok(!ma_utf8_valid("\xe6(\x97"), "bad continuation in 3-byte refused");

	test_begin("ma_quote");
	quote_is("abc", "abc", "plain text unchanged");
	quote_is("", "", "empty");
	quote_is("café 日本", "café 日本", "UTF-8 unchanged");
	quote_is("a\tb", "a\\x09b", "tab");
	quote_is("a\nb\r", "a\\x0ab\\x0d", "newline and CR");
	quote_is("\x1b[0m", "\\x1b[0m", "escape");
	quote_is("\x7f", "\\x7f", "DEL");
	quote_is("\xff\xfe.com", "\\xff\\xfe.com", "non-UTF-8 bytes");
	quote_is("caf\xe9", "caf\\xe9", "Latin-1 byte");
	quote_is("\xc3", "\\xc3", "truncated sequence");
	s = repeat("a", 60);
	quote_is(s, s, "60 characters kept whole");
	free(s);
	s = repeat("a", 61);
	t = repeat("a", 60);
	snprintf(name, sizeof(name), "%s...", t);
	quote_is(s, name, "61 characters cut to 60 and '...'");
	free(s);
	free(t);
	s = repeat("b", 1000);
	t = repeat("b", 60);
	snprintf(name, sizeof(name), "%s...", t);
	quote_is(s, name, "1000 characters cut to 60 and '...'");
	free(s);
	free(t);
	s = repeat("é", 100);
	t = repeat("é", 60);
	snprintf(name, sizeof(name), "%s...", t);
	quote_is(s, name, "cut counts characters, not bytes");
	free(s);
	free(t);
	s = repeat("\x01", 100);
	{
		char buf[MA_QUOTE_MAX];

		ma_quote(s, buf, sizeof(buf));
		ok(strlen(buf) < sizeof(buf) && strstr(buf, "...") != NULL,
		    "100 control bytes fit MA_QUOTE_MAX, cut");
		ok(strncmp(buf, "\\x01\\x01", 8) == 0, "each as \\x01");
	}
	free(s);
	s = repeat("x", 50);
	{
		char small[16];

		memset(small, 'Z', sizeof(small));
		ma_quote(s, small, sizeof(small));
		ok(memchr(small, '\0', sizeof(small)) != NULL,
		    "small buffer: output terminated within it");
	}
	free(s);
	/* The header: "control and non-UTF-8 bytes become \xNN". */
	quote_is("\xed\xa0\x80", "\\xed\\xa0\\x80", "surrogate escaped");
	quote_is("\xe0\x80\xaf", "\\xe0\\x80\\xaf", "overlong 3-byte escaped");
	quote_is("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80",
	    "above U+10FFFF escaped");
	quote_is("\xc0\xaf", "\\xc0\\xaf", "overlong 2-byte escaped");

	test_begin("ma_err helpers");
	{
		struct ma_err err;

		is_int(ma_fail(&err, MA_EEXIST, 17, "domain '%s' exists",
		    "x.org"), -1, "ma_fail returns -1");
		is_int(err.status, MA_EEXIST, "ma_fail sets status");
		is_int(err.code, 17, "ma_fail sets code");
		is_str(err.msg, "domain 'x.org' exists", "ma_fail sets message");
		is_int(ma_err_prefix(&err, "add %s", "x.org"), -1,
		    "ma_err_prefix returns -1");
		is_str(err.msg, "add x.org: domain 'x.org' exists",
		    "ma_err_prefix prefixes");
		is_int(err.status, MA_EEXIST, "ma_err_prefix keeps status");
		s = repeat("y", 600);
		ma_fail(&err, MA_EINVAL, 0, "%s", s);
		is_int((int64_t)strlen(err.msg), sizeof(err.msg) - 1,
		    "long message truncated to the buffer");
		ma_err_prefix(&err, "%s", s);
		is_int((int64_t)strlen(err.msg), sizeof(err.msg) - 1,
		    "long prefix truncated to the buffer");
		free(s);
		ma_err_clear(&err);
		ok(err.status == MA_OK && err.code == 0 && err.msg[0] == '\0',
		    "ma_err_clear");
	}
	return done_testing();
}
