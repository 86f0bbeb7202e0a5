/*
 * Delivering a message into a Maildir the way every Maildir reader
 * expects: tmp/ first, then one rename into new/, so that no reader ever
 * sees half a message.
 */
#include "maildir-priv.h"
#include "quota-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The host part of a message name: '/' and ':' escaped as Maildir says. */
static void
name_host(char *buf, size_t size)
{
	char host[256];
	size_t i, o = 0;

	if (gethostname(host, sizeof(host)) < 0 || host[0] == '\0')
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	for (i = 0; host[i] != '\0' && o + 5 < size; i++) {
		if (host[i] == '/' || host[i] == ':')
			o += (size_t)snprintf(buf + o, size - o, "\\%03o",
			    (unsigned char)host[i]);
		else
			buf[o++] = host[i];
	}
	buf[o] = '\0';
}

/* Write msg to a new file in tmp/ (tdir); its fd, name in tmp and stat. */
static int
write_tmp(int tdir, const struct stat *md, const char *host, const char *msg,
    size_t len, char *tmp, size_t size, struct stat *st, const char **op)
{
	static unsigned int q;
	struct timespec now;
	int fd, e;

	*op = "create";
	do {
		clock_gettime(CLOCK_REALTIME, &now);
		snprintf(tmp, size, "%lld.M%ldP%ldQ%u.%s", (long long)now.tv_sec,
		    now.tv_nsec / 1000, (long)getpid(), ++q, host);
		fd = openat(tdir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	} while (fd < 0 && errno == EEXIST);
	if (fd < 0)
		return -1;
	*op = "write";
	if (ma_write_all(fd, msg, len) == 0) {
		*op = "chown";
		if (fstat(fd, st) == 0 && ((st->st_uid == md->st_uid &&
		    st->st_gid == md->st_gid) || fchown(fd, md->st_uid,
		    md->st_gid) == 0)) {
			*op = "fsync";
			if (fchmod(fd, 0600) == 0 && fsync(fd) == 0 &&
			    fstat(fd, st) == 0)
				return fd;
		}
	}
	e = errno;
	close(fd);
	unlinkat(tdir, tmp, 0);
	errno = e;
	return -1;
}

/* Courier's count of the message: a usage line, when there is a file. */
static void
account(int mfd, size_t len)
{
	char line[MA_MDS_LINE];
	struct stat st;
	size_t n;
	int fd;

	fd = openat(mfd, "maildirsize", O_WRONLY | O_APPEND | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	/* One write() with O_APPEND: whole next to other deliveries' lines. */
	n = ma_mds_line(line, sizeof(line), (int64_t)len, 1);
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		(void)!write(fd, line, n);
	close(fd);
}

int
ma_maildir_deliver(const struct ma_vmail *v, const char *rel,
    const char *msg, size_t len, char *name, size_t size,
    struct ma_err *err)
{
	char where[PATH_MAX], host[100], tmp[NAME_MAX + 1], fin[NAME_MAX + 1];
	const char *op = "open", *what = "tmp";
	struct stat md, st;
	int mfd, tdir = -1, ndir = -1, fd = -1, rc = -1;

	if ((mfd = ma_vmail_maildir(v, rel, err)) < 0)
		return -1;
	ma_vmail_where(v, rel, where, sizeof(where));
	if (fstat(mfd, &md) < 0 || (tdir = ma_md_opendir(mfd, "tmp")) < 0 ||
	    (what = "new", ndir = ma_md_opendir(mfd, "new")) < 0)
		goto fail;
	name_host(host, sizeof(host));
	what = "tmp";
	if ((fd = write_tmp(tdir, &md, host, msg, len, tmp, sizeof(tmp), &st,
	    &op)) < 0)
		goto fail;
	close(fd);
	snprintf(fin, sizeof(fin), "%lld.M%ldP%ldV%016llXI%016llX.%s,S=%zu",
	    (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec / 1000,
	    (long)getpid(), (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino, host, len);
	op = "rename into";
	what = "new";
	if (ma_md_rename(tdir, tmp, ndir, fin) < 0) {
		unlinkat(tdir, tmp, 0);
		goto fail;
	}
	fsync(ndir);
	account(mfd, len);
	snprintf(name, size, "%s", fin);
	rc = 0;
	goto out;
fail:
	ma_md_fail(err, errno, where, op, what);
out:
	if (ndir >= 0)
		close(ndir);
	if (tdir >= 0)
		close(tdir);
	close(mfd);
	return rc;
}
