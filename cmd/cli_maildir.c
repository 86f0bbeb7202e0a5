/*
 * Maildirs as the commands see them: where they are, what to do on
 * delete and after a quota change, and, inside a batch, notes of those
 * file changes kept until its transaction ends.  A note is one line:
 * a letter, then tab-separated fields (addresses and Maildir paths hold
 * no tab or newline).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

enum { NOTE_MADE = 'M', NOTE_DISPOSE = 'D', NOTE_QUOTA = 'Q' };

void
cli_maildir_opts(const struct cli *cli, struct ma_maildir_opts *o)
{
	o->base = cli->conf.vmail_base;
	o->uid = cli->conf.vmail_uid;
	o->gid = cli->conf.vmail_gid;
}

/* A note for the batch; a note that cannot be written is reported. */
static int
note(struct cli *cli, int kind, int64_t n, const char *a, const char *b)
{
	if (fprintf(cli->deferred, "%c\t%" PRId64 "\t%s\t%s\n", kind, n, a,
	    b) < 0 || fflush(cli->deferred) != 0)
		return cli_error(cli, EX_IOERR, "cannot note a Maildir change "
		    "for the end of the batch");
	return EX_OK;
}

void
cli_maildir_made(struct cli *cli, const char *maildir)
{
	if (cli->deferred != NULL && *maildir != '\0')
		note(cli, NOTE_MADE, 0, maildir, "");
}

int
cli_maildir_dispose(struct cli *cli, const char *address, const char *maildir,
    enum ma_on_delete how)
{
	struct ma_maildir_opts dirs;
	char stamp[32], where[MA_MAILDIR_MAX + 64];
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	if (how == MA_DELETE_KEEP || cli->dry_run || *maildir == '\0')
		return EX_OK;
	if (cli->deferred != NULL)
		return note(cli, NOTE_DISPOSE, how, address, maildir);
	cli_maildir_opts(cli, &dirs);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	rc = how == MA_DELETE_PURGE ? ma_maildir_purge(&dirs, maildir,
	    &cli->err) : ma_maildir_archive(&dirs, maildir, stamp, where,
	    sizeof(where), &cli->err);
	if (rc == 0) {
		if (cli->verbose && how == MA_DELETE_ARCHIVE)
			fprintf(stderr, "mailadm: Maildir of %s archived as %s\n",
			    address, where);
		return EX_OK;
	}
	if (cli->err.status == MA_ENOTFOUND) {
		cli_warn(cli, "mailbox '%s' had no Maildir: %s", address,
		    cli->err.msg);
		return EX_OK;
	}
	ma_err_prefix(&cli->err, "mailbox '%s' deleted, but its Maildir was "
	    "not %s", address, how == MA_DELETE_PURGE ? "purged" : "archived");
	return cli_fail(cli);
}

void
cli_maildir_quota(struct cli *cli, const char *address, const char *maildir,
    int64_t quota)
{
	struct ma_maildir_opts dirs;
	struct ma_vmail v;
	struct ma_err e;

	if (cli->dry_run || *maildir == '\0')
		return;
	if (cli->deferred != NULL) {
		note(cli, NOTE_QUOTA, quota, address, maildir);
		return;
	}
	cli_maildir_opts(cli, &dirs);
	if (ma_vmail_open(&v, &dirs, &e) == 0) {
		if (ma_quota_apply(&v, maildir, quota, &e) == 0)
			e.status = MA_OK;
		ma_vmail_close(&v);
	}
	if (e.status == MA_ENOTFOUND)
		cli_warn(cli, "mailbox '%s' has no Maildir: %s", address, e.msg);
	else if (e.status != MA_OK)
		cli_warn(cli, "maildirsize of '%s' not updated: %s", address,
		    e.msg);
}

int
cli_maildir_settle(struct cli *cli, int committed)
{
	FILE *notes = cli->deferred;
	struct ma_maildir_opts dirs;
	char *line = NULL, *f[4], *p;
	size_t cap = 0;
	int i, rc = EX_OK, r;

	cli_maildir_opts(cli, &dirs);
	cli->deferred = NULL;		/* from here on, do it */
	rewind(notes);
	while (getline(&line, &cap, notes) > 0) {
		line[strcspn(line, "\n")] = '\0';
		for (i = 0, p = line; i < 4; i++)
			f[i] = strsep(&p, "\t");
		if (f[3] == NULL)
			continue;
		r = EX_OK;
		if (!committed && *f[0] == NOTE_MADE)
			ma_maildir_undo_create(&dirs, f[2], &cli->err);
		else if (committed && *f[0] == NOTE_DISPOSE)
			r = cli_maildir_dispose(cli, f[2], f[3],
			    (enum ma_on_delete)strtol(f[1], NULL, 10));
		else if (committed && *f[0] == NOTE_QUOTA)
			cli_maildir_quota(cli, f[2], f[3],
			    strtoll(f[1], NULL, 10));
		if (rc == EX_OK)
			rc = r;
	}
	free(line);
	/* The notes are spent: a new attempt starts with none. */
	if (ftruncate(fileno(notes), 0) == 0)
		rewind(notes);
	cli->deferred = notes;
	return rc;
}
