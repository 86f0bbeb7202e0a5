/*
 * Maildir++ quota: maildirsize parsing, counting, the rules for when to
 * count again, and rewriting, checked against Courier's own maildirmake
 * and deliverquota (Debian package maildrop) on the same Maildirs: what
 * they write, mailadm writes byte for byte, and what mailadm writes, they
 * read as mailadm does.  Bad maildirsize files and Maildirs with links,
 * FIFOs and odd names are handled without a crash and without a write
 * outside the Maildir.  Runs as root (chown to 5000:5000).
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "maildir.h"
#include "quota-priv.h"
#include "quota.h"
#include "tap.h"
#include "tfs.h"

#define UID 5000
#define GID 5000

static char top[64];		/* mkdtemp: vmail/, outside/, ref/ */
static struct ma_maildir_opts o;
static struct ma_vmail v;


/* A file of size bytes at path ("x" lines). */
static void
put_sized(const char *path, size_t size)
{
	FILE *f = fopen(path, "w");
	size_t i;

	for (i = 0; f != NULL && i < size; i++)
		fputc(i % 64 == 63 ? '\n' : 'x', f);
	if (f == NULL || fclose(f) != 0)
		diag("cannot write %s: %s", path, strerror(errno));
}

/* ------------------------------------------------------------- parse */

struct mds_case {
	const char	*name, *text;
	int64_t		 lb, lc, bytes, count;
	int		 lines;
	unsigned int	 flags;
};

static void
parse_is(const char *text, size_t len, const struct mds_case *c)
{
	struct ma_mdsize m;

	ma_mdsize_parse(text, len, &m);
	if (!ok(m.limit_bytes == c->lb && m.limit_count == c->lc &&
	    m.bytes == c->bytes && m.count == c->count && m.lines == c->lines &&
	    m.flags == c->flags, "parse: %s", c->name))
		diag("got %" PRId64 "S %" PRId64 "C, %" PRId64 " %" PRId64
		    ", %d lines, flags %u", m.limit_bytes, m.limit_count,
		    m.bytes, m.count, m.lines, m.flags);
}

static void
test_parse(void)
{
	static const struct mds_case cases[] = {
		{ "maildirmake -q and two deliveries", "10000S,5C\n"
		    "           0            0\n          42            1\n"
		    "          42            1\n", 10000, 5, 84, 2, 3, 0 },
		{ "Dovecot's short lines", "2048S\n100 1\n-50 -1\n",
		    2048, 0, 50, 0, 2, 0 },
		{ "no limit ('0S')", "0S\n 5 1\n", 0, 0, 5, 1, 1, 0 },
		{ "Courier's empty first line (no limit)", "\n 5 1\n",
		    0, 0, 5, 1, 1, 0 },
		{ "empty file", "", 0, 0, 0, 0, 0, MA_MDS_MALFORMED },
		{ "header without newline", "1000S", 1000, 0, 0, 0, 0,
		    MA_MDS_MALFORMED },
		{ "truncated line", "1000S\n   12", 1000, 0, 0, 0, 1,
		    MA_MDS_MALFORMED },
		{ "last line without newline", "1000S\n 12 1", 1000, 0, 12, 1,
		    1, MA_MDS_MALFORMED },
		{ "negative total", "1000S\n 10 1\n -20 -2\n", 1000, 0, -10,
		    -1, 2, MA_MDS_NEGATIVE },
		{ "negative line, positive total", "1000S\n 30 2\n -20 -1\n",
		    1000, 0, 10, 1, 2, 0 },
		{ "number beyond 64 bits", "1000S\n99999999999999999999 1\n"
		    " 7 1\n", 1000, 0, 7, 1, 2, MA_MDS_MALFORMED },
		{ "sum beyond 64 bits", "1000S\n9223372036854775807 1\n"
		    " 9 1\n", 1000, 0, INT64_MAX, 1, 2, MA_MDS_MALFORMED },
		{ "header number beyond 64 bits", "99999999999999999999S\n",
		    0, 0, 0, 0, 0, MA_MDS_MALFORMED },
		{ "garbage", "junk\n\x01\x02\xff\n", 0, 0, 0, 0, 1,
		    MA_MDS_MALFORMED },
		{ "two numbers then garbage (Courier sums them)",
		    "100S\n 5 1 zz\n", 100, 0, 5, 1, 1, MA_MDS_MALFORMED },
		{ "a lone minus", "100S\n - 1\n", 100, 0, 0, 0, 1,
		    MA_MDS_MALFORMED },
		{ "an empty line", "100S\n\n 5 1\n", 100, 0, 5, 1, 2,
		    MA_MDS_MALFORMED },
		{ "a size without unit ('1000')", "1000\n", 0, 0, 0, 0, 0,
		    MA_MDS_MALFORMED },
		{ "last S wins, letters skipped", "q=100S,200S,3C\n", 200, 3,
		    0, 0, 0, 0 },
		{ "CR LF lines", "100S\r\n 5 1\r\n", 100, 0, 5, 1, 1, 0 },
	};
	struct mds_case c;
	char big[MA_MDS_READ + 200];
	size_t i;

	test_begin("maildirsize parsing, as Courier reads it");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		parse_is(cases[i].text, strlen(cases[i].text), &cases[i]);
	c = (struct mds_case){ "a NUL byte ends the file (Courier's C "
	    "string)", NULL, 100, 0, 5, 1, 1, MA_MDS_MALFORMED };
	parse_is("100S\n 5 1\n\0 9 1\n", 16, &c);

	/* The 5 kB pad: Courier reads 5120 bytes and keeps the quota only. */
	memset(big, ' ', sizeof(big));
	memcpy(big, "700S\n 5 1\n", 10);
	big[MA_MDS_READ - 1] = '\n';
	c = (struct mds_case){ "5120 bytes: header only, overflow", NULL,
	    700, 0, 0, 0, 0, MA_MDS_OVERFLOW };
	parse_is(big, MA_MDS_READ, &c);
	c = (struct mds_case){ "5119 bytes: read as lines", NULL, 700, 0, 5,
	    1, 2, MA_MDS_MALFORMED };
	big[MA_MDS_READ - 2] = '\n';
	parse_is(big, MA_MDS_READ - 1, &c);
	memset(big, '7', sizeof(big));
	c = (struct mds_case){ "5120 digits, no newline", NULL, 0, 0, 0, 0, 0,
	    MA_MDS_OVERFLOW };
	parse_is(big, MA_MDS_READ, &c);
}

