/*
 * A Maildir copied from another tree (a legacy mail store) into place
 * under vmail_base: every file and folder as it is, names byte for byte
 * (so Courier's courierimapuiddb, courierimapkeywords/, courierpop3dsizelist
 * and the flags in the names keep UIDs, UIDVALIDITY and keywords), mtimes
 * kept (Courier's INTERNALDATE), modes 0600/0700 and owned uid:gid.  The
 * copy is built under a hidden sibling name and renamed into place when
 * it is complete and synced: an interrupted copy leaves only that hidden
 * directory, which the next copy of the same Maildir removes.  The source
 * is only read; symbolic links and special files in it are reported and
 * neither followed nor copied.
 */
#include "maildir-priv.h"
#include "quota-priv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Deeper than any Maildir++ tree (Maildir/.Folder/courierimapkeywords). */
#define COPY_DEPTH 16

/* Prefix of the hidden name a copy is built under: ".mailadm-copy.<leaf>." */
#define COPY_TAG "copy"

struct copy {
	const struct ma_maildir_opts *o;	/* NULL: only count */
	struct ma_maildir_tally	*t;
	ma_maildir_skip_fn	*skip;
	void			*arg;
	struct ma_err		*err;
	char			 path[2 * PATH_MAX];	/* the source, for messages */
};

/* path grows by "/name" while a directory is visited; *len restores it. */
static size_t
path_push(struct copy *c, const char *name)
{
	size_t len = strlen(c->path);

	snprintf(c->path + len, sizeof(c->path) - len, "/%s", name);
	return len;
}

static int
skipped(struct copy *c, const char *name, const char *why)
{
	size_t len = path_push(c, name);
	int rc = 0;

	c->t->skipped++;
	if (c->skip != NULL)
		rc = c->skip(c->path, why, c->arg);
	c->path[len] = '\0';
	return rc < 0 ? ma_fail(c->err, MA_EIO, 0, "%s: stopped", c->path) : 0;
}

static int
fail(struct copy *c, int e, const char *op, const char *name)
{
	return ma_md_fail(c->err, e, c->path, op, name);
}

