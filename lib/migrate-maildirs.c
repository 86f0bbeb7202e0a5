/*
 * migrate --maildirs OLD_ROOT: the legacy Maildirs.  The plan counts each
 * imported mailbox's Maildir under OLD_ROOT (reading only directories and
 * inodes: a missing or unreadable source shows before anything is
 * written) and says what becomes of it (work.maildir.state):
 *   copy     copied to its new place
 *   create   no Maildir at the source: an empty one is made
 *   present  the mailbox is in the store and its Maildir in place (an
 *            earlier run): left as it is
 *   conflict a new mailbox whose new place is taken: left as it is
 * and reports the Maildirs under OLD_ROOT that no mailbox row names.  The
 * copies are made after the transaction has committed, one Maildir at a
 * time, each renamed into place once complete (ma_maildir_copy), so a run
 * that stops part way is finished by running it again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "json.h"
#include "migrate-priv.h"

/* How deep OLD_ROOT's Maildirs may lie ("domain/user/" is 2). */
#define ORPHAN_DEPTH 4

/* A mailbox whose source Maildir is being counted, for its notes. */
struct box {
	struct ma_migrate	*m;
	const char		*table, *key;
};

static int
skip_note(const char *path, const char *why, void *arg)
{
	struct box *b = arg;
	struct ma_err err;

	return mg_note(b->m, "warning", "MAILDIR_SPECIAL_FILE", b->table,
	    b->key, NULL, &err, "%s: %s, not copied", path, why);
}

/* Whether <base>/<rel> exists (a link counts: the place is taken). */
static int
target_exists(const struct ma_migrate *m, const char *rel)
{
	char path[PATH_MAX + MA_MAILDIR_MAX + 2];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", m->o->maildirs.base, rel);
	return lstat(path, &st) == 0;
}

static const char insert_maildir[] =
    "INSERT INTO work.maildir (seq, address, src, dst, quota, state, "
    "messages, bytes, files, skipped, have_messages, have_bytes) VALUES "
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/*
 * The messages and bytes of the Maildir in place at <base>/<rel>, for
 * verify; one that cannot be counted (a link on the way, gone) as -1.
 * vmail_base is opened at the first one.
 */
static int
tally_target(struct ma_migrate *m, const char *rel,
    struct ma_maildir_tally *have, struct ma_err *err)
{
	memset(have, 0, sizeof(*have));
	if (m->vmail.fd < 0 && ma_vmail_open(&m->vmail, &m->o->maildirs,
	    err) < 0)
		return -1;
	if (ma_maildir_tally(m->vmail.fd, m->o->maildirs.base, rel, have, NULL,
	    NULL, err) == 0)
		return 0;
	if (err->status != MA_ENOTFOUND && err->status != MA_EPERM)
		return -1;
	have->messages = have->bytes = -1;
	return 0;
}

