/*
 * Maildirs: path expansion, create/undo/archive/purge under a temporary
 * vmail_base, and a cross-check against Courier's own maildirmake and
 * deliverquota (Debian package maildrop).  Runs as root, so that chown to
 * 5000:5000 works.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "maildir.h"
#include "tap.h"
#include "tfs.h"

#define UID 5000
#define GID 5000

static char top[64];		/* mkdtemp: vmail/, outside/, ref/ */
static char outside[128];	/* link targets: must survive */
static struct ma_maildir_opts o;


/* nftw state: entries seen, bad owners/modes, mailadm temporaries. */
static int tree_n, tree_bad, tree_tmp;

static int
tree_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	mode_t want = S_ISDIR(st->st_mode) ? 0700 : 0600;

	(void)type;
	(void)ftw;
	tree_n++;
	if (strstr(path, "/.mailadm-") != NULL) {
		tree_tmp++;
		diag("temporary left: %s", path);
	}
	if (st->st_uid != UID || st->st_gid != GID ||
	    (st->st_mode & 07777) != want) {
		tree_bad++;
		diag("%s is %s", path, meta(path));
	}
	return 0;
}

/* Every entry under path is owned UID:GID, 0700 or 0600; none temporary. */
static void
tree_ok(const char *path, int entries, const char *name)
{
	tree_n = tree_bad = tree_tmp = 0;
	nftw(path, tree_cb, 16, FTW_PHYS);
	ok(tree_n == entries && tree_bad == 0 && tree_tmp == 0, "%s", name);
	if (tree_n != entries)
		diag("%d entries, expected %d", tree_n, entries);
}

/* ---------------------------------------------------------------- path */

static void
path_is(const char *fmt, const char *d, const char *l, const char *want)
{
	struct ma_err err = { MA_OK, 0, "" };
	char out[MA_MAILDIR_MAX + 1] = "untouched", name[256];
	int rc = ma_maildir_path(fmt, d, l, out, sizeof(out), &err);

	snprintf(name, sizeof(name), "path '%s' for %s@%s is '%s'", fmt, l, d,
	    want);
	if (!is_str(rc == 0 ? out : err.msg, want, name))
		diag("rc %d", rc);
}

static void
path_bad(const char *fmt, const char *d, const char *l, enum ma_status st,
    const char *want, const char *name)
{
	struct ma_err err = { MA_OK, 0, "" };
	char out[MA_MAILDIR_MAX + 1] = "untouched";

	fails(ma_maildir_path(fmt, d, l, out, sizeof(out), &err), &err, st,
	    want, name);
	is_str(out, "untouched", "output untouched on error");
}