/* Random bytes through the parsers: under ASan, a read out of bounds fails. */
static void
test_parse_random(void)
{
	static const char text[] = "0123456789-  \nSC,x\0\r\t";
	static const char names[] = ",S=:2T0123456789";
	char buf[MA_MDS_READ + 64], name[300];
	struct ma_mdsize m;
	uint64_t size;
	int64_t b, c;
	int i, bad = 0;
	size_t n, k;

	test_begin("random bytes: no crash, sane results");
	srandom(4242);
	for (i = 0; i < 20000; i++) {
		n = (size_t)random() % (i % 10 == 0 ? sizeof(buf) : 80);
		for (k = 0; k < n; k++)	/* digits, signs and blanks mostly */
			buf[k] = text[random() % (sizeof(text) - 1)];
		ma_mdsize_parse(buf, n, &m);
		ma_mdsize_parse_limits(buf, n, &b, &c);
		if (m.lines < 0 || m.limit_bytes < 0 || m.limit_count < 0 ||
		    ((m.bytes < 0 || m.count < 0) &&
		    !(m.flags & MA_MDS_NEGATIVE)))
			bad++;
		n = (size_t)random() % (sizeof(name) - 1);
		for (k = 0; k < n; k++)
			name[k] = names[random() % (sizeof(names) - 1)];
		name[n] = '\0';
		ma_msgname_size(name, &size);
		ma_msgname_counted(name);
	}
	is_int(bad, 0, "20000 random maildirsize files and names");
}

/* ------------------------------------------------------------- names */

static void
size_is(const char *name, int found, uint64_t want)
{
	uint64_t got = 12345;
	int rc = ma_msgname_size(name, &got);

	if (!ok(rc == found && (!found || got == want), "size of '%s'", name))
		diag("rc %d, size %" PRIu64, rc, got);
}

