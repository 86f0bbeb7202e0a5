/*
 * mailadm quota policy: the Postfix SMTPD policy service, started by
 * spawn(8) with the connection on stdin and stdout, answering request
 * after request until Postfix closes it.  At RCPT (and END-OF-MESSAGE,
 * which knows the real size) a full mailbox gets "552 5.2.2"; anything
 * else, a malformed request included, gets DUNNO; a database that cannot
 * answer gets DEFER_IF_PERMIT.  Never a crash, never a hang on input:
 * lines are bounded, attributes not needed are not kept.
 *
 * Under spawn(8) stderr is the connection too: log lines then go to
 * syslog (facility mail) instead, so they never reach Postfix.
 */
#include <argtable2.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cli_quota.h"
#include "io.h"
#include "policy.h"

#define IN_SIZE		(64 * 1024)
#define OUT_FLUSH	(16 * 1024)

static const char dunno[] = "DUNNO";
static const char defer[] = "DEFER_IF_PERMIT 4.3.0 mailbox quota service "
    "unavailable, try again later";

struct policy {
	struct cli		*cli;
	int			 syslog;	/* stderr is the connection */
	struct ma_vmail		 v;
	struct ma_quota_lookup	*look;
	struct ma_policy_req	 req;
	char			 in[IN_SIZE];
	size_t			 inlen;
	int			 skipping;	/* the rest of a cut line */
	char			 out[OUT_FLUSH + 512];
	size_t			 outlen;
};

static void
plog(struct policy *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
plog(struct policy *p, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->syslog)
		syslog(LOG_MAIL | LOG_WARNING, "%s", msg);
	else
		fprintf(stderr, "mailadm: quota policy: %s\n", msg);
}

/* Forget the connection to the database: the next request makes one. */
static void
db_drop(struct policy *p)
{
	ma_quota_lookup_close(&p->look);
	ma_db_close(&p->cli->db);
}

/* Look rcpt up, connecting (again) as needed: 1, 0 or -1 (logged). */
static int
lookup(struct policy *p, const char *rcpt, struct ma_quota_rcpt *m)
{
	struct cli *cli = p->cli;
	int tries, rc = -1;

	/* A connection lost since the last request gets one new try. */
	for (tries = 0; tries < 2; tries++) {
		if (cli->db == NULL && cli_db_connect(cli) < 0)
			break;
		if (p->look == NULL && ma_quota_lookup_open(cli->db, &p->look,
		    &cli->err) < 0) {
			db_drop(p);
			break;
		}
		if ((rc = ma_quota_lookup_find(p->look, rcpt, m,
		    &cli->err)) >= 0)
			return rc;
		db_drop(p);
	}
	plog(p, "%s: %s", rcpt, cli->err.msg);
	return -1;
}

/* The action for a complete request. */
static const char *
decide(struct policy *p, char *buf, size_t size)
{
	struct ma_policy_req *r = &p->req;
	struct ma_quota_usage u;
	struct ma_quota_rcpt m;
	struct ma_err err;
	const char *bad;
	struct ma_quota_req q;

	if ((bad = ma_policy_req_end(r)) != NULL) {
		plog(p, "malformed request: %s", bad);
		return dunno;
	}
	if (!ma_policy_req_checks(r))
		return dunno;
	switch (lookup(p, r->recipient, &m)) {
	case -1:
		return defer;
	case 0:
		return dunno;
	}
	if (p->v.fd < 0) {
		struct ma_maildir_opts dirs;

		cli_maildir_opts(p->cli, &dirs);
		if (ma_vmail_open(&p->v, &dirs, &err) < 0) {
			plog(p, "%s", err.msg);
			return dunno;
		}
	}
	memset(&q, 0, sizeof(q));
	q.maildir = m.maildir;
	q.quota = m.quota;
	q.extra_bytes = r->size;
	q.extra_count = 1;
	q.flags = MA_QUOTA_NO_WRITE_ERR;
	q.now = time(NULL);
	/* The delivery agent decides what this cannot read. */
	if (ma_quota_usage(&p->v, &q, &u, &err) < 0) {
		plog(p, "%s: %s", m.address, err.msg);
		return dunno;
	}
	if (u.state == MA_QS_NO_MAILDIR || !ma_quota_full(&u, r->size))
		return dunno;
	snprintf(buf, size, "552 5.2.2 <%s>: mailbox full", m.address);
	return buf;
}

