/*
 * ma_maildir_tally and ma_maildir_copy: a legacy Maildir counted and
 * copied under a temporary vmail_base.  Runs as root, so that chown to
 * 5000:5000 works.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "maildir.h"
#include "tap.h"
#include "tfs.h"

static char top[64];		/* mkdtemp: old/ (the source) and vmail/ */
static char old[128];
static int oldfd;
static struct ma_maildir_opts o;

/* The paths and reasons the skip callback was told, one a line. */
static char skips[1024];

static int
skip_cb(const char *path, const char *why, void *arg)
{
	(void)arg;
	snprintf(skips + strlen(skips), sizeof(skips) - strlen(skips),
	    "%s: %s\n", path + strlen(old) + 1, why);
	return 0;
}

/* A file of len bytes 'x' at old/<rel>, with mtime when. */
static void
old_file(const char *rel, size_t len, time_t when)
{
	char path[PATH_MAX], buf[4096];
	struct timeval tv[2] = { { when, 0 }, { when, 0 } };

	memset(buf, 'x', len);
	buf[len] = '\0';
	snprintf(path, sizeof(path), "%s/%s", old, rel);
	put_file(path, buf);
	utimes(path, tv);
}

static void
old_dir(const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", old, rel);
	mkdir(path, 0755);
}

/* A legacy Maildir at old/d/u/: 3 messages (one in a folder), others. */
static void
make_source(void)
{
	static const char *const dirs[] = { "d", "d/u", "d/u/cur", "d/u/new",
	    "d/u/tmp", "d/u/.Sent", "d/u/.Sent/cur", "d/u/.Sent/new",
	    "d/u/.Sent/tmp", "d/u/courierimapkeywords", "d/nt", "d/nt/cur",
	    "d/nt/new", NULL };
	int i;

	for (i = 0; dirs[i] != NULL; i++)
		old_dir(dirs[i]);
	old_file("d/u/cur/1200000000.M1P1.h,S=10:2,S", 10, 1200000000);
	old_file("d/u/new/1200000001.V1I2M3.h", 20, 1200000001);
	old_file("d/u/.Sent/cur/1200000002.M2P2.h,S=30:2,ST", 30, 1200000002);
	old_file("d/u/tmp/1200000003.half", 5, 1200000003);
	old_file("d/u/courierimapuiddb", 12, 1100000000);
	old_file("d/u/courierimapkeywords/:list", 3, 1100000001);
	old_file("d/u/maildirsize", 14, 1100000002);
	old_file("d/u/.Sent/maildirfolder", 0, 1100000003);
	old_file("d/nt/cur/1300000000.M1P1.h:2,", 7, 1300000000);
}

static void
test_tally(void)
{
	struct ma_maildir_tally t;
	struct ma_err err;

	test_begin("tally");
	ok(ma_maildir_tally(oldfd, old, "d/u/", &t, skip_cb, NULL, &err) == 0,
	    "tally d/u/");
	is_int(t.messages, 3, "messages: cur/ and new/ of the Maildir and its folders");
	is_int(t.bytes, 60, "their bytes on disk");
	is_int(t.files, 8, "every file");
	is_int(t.skipped, 0, "nothing skipped");
	fails(ma_maildir_tally(oldfd, old, "d/none/", &t, NULL, NULL, &err),
	    &err, MA_ENOTFOUND, "d/none", "a missing Maildir");
	fails(ma_maildir_tally(oldfd, old, "d/../d/u/", &t, NULL, NULL, &err),
	    &err, MA_EINVAL, "d/../d/u/", "a path that climbs");
}

