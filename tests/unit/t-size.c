/* ma_size_parse, ma_limit_parse, ma_size_format. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "size.h"
#include "tap.h"

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)
#define TiB (1024ULL * GiB)

static void
size_ok(const char *s, uint64_t want)
{
	struct ma_err err = { MA_OK, 0, "" };
	uint64_t got = 12345;
	char name[128];

	snprintf(name, sizeof(name), "size '%s' is %llu", s,
	    (unsigned long long)want);
	if (!ok(ma_size_parse(s, &got, &err) == 0 && got == want, "%s", name))
		diag("got %llu, rc message '%s'", (unsigned long long)got,
		    err.msg);
}

/* s is refused with MA_EINVAL; the message names 'value' and holds hint. */
static void
size_bad(const char *s, const char *quoted, const char *hint)
{
	struct ma_err err = { MA_OK, 0, "" };
	uint64_t got = 12345;
	char name[160], want[160];
	int rc = ma_size_parse(s, &got, &err);

	snprintf(name, sizeof(name), "size '%s' refused", quoted);
	is_int(rc, -1, name);
	snprintf(name, sizeof(name), "size '%s': MA_EINVAL", quoted);
	is_int(err.status, MA_EINVAL, name);
	snprintf(want, sizeof(want), "'%s'", quoted);
	snprintf(name, sizeof(name), "size '%s': message names the value",
	    quoted);
	if (!ok(strstr(err.msg, want) != NULL, "%s", name))
		diag("message: %s", err.msg);
	if (hint != NULL) {
		snprintf(name, sizeof(name), "size '%s': message says '%s'",
		    quoted, hint);
		if (!ok(strstr(err.msg, hint) != NULL, "%s", name))
			diag("message: %s", err.msg);
	}
	snprintf(name, sizeof(name), "size '%s': message is one printable line",
	    quoted);
	if (!ok(!has_control(err.msg), "%s", name))
		diag("message: %s", err.msg);
	is_int((int64_t)got, 12345, "output untouched on error");
}

static void
limit_ok(const char *s, int sizes, int64_t want)
{
	struct ma_err err = { MA_OK, 0, "" };
	int64_t got = 12345;
	char name[128];

	snprintf(name, sizeof(name), "limit '%s' (%s) is %lld", s,
	    sizes ? "size" : "count", (long long)want);
	if (!ok(ma_limit_parse(s, sizes, &got, &err) == 0 && got == want,
	    "%s", name))
		diag("got %lld, message '%s'", (long long)got, err.msg);
}

static void
limit_bad(const char *s, int sizes)
{
	struct ma_err err = { MA_OK, 0, "" };
	int64_t got = 12345;
	char name[128], want[128];
	int rc = ma_limit_parse(s, sizes, &got, &err);

	snprintf(name, sizeof(name), "limit '%s' (%s) refused with MA_EINVAL",
	    s, sizes ? "size" : "count");
	ok(rc == -1 && err.status == MA_EINVAL, "%s", name);
	snprintf(want, sizeof(want), "'%s'", s);
	snprintf(name, sizeof(name), "limit '%s': message names the value", s);
	if (!ok(strstr(err.msg, want) != NULL, "%s", name))
		diag("message: %s", err.msg);
}

static void
format_is(int64_t bytes, const char *want)
{
	char buf[32], name[96];

	memset(buf, 'x', sizeof(buf));
	snprintf(name, sizeof(name), "format %lld is '%s'", (long long)bytes,
	    want);
	is_str(ma_size_format(bytes, buf, sizeof(buf)), want, name);
}