static int
flush(struct policy *p)
{
	if (ma_write_all(STDOUT_FILENO, p->out, p->outlen) < 0)
		return -1;
	p->outlen = 0;
	return 0;
}

/* One line of input (no '\n'); an empty one ends the request. */
static int
line(struct policy *p, const char *s, size_t len, int cut)
{
	char buf[MA_ADDRESS_MAX + 64];
	const char *action;

	if (len == 1 && s[0] == '\r')
		len = 0;
	if (len > 0 || cut) {
		ma_policy_req_line(&p->req, s, len, cut);
		return 0;
	}
	action = decide(p, buf, sizeof(buf));
	p->outlen += (size_t)snprintf(p->out + p->outlen, sizeof(p->out) -
	    p->outlen, "action=%s\n\n", action);
	ma_policy_req_init(&p->req);
	return p->outlen >= OUT_FLUSH ? flush(p) : 0;
}

/* The complete lines in p->in; a line too long is cut and skipped. */
static int
lines(struct policy *p)
{
	char *s = p->in, *end = p->in + p->inlen, *nl;

	while ((nl = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		if (!p->skipping && line(p, s, (size_t)(nl - s),
		    nl - s > MA_POLICY_LINE_MAX) < 0)
			return -1;
		p->skipping = 0;
		s = nl + 1;
	}
	if (!p->skipping && end - s > MA_POLICY_LINE_MAX) {
		ma_policy_req_line(&p->req, s, (size_t)(end - s), 1);
		p->skipping = 1;
	}
	if (p->skipping)
		s = end;
	p->inlen = (size_t)(end - s);
	memmove(p->in, s, p->inlen);
	return 0;
}

static int
serve(struct policy *p)
{
	ssize_t r;

	ma_policy_req_init(&p->req);
	for (;;) {
		r = read(STDIN_FILENO, p->in + p->inlen, sizeof(p->in) -
		    p->inlen);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		p->inlen += (size_t)r;
		/* Answer all that came, then wait for more. */
		if (lines(p) < 0 || flush(p) < 0) {
			plog(p, "cannot answer: %s", strerror(errno));
			return EX_IOERR;
		}
	}
	if (r < 0) {
		plog(p, "cannot read the request: %s", strerror(errno));
		return EX_IOERR;
	}
	if (p->inlen > 0 || p->req.lines > 0 || p->skipping)
		plog(p, "connection closed in the middle of a request");
	return EX_OK;
}

/* Nonzero when stderr is a socket: the connection, under spawn(8). */
static int
stderr_is_socket(void)
{
	struct stat st;

	return fstat(STDERR_FILENO, &st) == 0 && S_ISSOCK(st.st_mode);
}

int
cmd_quota_policy(struct cli *cli, int argc, char **argv)
{
	static struct policy p;
	int rc;

	if ((rc = cli_parse(cli, argc, argv, NULL, 0)) >= 0)
		return rc;
	memset(&p, 0, sizeof(p));
	p.cli = cli;
	p.v.fd = -1;
	if ((p.syslog = stderr_is_socket()))
		openlog("mailadm", LOG_PID, LOG_MAIL);
	/* A client gone is a write error, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	rc = serve(&p);
	db_drop(&p);
	ma_vmail_close(&p.v);
	/* Nothing for main() to print: the reply stream is all there is. */
	cli->printed = 1;
	return rc;
}