static void
test_names(void)
{
	test_begin("message names: ,S= and the T flag, as Courier reads them");
	size_is("1795894796.M549552P10253V0000FE00I00A74142.vm,S=15", 1, 15);
	size_is("1.M1P1.host,S=1200:2,S", 1, 1200);
	size_is("1.M1P1.host,S=12,W=14:2,RS", 1, 12);
	size_is("1.M1P1.host,W=14,S=12:2,RS", 1, 12);
	size_is("1.M1P1.host,S=12x3", 1, 12);
	size_is("1.M1P1.host,S=:2,", 1, 0);
	size_is("1.M1P1.host:2,S,S=55", 0, 0);
	size_is("1.M1P1.host", 0, 0);
	size_is(",S=9", 1, 9);
	size_is("x,S=99999999999999999999", 0, 0);
	size_is("", 0, 0);
	ok(ma_msgname_counted("1.host,S=5:2,S"), "':2,S' counts");
	ok(!ma_msgname_counted("1.host,S=5:2,ST"), "':2,ST' is deleted");
	ok(!ma_msgname_counted("1.host,S=5:2,T"), "':2,T' is deleted");
	ok(ma_msgname_counted("1.host,S=5:2,aT"), "':2,aT': the flags end at "
	    "'a' (Courier)");
	ok(ma_msgname_counted("1.host,S=5:1,T"), "':1,T' is no flag");
	ok(ma_msgname_counted("1.host,T"), "no ':2,'");
	ok(!ma_folder_counted(".Trash"), ".Trash is not counted");
	ok(ma_folder_counted(".Trash.Sub"), ".Trash.Sub is");
	ok(ma_folder_counted(".Work"), ".Work is");
}

static void
test_percent(void)
{
	struct ma_quota_usage u;

	test_begin("percent and the policy's refusal");
	is_int(ma_quota_percent(80, 100), 80, "80 of 100");
	is_int(ma_quota_percent(799, 1000), 79, "floored");
	is_int(ma_quota_percent(150, 100), 150, "over 100 shows");
	is_int(ma_quota_percent(5, 0), 0, "no limit: 0");
	is_int(ma_quota_percent(INT64_MAX, 1), INT32_MAX, "capped");
	is_int(ma_quota_percent(INT64_MAX / 2, INT64_MAX), 49, "no overflow");
	memset(&u, 0, sizeof(u));
	u.limit_bytes = 100;
	u.bytes = 90;
	ok(!ma_quota_full(&u, 10), "90 + 10 of 100: not full");
	ok(ma_quota_full(&u, 11), "90 + 11 of 100: full");
	u.bytes = 100;
	ok(ma_quota_full(&u, 0), "100 of 100: full");
	ok(ma_quota_full(&u, INT64_MAX) && (u.bytes = 1, ma_quota_full(&u,
	    INT64_MAX)), "a huge size: full, no overflow");
	u.limit_bytes = 0;
	ok(!ma_quota_full(&u, INT64_MAX), "no limit: never full");
	u.limit_count = 3;
	u.count = 3;
	ok(ma_quota_full(&u, 0), "3 of 3 messages: full");
}

/* ----------------------------------------------------------- Courier */

/*
 * A Maildir at path with a bit of everything Courier's count looks at.
 * Returns the bytes Courier counts (the directory in cur/ counts its
 * size: Courier stats it).
 */
static int64_t
populate(const char *path)
{
	static const struct { const char *name; size_t size; } files[] = {
		{ "new/1000.M1P1.h,S=1200", 1200 },
		{ "new/1001.M1P1.h", 333 },		/* no ,S=: its size */
		{ "cur/1002.M1P1.h,S=500:2,S", 500 },
		{ "cur/1003.M1P1.h,S=700:2,ST", 700 },	/* deleted */
		{ "cur/1004.M1P1.h,S=77:2,T", 77 },	/* deleted */
		{ "cur/1005.M1P1.h,S=100:2,aT", 100 },
		{ "cur/.hidden,S=999", 999 },		/* skipped */
		{ "cur/1006.M1P1.h,S=12x", 30 },	/* counts 12 */
		{ "cur/1007.M1P1.h:2,S,S=55", 40 },	/* counts 40 */
		{ "tmp/1008.M1P1.h,S=9999", 9999 },	/* tmp/: no */
		{ ".Work/new/2000.M1P1.h,S=2000", 2000 },
		{ ".Work/cur/2001.M1P1.h,S=300:2,S", 300 },
		{ ".Trash/cur/3000.M1P1.h,S=5000:2,S", 5000 },
		{ ".Trash.Sub/cur/3001.M1P1.h,S=60", 60 },
		{ ".notafolder", 10 },
	};
	char p[PATH_MAX];
	struct stat st;
	size_t i;

	run("mkdir -p '%s/cur/subdir' '%s/new' '%s/tmp' '%s/.Work/cur' "
	    "'%s/.Work/new' '%s/.Trash/cur' '%s/.Trash.Sub/cur' '%s/../out/cur' "
	    "&& touch '%s/.Work/maildirfolder' && ln -s ../out '%s/.Link' && "
	    "echo 'From: x' > '%s/../out/cur/4000,S=8000'", path, path, path,
	    path, path, path, path, path, path, path, path);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", path, files[i].name);
		put_sized(p, files[i].size);
	}
	snprintf(p, sizeof(p), "%s/cur/subdir", path);
	stat(p, &st);
	return 1200 + 333 + 500 + 100 + 12 + 40 + 2000 + 300 + 60 +
	    (int64_t)st.st_size;
}

