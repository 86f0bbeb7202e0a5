/* The migration's rules for single legacy values (lib/migrate-norm.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate-priv.h"
#include "tap.h"

static void
test_numbers(void)
{
	static const struct {
		const char *s;
		int rc;
		int64_t v;
	} cases[] = {
		{ "12", 0, 12 }, { "-1", 0, -1 }, { "+7", 0, 7 },
		{ "52428800.0", 0, 52428800 }, { "0", 0, 0 },
		{ "1.5", -1, 0 }, { "abc", -1, 0 }, { "", -1, 0 }, { " 1", -1, 0 },
		{ "12S", -1, 0 }, { "99999999999999999999", -1, 0 },
	};
	size_t i;
	int64_t v;

	test_begin("integers");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = 0;
		ok(mg_int(cases[i].s, &v) == cases[i].rc && (cases[i].rc < 0 ||
		    v == cases[i].v), "mg_int '%s'", cases[i].s);
	}
}

static void
test_flags_dates(void)
{
	char d[20];
	int b;

	test_begin("flags and dates");
	ok(mg_bool("1", &b) == 0 && b == 1, "1");
	ok(mg_bool("N", &b) == 0 && b == 0, "N");
	ok(mg_bool("yes", &b) == 0 && b == 1, "yes");
	ok(mg_bool("False", &b) == 0 && b == 0, "False");
	ok(mg_bool("2", &b) < 0, "2 is no flag");
	ok(mg_date("2005-07-11 08:23:53", d) == 0 &&
	    strcmp(d, "2005-07-11 08:23:53") == 0, "a datetime");
	ok(mg_date("2005-07-11T08:23:53.000", d) == 0 &&
	    strcmp(d, "2005-07-11 08:23:53") == 0, "ISO with a fraction");
	ok(mg_date("2005-07-11", d) == 0 &&
	    strcmp(d, "2005-07-11 00:00:00") == 0, "a date");
	is_int(mg_date("0000-00-00 00:00:00", d), 1, "the zero date");
	is_int(mg_date("0000-00-00", d), 1, "the zero date, short");
	is_int(mg_date("2005-13-01 00:00:00", d), -1, "month 13");
	is_int(mg_date("yesterday", d), -1, "not a date");
	is_int(mg_date("2005-07-11 8:23", d), -1, "a short time");
	is_int(mg_date("2005- 7-11", d), -1, "a blank for a digit");
	is_int(mg_date("2005-07-11 08:23:5x", d), -1, "a letter in the time");
	is_int(mg_date("2005-07-11 08:23", d), -1, "no seconds");
	ok(mg_date("1999-12-31T23:59:59", d) == 0 &&
	    strcmp(d, "1999-12-31 23:59:59") == 0, "ISO with a T");
	is_int(mg_date("1999-12-31 23:60:00", d), -1, "minute 60");
}

static void
quota_is(const char *s, int rc, int64_t bytes, int64_t msgs, int nounit)
{
	int64_t b = -5, m = -5;
	int n = -5, got = mg_maildirpp_quota(s, &b, &m, &n);

	if (!ok(got == rc && (rc < 0 || (b == bytes && m == msgs &&
	    n == nounit)), "Maildir++ quota '%s'", s))
		diag("rc %d bytes %lld messages %lld nounit %d", got,
		    (long long)b, (long long)m, n);
}

static void
test_quotas(void)
{
	test_begin("Maildir++ quotas");
	quota_is("", 0, 0, 0, 0);
	quota_is("0", 0, 0, 0, 0);
	quota_is("10000000S", 0, 10000000, 0, 0);
	quota_is("52428800S,1000C", 0, 52428800, 1000, 0);
	quota_is("2000C", 0, 0, 2000, 0);
	quota_is("104857600", 0, 104857600, 0, 1);
	quota_is(" 100S , 5C ", 0, 100, 5, 0);
	quota_is("5M", -1, 0, 0, 0);
	quota_is("S", -1, 0, 0, 0);
	quota_is("100S,", -1, 0, 0, 0);
}

static void
repaired_is(const char *s, const char *want, const char *name)
{
	char *fixed = NULL;
	int rc = mg_double_encoded(s, &fixed);

	if (want == NULL)
		ok(rc == 0 && fixed == NULL, "%s: left as it is", name);
	else
		is_str(rc == 1 ? fixed : "(not repaired)", want, name);
	free(fixed);
}

static void
test_text(void)
{
	char *l1;

	test_begin("text");
	repaired_is("G\xc3\x83\xc2\xa9rard Lef\xc3\x83\xc2\xa8vre",
	    "G\xc3\xa9rard Lef\xc3\xa8vre", "UTF-8 read as latin1 is repaired");
	repaired_is("\xc3\xa2\xe2\x82\xac\xe2\x80\x9c", "\xe2\x80\x93",
	    "an en dash through cp1252 (0x80, 0x93)");
	repaired_is("No\xc3\xabl Lef\xc3\xa8vre", NULL, "real latin1 text");
	repaired_is("plain ASCII", NULL, "ASCII");
	repaired_is("\xc5\x93uvre", NULL, "cp1252 text whose bytes are no UTF-8");
	ok(mg_text_problem("Compta O'Brien \\ Dupont; --SAV\n2e ligne", 39,
	    255) == NULL, "quotes, backslash, semicolon, line break are text");
	ok(mg_text_problem("a\0b", 3, 255) != NULL, "a NUL byte is not");
	ok(mg_text_problem("G\xe9rard", 6, 255) != NULL, "latin1 bytes are not");
	ok(mg_text_problem("abc", 3, 2) != NULL, "too long");
	l1 = mg_latin1("\xc3\xa9t\xc3\xa9" "2009");
	is_str(l1, "\xe9t\xe9" "2009", "UTF-8 to latin1 bytes");
	free(l1);
	l1 = mg_latin1("\xe2\x82\xac");
	is_str(l1, "\x80", "the euro sign is 0x80 in cp1252");
	free(l1);
	ok(mg_latin1("\xe2\x86\x92") == NULL, "an arrow has no latin1 byte");
}

/* The targets of s, comma-joined, with the flags: "a,b|blanks|seps". */
static void
split_is(const char *s, const char *want)
{
	struct mg_goto g;
	char got[512] = "";
	size_t i;

	if (mg_goto_split(s, &g) < 0) {
		ok(0, "mg_goto_split");
		return;
	}
	for (i = 0; i < g.n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
		    i ? "," : "", g.v[i]);
	snprintf(got + strlen(got), sizeof(got) - strlen(got), "|%d|%d",
	    g.outer_blanks, g.separators);
	is_str(got, want, s);
	mg_goto_release(&g);
}

static void
test_goto(void)
{
	test_begin("goto lists");
	split_is("a@x.org", "a@x.org|0|0");
	split_is("a@x.org,b@y.org", "a@x.org,b@y.org|0|0");
	split_is("a@x.org, b@y.org", "a@x.org,b@y.org|0|0");
	split_is("contact@x.fr ", "contact@x.fr|1|0");
	split_is(" contact@x.fr\r", "contact@x.fr|1|0");
	split_is("a@x.fr, b@y.fr,\r\nc@z.fr,d@w.fr,", "a@x.fr,b@y.fr,c@z.fr,"
	    "d@w.fr|0|1");
	split_is("a@x.fr b@y.fr", "a@x.fr,b@y.fr|0|1");
	split_is("a@x.fr,,b@y.fr", "a@x.fr,b@y.fr|0|1");
	split_is(",a@x.fr", "a@x.fr|0|1");
	split_is("", "|0|0");
}

int
main(void)
{
	test_numbers();
	test_flags_dates();
	test_quotas();
	test_text();
	test_goto();
	return done_testing();
}
