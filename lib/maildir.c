/*
 * Creating, taking back, archiving and purging a mailbox's Maildir.  Each
 * change is one rename() of a whole directory, so a delivery or a login
 * sees the Maildir complete or not at all.
 */
#include "maildir-priv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const skel[] = { "cur", "new", "tmp" };

/* Make directory name in w's parent: the Maildir skeleton, synced. */
static int
build(const struct ma_md_walk *w, const char *name, uint64_t quota_bytes,
    struct ma_err *err)
{
	char sub[2 * NAME_MAX + 2];
	const char *op;
	int dfd, fd, i, e, rc = -1;

	if ((dfd = ma_md_mkdir(MA_MD_PARENT(w), name, w->o, &op)) < 0)
		return ma_md_fail(err, errno, w->path, op, name);
	for (i = 0; i < 3; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", name, skel[i]);
		if ((fd = ma_md_mkdir(dfd, skel[i], w->o, &op)) < 0) {
			ma_md_fail(err, errno, w->path, op, sub);
			goto out;
		}
		e = fsync(fd) < 0 ? errno : 0;
		close(fd);
		if (e != 0) {
			ma_md_fail(err, e, w->path, "fsync", sub);
			goto out;
		}
	}
	snprintf(sub, sizeof(sub), "%s/maildirsize", name);
	if (quota_bytes > 0 &&
	    ma_md_maildirsize_new(dfd, w->o, quota_bytes, &op) < 0) {
		ma_md_fail(err, errno, w->path, op, sub);
		goto out;
	}
	if (fsync(dfd) < 0) {
		ma_md_fail(err, errno, w->path, "fsync", name);
		goto out;
	}
	rc = 0;
out:
	close(dfd);
	return rc;
}

int
ma_maildir_create(const struct ma_maildir_opts *o, const char *rel,
    uint64_t quota_bytes, struct ma_err *err)
{
	struct ma_md_walk w;
	char tmp[NAME_MAX + 1];
	int rc = -1;

	if (ma_md_walk_new(&w, o, rel, err) < 0)
		return -1;
	ma_md_tmpname(tmp, sizeof(tmp), "new", w.leaf);
	if (build(&w, tmp, quota_bytes, err) < 0 ||
	    ma_md_place(&w, tmp, err) < 0)
		ma_md_rmtree(MA_MD_PARENT(&w), tmp);
	else
		rc = 0;
	ma_md_walk_close(&w, rc < 0);
	return rc;
}

/* 1 if directory name in dfd has an entry (copied to first), 0 if not. */
static int
first_entry(int dfd, const char *name, char *first, size_t size)
{
	struct dirent *de;
	DIR *d;
	int fd, found = 0;

	if ((fd = ma_md_opendir(dfd, name)) < 0)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		if (!ma_md_isdot(de->d_name)) {
			snprintf(first, size, "%s/%s", name, de->d_name);
			found = 1;
			break;
		}
	closedir(d);
	return found;
}

/*
 * Why directory fd is not the skeleton ma_maildir_create() makes, in why
 * (size bytes); "" if it is.  0, or -1 with errno set.
 */
