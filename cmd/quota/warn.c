/* mailadm quota warn: one warning per crossing of the threshold (cron). */
#include <argtable2.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cli_quota.h"

/* Warn one mailbox; its address on stdout (a record with --json) if so. */
static int
warn_one(struct cli *cli, const struct ma_vmail *v, const struct quota_target *t,
    int threshold, const struct ma_warn_text *text)
{
	struct ma_quota_usage u;
	struct ma_warn_job j;
	enum ma_warn_result res;

	if (quota_usage_of(cli, v, t, MA_QUOTA_NO_WRITE_ERR, &u) < 0)
		return -1;
	if (u.state == MA_QS_NO_MAILDIR)
		return 0;
	memset(&j, 0, sizeof(j));
	j.address = t->address;
	j.domain = t->domain;
	j.maildir = t->maildir;
	j.usage = &u;
	j.threshold = threshold;
	j.text = text;
	j.dry_run = cli->dry_run;
	j.now = time(NULL);
	if (ma_quota_warn(v, &j, &res, &cli->err) < 0) {
		ma_err_prefix(&cli->err, "mailbox '%s'", t->address);
		return -1;
	}
	if (res == MA_WARN_REARMED && cli->verbose)
		fprintf(stderr, "mailadm: %s: %s is under %d%% again\n",
		    cli->name, t->address, threshold);
	if (res != MA_WARN_SENT)
		return 0;
	if (cli->verbose)
		fprintf(stderr, "mailadm: %s: %s%s at %d%%\n", cli->name,
		    cli->dry_run ? "dry run, would warn " : "warned ",
		    t->address, u.percent);
	quota_record(&cli->out, t->address, &u);
	out_record_end(&cli->out);
	return 0;
}

int
cmd_quota_warn(struct cli *cli, int argc, char **argv)
{
	struct arg_str *threshold = arg_str0(NULL, "threshold", "PERCENT",
	    "warn at this usage (default: quota_warn_percent)");
	void *at[] = { threshold };
	struct ma_warn_text *text = NULL;
	struct quota_targets t;
	struct ma_vmail v;
	int rc, pct, failed = 0;
	size_t i;

	memset(&t, 0, sizeof(t));
	if ((rc = cli_parse(cli, argc, argv, at, 1)) >= 0)
		goto out;
	pct = cli->conf.quota_warn_percent;
	if (threshold->count > 0 &&
	    (rc = quota_parse_percent(cli, threshold, &pct)) >= 0)
		goto out;
	if (ma_warn_text_load(cli->conf.quota_warn_template, &text,
	    &cli->err) < 0) {
		rc = cli_fail(cli);
		goto out;
	}
	if ((rc = quota_targets_get(cli, NULL, &t)) >= 0 ||
	    (rc = quota_vmail_open(cli, &v)) >= 0)
		goto out;
	/* Text: the addresses warned, one per line (cron mails them). */
	out_begin(cli, 1);
	rc = EX_OK;
	for (i = 0; i < t.n; i++) {
		/* A disabled mailbox receives nothing, warnings included. */
		if (!t.v[i].active ||
		    warn_one(cli, &v, &t.v[i], pct, text) == 0)
			continue;
		if (failed++ == 0)
			rc = cli_exit_code(cli->err.status);
		cli_complain(cli);
	}
	out_end(&cli->out);
	ma_vmail_close(&v);
out:
	ma_warn_text_free(text);
	quota_targets_release(&t);
	arg_freetable(at, 1);
	return rc;
}
