/*
 * The quota warning, once per crossing of the threshold: the warn file
 * in the Maildir (MA_QUOTA_WARN_FILE) is made with O_EXCL before the
 * message goes out, so that of two runs at the same time only one
 * delivers, and removed when the usage is under the threshold again.
 */
#include "maildir-priv.h"
#include "quota-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char file[] = MA_QUOTA_WARN_FILE;

int
ma_quota_warned(const struct ma_vmail *v, const char *rel)
{
	char path[MA_MAILDIR_MAX + sizeof(file) + 2];
	int fd;

	if (ma_md_rel_problem(rel, 0) != NULL)
		return 0;
	snprintf(path, sizeof(path), "%s%s%s", rel,
	    rel[strlen(rel) - 1] == '/' ? "" : "/", file);
	if ((fd = ma_md_open_beneath(v->fd, path, O_PATH)) < 0)
		return 0;
	close(fd);
	return 1;
}

/* Make the warn file: 1 made, 0 there already, -1 with errno set. */
static int
claim(int mfd, const struct ma_warn_job *j)
{
	const struct ma_quota_usage *u = j->usage;
	char text[128];
	struct stat md, st;
	int fd, n, e;

	fd = openat(mfd, file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? 0 : -1;
	/* What was said, for whoever looks: time, percent, usage, limit. */
	n = snprintf(text, sizeof(text), "%lld %d %" PRId64 " %" PRId64 "\n",
	    (long long)j->now, u->percent, u->bytes, u->limit_bytes);
	if (fstat(mfd, &md) == 0 && fstat(fd, &st) == 0 &&
	    ((st.st_uid == md.st_uid && st.st_gid == md.st_gid) ||
	    fchown(fd, md.st_uid, md.st_gid) == 0) &&
	    ma_write_all(fd, text, (size_t)n) == 0 && close(fd) == 0)
		return 1;
	e = errno;
	close(fd);
	unlinkat(mfd, file, 0);
	errno = e;
	return -1;
}

/* Deliver the warning; the warn file goes again when that fails. */
static int
send_warning(const struct ma_vmail *v, int mfd, const struct ma_warn_job *j,
    struct ma_err *err)
{
	const struct ma_quota_usage *u = j->usage;
	struct ma_warn_vars vars = { j->address, j->domain, u->bytes,
	    u->limit_bytes, u->percent, j->now };
	char name[NAME_MAX + 1], *msg = NULL;
	size_t len;
	int rc;

	rc = ma_warn_text_render(j->text, &vars, &msg, &len, err);
	if (rc == 0)
		rc = ma_maildir_deliver(v, j->maildir, msg, len, name,
		    sizeof(name), err);
	free(msg);
	if (rc < 0)
		unlinkat(mfd, file, 0);
	return rc;
}

int
ma_quota_warn(const struct ma_vmail *v, const struct ma_warn_job *j,
    enum ma_warn_result *res, struct ma_err *err)
{
	const struct ma_quota_usage *u = j->usage;
	char where[PATH_MAX];
	struct stat st;
	int mfd, over, r, rc = 0;

	over = (u->limit_bytes > 0 || u->limit_count > 0) &&
	    u->percent >= j->threshold;
	ma_vmail_where(v, j->maildir, where, sizeof(where));
	if ((mfd = ma_vmail_maildir(v, j->maildir, err)) < 0)
		return -1;
	if (!over || j->dry_run) {
		r = fstatat(mfd, file, &st, AT_SYMLINK_NOFOLLOW);
		if (r < 0 && errno != ENOENT)
			rc = ma_md_fail(err, errno, where, "stat", file);
		else if (over)
			*res = r == 0 ? MA_WARN_ALREADY : MA_WARN_SENT;
		else if (r < 0)
			*res = MA_WARN_BELOW;
		else if (!j->dry_run && unlinkat(mfd, file, 0) < 0 &&
		    errno != ENOENT)
			rc = ma_md_fail(err, errno, where, "remove", file);
		else
			*res = MA_WARN_REARMED;
	} else if ((r = claim(mfd, j)) < 0) {
		rc = ma_md_fail(err, errno, where, "create", file);
	} else if (r == 0) {
		*res = MA_WARN_ALREADY;
	} else if ((rc = send_warning(v, mfd, j, err)) == 0) {
		*res = MA_WARN_SENT;
	}
	close(mfd);
	return rc;
}
