/*
 * A mailbox's usage: maildirsize when Courier would trust it, else the
 * messages counted and the file rewritten, as the delivery agent would
 * rewrite it at its next delivery; and a new quota put into the file.
 */
#include "maildir-priv.h"
#include "quota-priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char file[] = "maildirsize";

/* The error of a failed ma_mds_read() (errno e) in the Maildir where. */
static int
read_fail(int e, const char *where, struct ma_err *err)
{
	if (e == EINVAL || e == EISDIR)
		return ma_fail(err, MA_EIO, e, "'%s/%s' is not a regular file",
		    where, file);
	return ma_md_fail(err, e, where, "read", file);
}

/*
 * Read <rel>maildirsize below vmail_base: 1, 0 (none) or -1 (err set).
 * Reports read thousands of them: the path is made without printf.
 */
static int
read_file(const struct ma_vmail *v, const char *rel, struct ma_mds *f,
    struct ma_err *err)
{
	char path[MA_MAILDIR_MAX + sizeof(file) + 2], q[MA_QUOTE_MAX];
	char where[PATH_MAX];
	const char *why = ma_md_rel_problem(rel, 0);
	size_t n = strlen(rel);
	int rc;

	if (why != NULL)
		return ma_fail(err, MA_EINVAL, 0, "invalid maildir '%s': %s",
		    ma_quote(rel, q, sizeof(q)), why);
	memcpy(path, rel, n);
	if (rel[n - 1] != '/')
		path[n++] = '/';
	memcpy(path + n, file, sizeof(file));
	if ((rc = ma_mds_read(v->fd, path, f)) >= 0)
		return rc;
	rc = errno;
	ma_vmail_where(v, rel, where, sizeof(where));
	return read_fail(rc, where, err);
}

/* Why the files must be counted, or NULL when maildirsize will do. */
static const char *
count_why(const struct ma_quota_req *r, struct ma_mds *f, int found,
    int64_t lb, int64_t lc)
{
	const struct ma_mdsize *m = &f->m;
	int over;

	if (r->flags & MA_QUOTA_RECALC)
		return "recalculation asked for";
	if (!found)
		return "no maildirsize";
	if (m->flags & MA_MDS_OVERFLOW)
		return "maildirsize is 5120 bytes or more";
	if (m->flags & MA_MDS_NEGATIVE)
		return "maildirsize has a negative total";
	if (m->flags & MA_MDS_MALFORMED)
		return "maildirsize has a malformed line";
	if (r->quota > 0 && (m->limit_bytes != r->quota || m->limit_count != 0))
		return "the quota line of maildirsize is not the mailbox's quota";
	over = (lb > 0 && m->bytes + r->extra_bytes > lb) ||
	    (lc > 0 && m->count + r->extra_count > lc);
	/* Without its time (fstat failed), the file is not to be trusted. */
	if (over && (m->lines != 1 || ma_mds_stat(f) < 0 ||
	    r->now >= f->st.st_mtime + MA_MDS_FRESH))
		return "over quota by a total of several lines, or 15 minutes "
		    "old";
	return NULL;
}

static void
set_percent(struct ma_quota_usage *u)
{
	int pb = ma_quota_percent(u->bytes, u->limit_bytes);
	int pc = ma_quota_percent(u->count, u->limit_count);

	u->percent = pb > pc ? pb : pc;
}

/* Make maildirsize anew from u: its limits and one usage line. */
static int
rewrite(int mfd, const char *where, struct ma_quota_usage *u,
    struct ma_err *err)
{
	char text[2 * MA_MDS_LINE];
	size_t n;

	n = ma_mds_header(text, sizeof(text), u->limit_bytes, u->limit_count);
	n += ma_mds_line(text + n, sizeof(text) - n, u->bytes, u->count);
	if (ma_mds_replace(mfd, where, text, n, NULL, err) < 0)
		return -1;
	u->state = MA_QS_RECALCULATED;
	return 0;
}

/* Count the files of a Maildir whose maildirsize cannot be trusted. */
static int
usage_counted(const struct ma_vmail *v, const struct ma_quota_req *r,
    int found, const char *where, struct ma_quota_usage *u,
    struct ma_err *err)
{
	struct ma_err werr;
	int mfd, rc;

