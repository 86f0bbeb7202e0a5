/*
 * The Postfix SMTPD access policy protocol (SMTPD_POLICY_README): a
 * request is "name=value" lines ended by an empty line, with
 * request=smtpd_access_policy among them; the reply is one
 * "action=..." line and an empty line.  Unknown attributes are ignored,
 * in any order; only what the quota check needs is kept, so a request
 * costs the same memory whatever it holds.
 */
#ifndef MA_POLICY_H
#define MA_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "maildir.h"
#include "valid.h"

/* Longer lines make the request malformed (Postfix sends far less). */
#define MA_POLICY_LINE_MAX 8192

struct ma_policy_req {
	int		 lines;		/* attribute lines so far */
	int		 request;	/* request=smtpd_access_policy seen */
	char		 state[24];	/* protocol_state, "" if none */
	char		 recipient[MA_ADDRESS_MAX + 1];
	int		 recipient_long;	/* longer: no address of ours */
	int64_t		 size;		/* size=, 0 if none */
	const char	*bad;		/* why it is malformed, or NULL */
};

void	ma_policy_req_init(struct ma_policy_req *r);

/*
 * One attribute line (without its '\n'; a '\r' before it is dropped).
 * Nothing is kept from a line longer than MA_POLICY_LINE_MAX: call with
 * cut set for the part read of it, and the request is malformed.
 */
void	ma_policy_req_line(struct ma_policy_req *r, const char *line,
	    size_t len, int cut);

/* The request is complete (its empty line came): NULL, or why it is bad. */
const char *ma_policy_req_end(struct ma_policy_req *r);

/* Nonzero when the request is one the quota check answers (RCPT, EOM). */
int	ma_policy_req_checks(const struct ma_policy_req *r);

/*
 * The mailbox mail to a recipient goes to, for the quota check: looked
 * up with statements prepared once per connection.
 */
struct ma_quota_lookup;

struct ma_quota_rcpt {
	char		 address[MA_ADDRESS_MAX + 1];
	char		 maildir[MA_MAILDIR_MAX + 1];
	int64_t		 quota;
};

int	ma_quota_lookup_open(struct ma_db *db, struct ma_quota_lookup **l,
	    struct ma_err *err);
void	ma_quota_lookup_close(struct ma_quota_lookup **l);

/*
 * 1 with *m filled: recipient is an active mailbox of an active domain,
 * directly or through an alias domain; 0: it is not (not an address,
 * not ours, an alias); -1 with err set: the database failed.
 */
int	ma_quota_lookup_find(struct ma_quota_lookup *l, const char *recipient,
	    struct ma_quota_rcpt *m, struct ma_err *err);

#endif
