/* Maildirs as the commands see them: where they are, what to do on delete. */
#include <stdio.h>
#include <sysexits.h>
#include <time.h>

#include "cli.h"

void
cli_maildir_opts(const struct cli *cli, struct ma_maildir_opts *o)
{
	o->base = cli->conf.vmail_base;
	o->uid = cli->conf.vmail_uid;
	o->gid = cli->conf.vmail_gid;
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

	if (*maildir == '\0')
		return;
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