static void
test_path(void)
{
	char d200[201], l53[54], l64[65], d253[254], out[300], name[64];
	struct ma_err err;

	test_begin("ma_maildir_path");
	path_is("%d/%l/", "example.org", "bob", "example.org/bob/");
	path_is("%a/", "example.org", "bob", "bob@example.org/");
	path_is("%d/%l/Maildir/", "example.org", "bob",
	    "example.org/bob/Maildir/");
	path_is("x/%d/%l/", "example.org", "bob", "x/example.org/bob/");
	path_is("%d/%%/%l/", "example.org", "bob", "example.org/%/bob/");
	path_is("%d/%l/", "xn--caf-dma.fr", "o'neil+tag",
	    "xn--caf-dma.fr/o'neil+tag/");
	path_is("%d/%l.d/", "example.org", "bob", "example.org/bob.d/");

	path_bad("%d/%l/", "a/b", "bob", MA_EINVAL, "'a/b'", "domain with '/'");
	path_bad("%d/%l/", "example.org", "x/y", MA_EINVAL, "'x/y'",
	    "local part with '/'");
	path_bad("%d/%l/", "example.org", "", MA_EINVAL, "empty",
	    "empty local part (catch-all)");
	path_bad("%d/%l/", "example.org", "..", MA_EINVAL, "'..'",
	    "local part '..'");
	path_bad("%d/%l/", ".hidden", "bob", MA_EINVAL, "'.hidden'",
	    "domain starting with '.'");
	path_bad("%d/%l/", "example.org", "a\nb", MA_EINVAL, "'a\\x0ab'",
	    "local part with a newline");
	path_bad("/%d/%l/", "example.org", "bob", MA_ECONFIG, "relative",
	    "absolute format");
	path_bad("%d/%l", "example.org", "bob", MA_ECONFIG, "end in '/'",
	    "format without trailing '/'");
	path_bad("%d//%l/", "example.org", "bob", MA_ECONFIG, "//",
	    "format with '//'");
	path_bad("%d/../%l/", "example.org", "bob", MA_ECONFIG, "'..'",
	    "format with '..'");
	path_bad("%d/./%l/", "example.org", "bob", MA_ECONFIG, "'.'",
	    "format with '.'");
	path_bad(".%d/%l/", "example.org", "bob", MA_ECONFIG, "start with '.'",
	    "format with a leading '.'");
	path_bad("%d/", "example.org", "bob", MA_ECONFIG, "share a Maildir",
	    "format without the local part");
	path_bad("%l/", "example.org", "bob", MA_ECONFIG, "share a Maildir",
	    "format without the domain");
	path_bad("%d/%%l/", "example.org", "bob", MA_ECONFIG, "share a Maildir",
	    "'%%l' is no local part");
	path_bad("%d/%x/%l/", "example.org", "bob", MA_ECONFIG, "'%x'",
	    "unknown sequence");
	path_bad("%d/%l/%", "example.org", "bob", MA_ECONFIG, "lone '%'",
	    "lone '%' at the end");
	path_bad("%d/\x01%l/", "example.org", "bob", MA_ECONFIG, "control",
	    "control character in the format");

	memset(d200, 'd', 200);
	d200[200] = '\0';
	memset(l53, 'l', 53);
	l53[53] = '\0';
	memset(l64, 'l', 64);
	l64[64] = '\0';
	memset(d253, 'd', 253);
	d253[253] = '\0';
	err.status = MA_OK;
	ok(ma_maildir_path("%d/%l/", d200, l53, out, sizeof(out), &err) == 0 &&
	    strlen(out) == 255, "a 255-byte path fits");
	path_bad("%d/%l/", d253, l64, MA_EINVAL, "too long",
	    "a 319-byte path is too long for mailbox.maildir");
	memcpy(name, "small", 6);
	fails(ma_maildir_path("%d/%l/", "example.org", "bob", name, 8, &err),
	    &err, MA_EINVAL, "too long", "a path longer than the buffer");
	is_str(name, "small", "small buffer untouched");

	test_begin("ma_maildir_rel_check");
	ok(ma_maildir_rel_check("example.org/bob/", &err) == 0,
	    "stored form accepted");
	fails(ma_maildir_rel_check("example.org/bob", &err), &err, MA_EINVAL,
	    "'example.org/bob'", "no trailing '/'");
	fails(ma_maildir_rel_check("example.org/../../etc/", &err), &err,
	    MA_EINVAL, "'..'", "'..' component");
	fails(ma_maildir_rel_check(".archive/x/", &err), &err, MA_EINVAL,
	    "'.'", "the .archive name space");
	fails(ma_maildir_rel_check("", &err), &err, MA_EINVAL, "empty",
	    "empty");
}

/* -------------------------------------------------------------- create */

static const char size_1m[] = "1000000S\n           0            0\n";