/* The current row of st (work.mailbox) into work.maildir. */
static int
plan_box(struct ma_migrate *m, struct ma_stmt *st, struct ma_err *err)
{
	struct box b = { m, ma_stmt_text(st, 5), ma_stmt_text(st, 6) };
	const char *src = ma_stmt_text(st, 2), *dst = ma_stmt_text(st, 3);
	int in_store = !ma_stmt_isnull(st, 7), counted;
	struct ma_maildir_tally t, have;
	const char *state;
	struct ma_stmt *ins;

	memset(&t, 0, sizeof(t));
	if (src == NULL || ma_maildir_tally(m->old_fd, m->o->old_root, src, &t,
	    skip_note, &b, err) < 0) {
		if (src != NULL && err->status != MA_ENOTFOUND)
			return ma_err_prefix(err, "%s", ma_stmt_text(st, 1));
		state = "create";
	} else {
		state = "copy";
	}
	if (target_exists(m, dst))
		state = in_store ? "present" : "conflict";
	if (strcmp(state, "create") == 0 && mg_note(m, "warning",
	    "MAILDIR_MISSING", b.table, b.key, NULL, err, "no Maildir at %s/%s:"
	    " an empty one is made", m->o->old_root, src ? src : "(none given)")
	    < 0)
		return -1;
	if (strcmp(state, "conflict") == 0 && mg_note(m, "warning",
	    "MAILDIR_TARGET_EXISTS", b.table, b.key, NULL, err, "%s/%s exists "
	    "already: kept as it is, nothing copied into it (merge by hand)",
	    m->o->maildirs.base, dst) < 0)
		return -1;
	counted = strcmp(state, "present") == 0 && m->o->count_targets;
	if (counted && tally_target(m, dst, &have, err) < 0)
		return ma_err_prefix(err, "%s", ma_stmt_text(st, 1));
	if ((ins = mg_stmt(m, insert_maildir, NULL, err)) == NULL)
		return -1;
	ma_stmt_bind_int(ins, 1, ma_stmt_int(st, 0));
	ma_stmt_bind_text(ins, 2, ma_stmt_text(st, 1));
	ma_stmt_bind_text(ins, 3, src);
	ma_stmt_bind_text(ins, 4, dst);
	ma_stmt_bind_int(ins, 5, ma_stmt_int(st, 4));
	ma_stmt_bind_text(ins, 6, state);
	ma_stmt_bind_int(ins, 7, t.messages);
	ma_stmt_bind_int(ins, 8, t.bytes);
	ma_stmt_bind_int(ins, 9, t.files);
	ma_stmt_bind_int(ins, 10, t.skipped);
	if (counted) {
		ma_stmt_bind_int(ins, 11, have.messages);
		ma_stmt_bind_int(ins, 12, have.bytes);
	}
	return ma_stmt_step(ins, err) < 0 ? -1 : 0;
}

/* Directory rel of OLD_ROOT: a Maildir (it has cur/) no row names? */
static int
orphans(struct ma_migrate *m, int dfd, char *rel, size_t len, int depth,
    struct ma_err *err)
{
	const char *const p[] = { rel, NULL };
	struct ma_buf key = MA_BUF_INIT;
	struct dirent *de;
	struct stat st;
	int64_t named;
	DIR *d;
	int fd, sub, rc = 0;