static struct ma_quota_req
req(const char *rel, int64_t quota, unsigned int flags)
{
	return (struct ma_quota_req){ .maildir = rel, .quota = quota,
	    .flags = flags, .now = time(NULL) };
}

/* ma_quota_usage on rel, which must work; *u filled. */
static void
usage_of(const char *rel, int64_t quota, unsigned int flags,
    struct ma_quota_usage *u)
{
	struct ma_err err = { MA_OK, 0, "" };
	struct ma_quota_req r = req(rel, quota, flags);

	if (ma_quota_usage(&v, &r, u, &err) < 0)
		diag("ma_quota_usage(%s): %s", rel, err.msg);
}

static void
test_recalc_same(void)
{
	struct ma_quota_usage u;
	char want[128];
	int64_t bytes;

	test_begin("recalculation: byte for byte what maildirmake -q writes");
	bytes = populate(P("../ref/a"));
	ok(run("cp -a '%s' '%s'", P("../ref/a"), P("example.org/b")) == 0,
	    "a copy of the Maildir");
	is_int(run("timeout 30 maildirmake -q 100000S '%s'", P("../ref/a")), 0,
	    "maildirmake -q recalculates it");
	snprintf(want, sizeof(want), "100000S\n%12" PRId64 " %12d\n", bytes, 10);
	is_str(slurp(P("../ref/a/maildirsize")), want, "Courier counts "
	    "what the test expects (10 messages)");
	usage_of("example.org/b/", 100000, MA_QUOTA_RECALC, &u);
	is_str(slurp(P("example.org/b/maildirsize")), want,
	    "mailadm's recalculation is the same, byte for byte");
	ok(u.state == MA_QS_RECALCULATED && u.bytes == bytes && u.count == 10 &&
	    u.limit_bytes == 100000, "and reports it: %" PRId64 " bytes, "
	    "%" PRId64 " messages, state %d", u.bytes, u.count, u.state);
	is_int(u.percent, ma_quota_percent(bytes, 100000), "percent");
	is_str(meta(P("example.org/b/maildirsize")), "0600 0:0 f",
	    "0600, owned like the Maildir (root here)");
	ok(exists(P("../ref/out/cur/4000,S=8000")), "the linked folder's "
	    "mail is still there (not counted by either)");

	/* deliverquota with its (obsolete) quota argument recalculates too. */
	is_int(run("timeout 30 deliverquota '%s' 200000S < '%s'",
	    P("../ref/a"), P("../msg")), 0, "deliverquota with a new quota");
	usage_of("example.org/b/", 200000, 0, &u);
	ok(u.state == MA_QS_RECALCULATED, "a different quota: mailadm "
	    "recounts as well (maildrop's rule)");
	snprintf(want, sizeof(want), "200000S\n%12" PRId64 " %12d\n%12d %12d\n",
	    bytes, 10, 15, 1);
	is_str(slurp(P("../ref/a/maildirsize")), want, "Courier's file: "
	    "recount, then the delivery");
	snprintf(want, sizeof(want), "200000S\n%12" PRId64 " %12d\n", bytes,
	    10);
	is_str(slurp(P("example.org/b/maildirsize")), want, "mailadm's: the "
	    "same recount");
}

/* deliverquota the 15-byte test message into path; its exit status. */
static int
deliver(const char *path)
{
	return run("env -u HOME timeout 30 deliverquota '%s' < '%s/msg' "
	    "> /dev/null 2>&1", path, top);
}

/*
 * The Maildir rel (made fresh by ma_maildir_create) gets the maildirsize
 * text, its mtime age seconds ago; then mailadm's verdict for a 15-byte
 * message is checked against deliverquota's, and the files mailadm and
 * Courier leave are compared: Courier's must be mailadm's (recounted or
 * not) plus the delivery's line.
 */