static void
test_create(void)
{
	struct ma_err err = { MA_OK, 0, "" };
	struct ma_maildir_opts slash = o;
	char b2[256];
	mode_t old;

	test_begin("ma_maildir_create");
	if (!ok(ma_maildir_create(&o, "example.org/bob/", 1000000, &err) == 0,
	    "create example.org/bob/ with a 1000000-byte quota"))
		diag("%s", err.msg);
	is_str(meta(P("example.org")), "0700 5000:5000 d",
	    "the domain directory it made: 0700, 5000:5000");
	is_str(meta(P("example.org/bob")), "0700 5000:5000 d", "Maildir");
	is_str(meta(P("example.org/bob/cur")), "0700 5000:5000 d", "cur/");
	is_str(meta(P("example.org/bob/new")), "0700 5000:5000 d", "new/");
	is_str(meta(P("example.org/bob/tmp")), "0700 5000:5000 d", "tmp/");
	is_str(meta(P("example.org/bob/maildirsize")), "0600 5000:5000 f",
	    "maildirsize: 0600, 5000:5000");
	is_str(slurp(P("example.org/bob/maildirsize")), size_1m,
	    "maildirsize: quota line and a zero usage line");
	tree_ok(P("example.org"), 6, "every entry owned 5000:5000, "
	    "nothing else in the domain directory");

	old = umask(0777);
	if (!ok(ma_maildir_create(&o, "example.org/alice/", 0, &err) == 0,
	    "create without a quota under umask 0777"))
		diag("%s", err.msg);
	umask(old);
	ok(!exists(P("example.org/alice/maildirsize")),
	    "no quota: no maildirsize (as maildirmake without -q)");
	tree_ok(P("example.org/alice"), 4, "modes 0700 despite the umask");

	if (!ok(ma_maildir_create(&o, "x/example.net/carol/", 1, &err) == 0,
	    "create with two missing parents"))
		diag("%s", err.msg);
	tree_ok(P("x"), 7, "both parents 0700 5000:5000");
	is_str(slurp(P("x/example.net/carol/maildirsize")),
	    "1S\n           0            0\n", "a 1-byte quota");

	snprintf(b2, sizeof(b2), "%s///", base);
	slash.base = b2;
	if (!ok(ma_maildir_create(&slash, "example.org/dan", 0, &err) == 0,
	    "vmail_base with trailing slashes, rel without one"))
		diag("%s", err.msg);
	ok(exists(P("example.org/dan/cur")), "made example.org/dan/");

	put_file(P("example.org/bob/new/1.x,S=5"), "mail\n");
	fails(ma_maildir_create(&o, "example.org/bob/", 5, &err), &err,
	    MA_EEXIST, "example.org/bob' already exists",
	    "create over an existing Maildir");
	is_str(slurp(P("example.org/bob/new/1.x,S=5")), "mail\n",
	    "its mail is untouched");
	is_str(slurp(P("example.org/bob/maildirsize")), size_1m,
	    "its maildirsize is untouched");
	ok(count_dir(P("example.org")) == 3, "nothing left beside it");
	ok(no_leftovers_in(base), "no temporaries");
}

static void
fd_limit_case(const char *rel, int extra, const char *gone, const char *name)
{
	struct ma_err err = { MA_OK, 0, "" };
	struct rlimit old, lim;
	int next = dup(0), rc;

	close(next);
	getrlimit(RLIMIT_NOFILE, &old);
	lim = old;
	lim.rlim_cur = (rlim_t)(next + extra);
	setrlimit(RLIMIT_NOFILE, &lim);
	rc = ma_maildir_create(&o, rel, 1000, &err);
	setrlimit(RLIMIT_NOFILE, &old);
	fails(rc, &err, MA_EIO, "Too many open files", name);
	ok(!exists(P("%s", gone)), "%s: '%s' removed again", name, gone);
	ok(no_leftovers_in(base), "%s: no temporaries", name);
}

