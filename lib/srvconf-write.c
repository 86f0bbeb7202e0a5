/*
 * Writing the server files: all or nothing, each one atomically (a
 * temporary file renamed over the old one), so that a server reading its
 * table meanwhile sees the old file or the new one, never a part.
 */
#include "io.h"
#include "srvconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
fail_errno(struct ma_err *err, int e, const char *what, const char *dir,
    const char *name)
{
	enum ma_status st = e == EACCES || e == EPERM || e == EROFS ?
	    MA_EPERM : MA_EIO;

	return ma_fail(err, st, e, "%s '%s/%s': %s", what, dir, name,
	    strerror(e));
}

/*
 * 0 if name may be written in dfd: absent, or a regular file whose first
 * line is the mark of a generated file (or anything with force).
 */
static int
check_target(int dfd, const char *dir, const char *name, int force,
    struct ma_err *err)
{
	char head[sizeof(MA_SRVCONF_MARK)] = "";
	struct stat st;
	ssize_t n = 0;
	int fd;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : fail_errno(err, errno, "cannot "
		    "read", dir, name);
	if (S_ISDIR(st.st_mode))
		return ma_fail(err, MA_EEXIST, 0, "'%s/%s' is a directory",
		    dir, name);
	if (force)
		return 0;
	if (S_ISREG(st.st_mode)) {
		if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW |
		    O_CLOEXEC)) < 0)
			return fail_errno(err, errno, "cannot read", dir, name);
		n = read(fd, head, sizeof(head) - 1);
		close(fd);
	}
	if (n == (ssize_t)sizeof(head) - 1 &&
	    memcmp(head, MA_SRVCONF_MARK, n) == 0)
		return 0;
	return ma_fail(err, MA_EEXIST, 0, "'%s/%s' exists and was not "
	    "written by mailadm: use --force to replace it", dir, name);
}

/* Write f into the temporary file tmp of dfd: mode 0640, group gid. */
static int
write_temp(int dfd, const char *dir, const char *tmp,
    const struct ma_srvconf_file *f, gid_t gid, struct ma_err *err)
{
	int fd, e = 0;

	if ((fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) < 0)
		return fail_errno(err, errno, "cannot create", dir, tmp);
	if (fchown(fd, (uid_t)-1, gid) < 0 && gid != getegid())
		e = errno;
	else if (fchmod(fd, 0640) < 0 || ma_write_all(fd, f->text.s,
	    f->text.len) < 0 || fsync(fd) < 0)
		e = errno;
	if (close(fd) < 0 && e == 0)
		e = errno;
	if (e == 0)
		return 0;
	unlinkat(dfd, tmp, 0);
	if (e == EPERM)
		return ma_fail(err, MA_EPERM, e, "cannot give '%s/%s' the "
		    "group of the directory (gid %u): %s", dir, f->name,
		    (unsigned)gid, strerror(e));
	return fail_errno(err, e, "cannot write", dir, tmp);
}

int
ma_srvconf_write(const struct ma_srvconf *c, const char *dir,
    unsigned int flags, struct ma_err *err)
{
	char tmp[MA_SRVCONF_MAXFILES][MA_SRVCONF_NAMEMAX + 32];
	struct stat st;
	size_t i, made = 0;
	int dfd, rc = 0;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    fstat(dfd, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return ma_fail(err, MA_ENOINPUT, errno, "no such "
			    "directory '%s'", dir);
		return ma_fail(err, errno == EACCES ? MA_EPERM : MA_EIO,
		    errno, "cannot open '%s': %s", dir, strerror(errno));
	}
	for (i = 0; i < c->nfiles && rc == 0; i++)
		rc = check_target(dfd, dir, c->files[i].name,
		    flags & MA_SRVCONF_FORCE, err);
	if (rc < 0 || (flags & MA_SRVCONF_DRY_RUN)) {
		close(dfd);
		return rc;
	}
	for (made = 0; made < c->nfiles && rc == 0; made++) {
		snprintf(tmp[made], sizeof(tmp[made]), ".%s.%ld.tmp",
		    c->files[made].name, (long)getpid());
		if ((rc = write_temp(dfd, dir, tmp[made], &c->files[made],
		    st.st_gid, err)) < 0)
			break;
	}
	for (i = 0; i < made && rc == 0; i++)
		if (renameat(dfd, tmp[i], dfd, c->files[i].name) < 0)
			rc = ma_fail(err, MA_EIO, errno, "cannot rename '%s/%s' "
			    "to '%s' (%zu of %zu files replaced): %s", dir,
			    tmp[i], c->files[i].name, i, c->nfiles,
			    strerror(errno));
	/* Whatever was not renamed is removed. */
	for (; i < made; i++)
		unlinkat(dfd, tmp[i], 0);
	if (rc == 0 && fsync(dfd) < 0)
		rc = fail_errno(err, errno, "cannot sync", dir, ".");
	close(dfd);
	return rc;
}
