/*
 * vmail_base held open, and paths below it opened in one step without
 * following a symbolic link: openat2() with RESOLVE_BENEATH and
 * RESOLVE_NO_SYMLINKS (Linux 5.6), else one component at a time with
 * O_NOFOLLOW.  Reading thousands of maildirsize files (quota report, the
 * policy service) then costs one open each.
 */
#include "maildir-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Set once openat2() is known to be missing (ENOSYS, or filtered). */
static int no_openat2;

/* The component walk: directories with ma_md_opendir(), then the leaf. */
static int
open_walk(int dfd, const char *path, int flags)
{
	char buf[MA_MAILDIR_MAX + NAME_MAX + 2], *c, *slash;
	int fd = dfd, next, e;

	if (strlen(path) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, strlen(path) + 1);
	for (c = buf; (slash = strchr(c, '/')) != NULL; c = slash + 1) {
		*slash = '\0';
		/* "a/b/": the last directory is the leaf itself. */
		if (slash[1] == '\0' && (flags & O_DIRECTORY))
			break;
		next = ma_md_opendir(fd, c);
		e = errno;
		if (fd != dfd)
			close(fd);
		if (next < 0) {
			errno = e;
			return -1;
		}
		fd = next;
	}
	next = openat(fd, c, flags | O_NOFOLLOW | O_CLOEXEC);
	e = errno;
	if (fd != dfd)
		close(fd);
	errno = e;
	if (next < 0 && e == ENOTDIR && (flags & O_DIRECTORY)) {
		struct stat st;

		/* Tell a link (ELOOP) from a file in the way, as opendir does. */
		if (fstatat(dfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			errno = ELOOP;
	}
	return next;
}

/*
 * O_DIRECTORY with O_NOFOLLOW fails with ENOTDIR, not ELOOP, when the last
 * component is a link: tell the two apart, so that a link is refused as
 * one.  Passes fd through.
 */
static int
link_at_end(int dfd, const char *path, int flags, int fd)
{
	struct stat st;

	if (fd < 0 && errno == ENOTDIR && (flags & O_DIRECTORY) &&
	    fstatat(dfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode))
		errno = ELOOP;
	return fd;
}

int
ma_md_open_beneath(int dfd, const char *path, int flags)
{
	struct open_how how;
	long fd;

	if (!no_openat2) {
		memset(&how, 0, sizeof(how));
		how.flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC);
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
		    RESOLVE_NO_MAGICLINKS;
		fd = syscall(SYS_openat2, dfd, path, &how, sizeof(how));
		if (fd >= 0 || (errno != ENOSYS && errno != E2BIG))
			return link_at_end(dfd, path, flags, (int)fd);
		no_openat2 = 1;
	}
	return link_at_end(dfd, path, flags, open_walk(dfd, path, flags));
}

int
ma_vmail_open(struct ma_vmail *v, const struct ma_maildir_opts *o,
    struct ma_err *err)
{
	int e;

	v->o = *o;
	v->fd = -1;
	if (o->base == NULL || o->base[0] != '/')
		return ma_fail(err, MA_ECONFIG, 0, "vmail_base '%s' must be an "
		    "absolute path", o->base != NULL ? o->base : "");
	if ((v->fd = open(o->base, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
		return 0;
	e = errno;
	return ma_fail(err, e == ENOENT || e == ENOTDIR ? MA_ECONFIG :
	    e == EACCES || e == EPERM ? MA_EPERM : MA_EIO, e,
	    "vmail_base '%s': %s", o->base, strerror(e));
}

void
ma_vmail_close(struct ma_vmail *v)
{
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}

int
ma_vmail_maildir(const struct ma_vmail *v, const char *rel,
    struct ma_err *err)
{
	const char *why = ma_md_rel_problem(rel, 0);
	char q[MA_QUOTE_MAX];
	int fd;

	if (why != NULL)
		return ma_fail(err, MA_EINVAL, 0, "invalid maildir '%s': %s",
		    ma_quote(rel, q, sizeof(q)), why);
	fd = ma_md_open_beneath(v->fd, rel, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return ma_md_fail(err, errno, v->o.base, "open Maildir",
		    ma_quote(rel, q, sizeof(q)));
	return fd;
}

void
ma_vmail_where(const struct ma_vmail *v, const char *rel, char *buf,
    size_t size)
{
	size_t n;

	snprintf(buf, size, "%s/%s", v->o.base, rel);
	for (n = strlen(buf); n > 1 && buf[n - 1] == '/'; n--)
		buf[n - 1] = '\0';
}