	if ((mfd = ma_vmail_maildir(v, r->maildir, err)) < 0) {
		if (err->status != MA_ENOTFOUND)
			return -1;
		u->state = MA_QS_NO_MAILDIR;
		u->limit_bytes = r->quota;
		u->limit_count = 0;
		snprintf(u->why, sizeof(u->why), "no Maildir");
		return 0;
	}
	/* A mailbox with a quota gets the limits it has in the database. */
	if (r->quota > 0 || (r->flags & MA_QUOTA_RECALC)) {
		u->limit_bytes = r->quota;
		u->limit_count = 0;
	}
	u->state = MA_QS_COUNTED;
	rc = ma_quota_count(mfd, where, &u->bytes, &u->count, err);
	/* Without quota and without file, Courier keeps no account either. */
	if (rc == 0 && !(r->flags & MA_QUOTA_READONLY) && (found ||
	    r->quota > 0 || (r->flags & MA_QUOTA_RECALC)) &&
	    rewrite(mfd, where, u, &werr) < 0) {
		if (r->flags & MA_QUOTA_NO_WRITE_ERR)
			/* Counted, but not rewritten: the figures stand. */
			snprintf(u->why + strlen(u->why), sizeof(u->why) -
			    strlen(u->why), " (not rewritten: %s)", werr.msg);
		else {
			*err = werr;
			rc = -1;
		}
	}
	close(mfd);
	return rc;
}

int
ma_quota_usage(const struct ma_vmail *v, const struct ma_quota_req *r,
    struct ma_quota_usage *u, struct ma_err *err)
{
	char where[PATH_MAX];
	const char *why;
	struct ma_mds f;
	int found, rc;

	u->limit_bytes = u->limit_count = u->bytes = u->count = 0;
	u->why[0] = '\0';
	if ((found = read_file(v, r->maildir, &f, err)) < 0)
		return -1;
	if (r->quota > 0) {
		u->limit_bytes = r->quota;
		u->limit_count = 0;
	} else if (found) {
		u->limit_bytes = f.m.limit_bytes;
		u->limit_count = f.m.limit_count;
	}
	why = count_why(r, &f, found, u->limit_bytes, u->limit_count);
	if (why == NULL) {
		u->bytes = f.m.bytes;
		u->count = f.m.count;
		u->state = MA_QS_OK;
		rc = 0;
	} else {
		snprintf(u->why, sizeof(u->why), "%s", why);
		ma_vmail_where(v, r->maildir, where, sizeof(where));
		rc = usage_counted(v, r, found, where, u, err);
	}
	if (found)
		ma_mds_close(&f);
	set_percent(u);
	return rc;
}

int
ma_quota_apply(const struct ma_vmail *v, const char *rel, int64_t quota,
    struct ma_err *err)
{
	char where[PATH_MAX], header[MA_MDS_LINE];
	struct ma_quota_usage u;
	struct ma_mds f;
	int mfd, found, rc;

	ma_vmail_where(v, rel, where, sizeof(where));
	if ((mfd = ma_vmail_maildir(v, rel, err)) < 0)
		return -1;
	if ((found = ma_mds_read(mfd, file, &f)) < 0) {
		rc = read_fail(errno, where, err);
	} else if (!found && quota == 0) {
		rc = 0;		/* no limit, and none in a file either */
	} else if (found && !(f.m.flags & (MA_MDS_OVERFLOW | MA_MDS_NEGATIVE |
	    MA_MDS_MALFORMED))) {
		ma_mds_header(header, sizeof(header), quota, 0);
		rc = ma_mds_set_header(mfd, where, &f, header, err);
	} else {
		memset(&u, 0, sizeof(u));
		u.limit_bytes = quota;
		rc = ma_quota_count(mfd, where, &u.bytes, &u.count, err);
		if (rc == 0)
			rc = rewrite(mfd, where, &u, err);
	}
	if (found > 0)
		ma_mds_close(&f);
	close(mfd);
	return rc;
}