static void
rule_case(const char *rel, const char *text, int age, int64_t quota,
    int recount, const char *name)
{
	struct ma_err err = { MA_OK, 0, "" };
	struct ma_quota_req r = req(rel, quota, 0);
	struct ma_quota_usage u;
	struct timeval tv[2];
	char ours[6000], theirs[6000], want[6100];
	int full, rc;

	run("rm -rf '%s' '%s'", P("%s", rel), P("../ref/c"));
	ma_maildir_create(&o, rel, 1, &err);
	put_sized(P("%snew/1.M1P1.h,S=40", rel), 40);
	put_sized(P("%scur/2.M1P1.h,S=60:2,S", rel), 60);
	put_file(P("%smaildirsize", rel), text);
	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec -= age;
	tv[1] = tv[0];
	utimes(P("%smaildirsize", rel), tv);
	run("cp -a '%s' '%s'", P("%s", rel), P("../ref/c"));
	r.extra_bytes = 15;
	r.extra_count = 1;
	rc = ma_quota_usage(&v, &r, &u, &err);
	full = ma_quota_full(&u, 15);
	ok(rc == 0 && (u.state == MA_QS_RECALCULATED) == recount,
	    "%s: mailadm %s", name, recount ? "recounts" : "trusts the file");
	snprintf(ours, sizeof(ours), "%s", slurp(P("%smaildirsize", rel)));
	rc = deliver(P("../ref/c"));
	is_int(rc, full ? 77 : 0, full ? "and refuses, as deliverquota "
	    "does (77)" : "and accepts, as deliverquota does");
	snprintf(theirs, sizeof(theirs), "%s", slurp(P("../ref/c/"
	    "maildirsize")));
	snprintf(want, sizeof(want), "%s%s", ours, full ? "" :
	    "          15            1\n");
	is_str(theirs, want, "Courier's file is mailadm's plus the delivery");
}

static void
test_rules(void)
{
	char pad[6000];
	int n;

	test_begin("when to recount: mailadm and deliverquota agree");
	rule_case("example.org/r/", "1000S\n 100 2\n", 0, 1000, 0,
	    "a good file");
	rule_case("example.org/r/", "90S\n 100 2\n", 0, 90, 0,
	    "over quota, one line, fresh");
	rule_case("example.org/r/", "90S\n 100 2\n", 20 * 60, 90, 1,
	    "over quota, one line, 20 minutes old");
	rule_case("example.org/r/", "110S\n 50 1\n 50 1\n", 0, 110, 1,
	    "over with the message, two lines");
	rule_case("example.org/r/", "1000S\n 7 1\n -500 -3\n", 0, 1000, 1,
	    "a negative total");
	n = snprintf(pad, sizeof(pad), "1000S\n 100 2\n");
	memset(pad + n, ' ', 5200 - (size_t)n);
	pad[5199] = '\n';
	pad[5200] = '\0';
	rule_case("example.org/r/", pad, 0, 1000, 1, "a 5 kB pad");
	rule_case("example.org/r/", "1000S\n 100 2\n", 0, 0, 0,
	    "the mailbox has no quota: the file's limit holds");
	rule_case("example.org/r/", "1000S\n 30 1\n", 0, 0, 0,
	    "an undercount under quota is trusted (as Courier does)");
}