/* The data of src into dst: copy_file_range, else read and write. */
static int
copy_data(int src, int dst, off_t size)
{
	char buf[65536];
	ssize_t n;
	off_t left = size;

	while (left > 0 && (n = copy_file_range(src, NULL, dst, NULL,
	    (size_t)left, 0)) > 0)
		left -= n;
	if (left == 0)
		return 0;
	/* Another file system, or one that cannot: the plain way. */
	if (lseek(src, size - left, SEEK_SET) < 0)
		return -1;
	while ((n = read(src, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (ma_write_all(dst, buf, (size_t)n) < 0)
			return -1;
	}
	return 0;
}

/* Regular file name of sfd into dfd: data, mtime, 0600, uid:gid. */
static int
copy_file(struct copy *c, int sfd, int dfd, const char *name,
    const struct stat *st)
{
	struct timespec times[2] = { st->st_atim, st->st_mtim };
	const char *op = "open";
	int in, out = -1, e;

	if ((in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return fail(c, errno, op, name);
	op = "create";
	if ((out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) < 0)
		goto fail;
	op = "copy";
	if (copy_data(in, out, st->st_size) < 0)
		goto fail;
	op = "chown";
	if (fchown(out, c->o->uid, c->o->gid) < 0)
		goto fail;
	op = "chmod";
	if (fchmod(out, 0600) < 0)
		goto fail;
	op = "set the time of";
	if (futimens(out, times) < 0)
		goto fail;
	close(in);
	return close(out) < 0 ? fail(c, errno, "close", name) : 0;
fail:
	e = errno;
	close(in);
	if (out >= 0)
		close(out);
	return fail(c, e, op, name);
}

/* What a directory of a Maildir is: the kind of its entries. */
enum kind { K_MAILDIR, K_FOLDER, K_MESSAGES, K_OTHER };

/* The kind of directory name in a directory of kind k. */
static enum kind
kind_of(enum kind k, const char *name)
{
	if (k != K_MAILDIR && k != K_FOLDER)
		return K_OTHER;
	if (strcmp(name, "cur") == 0 || strcmp(name, "new") == 0)
		return K_MESSAGES;
	return k == K_MAILDIR && name[0] == '.' ? K_FOLDER : K_OTHER;
}

static int visit(struct copy *c, int sfd, int dfd, int depth, enum kind k);

/* Directory name of sfd (and its copy in dfd, unless only counting). */
static int
visit_dir(struct copy *c, int sfd, int dfd, const char *name, int depth,
    enum kind k, const struct stat *st)
{
	struct timespec times[2] = { st->st_atim, st->st_mtim };
	const char *op = "open";
	int sub, dsub = -1, rc, e;
	size_t len;

	if ((sub = ma_md_opendir(sfd, name)) < 0)
		return errno == ELOOP ? skipped(c, name, "a symbolic link") :
		    fail(c, errno, op, name);
	if (dfd >= 0 && (dsub = ma_md_mkdir(dfd, name, c->o, &op)) < 0) {
		e = errno;
		close(sub);
		return fail(c, e, op, name);
	}
	len = path_push(c, name);
	rc = visit(c, sub, dsub, depth + 1, kind_of(k, name));
	c->path[len] = '\0';
	/* After its entries: they changed the directory's time. */
	if (rc == 0 && dsub >= 0 && futimens(dsub, times) < 0)
		rc = fail(c, errno, "set the time of", name);
	close(sub);
	if (dsub >= 0)
		close(dsub);
	return rc;
}

/* The entries of directory sfd (of kind k), depth levels down. */
static int
visit(struct copy *c, int sfd, int dfd, int depth, enum kind k)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, rc = 0, e;

	if (depth > COPY_DEPTH)
		return ma_fail(c->err, MA_EIO, 0, "%s: more than %d levels of "
		    "directories", c->path, COPY_DEPTH);
	if ((fd = ma_md_opendir(sfd, ".")) < 0 || (d = fdopendir(fd)) == NULL) {
		e = errno;
		if (fd >= 0)
			close(fd);
		return fail(c, e, "read", "");
	}
	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		const char *n = de->d_name;

		if (ma_md_isdot(n))
			continue;
		if (fstatat(sfd, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
			rc = fail(c, errno, "stat", n);
		else if (S_ISDIR(st.st_mode))
			rc = visit_dir(c, sfd, dfd, n, depth, k, &st);
		else if (S_ISLNK(st.st_mode))
			rc = skipped(c, n, "a symbolic link");
		else if (!S_ISREG(st.st_mode))
			rc = skipped(c, n, "not a regular file");
		else {
			c->t->files++;
			if (k == K_MESSAGES) {
				c->t->messages++;
				c->t->bytes += st.st_size;
			}
			if (dfd >= 0)
				rc = copy_file(c, sfd, dfd, n, &st);
		}
	}
	e = errno;
	closedir(d);
	if (rc == 0 && e != 0)
		rc = fail(c, e, "read", "");
	return rc;
}

/* The source Maildir rel below srcfd, opened; where names it. */
static int
open_source(struct copy *c, int srcfd, const char *where, const char *rel)
{
	char buf[MA_MAILDIR_MAX + 1];
	size_t n = strlen(rel);
	int fd;

	if (n >= sizeof(buf))
		return ma_fail(c->err, MA_EINVAL, 0, "%.64s…: a Maildir path "
		    "longer than %d bytes", rel, MA_MAILDIR_MAX);
	while (n > 1 && rel[n - 1] == '/')
		n--;
	snprintf(buf, sizeof(buf), "%.*s", (int)n, rel);
	snprintf(c->path, sizeof(c->path), "%s/%s", where, buf);
	if (*rel == '\0' || *rel == '/' || ma_md_rel_problem(rel, 0) != NULL)
		return ma_fail(c->err, MA_EINVAL, 0, "%s: not a path below %s",
		    rel, where);
	if ((fd = ma_md_open_beneath(srcfd, buf, O_RDONLY | O_DIRECTORY)) < 0)
		return ma_md_fail(c->err, errno, where, "open Maildir", buf);
	return fd;
}

int
ma_maildir_tally(int srcfd, const char *where, const char *src_rel,
    struct ma_maildir_tally *t, ma_maildir_skip_fn *skip, void *arg,
    struct ma_err *err)
{
	struct copy c = { .t = t, .skip = skip, .arg = arg, .err = err };
	int fd, rc;

	memset(t, 0, sizeof(*t));
	if ((fd = open_source(&c, srcfd, where, src_rel)) < 0)
		return -1;
	rc = visit(&c, fd, -1, 0, K_MAILDIR);
	close(fd);
	return rc;
}

/* Remove what an interrupted copy of leaf left in directory p. */
static int
remove_leftovers(const struct ma_md_walk *w, struct ma_err *err)
{
	char prefix[NAME_MAX + 1];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, rc = 0;
	size_t n;

	n = (size_t)snprintf(prefix, sizeof(prefix), ".mailadm-%s.%.64s.",
	    COPY_TAG, w->leaf);
	if ((fd = ma_md_opendir(MA_MD_PARENT(w), ".")) < 0 ||
	    (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return ma_md_fail(err, errno, w->path, "read", "");
	}
	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, n) != 0)
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    (S_ISDIR(st.st_mode) ? ma_md_rmtree(fd, de->d_name) :
		    unlinkat(fd, de->d_name, 0)) < 0)
			rc = ma_md_fail(err, errno, w->path, "remove",
			    de->d_name);
	}
	closedir(d);
	return rc;
}

/*
 * maildirsize of the copy open at mfd made anew for quota, as "quota
 * recalc" does: the files counted; none without quota and without one.
 */
static int
rebuild_size(int mfd, const char *where, int64_t quota, struct ma_err *err)
{
	char text[2 * MA_MDS_LINE];
	int64_t bytes, count;
	struct stat st;
	size_t n;

	if (quota <= 0 && fstatat(mfd, "maildirsize", &st,
	    AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : ma_md_fail(err, errno, where,
		    "stat", "maildirsize");
	if (ma_quota_count(mfd, where, &bytes, &count, err) < 0)
		return -1;
	n = ma_mds_header(text, sizeof(text), quota > 0 ? quota : 0, 0);
	n += ma_mds_line(text + n, sizeof(text) - n, bytes, count);
	return ma_mds_replace(mfd, where, text, n, NULL, err);
}

/* cur/, new/ and tmp/, which a Maildir cannot be without. */
static int
complete(int mfd, const struct ma_maildir_opts *o, const char *where,
    struct ma_err *err)
{
	static const char *const skel[] = { "cur", "new", "tmp" };
	const char *op;
	struct stat st;
	int i, fd;

	for (i = 0; i < 3; i++) {
		if (fstatat(mfd, skel[i], &st, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		if ((fd = ma_md_mkdir(mfd, skel[i], o, &op)) < 0)
			return ma_md_fail(err, errno, where, op, skel[i]);
		close(fd);
	}
	return 0;
}

int
ma_maildir_copy(const struct ma_maildir_opts *o, int srcfd, const char *where,
    const char *src_rel, const char *rel, int64_t quota,
    struct ma_maildir_tally *t, ma_maildir_skip_fn *skip, void *arg,
    struct ma_err *err)
{
	struct copy c = { .o = o, .t = t, .skip = skip, .arg = arg,
	    .err = err };
	struct ma_md_walk w;
	struct stat st;
	char tmp[NAME_MAX + 1], dst[PATH_MAX + NAME_MAX + 2];
	const char *op;
	int sfd, mfd = -1, p, rc = -1;

	memset(t, 0, sizeof(*t));
	if ((sfd = open_source(&c, srcfd, where, src_rel)) < 0)
		return -1;
	if (ma_md_walk_new(&w, o, rel, err) < 0) {
		close(sfd);
		return -1;
	}
	p = MA_MD_PARENT(&w);
	if (remove_leftovers(&w, err) < 0)
		goto out;
	ma_md_tmpname(tmp, sizeof(tmp), COPY_TAG, w.leaf);
	snprintf(dst, sizeof(dst), "%s/%s", w.path, tmp);
	if (fstat(sfd, &st) < 0) {
		ma_md_fail(err, errno, c.path, "stat", "");
		goto out;
	}
	if ((mfd = ma_md_mkdir(p, tmp, o, &op)) < 0) {
		ma_md_fail(err, errno, w.path, op, tmp);
		goto out;
	}
	if (visit(&c, sfd, mfd, 0, K_MAILDIR) < 0 ||
	    complete(mfd, o, dst, err) < 0 ||
	    rebuild_size(mfd, dst, quota, err) < 0)
		goto out;
	/* The Maildir's own time last, and everything on disk first. */
	if (futimens(mfd, (struct timespec[2]){ st.st_atim, st.st_mtim }) < 0 ||
	    syncfs(mfd) < 0) {
		ma_md_fail(err, errno, w.path, "sync", tmp);
		goto out;
	}
	rc = ma_md_place(&w, tmp, err);
out:
	if (mfd >= 0) {
		close(mfd);
		if (rc < 0)
			ma_md_rmtree(p, tmp);
	}
	close(sfd);
	ma_md_walk_close(&w, rc < 0);
	return rc;
}
