/*
 * The Maildir++ maildirsize file: its quota line, written the way
 * Courier's maildirmake and deliverquota write it.  Usage accounting
 * (recalculation from the message files) is the quota module's.
 */
#include "maildir-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A maildirsize is rewritten by Courier past 5120 bytes; allow slack. */
#define SIZE_MAX_READ (1024 * 1024)

static const char file[] = "maildirsize";

/* What a new maildirsize gets: two parts of text, an owner and a mode. */
struct body {
	const char	*a, *b;
	size_t		 alen, blen;
	uid_t		 uid;
	gid_t		 gid;
	mode_t		 mode;
};

static int
write_all(int fd, const char *s, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, s, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Fill fd (the new file name in dfd) with b, give it b's owner and mode,
 * and sync it; on failure remove it.  0, or -1 with errno and *op set.
 */
static int
fill(int dfd, const char *name, int fd, const struct body *b,
    const char **op)
{
	int e;

	*op = "write";
	if (write_all(fd, b->a, b->alen) < 0 ||
	    write_all(fd, b->b, b->blen) < 0)
		goto fail;
	*op = "chown";
	if (fchown(fd, b->uid, b->gid) < 0)
		goto fail;
	*op = "chmod";
	if (fchmod(fd, b->mode) < 0)
		goto fail;
	*op = "fsync";
	if (fsync(fd) < 0)
		goto fail;
	*op = "close";
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlinkat(dfd, name, 0);
	errno = e;
	return -1;
}

/* maildirmake -q writes the quota line and one usage line, %12s wide. */
int
ma_md_maildirsize_new(int dfd, const struct ma_maildir_opts *o,
    uint64_t quota_bytes, const char **op)
{
	char buf[64];
	struct body b = { buf, "", 0, 0, o->uid, o->gid, 0600 };
	int fd;

	b.alen = (size_t)snprintf(buf, sizeof(buf), "%" PRIu64 "S\n%12s %12s\n",
	    quota_bytes, "0", "0");
	*op = "create";
	fd = openat(dfd, file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	return fill(dfd, file, fd, &b, op);
}

/* Read all of regular file fd (at most SIZE_MAX_READ) into *out. */
static int
read_small(int fd, const struct stat *st, char **out, size_t *len)
{
	size_t cap = (size_t)st->st_size + 1, n = 0;
	ssize_t r;
	char *buf;

	if ((buf = malloc(cap + 1)) == NULL)
		return -1;
	/* It may grow while we read (a delivery appends): read to EOF. */
	while ((r = read(fd, buf + n, cap - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (n += (size_t)r) > SIZE_MAX_READ) {
			free(buf);
			errno = r < 0 ? errno : EFBIG;
			return -1;
		}
		if (n == cap) {
			char *nb = realloc(buf, (cap *= 2) + 1);

			if (nb == NULL) {
				free(buf);
				return -1;
			}
			buf = nb;
		}
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* The old file, open and checked, in the Maildir open at mfd. */
static int
open_old(int mfd, const struct ma_md_walk *w, struct stat *st,
    struct ma_err *err)
{
	char name[NAME_MAX + sizeof(file) + 1];
	int fd;

	snprintf(name, sizeof(name), "%s/%s", w->leaf, file);
	if ((fd = openat(mfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return ma_md_fail(err, errno, w->path, "open", name);
	if (fstat(fd, st) < 0) {
		int e = errno;

		close(fd);
		return ma_md_fail(err, e, w->path, "stat", name);
	}
	if (!S_ISREG(st->st_mode) || st->st_size > SIZE_MAX_READ) {
		close(fd);
		return ma_fail(err, MA_EIO, 0, "'%s/%s' is %s", w->path, name,
		    S_ISREG(st->st_mode) ? "over 1 MiB: not a maildirsize" :
		    "not a regular file");
	}
	return fd;
}

/* Write b to a new file in mfd's tmp/ and rename it over the old one. */
static int
replace(int mfd, const struct ma_md_walk *w, const struct body *b,
    struct ma_err *err)
{
	char tmp[NAME_MAX + 1], name[2 * NAME_MAX + 8];
	const char *op = "open";
	int tdir, fd, rc = -1;

	snprintf(name, sizeof(name), "%s/tmp", w->leaf);
	if ((tdir = ma_md_opendir(mfd, "tmp")) < 0)
		return ma_md_fail(err, errno, w->path, op, name);
	ma_md_tmpname(tmp, sizeof(tmp), "size", w->leaf);
	snprintf(name, sizeof(name), "%s/tmp/%s", w->leaf, tmp);
	op = "create";
	fd = openat(tdir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0 || fill(tdir, tmp, fd, b, &op) < 0) {
		ma_md_fail(err, errno, w->path, op, name);
		goto out;
	}
	snprintf(name, sizeof(name), "%s/%s", w->leaf, file);
	if (renameat(tdir, tmp, mfd, file) < 0) {
		ma_md_fail(err, errno, w->path, "rename to", name);
		unlinkat(tdir, tmp, 0);
		goto out;
	}
	if (fsync(mfd) < 0) {
		ma_md_fail(err, errno, w->path, "fsync", w->leaf);
		goto out;
	}
	rc = 0;
out:
	close(tdir);
	return rc;
}

int
ma_maildirsize_write_header(const struct ma_maildir_opts *o,
    const char *rel, uint64_t quota_bytes, struct ma_err *err)
{
	struct ma_md_walk w;
	struct stat st;
	struct body b;
	char header[32], name[NAME_MAX + sizeof(file) + 1], *old = NULL, *rest;
	size_t len;
	int mfd = -1, fd = -1, rc = -1;

	if (ma_md_walk_open(&w, o, rel, 0, 0, err) < 0)
		return -1;
	if ((mfd = ma_md_opendir(MA_MD_PARENT(&w), w.leaf)) < 0) {
		ma_md_fail(err, errno, w.path, "open", w.leaf);
		goto out;
	}
	if ((fd = open_old(mfd, &w, &st, err)) < 0)
		goto out;
	if (read_small(fd, &st, &old, &len) < 0) {
		snprintf(name, sizeof(name), "%s/%s", w.leaf, file);
		ma_md_fail(err, errno, w.path, "read", name);
		goto out;
	}
	/* Keep every line after the first: they are the usage. */
	rest = memchr(old, '\n', len);
	rest = rest != NULL ? rest + 1 : old + len;
	b.a = header;
	b.alen = (size_t)snprintf(header, sizeof(header), "%" PRIu64 "S\n",
	    quota_bytes);
	b.b = rest;
	b.blen = len - (size_t)(rest - old);
	b.uid = st.st_uid;
	b.gid = st.st_gid;
	b.mode = st.st_mode & 07777;
	rc = replace(mfd, &w, &b, err);
out:
	free(old);
	if (fd >= 0)
		close(fd);
	if (mfd >= 0)
		close(mfd);
	ma_md_walk_close(&w, 0);
	return rc;
}