static void
test_reads_courier(void)
{
	struct ma_err err = { MA_OK, 0, "" };
	struct ma_quota_usage u, c;
	const char *rel = "example.org/d/";
	char was[1024];
	int i, rc = 0;

	test_begin("what deliverquota writes, mailadm reads");
	ma_maildir_create(&o, rel, 10 * 15 + 14, &err);
	for (i = 0; i < 10 && rc == 0; i++)
		rc = deliver(P("%s", rel));
	is_int(rc, 0, "ten deliveries");
	usage_of(rel, 10 * 15 + 14, MA_QUOTA_READONLY, &u);
	ok(u.state == MA_QS_OK && u.bytes == 150 && u.count == 10,
	    "maildirsize read as it is: 150 bytes, 10 messages");
	is_int(u.percent, 150 * 100 / 164, "percent");
	usage_of(rel, 10 * 15 + 14, MA_QUOTA_RECALC | MA_QUOTA_READONLY, &c);
	ok(c.bytes == u.bytes && c.count == u.count, "a recount agrees");
	ok(!ma_quota_full(&u, 14) && ma_quota_full(&u, 15),
	    "14 more bytes fit, 15 do not");
	is_int(deliver(P("%s", rel)), 77, "deliverquota agrees: 15 do not");

	/* mailadm raises the quota; deliverquota reads the new line. */
	snprintf(was, sizeof(was), "400S\n%s", strchr(slurp(P("%smaildirsize",
	    rel)), '\n') + 1);
	if (!ok(ma_quota_apply(&v, rel, 400, &err) == 0, "quota 400"))
		diag("%s", err.msg);
	is_str(slurp(P("%smaildirsize", rel)), was, "first line replaced, "
	    "usage lines kept");
	is_int(deliver(P("%s", rel)), 0, "deliverquota takes the new limit");
	ok(ma_quota_apply(&v, rel, 100, &err) == 0, "quota 100");
	is_int(deliver(P("%s", rel)), 77, "and refuses at once");
	ok(ma_quota_apply(&v, rel, 0, &err) == 0, "quota 0");
	ok(strncmp(slurp(P("%smaildirsize", rel)), "0S\n", 3) == 0,
	    "written '0S'");
	is_int(deliver(P("%s", rel)), 0, "deliverquota: '0S' is no limit");
	usage_of(rel, 0, 0, &u);
	ok(u.state == MA_QS_OK && u.bytes == 180 && u.count == 12 &&
	    u.limit_bytes == 0 && u.percent == 0, "12 messages, no limit");
}

/* ------------------------------------------------------- apply, owner */

static void
test_apply(void)
{
	struct ma_err err = { MA_OK, 0, "" };
	struct ma_quota_usage u;
	struct ma_mds f;
	const char *rel = "example.org/e/", *ms = P("example.org/e/maildirsize");
	char where[PATH_MAX];
	int mfd;

	test_begin("a new quota into maildirsize");
	ma_maildir_create(&o, rel, 0, &err);
	ok(!exists(ms), "no quota, no maildirsize (as maildirmake)");
	ok(ma_quota_apply(&v, rel, 0, &err) == 0 && !exists(ms),
	    "quota 0 and no file: nothing made");
	put_sized(P("%snew/1.M1P1.h,S=42", rel), 42);
	ok(ma_quota_apply(&v, rel, 5000, &err) == 0, "quota 5000");
	is_str(slurp(ms), "5000S\n          42            1\n",
	    "no file: the messages are counted and the file made");
	is_str(meta(ms), "0600 5000:5000 f", "0600, owned like the Maildir");
	put_file(ms, "1000S,50C\n          10            1\n");
	chown(ms, 0, 0);
	chmod(ms, 0644);
	ma_quota_apply(&v, rel, 7, &err);
	is_str(slurp(ms), "7S\n          10            1\n",
	    "a message-count limit goes, the lines stay");
	is_str(meta(ms), "0600 5000:5000 f", "and a root-owned 0644 file is "
	    "given back to the Maildir's owner");
	put_file(ms, "1000S");
	ma_quota_apply(&v, rel, 8, &err);
	is_str(slurp(ms), "8S\n          42            1\n",
	    "a header without newline: counted again");
	put_file(ms, "1000S\n garbage\n");
	ma_quota_apply(&v, rel, 9, &err);
	is_str(slurp(ms), "9S\n          42            1\n",
	    "a garbage line: counted again");
	ok(count_dir(P("%stmp", rel)) == 0, "nothing left in tmp/");

	/* A delivery appends to the old file while the new one is made. */
	put_file(ms, "1000S\n          42            1\n");
	snprintf(where, sizeof(where), "%s/%s", base, rel);
	mfd = open(P("%s", rel), O_RDONLY | O_DIRECTORY);
	ma_mds_read(mfd, "maildirsize", &f);
	run("printf '%%12d %%12d\\n' 15 1 >> '%s'", ms);
	ok(ma_mds_set_header(mfd, where, &f, "2000S\n", &err) == 0,
	    "header rewritten");
	ma_mds_close(&f);
	close(mfd);
	is_str(slurp(ms), "2000S\n          42            1\n          15     "
	    "       1\n", "the line appended meanwhile is carried over");

	fails(ma_quota_apply(&v, "example.org/nobody/", 5, &err), &err,
	    MA_ENOTFOUND, "nobody", "no Maildir");
	ok(!exists(P("example.org/nobody")), "none made");
	usage_of("example.org/nobody/", 5, 0, &u);
	ok(u.state == MA_QS_NO_MAILDIR && u.bytes == 0 && u.limit_bytes == 5,
	    "usage of a missing Maildir: none, said so");
	usage_of("example.org/e/", 0, MA_QUOTA_READONLY, &u);
	ok(u.state == MA_QS_OK, "read only: the file as it is");
	unlink(ms);
	usage_of("example.org/e/", 0, 0, &u);
	ok(u.state == MA_QS_COUNTED && u.bytes == 42 && !exists(ms),
	    "no quota and no file: counted, no file made");
	usage_of("example.org/e/", 100, MA_QUOTA_READONLY, &u);
	ok(u.state == MA_QS_COUNTED && u.bytes == 42 && u.percent == 42 &&
	    !exists(ms), "a quota, read only: counted, no file made");
	usage_of("example.org/e/", 100, 0, &u);
	ok(u.state == MA_QS_RECALCULATED && exists(ms), "a quota: counted "
	    "and the file made (as maildrop makes it)");
}