static void
test_create_refused(void)
{
	struct ma_err err = { MA_OK, 0, "" };
	struct ma_maildir_opts bad = o;
	char missing[256];

	test_begin("ma_maildir_create: refusals and failures");
	bad.uid = 0;
	fails(ma_maildir_create(&bad, "example.org/r1/", 0, &err), &err,
	    MA_ECONFIG, "not be 0", "uid 0");
	bad = o;
	bad.gid = 0;
	fails(ma_maildir_create(&bad, "example.org/r1/", 0, &err), &err,
	    MA_ECONFIG, "not be 0", "gid 0");
	bad = o;
	bad.base = "var/vmail";
	fails(ma_maildir_create(&bad, "example.org/r1/", 0, &err), &err,
	    MA_ECONFIG, "'var/vmail'", "relative vmail_base");
	snprintf(missing, sizeof(missing), "%s/nonexistent", top);
	bad.base = missing;
	fails(ma_maildir_create(&bad, "example.org/r1/", 0, &err), &err,
	    MA_ECONFIG, "nonexistent", "missing vmail_base");
	fails(ma_maildir_create(&o, "../outside/r1/", 0, &err), &err,
	    MA_EINVAL, "'..'", "rel climbing out of base");
	fails(ma_maildir_create(&o, "/tmp/r1/", 0, &err), &err,
	    MA_EINVAL, "relative", "absolute rel");
	fails(ma_maildir_create(&o, ".archive/r1/", 0, &err), &err,
	    MA_EINVAL, "'.'", "rel in the .archive name space");
	ok(!exists(P("example.org/r1")) && !exists(P("../outside/r1")),
	    "none of them created anything");

	symlink(outside, P("evil.org"));
	fails(ma_maildir_create(&o, "evil.org/bob/", 0, &err), &err,
	    MA_EPERM, "evil.org': it is a symbolic link",
	    "domain directory is a symbolic link");
	ok(!exists(P("../outside/bob")) && count_dir(outside) == 1,
	    "nothing created through the link");
	symlink(outside, P("example.org/lnk"));
	fails(ma_maildir_create(&o, "example.org/lnk/", 0, &err), &err,
	    MA_EEXIST, "lnk' already exists", "Maildir path is a link");

	put_file(P("file.org"), "not a directory\n");
	fails(ma_maildir_create(&o, "file.org/bob/", 0, &err), &err, MA_EIO,
	    "file.org': Not a directory", "a file where a directory should be");
	is_str(slurp(P("file.org")), "not a directory\n", "the file is intact");

	/* Descriptors run out while making parents: they go again. */
	fd_limit_case("n1/n2/n3/n4/bob/", 3, "n1", "failure in the 3rd parent");
	/* ... or while building the skeleton: parent and temporary go. */
	fd_limit_case("lim.org/bob/", 3, "lim.org", "failure in cur/");
	ok(ma_maildir_create(&o, "n1/n2/n3/n4/bob/", 0, &err) == 0,
	    "the same create works with descriptors to spare");
	tree_ok(P("n1"), 8, "n1/n2/n3/n4/bob/ made whole");
}

/* ---------------------------------------------------------------- undo */

