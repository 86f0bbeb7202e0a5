/*
 * The maildirsize file: read as Courier reads it (its first MA_MDS_READ
 * bytes), and written the way Courier writes it, in the Maildir's tmp/
 * and renamed into place, so that a delivery reading it at the same time
 * sees the old file or the new one, never half of one.
 */
#include "maildir-priv.h"
#include "quota-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char file[] = "maildirsize";

/*
 * Fill the new file fd with text, owned uid:gid (chown only when that
 * changes something: a vmail process may write its own files), mode
 * 0600, synced.  0, or -1 with errno and *op set.
 */
static int
fill(int fd, const char *text, size_t len, uid_t uid, gid_t gid,
    const char **op)
{
	struct stat st;

	*op = "write";
	if (ma_write_all(fd, text, len) < 0)
		return -1;
	*op = "chown";
	if (fstat(fd, &st) < 0 || ((st.st_uid != uid || st.st_gid != gid) &&
	    fchown(fd, uid, gid) < 0))
		return -1;
	*op = "chmod";
	if (fchmod(fd, 0600) < 0)
		return -1;
	*op = "fsync";
	return fdatasync(fd);
}

size_t
ma_mds_header(char *buf, size_t size, int64_t bytes, int64_t count)
{
	int n = 0;

	if (bytes > 0)
		n = snprintf(buf, size, "%" PRId64 "S", bytes);
	if (count > 0)
		n += snprintf(buf + n, size - (size_t)n, "%s%" PRId64 "C",
		    n > 0 ? "," : "", count);
	if (n == 0)	/* "no limit", which Courier and Dovecot both read */
		n = snprintf(buf, size, "0S");
	n += snprintf(buf + n, size - (size_t)n, "\n");
	return (size_t)n;
}

size_t
ma_mds_line(char *buf, size_t size, int64_t bytes, int64_t count)
{
	return (size_t)snprintf(buf, size, "%12" PRId64 " %12" PRId64 "\n",
	    bytes, count);
}

/* maildirmake -q writes the quota line and one usage line of zeros. */
int
ma_md_maildirsize_new(int dfd, const struct ma_maildir_opts *o,
    uint64_t quota_bytes, const char **op)
{
	char text[2 * MA_MDS_LINE];
	size_t n = ma_mds_header(text, sizeof(text), (int64_t)quota_bytes, 0);
	int fd, e;

	n += ma_mds_line(text + n, sizeof(text) - n, 0, 0);
	*op = "create";
	fd = openat(dfd, file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (fill(fd, text, n, o->uid, o->gid, op) == 0) {
		*op = "close";
		if (close(fd) == 0)
			return 0;
		fd = -1;
	}
	e = errno;
	if (fd >= 0)
		close(fd);
	unlinkat(dfd, file, 0);
	errno = e;
	return -1;
}

int
ma_mds_read(int dfd, const char *path, struct ma_mds *f)
{
	ssize_t r;
	int e;

	f->len = 0;
	f->have_stat = 0;
	/* O_NONBLOCK: a FIFO planted as maildirsize must not hang us. */
	f->fd = ma_md_open_beneath(dfd, path, O_RDONLY | O_NONBLOCK);
	if (f->fd < 0)
		return errno == ENOENT ? 0 : -1;
	/*
	 * One read, as Courier's: a regular file reads short only at its
	 * end (a cut one would read as a cut line, and be counted again).
	 * Only an empty read needs a look at what was opened.
	 */
	while ((r = read(f->fd, f->buf, sizeof(f->buf))) < 0 && errno == EINTR)
		;
	if (r < 0 || (r == 0 && ma_mds_stat(f) < 0))
		goto fail;
	if (r == 0 && !S_ISREG(f->st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	f->len = (size_t)r;
	ma_mdsize_parse(f->buf, f->len, &f->m);
	return 1;
fail:
	e = errno;
	ma_mds_close(f);
	errno = e == EAGAIN ? EINVAL : e;
	return -1;
}

int
ma_mds_stat(struct ma_mds *f)
{
	if (!f->have_stat && fstat(f->fd, &f->st) < 0)
		return -1;
	f->have_stat = 1;
	return 0;
}

void
ma_mds_close(struct ma_mds *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

int
ma_mds_replace(int mfd, const char *where, const char *text, size_t len,
    int *keep, struct ma_err *err)
{
	char tmp[NAME_MAX + 1], name[NAME_MAX + 8];
	const char *op = "stat";
	struct stat md;
	int tdir, fd = -1, e;

	if (fstat(mfd, &md) < 0)
		return ma_md_fail(err, errno, where, op, "");
	if ((tdir = ma_md_opendir(mfd, "tmp")) < 0)
		return ma_md_fail(err, errno, where, "open", "tmp");
	ma_md_tmpname(tmp, sizeof(tmp), "size", file);
	snprintf(name, sizeof(name), "tmp/%s", tmp);
	op = "create";
	fd = openat(tdir, tmp, O_WRONLY | O_APPEND | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	/* Owned like the Maildir: the delivery agent must append to it. */
	if (fd < 0 || fill(fd, text, len, md.st_uid, md.st_gid, &op) < 0)
		goto fail;
	snprintf(name, sizeof(name), "%s", file);
	op = "rename to";
	if (renameat(tdir, tmp, mfd, file) < 0)
		goto fail;
	close(tdir);
	/*
	 * The rename is not synced: after a crash the old file is still a
	 * valid one (Courier syncs neither), while a file whose data were
	 * lost would read as "no quota".
	 */
	if (keep != NULL)
		*keep = fd;
	else
		close(fd);
	return 0;
fail:
	e = errno;
	if (fd >= 0) {
		close(fd);
		unlinkat(tdir, tmp, 0);
	}
	close(tdir);
	return ma_md_fail(err, e, where, op, name);
}

/* Append to fd what old's file got past what was read of it. */
static void
carry_over(int fd, const struct ma_mds *old)
{
	char buf[4096];
	off_t at = (off_t)old->len;
	ssize_t r;

	while ((r = pread(old->fd, buf, sizeof(buf), at)) > 0 &&
	    ma_write_all(fd, buf, (size_t)r) == 0)
		at += r;
}

int
ma_mds_set_header(int mfd, const char *where, const struct ma_mds *old,
    const char *header, struct ma_err *err)
{
	char text[MA_MDS_LINE + MA_MDS_READ];
	const char *rest = memchr(old->buf, '\n', old->len);
	size_t hlen = strlen(header), rlen;
	int fd;

	rest = rest != NULL ? rest + 1 : old->buf + old->len;
	rlen = old->len - (size_t)(rest - old->buf);
	if (hlen + rlen > sizeof(text))
		return ma_fail(err, MA_EINVAL, 0, "'%s/%s': header too long",
		    where, file);
	memcpy(text, header, hlen);
	memcpy(text + hlen, rest, rlen);
	if (ma_mds_replace(mfd, where, text, hlen + rlen, &fd, err) < 0)
		return -1;
	/* A delivery that had the old file open appended there. */
	carry_over(fd, old);
	if (fdatasync(fd) < 0) {
		int e = errno;

		close(fd);
		return ma_md_fail(err, e, where, "fsync", file);
	}
	close(fd);
	return 0;
}