static void
test_copy(void)
{
	struct ma_maildir_tally t;
	struct ma_err err;
	struct stat st;

	test_begin("copy");
	ok(ma_maildir_copy(&o, oldfd, old, "d/u/", "d.example/u/", 1000, &t,
	    skip_cb, NULL, &err) == 0, "copy d/u/ to d.example/u/");
	is_int(t.messages, 3, "copied messages");
	is_str(slurp(P("d.example/u/cur/1200000000.M1P1.h,S=10:2,S")),
	    "xxxxxxxxxx", "a message, byte for byte");
	ok(stat(P("d.example/u/new/1200000001.V1I2M3.h"), &st) == 0 &&
	    st.st_mtime == 1200000001, "its mtime kept");
	is_str(meta(P("d.example/u/.Sent/cur/1200000002.M2P2.h,S=30:2,ST")),
	    "0600 5000:5000 f", "a file: 0600, vmail's");
	is_str(meta(P("d.example/u/courierimapkeywords")), "0700 5000:5000 d",
	    "a directory: 0700, vmail's");
	is_str(meta(P("d.example")), "0700 5000:5000 d", "a parent made");
	is_str(slurp(P("d.example/u/courierimapuiddb")), "xxxxxxxxxxxx",
	    "courierimapuiddb as it was");
	/* T-flagged: not counted by Courier; the new line is the quota's. */
	is_str(slurp(P("d.example/u/maildirsize")),
	    "1000S\n          30            2\n",
	    "maildirsize made anew for the quota");
	ok(no_leftovers_in(base), "no temporary left");
	fails(ma_maildir_copy(&o, oldfd, old, "d/u/", "d.example/u/", 0, &t,
	    NULL, NULL, &err), &err, MA_EEXIST, "d.example/u", "copy over it");
	is_str(slurp(P("d.example/u/maildirsize")),
	    "1000S\n          30            2\n", "which is left as it was");

	test_begin("copy: tmp/ added; no maildirsize without quota and file");
	ok(ma_maildir_copy(&o, oldfd, old, "d/nt", "d.example/nt/", 0, &t,
	    NULL, NULL, &err) == 0, "copy d/nt (no tmp/, no maildirsize)");
	is_str(meta(P("d.example/nt/tmp")), "0700 5000:5000 d", "tmp/ made");
	ok(!exists(P("d.example/nt/maildirsize")), "no maildirsize");
	ok(ma_maildir_copy(&o, oldfd, old, "d/u/", "d.example/u0/", 0, &t,
	    NULL, NULL, &err) == 0, "copy d/u/ without quota");
	is_str(slurp(P("d.example/u0/maildirsize")),
	    "0S\n          30            2\n",
	    "the legacy maildirsize made anew, without its old quota");
}

static void
test_leftovers_and_links(void)
{
	struct ma_maildir_tally t;
	struct ma_err err;

	test_begin("an interrupted copy's leftovers go");
	mkdir(P("d.example/.mailadm-copy.v.0123456789ab"), 0700);
	put_file(P("d.example/.mailadm-copy.v.0123456789ab/half"), "half");
	mkdir(P("d.example/.mailadm-copy.vv.0123456789ab"), 0700);
	ok(ma_maildir_copy(&o, oldfd, old, "d/u/", "d.example/v/", 0, &t,
	    NULL, NULL, &err) == 0, "copy to d.example/v/");
	ok(!exists(P("d.example/.mailadm-copy.v.0123456789ab")),
	    "the leftover of v is removed");
	ok(exists(P("d.example/.mailadm-copy.vv.0123456789ab")),
	    "another Maildir's is not");
	rmdir(P("d.example/.mailadm-copy.vv.0123456789ab"));
	is_int(count_dir(P("d.example")), 4, "u, nt, u0, v: nothing else");

	test_begin("links and special files: reported, not followed");
	if (symlink("/etc/passwd", P("../old/d/u/cur/1400000000.L:2,S")) < 0 ||
	    symlink("/etc", P("../old/d/u/.Etc")) < 0 ||
	    mkfifo(P("../old/d/u/new/fifo"), 0600) < 0)
		diag("cannot make links: %s", strerror(errno));
	skips[0] = '\0';
	ok(ma_maildir_copy(&o, oldfd, old, "d/u/", "d.example/w/", 0, &t,
	    skip_cb, NULL, &err) == 0, "copy with links in the source");
	is_int(t.skipped, 3, "three skipped");
	ok(strstr(skips, "d/u/cur/1400000000.L:2,S: a symbolic link\n") &&
	    strstr(skips, "d/u/.Etc: a symbolic link\n") &&
	    strstr(skips, "d/u/new/fifo: not a regular file\n"),
	    "each one told, with why");
	ok(!exists(P("d.example/w/cur/1400000000.L:2,S")) &&
	    !exists(P("d.example/w/.Etc")) && !exists(P("d.example/w/new/fifo")),
	    "none copied");
	if (symlink("u", P("../old/d/lnk")) < 0)
		diag("cannot make a link: %s", strerror(errno));
	fails(ma_maildir_copy(&o, oldfd, old, "d/lnk/", "d.example/x/", 0, &t,
	    NULL, NULL, &err), &err, MA_EPERM, "symbolic link",
	    "a source Maildir that is a link");
	ok(!exists(P("d.example/x")), "nothing made for it");
	ok(is_link(P("../old/d/lnk")) && is_link(P("../old/d/u/.Etc")),
	    "the source's links are left as they were");
}

int
main(void)
{
	snprintf(top, sizeof(top), "/tmp/t-maildir-copy.XXXXXX");
	if (mkdtemp(top) == NULL || chmod(top, 0755) < 0)
		return 1;
	snprintf(old, sizeof(old), "%s/old", top);
	snprintf(base, sizeof(base), "%s/vmail", top);
	if (mkdir(old, 0755) < 0 || mkdir(base, 0755) < 0 ||
	    (oldfd = open(old, O_RDONLY | O_DIRECTORY)) < 0)
		return 1;
	o.base = base;
	o.uid = 5000;
	o.gid = 5000;
	make_source();
	test_tally();
	test_copy();
	test_leftovers_and_links();
	close(oldfd);
	run("rm -rf '%s'", top);
	return done_testing();
}