static void
test_undo(void)
{
	struct ma_err err = { MA_OK, 0, "" };

	test_begin("ma_maildir_undo_create");
	ma_maildir_create(&o, "example.org/dave/", 5000, &err);
	if (!ok(ma_maildir_undo_create(&o, "example.org/dave/", &err) == 0,
	    "a fresh Maildir is taken back"))
		diag("%s", err.msg);
	ok(!exists(P("example.org/dave")), "gone");
	ok(exists(P("example.org/bob/cur")), "its neighbours stay");
	ma_maildir_create(&o, "example.org/dave2/", 0, &err);
	if (!ok(ma_maildir_undo_create(&o, "example.org/dave2", &err) == 0,
	    "one without maildirsize too"))
		diag("%s", err.msg);

	ma_maildir_create(&o, "example.org/erin/", 5000, &err);
	put_file(P("example.org/erin/new/1.msg"), "mail\n");
	fails(ma_maildir_undo_create(&o, "example.org/erin/", &err), &err,
	    MA_EPERM, "it holds 'new/1.msg'", "a Maildir with mail in new/");
	is_str(slurp(P("example.org/erin/new/1.msg")), "mail\n",
	    "the mail is still there, in place");
	is_str(slurp(P("example.org/erin/maildirsize")),
	    "5000S\n           0            0\n", "so is maildirsize");
	unlink(P("example.org/erin/new/1.msg"));
	put_file(P("example.org/erin/courierimapuiddb"), "1 1 1\n");
	fails(ma_maildir_undo_create(&o, "example.org/erin/", &err), &err,
	    MA_EPERM, "'courierimapuiddb'", "a Maildir IMAP has used");
	unlink(P("example.org/erin/courierimapuiddb"));
	mkdir(P("example.org/erin/.Sent"), 0700);
	fails(ma_maildir_undo_create(&o, "example.org/erin/", &err), &err,
	    MA_EPERM, "'.Sent'", "a Maildir with a folder");
	rmdir(P("example.org/erin/.Sent"));
	chown(P("example.org/erin"), 0, 0);
	fails(ma_maildir_undo_create(&o, "example.org/erin/", &err), &err,
	    MA_EPERM, "owned by 0:0", "a Maildir someone else owns");
	ok(exists(P("example.org/erin/cur")), "all refusals left it in place");
	chown(P("example.org/erin"), UID, GID);
	fails(ma_maildir_undo_create(&o, "example.org/nobody/", &err), &err,
	    MA_ENOTFOUND, "nobody", "no such Maildir");
	fails(ma_maildir_undo_create(&o, "example.org/lnk/", &err), &err,
	    MA_EPERM, "symbolic link", "a link is not taken back");
	ok(is_link(P("example.org/lnk")), "the link stays");
	ok(no_leftovers_in(base), "no temporaries");
}

/* ------------------------------------------------------------- archive */

static void
test_archive(void)
{
	struct ma_err err = { MA_OK, 0, "" };
	struct ma_maildir_opts o2 = o;
	char out[MA_MAILDIR_MAX + 1], b2[256];
	const char *stamp = "20261128T171200Z";

	test_begin("ma_maildir_archive");
	if (!ok(ma_maildir_archive(&o, "example.org/bob/", stamp, out,
	    sizeof(out), &err) == 0, "archive example.org/bob/"))
		diag("%s", err.msg);
	is_str(out, ".archive/example.org_bob-20261128T171200Z/",
	    "its archived path");
	is_str(meta(P(".archive")), "0700 5000:5000 d",
	    ".archive made 0700, 5000:5000");
	is_str(slurp(P("%snew/1.x,S=5", out)), "mail\n",
	    "the mail moved along");
	is_str(slurp(P("%smaildirsize", out)), size_1m, "maildirsize too");
	ok(!exists(P("example.org/bob")), "the Maildir is gone from its place");
	fails(ma_maildir_archive(&o, "example.org/bob/", stamp, out,
	    sizeof(out), &err), &err, MA_ENOTFOUND, "example.org/bob'",
	    "archiving it again: not found");

	ma_maildir_create(&o, "example.org/bob/", 0, &err);
	fails(ma_maildir_archive(&o, "example.org/bob/", stamp, out,
	    sizeof(out), &err), &err, MA_EEXIST, "already exists",
	    "an archive of that name exists");
	ok(exists(P("example.org/bob/cur")), "the new Maildir stays");
	fails(ma_maildir_archive(&o, "example.org/bob/", "a/b", out,
	    sizeof(out), &err), &err, MA_EINVAL, "'a/b'", "stamp with '/'");
	fails(ma_maildir_archive(&o, "example.org/bob/", "", out, sizeof(out),
	    &err), &err, MA_EINVAL, "stamp", "empty stamp");
	fails(ma_maildir_archive(&o, "example.org/bob/", "x", out, 20, &err),
	    &err, MA_EINVAL, "too long", "output buffer too small");
	ok(exists(P("example.org/bob/cur")), "refusals moved nothing");
	if (!ok(ma_maildir_archive(&o, "x/example.net/carol", "1", out,
	    sizeof(out), &err) == 0 &&
	    strcmp(out, ".archive/x_example.net_carol-1/") == 0,
	    "deeper path archived as x_example.net_carol-1"))
		diag("%s %s", out, err.msg);
	fails(ma_maildir_archive(&o, "example.org/lnk/", "1", out, sizeof(out),
	    &err), &err, MA_EPERM, "symbolic link", "a link is not archived");

	snprintf(b2, sizeof(b2), "%s/vmail2", top);
	mkdir(b2, 0755);
	o2.base = b2;
	ma_maildir_create(&o2, "example.org/bob/", 0, &err);
	symlink(outside, P("../vmail2/.archive"));
	fails(ma_maildir_archive(&o2, "example.org/bob/", "1", out,
	    sizeof(out), &err), &err, MA_EPERM, ".archive': it is a symbolic",
	    ".archive is a symbolic link");
	ok(exists(P("../vmail2/example.org/bob/cur")), "the Maildir stays");
	ok(count_dir(outside) == 1, "nothing archived into the link target");
	run("rm -rf '%s'", b2);
}

