/* Shared by the generators of lib/srvconf-*.c. */
#ifndef MA_SRVCONF_PRIV_H
#define MA_SRVCONF_PRIV_H

#include "srvconf.h"

/* One generation run. */
struct srv_gen {
	const struct ma_srvconf_in *in;
	struct ma_srvconf	*out;
	enum ma_srv		 srv;
	int			 mysql;		/* else SQLite */
	struct ma_buf		 spill;		/* a file past the table */
};

/*
 * Start file name with its header comment: the mark, then about (lines
 * separated by newlines), each line prefixed with "# ".  Returns the text
 * to append to.  Past the end of the
 * table of files (a programming error) it is a spill buffer, and
 * ma_srvconf_make reports MA_ENOMEM.
 */
struct ma_buf *srv_file(struct srv_gen *g, const char *name,
	    const char *about);

/* "CONCAT(a, b, …)" on MariaDB, "a || b || …" on SQLite; NULL ends. */
void	srv_concat(const struct srv_gen *g, struct ma_buf *b, ...)
	    __attribute__((sentinel));

/*
 * s inside an SQL string literal of the dialect, then with every '%'
 * doubled when pct (for Postfix and Dovecot, which expand %x in queries).
 */
void	srv_sql_str(const struct srv_gen *g, struct ma_buf *b, const char *s,
	    int pct);

/* prefix, vmail_base, "/" and column (the Maildir) as an SQL expression. */
void	srv_maildir_expr(const struct srv_gen *g, struct ma_buf *b,
	    const char *prefix, const char *column);

/*
 * Check that value (named what; never shown when secret) fits on one line
 * of a configuration file whose reader trims white space at both ends and
 * also cannot hold any character of bad.  MA_ECONFIG with why otherwise.
 */
int	srv_check_value(const struct srv_gen *g, const char *what,
	    const char *value, int secret, const char *bad, struct ma_err *err);

int	srv_postfix(struct srv_gen *g, struct ma_err *err);
int	srv_courier(struct srv_gen *g, struct ma_err *err);
int	srv_sasl(struct srv_gen *g, struct ma_err *err);
int	srv_dovecot(struct srv_gen *g, struct ma_err *err);

/* The socket of courier's authdaemond (authdaemonvar in authdaemonrc). */
#define SRV_AUTHDAEMON_VAR "/run/courier/authdaemon"

#endif
