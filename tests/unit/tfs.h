/*
 * File helpers for the unit tests that work on Maildirs (t-maildir.c,
 * t-quota.c): header-only, after tap.h.
 */
#ifndef TFS_H
#define TFS_H

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "err.h"
#include "tap.h"

/*
 * The test's vmail_base, and P("fmt", ...): base/<fmt expanded>, in one
 * of 8 rotating static buffers ("../x" names a sibling of base).
 */
static char base[128];

static const char *
P(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *
P(const char *fmt, ...)
{
	static char buf[8][PATH_MAX];
	static int i;
	char rel[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", base, rel);
	return buf[i];
}

static int
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static int
is_link(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

static void
put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		diag("cannot write %s: %s", path, strerror(errno));
}

/* Whole file into a static buffer ("<missing>" if unreadable). */
static const char *
slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return "<missing>";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Mode, owner and type of one path, like "0700 5000:5000 d". */
static const char *
meta(const char *path)
{
	static char buf[4][64];
	static int i;
	struct stat st;

	i = (i + 1) % 4;
	if (lstat(path, &st) < 0)
		return "<missing>";
	snprintf(buf[i], sizeof(buf[i]), "%04o %lu:%lu %c",
	    (unsigned)st.st_mode & 07777, (unsigned long)st.st_uid,
	    (unsigned long)st.st_gid, S_ISDIR(st.st_mode) ? 'd' :
	    S_ISREG(st.st_mode) ? 'f' : S_ISLNK(st.st_mode) ? 'l' : '?');
	return buf[i];
}

static int leftovers;

static int
tmp_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	if (strstr(path, "/.mailadm-") != NULL) {
		diag("temporary left: %s", path);
		leftovers++;
	}
	return 0;
}

/* Nothing named .mailadm-* (a temporary) is left under dir. */
static int
no_leftovers_in(const char *dir)
{
	leftovers = 0;
	nftw(dir, tmp_cb, 16, FTW_PHYS);
	return leftovers == 0;
}

/* rc is -1 with status st and a one-line message holding want. */
static void
fails(int rc, const struct ma_err *err, enum ma_status st, const char *want,
    const char *name)
{
	if (!ok(rc == -1 && err->status == st, "%s: status %d", name, st))
		diag("rc %d, status %d, message: %s", rc, err->status,
		    err->msg);
	if (want != NULL && !ok(strstr(err->msg, want) != NULL &&
	    !has_control(err->msg), "%s: message names '%s'", name, want))
		diag("message: %s", err->msg);
}

/* Exit status of a shell command (-1 if it did not exit). */
static int
run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int
run(const char *fmt, ...)
{
	char cmd[4 * PATH_MAX];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(stdout);
	st = system(cmd);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
count_dir(const char *path)
{
	return run("exit $(ls -A '%s' | wc -l)", path);
}

#endif