/* --------------------------------------------------------------- links */

static void
test_links(void)
{
	struct ma_err err = { MA_OK, 0, "" };
	struct ma_quota_usage u;
	struct ma_quota_req r;
	const char *rel = "example.org/l/";

	test_begin("links, FIFOs and odd files: refused or not counted");
	ma_maildir_create(&o, rel, 1000, &err);
	put_file(P("../outside/precious"), "keep me\n");
	run("mkdir -p '%s' && ln -s ../../../../outside/precious "
	    "'%snew/1.M1P1.h' && ln -s ../../../../outside/precious "
	    "'%snew/2.M1P1.h,S=3' && ln -s '%s' '%s.Evil' && "
	    "ln -s ../../../outside '%s.Evil2'", P("../outside/x/cur"),
	    P("%s", rel), P("%s", rel), P("../outside/x"), P("%s", rel),
	    P("%s", rel));
	put_sized(P("../outside/x/cur/1,S=5000"), 10);
	usage_of(rel, 1000, MA_QUOTA_RECALC, &u);
	ok(u.bytes == 3 && u.count == 1, "a linked message counts only by "
	    "its ,S= name; linked folders not at all (%" PRId64 ")", u.bytes);

	r = req(rel, 1000, MA_QUOTA_RECALC);
	unlink(P("%smaildirsize", rel));
	symlink(P("../outside/precious"), P("%smaildirsize", rel));
	fails(ma_quota_usage(&v, &r, &u, &err), &err, MA_EPERM,
	    "symbolic link", "maildirsize is a link");
	fails(ma_quota_apply(&v, rel, 5, &err), &err, MA_EPERM,
	    "symbolic link", "apply through it");
	ok(is_link(P("%smaildirsize", rel)), "the link stays");
	unlink(P("%smaildirsize", rel));
	run("rm -rf '%s' && ln -s ../../../outside '%s'", P("%stmp", rel),
	    P("%stmp", rel));
	fails(ma_quota_usage(&v, &r, &u, &err), &err, MA_EPERM,
	    "symbolic link", "tmp/ is a link: no rewrite");
	fails(ma_quota_apply(&v, rel, 5, &err), &err, MA_EPERM,
	    "symbolic link", "nor through apply");
	r.flags |= MA_QUOTA_NO_WRITE_ERR;
	ok(ma_quota_usage(&v, &r, &u, &err) == 0 && u.state == MA_QS_COUNTED &&
	    strstr(u.why, "not rewritten") != NULL, "unless told to go on: "
	    "counted, and why it was not written: %s", u.why);
	run("rm '%s' && mkdir '%s' && rm -rf '%s' && ln -s "
	    "../../../outside/x/cur '%s'", P("%stmp", rel), P("%stmp", rel),
	    P("%scur", rel), P("%scur", rel));
	usage_of(rel, 1000, MA_QUOTA_RECALC, &u);
	ok(u.bytes == 3 && u.count == 1, "a linked cur/ is not counted");

	run("ln -s '%s' '%s'", P("%s", rel), P("example.org/ll"));
	r = req("example.org/ll/", 1000, 0);
	fails(ma_quota_usage(&v, &r, &u, &err), &err, MA_EPERM,
	    "symbolic link", "the Maildir is a link");
	r = req("../outside/", 1000, 0);
	fails(ma_quota_usage(&v, &r, &u, &err), &err, MA_EINVAL, "'..'",
	    "a maildir out of vmail_base");
	fails(ma_quota_apply(&v, "/etc/", 5, &err), &err, MA_EINVAL,
	    "relative", "an absolute maildir");

	unlink(P("%smaildirsize", rel));
	mkfifo(P("%smaildirsize", rel), 0600);
	r = req(rel, 1000, 0);
	alarm(10);	/* a hang here would be the bug */
	fails(ma_quota_usage(&v, &r, &u, &err), &err, MA_EIO,
	    "not a regular file", "maildirsize is a FIFO: no hang");
	alarm(0);
	unlink(P("%smaildirsize", rel));
	mkdir(P("%smaildirsize", rel), 0700);
	fails(ma_quota_usage(&v, &r, &u, &err), &err, MA_EIO,
	    "not a regular file", "maildirsize is a directory");
	rmdir(P("%smaildirsize", rel));

	put_sized(P("%snew/3.M1P1.h", rel), 25);
	chmod(P("%snew/3.M1P1.h", rel), 0);
	usage_of(rel, 1000, MA_QUOTA_RECALC, &u);
	ok(u.bytes == 28 && u.count == 2, "an unreadable message counts (its "
	    "size is known)");
	is_str(slurp(P("../outside/precious")), "keep me\n",
	    "nothing outside vmail_base was written");
	ok(count_dir(P("../outside")) == 2, "nor made there");
}