static int
not_skeleton(int fd, const struct ma_maildir_opts *o, char *why, size_t size)
{
	struct dirent *de;
	struct stat st;
	char held[2 * NAME_MAX + 2] = "", q[MA_QUOTE_MAX];
	DIR *d;
	int r = 0, dup_fd, e;

	why[0] = '\0';
	if (fstat(fd, &st) < 0 || (dup_fd = dup(fd)) < 0)
		return -1;
	if (st.st_uid != o->uid || st.st_gid != o->gid)
		snprintf(why, size, "it is owned by %lu:%lu",
		    (unsigned long)st.st_uid, (unsigned long)st.st_gid);
	if ((d = fdopendir(dup_fd)) == NULL) {
		close(dup_fd);
		return -1;
	}
	while (why[0] == '\0' && r >= 0 && (de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		int i;

		if (ma_md_isdot(n))
			continue;
		if (fstatat(fd, n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = -1;
			break;
		}
		for (i = 0; i < 3 && strcmp(n, skel[i]) != 0; i++)
			;
		if (i < 3 && S_ISDIR(st.st_mode))
			r = first_entry(fd, n, held, sizeof(held));
		else if (strcmp(n, "maildirsize") != 0 || !S_ISREG(st.st_mode))
			snprintf(held, sizeof(held), "%s", n);
		if (held[0] != '\0')
			snprintf(why, size, "it holds '%s'",
			    ma_quote(held, q, sizeof(q)));
	}
	e = errno;
	closedir(d);
	errno = e;
	return r < 0 ? -1 : 0;
}

/* Remove the skeleton at name in dfd, which not_skeleton() accepted. */
static int
rm_skeleton(int dfd, const char *name)
{
	int fd, i, rc = 0;

	if ((fd = ma_md_opendir(dfd, name)) < 0)
		return -1;
	if (unlinkat(fd, "maildirsize", 0) < 0 && errno != ENOENT)
		rc = -1;
	/* rmdir, not a tree removal: mail arriving now makes it fail. */
	for (i = 0; i < 3 && rc == 0; i++)
		if (unlinkat(fd, skel[i], AT_REMOVEDIR) < 0 && errno != ENOENT)
			rc = -1;
	close(fd);
	return rc == 0 ? unlinkat(dfd, name, AT_REMOVEDIR) : -1;
}

/* Check the hidden Maildir tmp; remove it, or put it back as leaf. */
static int
undo_hidden(const struct ma_md_walk *w, const char *tmp, struct ma_err *err)
{
	char why[MA_QUOTE_MAX + 32];
	int p = MA_MD_PARENT(w), fd, r;

	if ((fd = ma_md_opendir(p, tmp)) < 0)
		return ma_md_fail(err, errno, w->path, "open", tmp);
	r = not_skeleton(fd, w->o, why, sizeof(why));
	close(fd);
	if (r < 0 || why[0] != '\0') {
		int e = errno;

		if (ma_md_rename(p, tmp, p, w->leaf) < 0)
			return ma_md_fail(err, errno, w->path, "put back (from "
			    "the check for mail) Maildir", tmp);
		if (r < 0)
			return ma_md_fail(err, e, w->path, "read", w->leaf);
		return ma_fail(err, MA_EPERM, 0, "'%s/%s' is not the empty "
		    "Maildir just made (%s): left in place", w->path, w->leaf,
		    why);
	}
	if (rm_skeleton(p, tmp) < 0)
		return ma_md_fail(err, errno, w->path, "remove", tmp);
	return 0;
}

int
ma_maildir_undo_create(const struct ma_maildir_opts *o, const char *rel,
    struct ma_err *err)
{
	struct ma_md_walk w;
	char tmp[NAME_MAX + 1];
	int fd, rc = -1;

	if (ma_md_walk_open(&w, o, rel, 0, 0, err) < 0)
		return -1;
	if ((fd = ma_md_opendir(MA_MD_PARENT(&w), w.leaf)) < 0) {
		ma_md_fail(err, errno, w.path, "open Maildir", w.leaf);
		goto out;
	}
	close(fd);
	/* Hidden, no delivery can start in it while it is checked. */
	ma_md_tmpname(tmp, sizeof(tmp), "undo", w.leaf);
	if (ma_md_rename(MA_MD_PARENT(&w), w.leaf, MA_MD_PARENT(&w), tmp) < 0) {
		ma_md_fail(err, errno, w.path, "rename Maildir", w.leaf);
		goto out;
	}
	rc = undo_hidden(&w, tmp, err);
	if (rc == 0)
		fsync(MA_MD_PARENT(&w));
out:
	ma_md_walk_close(&w, 0);
	return rc;
}

/* "example.org/bob/" and "S" → "example.org_bob-S"; 0, or -1 if too long. */
static int
archive_name(const char *rel, const char *stamp, char *name, size_t size)
{
	size_t n = strlen(rel), i;

	while (n > 0 && rel[n - 1] == '/')
		n--;
	if (n + 1 + strlen(stamp) >= size || n + 1 + strlen(stamp) > NAME_MAX)
		return -1;
	for (i = 0; i < n; i++)
		name[i] = rel[i] == '/' ? '_' : rel[i];
	snprintf(name + n, size - n, "-%s", stamp);
	return 0;
}

/* Open <base>/.archive, making it (0700, uid:gid) if missing. */
static int
archive_dir(const struct ma_md_walk *w, struct ma_err *err)
{
	const char *op = "open";
	int fd;

	while ((fd = ma_md_opendir(w->fd[0], ".archive")) < 0 &&
	    errno == ENOENT) {
		if ((fd = ma_md_mkdir(w->fd[0], ".archive", w->o, &op)) >= 0) {
			fsync(w->fd[0]);
			break;
		}
		if (errno != EEXIST)
			break;
	}
	if (fd < 0)
		ma_md_fail(err, errno, w->base, op, ".archive");
	return fd;
}

int
ma_maildir_archive(const struct ma_maildir_opts *o, const char *rel,
    const char *stamp, char *out, size_t size, struct ma_err *err)
{
	struct ma_md_walk w;
	char name[NAME_MAX + 1], q[MA_QUOTE_MAX], to[NAME_MAX + 16];
	int fd, adir = -1, rc = -1;

	if (*stamp == '\0' || strchr(stamp, '/') != NULL ||
	    ma_md_rel_problem(stamp, 0) != NULL)
		return ma_fail(err, MA_EINVAL, 0, "invalid archive stamp '%s'",
		    ma_quote(stamp, q, sizeof(q)));
	if (archive_name(rel, stamp, name, sizeof(name)) < 0 ||
	    strlen(name) + sizeof(".archive//") > size)
		return ma_fail(err, MA_EINVAL, 0, "archive name for '%s' is "
		    "too long", ma_quote(rel, q, sizeof(q)));
	if (ma_md_walk_open(&w, o, rel, 0, 1, err) < 0)
		return -1;
	if ((fd = ma_md_opendir(MA_MD_PARENT(&w), w.leaf)) < 0) {
		ma_md_fail(err, errno, w.path, "archive Maildir", w.leaf);
		goto out;
	}
	close(fd);
	if ((adir = archive_dir(&w, err)) < 0)
		goto out;
	snprintf(to, sizeof(to), ".archive/%s", name);
	if (ma_md_rename(MA_MD_PARENT(&w), w.leaf, adir, name) < 0) {
		int e = errno;
		char what[2 * PATH_MAX];

		if (e == EEXIST || e == ENOTEMPTY) {
			ma_fail(err, MA_EEXIST, e, "archive '%s/%s' already "
			    "exists", w.base, to);
			goto out;
		}
		/* Reads: archive Maildir '<path>/<leaf>' to '<base>/<to>': … */
		snprintf(what, sizeof(what), "%s' to '%s/%s", w.leaf, w.base,
		    to);
		ma_md_fail(err, e, w.path, "archive Maildir", what);
		goto out;
	}
	/* Moved: from here on failing to sync is not worth undoing it. */
	fsync(adir);
	fsync(MA_MD_PARENT(&w));
	snprintf(out, size, "%s/", to);
	rc = 0;
out:
	if (adir >= 0)
		close(adir);
	ma_md_walk_close(&w, 0);
	return rc;
}

int
ma_maildir_purge(const struct ma_maildir_opts *o, const char *rel,
    struct ma_err *err)
{
	struct ma_md_walk w;
	char tmp[NAME_MAX + 1];
	int fd, p, rc = -1;

	if (ma_md_walk_open(&w, o, rel, 0, 0, err) < 0)
		return -1;
	p = MA_MD_PARENT(&w);
	if ((fd = ma_md_opendir(p, w.leaf)) < 0) {
		ma_md_fail(err, errno, w.path, "purge Maildir", w.leaf);
		goto out;
	}
	close(fd);
	/* Out of sight first: no delivery into a half-deleted Maildir. */
	ma_md_tmpname(tmp, sizeof(tmp), "purge", w.leaf);
	if (ma_md_rename(p, w.leaf, p, tmp) < 0) {
		ma_md_fail(err, errno, w.path, "purge: rename Maildir", w.leaf);
		goto out;
	}
	if (ma_md_rmtree(p, tmp) < 0) {
		ma_md_fail(err, errno, w.path, "purge: remove (what is left "
		    "stays there)", tmp);
		goto out;
	}
	fsync(p);
	rc = 0;
out:
	ma_md_walk_close(&w, 0);
	return rc;
}