/* --------------------------------------------------------------- purge */

static void
test_purge(void)
{
	struct ma_err err = { MA_OK, 0, "" };

	test_begin("ma_maildir_purge");
	ma_maildir_create(&o, "example.org/frank/", 1000, &err);
	put_file(P("example.org/frank/new/1.m"), "mail\n");
	put_file(P("example.org/frank/cur/2.m:2,S"), "mail\n");
	mkdir(P("example.org/frank/.Sent"), 0700);
	mkdir(P("example.org/frank/.Sent/cur"), 0700);
	put_file(P("example.org/frank/.Sent/cur/3.m:2,S"), "mail\n");
	symlink(outside, P("example.org/frank/evildir"));
	symlink(P("../outside/precious"), P("example.org/frank/.Sent/evil"));
	symlink(outside, P("example.org/frank/.Sent/cur/evil2"));
	if (!ok(ma_maildir_purge(&o, "example.org/frank/", &err) == 0,
	    "purge a Maildir with mail, a folder and links out"))
		diag("%s", err.msg);
	ok(!exists(P("example.org/frank")), "it is gone");
	is_str(slurp(P("../outside/precious")), "keep me\n",
	    "the links were removed, not followed");
	ok(count_dir(outside) == 1, "the link target directory is intact");
	fails(ma_maildir_purge(&o, "example.org/frank/", &err), &err,
	    MA_ENOTFOUND, "frank", "purge a missing Maildir");
	fails(ma_maildir_purge(&o, "example.org/lnk/", &err), &err, MA_EPERM,
	    "symbolic link", "purge a Maildir that is a link");
	ok(is_link(P("example.org/lnk")) && count_dir(outside) == 1,
	    "link and target stay");
	mkdir(P("../outside/bob"), 0700);
	fails(ma_maildir_purge(&o, "evil.org/bob/", &err), &err, MA_EPERM,
	    "evil.org': it is a symbolic link",
	    "purge through a linked parent");
	ok(exists(P("../outside/bob")), "the target behind it stays");
	rmdir(P("../outside/bob"));
	fails(ma_maildir_purge(&o, "../outside/", &err), &err, MA_EINVAL,
	    "'..'", "purge outside base");
	ok(exists(outside), "refused");
	ok(no_leftovers_in(base), "no temporaries");
}

/* ------------------------------------------------------------- Courier */

static int
new_count(const char *rel)
{
	return count_dir(P("%snew", rel));
}

/*
 * deliverquota the test message into rel, as root or as vmail; its exit
 * status must be want (its stderr is shown only when it is not).
 */
static void
deliver_is(const char *rel, int as_vmail, int want, const char *name)
{
	int rc = run("env -u HOME %s timeout 30 deliverquota -w 80 '%s' "
	    "< '%s/msg' > '%s/deliver.err' 2>&1", as_vmail ?
	    "setpriv --reuid=5000 --regid=5000 --clear-groups" : "",
	    P("%s", rel), top, top);

	if (!is_int(rc, want, name))
		diag("deliverquota said: %s", slurp(P("../deliver.err")));
}