/* -------------------------------------------------------- concurrency */

static void
test_concurrent(void)
{
	struct ma_err err = { MA_OK, 0, "" };
	const char *rel = "example.org/k/";
	int i, status, torn = 0;
	pid_t pid;

	test_begin("rewrites while a reader reads: never a torn file");
	ma_maildir_create(&o, rel, 1000, &err);
	put_file(P("%smaildirsize", rel), "1000S\n          42            1\n");
	if ((pid = fork()) == 0) {
		struct ma_mdsize m;
		char buf[MA_MDS_READ];
		ssize_t n;
		int fd, bad = 0;

		for (i = 0; i < 20000; i++) {
			if ((fd = open(P("%smaildirsize", rel), O_RDONLY)) < 0) {
				bad++;
				continue;
			}
			n = read(fd, buf, sizeof(buf));
			close(fd);
			ma_mdsize_parse(buf, n > 0 ? (size_t)n : 0, &m);
			if (n <= 0 || m.flags != 0 || m.bytes != 42 ||
			    (m.limit_bytes != 1000 && m.limit_bytes != 2000))
				bad++;
		}
		_exit(bad > 255 ? 255 : bad);
	}
	for (i = 0; i < 400; i++)
		if (ma_quota_apply(&v, rel, i % 2 ? 1000 : 2000, &err) < 0)
			torn++;
	waitpid(pid, &status, 0);
	ok(torn == 0, "400 rewrites");
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the reader saw "
	    "whole files only (%d bad reads)", WIFEXITED(status) ?
	    WEXITSTATUS(status) : -1);
	ok(count_dir(P("%stmp", rel)) == 0, "nothing left in tmp/");
}

int
main(void)
{
	struct ma_err err = { MA_OK, 0, "" };

	if (geteuid() != 0) {
		printf("1..0 # SKIP chown to %d:%d needs root\n", UID, GID);
		return 0;
	}
	snprintf(top, sizeof(top), "/tmp/t-quota.XXXXXX");
	if (mkdtemp(top) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(base, sizeof(base), "%s/vmail", top);
	chmod(top, 0755);
	mkdir(base, 0755);
	mkdir(P("example.org"), 0755);
	mkdir(P("../outside"), 0755);
	mkdir(P("../ref"), 0755);
	put_file(P("../msg"), "From: a\n\nhello\n");	/* 15 bytes */
	o.base = base;
	o.uid = UID;
	o.gid = GID;
	if (ma_vmail_open(&v, &o, &err) < 0) {
		printf("Bail out! %s\n", err.msg);
		return 1;
	}

	test_parse();
	test_parse_random();
	test_names();
	test_percent();
	if (ok(run("command -v maildirmake >/dev/null && "
	    "command -v deliverquota >/dev/null") == 0,
	    "maildirmake and deliverquota are installed (apt-get install "
	    "maildrop)")) {
		test_recalc_same();
		test_rules();
		test_reads_courier();
	}
	test_apply();
	test_links();
	test_concurrent();

	ma_vmail_close(&v);
	ok(no_leftovers_in(base), "no .mailadm- temporaries under vmail_base");
	if (tap_failed == 0)
		run("rm -rf '%s'", top);
	else
		diag("kept %s for inspection", top);
	return done_testing();
}
