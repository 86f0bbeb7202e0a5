/* What the quota commands (quota.c, quota_warn.c, quota_policy.c) share. */
#ifndef MA_CLI_QUOTA_H
#define MA_CLI_QUOTA_H

#include "cli.h"

/* The mailboxes a command works on, read before any file is touched. */
struct quota_target {
	char		*address, *maildir;
	const char	*domain;	/* in address */
	int64_t		 quota;
	int		 active;
};

struct quota_targets {
	struct quota_target	*v;
	size_t			 n, cap;
	char			**blocks;	/* the strings, a block at a time */
	size_t			 nblocks, used;
};

/*
 * which: an address, "@domain" (its mailboxes) or NULL (all of them).
 * -1 on success, else the exit code (reported: 67, 68…).
 */
int	quota_targets_get(struct cli *cli, const char *which,
	    struct quota_targets *t);
void	quota_targets_release(struct quota_targets *t);

/* vmail_base open for v: -1, or the exit code (reported). */
int	quota_vmail_open(struct cli *cli, struct ma_vmail *v);

/*
 * One mailbox's usage (flags: MA_QUOTA_*; a dry run adds READONLY):
 * 0, or -1 with cli->err set, naming the mailbox.
 */
int	quota_usage_of(struct cli *cli, const struct ma_vmail *v,
	    const struct quota_target *t, unsigned int flags,
	    struct ma_quota_usage *u);

/* A PERCENT option's value into *out: -1, or 65 (reported). */
int	quota_parse_percent(struct cli *cli, const struct arg_str *opt,
	    int *out);

/* "ok", "recalculated", "counted", "no Maildir". */
const char *quota_state_name(enum ma_quota_state s);

/*
 * Start the record of a mailbox's usage: address, quota, used,
 * messages, percent, state (the caller adds fields and ends it).
 */
void	quota_record(struct out *o, const char *address,
	    const struct ma_quota_usage *u);

int	cmd_quota_warn(struct cli *cli, int argc, char **argv);
int	cmd_quota_policy(struct cli *cli, int argc, char **argv);

#endif