static void
maildirmake_same(uint64_t q)
{
	struct ma_err err = { MA_OK, 0, "" };
	char rel[64], ours[256];
	int rc;

	/* "maildirmake -q" on a missing directory retries forever. */
	snprintf(rel, sizeof(rel), "../ref/q%llu", (unsigned long long)q);
	rc = run("timeout 30 maildirmake '%s' && timeout 30 maildirmake -q "
	    "%lluS '%s'", P("%s", rel), (unsigned long long)q, P("%s", rel));
	is_int(rc, 0, "maildirmake runs");
	snprintf(rel, sizeof(rel), "example.org/q%llu/", (unsigned long long)q);
	ma_maildir_create(&o, rel, q, &err);
	snprintf(ours, sizeof(ours), "%s", slurp(P("%smaildirsize", rel)));
	snprintf(rel, sizeof(rel), "../ref/q%llu/maildirsize",
	    (unsigned long long)q);
	is_str(ours, slurp(P("%s", rel)), "maildirsize for a quota is byte for "
	    "byte what maildirmake -q writes");
}

static void
test_courier(void)
{
	struct ma_err err = { MA_OK, 0, "" };
	char want[128];

	test_begin("Courier maildirmake and deliverquota (package maildrop)");
	if (!ok(run("command -v maildirmake >/dev/null && "
	    "command -v deliverquota >/dev/null") == 0,
	    "maildirmake and deliverquota are installed (apt-get install "
	    "maildrop)"))
		return;
	mkdir(P("../ref"), 0700);
	maildirmake_same(1000000);
	maildirmake_same(1);
	maildirmake_same(123456789012ULL);

	put_file(P("../msg"), "From: a@example.org\nTo: bob@example.org\n"
	    "Subject: t\n\nhello\n");
	ma_maildir_create(&o, "example.org/hank/", 1000000, &err);
	deliver_is("example.org/hank/", 0, 0,
	    "deliverquota as root, HOME unset, delivers into our Maildir");
	is_int(new_count("example.org/hank/"), 1, "new/ got the message");
	deliver_is("example.org/hank/", 1, 0,
	    "and as vmail (5000:5000) under setpriv");
	is_int(new_count("example.org/hank/"), 2, "new/ got that one too");
	snprintf(want, sizeof(want), "%s%s", size_1m,
	    "          58            1\n          58            1\n");
	is_str(slurp(P("example.org/hank/maildirsize")), want,
	    "deliverquota appended a usage line per message");
	fails(ma_maildir_undo_create(&o, "example.org/hank/", &err), &err,
	    MA_EPERM, "it holds 'new/", "undo refuses the Maildir with mail");

	if (!ok(ma_maildir_purge(&o, "example.org/hank/", &err) == 0,
	    "purge it"))
		diag("%s", err.msg);
}

int
main(void)
{
	if (geteuid() != 0) {
		printf("1..0 # SKIP chown to %d:%d needs root\n", UID, GID);
		return 0;
	}
	snprintf(top, sizeof(top), "/tmp/t-maildir.XXXXXX");
	if (mkdtemp(top) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(base, sizeof(base), "%s/vmail", top);
	snprintf(outside, sizeof(outside), "%s/outside", top);
	/* vmail (for deliverquota under setpriv) must reach base. */
	chmod(top, 0755);
	mkdir(base, 0755);
	mkdir(outside, 0755);
	put_file(P("../outside/precious"), "keep me\n");
	o.base = base;
	o.uid = UID;
	o.gid = GID;

	test_path();
	test_create();
	test_create_refused();
	test_undo();
	test_archive();
	test_purge();
	test_courier();

	ok(no_leftovers_in(base), "no .mailadm- temporaries anywhere under base");
	is_str(slurp(P("../outside/precious")), "keep me\n",
	    "nothing outside base was touched");
	if (tap_failed == 0)
		run("rm -rf '%s'", top);
	else
		diag("kept %s for inspection", top);
	return done_testing();
}