int
main(void)
{
	test_begin("ma_size_parse: accepted");
	size_ok("0", 0);
	size_ok("1", 1);
	size_ok("1024", 1024);
	size_ok("1000000", 1000000);
	size_ok("512B", 512);
	size_ok("1K", KiB);
	size_ok("1k", KiB);
	size_ok("2M", 2 * MiB);
	size_ok("2m", 2 * MiB);
	size_ok("3G", 3 * GiB);
	size_ok("3g", 3 * GiB);
	size_ok("1T", TiB);
	size_ok("1t", TiB);
	size_ok("1536M", 1536 * MiB);
	size_ok("1KiB", KiB);
	size_ok("4MiB", 4 * MiB);
	size_ok("5GiB", 5 * GiB);
	size_ok("2TiB", 2 * TiB);
	size_ok("1KB", KiB);
	size_ok("10MB", 10 * MiB);
	size_ok("1GB", GiB);
	size_ok("1kb", KiB);
	size_ok("1mib", MiB);
	size_ok("1gib", GiB);
	size_ok("unlimited", 0);
	size_ok("UNLIMITED", 0);
	size_ok("Unlimited", 0);
	size_ok("9223372036854775807", INT64_MAX);
	size_ok("8388607T", 8388607ULL * TiB);

	test_begin("ma_size_parse: refused");
	size_bad("-1", "-1", NULL);
	size_bad("1.5G", "1.5G", "fraction");
	size_bad("1,5G", "1,5G", "fraction");
	size_bad("99999999999999999999", "99999999999999999999", "too large");
	size_bad("9223372036854775808", "9223372036854775808", "too large");
	size_bad("8388608T", "8388608T", "too large");
	size_bad("10Q", "10Q", NULL);
	size_bad("8E", "8E", NULL);
	size_bad("1P", "1P", NULL);
	size_bad("", "", NULL);
	size_bad("G", "G", NULL);
	size_bad("1 G", "1 G", NULL);
	size_bad(" 1G", " 1G", NULL);
	size_bad("1G ", "1G ", NULL);
	size_bad("10KK", "10KK", NULL);
	size_bad("10iB", "10iB", NULL);
	size_bad("+5", "+5", NULL);
	size_bad("0x10", "0x10", NULL);
	size_bad("unlimitedx", "unlimitedx", NULL);
	size_bad("1G\n", "1G\\x0a", NULL);
	size_bad("5\x1b[2J", "5\\x1b[2J", "unit '\\x1b[2J'");
	test_begin("ma_limit_parse");
	limit_ok("-1", 0, -1);
	limit_ok("disabled", 0, -1);
	limit_ok("DISABLED", 0, -1);
	limit_ok("unlimited", 0, 0);
	limit_ok("0", 0, 0);
	limit_ok("1", 0, 1);
	limit_ok("250", 0, 250);
	limit_ok("2147483647", 0, INT32_MAX);
	limit_bad("2147483648", 0);
	limit_bad("99999999999999999999", 0);
	limit_bad("10K", 0);
	limit_bad("abc", 0);
	limit_bad("", 0);
	limit_bad("-5", 0);
	limit_bad("-2", 0);
	limit_bad("+5", 0);
	limit_bad("5 ", 0);
	limit_bad("1.5", 0);
	limit_ok("-1", 1, -1);
	limit_ok("disabled", 1, -1);
	limit_ok("unlimited", 1, 0);
	limit_ok("0", 1, 0);
	limit_ok("10G", 1, (int64_t)(10 * GiB));
	limit_ok("2147483648", 1, 2147483648LL);
	limit_bad("-2", 1);
	limit_bad("1.5G", 1);
	limit_bad("8E", 1);

	test_begin("ma_size_format");
	format_is(0, "unlimited");
	format_is(-1, "disabled");
	format_is(1, "1");
	format_is(1000, "1000");
	format_is(1000000, "1000000");
	format_is(1024, "1K");
	format_is(1536, "1536");
	format_is(1048576, "1M");
	format_is(1073741824, "1G");
	format_is(2147483648LL, "2G");
	format_is(1536LL * 1048576, "1536M");
	format_is(1024000, "1000K");
	format_is((int64_t)TiB, "1T");
	format_is((int64_t)(1024 * TiB), "1024T");
	format_is(INT64_MAX, "9223372036854775807");
	{
		char small[3];

		is_str(ma_size_format(1073741824, small, sizeof(small)), "1G",
		    "format fits a 3-byte buffer");
		ma_size_format(1000000, small, sizeof(small));
		is_int((int64_t)strlen(small), 2,
		    "format truncates to the buffer");
	}

	test_begin("format and parse round-trip");
	{
		static const uint64_t v[] = { 1, 1023, KiB, 1536 * MiB, GiB,
		    3 * TiB, 1024000, 123456789 };
		char buf[32], name[96];
		struct ma_err err;
		uint64_t back;
		size_t i;

		for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			ma_size_format((int64_t)v[i], buf, sizeof(buf));
			back = 0;
			snprintf(name, sizeof(name), "round-trip %llu via '%s'",
			    (unsigned long long)v[i], buf);
			ok(ma_size_parse(buf, &back, &err) == 0 && back == v[i],
			    "%s", name);
		}
	}
	return done_testing();
}