	if (fstatat(dfd, "cur", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode)) {
		if (mg_count(m, "SELECT count(*) FROM work.mailbox WHERE "
		    "rtrim(src_maildir, '/') || '/' = ?", p, &named, err) < 0)
			return -1;
		if (named > 0)
			return 0;
		ma_buf_add(&key, "{\"path\": ");
		ma_json_str(&key, rel, len);
		ma_buf_add(&key, "}");
		rc = key.oom ? ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory") :
		    mg_note(m, "warning", "ORPHAN_MAILDIR", "maildir",
		    ma_buf_str(&key), NULL, err, "Maildir %s/%s with no mailbox "
		    "row: not imported", m->o->old_root, rel);
		ma_buf_release(&key);
		return rc;
	}
	if (depth == ORPHAN_DEPTH || (fd = openat(dfd, ".", O_RDONLY |
	    O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		/* Hidden names are not Maildirs (nor is "." or ".."). */
		if (de->d_name[0] == '.' || len + n + 2 > MA_MAILDIR_MAX ||
		    (sub = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) < 0)
			continue;
		memcpy(rel + len, de->d_name, n);
		memcpy(rel + len + n, "/", 2);
		rc = orphans(m, sub, rel, len + n + 1, depth + 1, err);
		rel[len] = '\0';
		close(sub);
	}
	closedir(d);
	return rc;
}

int
mg_maildirs(struct ma_migrate *m, struct ma_err *err)
{
	char rel[MA_MAILDIR_MAX + 1] = "";
	struct ma_stmt *st;
	int rc;

	if (m->o->old_root == NULL)
		return 0;
	if (m->old_fd < 0 && (m->old_fd = open(m->o->old_root, O_RDONLY |
	    O_DIRECTORY | O_CLOEXEC)) < 0)
		return ma_fail(err, errno == ENOENT ? MA_ENOINPUT : MA_EIO,
		    errno, "--maildirs %s: %s", m->o->old_root,
		    strerror(errno));
	if (ma_db_prepare(m->w, "SELECT seq, address, src_maildir, maildir, "
	    "COALESCE(quota, 0), src_table, key_json, store FROM work.mailbox "
	    "WHERE status = 'import' ORDER BY seq", &st, err) < 0)
		return -1;
	while ((rc = ma_stmt_step(st, err)) == 1)
		if (plan_box(m, st, err) < 0) {
			rc = -1;
			break;
		}
	ma_stmt_finalize(&st);
	if (rc < 0)
		return ma_err_prefix(err, "Maildirs");
	return orphans(m, m->old_fd, rel, 0, 0, err);
}

/* One Maildir of the plan made: copied, or created empty. */
static int
make_one(struct ma_migrate *m, struct ma_stmt *st, struct ma_err *err)
{
	struct ma_maildir_tally t;
	int copy = strcmp(ma_stmt_text(st, 4), "copy") == 0;
	int64_t quota = ma_stmt_int(st, 3);
	char nums[3][24];
	const char *const p[] = { copy ? "copied" : "created", nums[0],
	    nums[1], nums[2], ma_stmt_text(st, 0), NULL };

	memset(&t, 0, sizeof(t));
	if (copy ? ma_maildir_copy(&m->o->maildirs, m->old_fd,
	    m->o->old_root, ma_stmt_text(st, 1), ma_stmt_text(st, 2), quota,
	    &t, NULL, NULL, err) : ma_maildir_create(&m->o->maildirs,
	    ma_stmt_text(st, 2), quota > 0 ? (uint64_t)quota : 0, err))
		return ma_err_prefix(err, "%s", ma_stmt_text(st, 0));
	snprintf(nums[0], sizeof(nums[0]), "%lld", (long long)t.messages);
	snprintf(nums[1], sizeof(nums[1]), "%lld", (long long)t.bytes);
	snprintf(nums[2], sizeof(nums[2]), "%lld", (long long)t.files);
	return mg_run(m, "UPDATE work.maildir SET state = ?, messages = ?, "
	    "bytes = ?, files = ? WHERE address = ?", p, err);
}

int
ma_migrate_copy_maildirs(struct ma_migrate *m, ma_migrate_progress_fn *fn,
    void *arg, struct ma_err *err)
{
	struct ma_stmt *st;
	long n = 0;
	int rc;

	if (m->o->old_root == NULL)
		return 0;
	/* By rowid: the updates of make_one do not move the scan. */
	if (ma_db_prepare(m->w, "SELECT address, src, dst, quota, state FROM "
	    "work.maildir WHERE state IN ('copy', 'create') ORDER BY seq", &st,
	    err) < 0)
		return -1;
	while ((rc = ma_stmt_step(st, err)) == 1) {
		if (make_one(m, st, err) < 0) {
			rc = -1;
			break;
		}
		if (fn != NULL)
			fn(ma_stmt_text(st, 0), ++n, arg);
	}
	ma_stmt_finalize(&st);
	return rc < 0 ? -1 : 0;
}

static int
maildir_row(struct ma_stmt *st, const struct mg_out *o)
{
	struct ma_migrate_maildir d = {
		.address = ma_stmt_text(st, 0),
		.source = ma_stmt_text(st, 1),
		.target = ma_stmt_text(st, 2),
		.state = ma_stmt_text(st, 3),
		.messages = ma_stmt_int(st, 4),
		.bytes = ma_stmt_int(st, 5),
		.files = ma_stmt_int(st, 6),
		.skipped = ma_stmt_int(st, 7),
	};

	return o->fn.maildir(&d, o->arg);
}

int
ma_migrate_maildirs(struct ma_migrate *m, ma_migrate_maildir_cb *fn,
    void *arg, struct ma_err *err)
{
	struct mg_out o = { .fn.maildir = fn, .arg = arg };

	if (m->o->old_root == NULL)
		return 0;
	return mg_rows(m, "SELECT address, src, dst, state, messages, bytes, "
	    "files, skipped FROM work.maildir ORDER BY seq", maildir_row, &o,
	    "Maildirs", NULL, err);
}
