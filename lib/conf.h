/*
 * mailadm.conf: "key = value" lines in the style of Postfix's main.cf.
 */
#ifndef MA_CONF_H
#define MA_CONF_H

#include <stdint.h>
#include <sys/types.h>

#include "err.h"

enum ma_on_delete { MA_DELETE_ARCHIVE, MA_DELETE_KEEP, MA_DELETE_PURGE };

struct ma_conf {
	char		*db;
	char		*db_password_file;
	char		*vmail_base;
	uid_t		 vmail_uid;
	gid_t		 vmail_gid;
	char		*maildir_format;
	enum ma_on_delete maildir_on_delete;
	char		*password_scheme;
	int		 password_prefix;
	int		 quota_warn_percent;
	char		*quota_warn_template;
	uint64_t	 quota_multiplier;
	int		 lock_timeout;	/* seconds to wait for a lock */
};

/* Fill conf with the built-in defaults. Returns 0, or -1 (MA_ENOMEM). */
int	ma_conf_init(struct ma_conf *conf, struct ma_err *err);

/*
 * Read the file at path over the values already in conf.  Errors:
 * MA_ENOINPUT (missing or unreadable), MA_ECONFIG (unknown key or bad
 * value; the message names path:line).
 */
int	ma_conf_load(struct ma_conf *conf, const char *path, struct ma_err *err);

/* Free the strings held by conf. */
void	ma_conf_release(struct ma_conf *conf);

/*
 * Read a secret (the database password, a user's password) from the first
 * line of path; what names it in messages ("db_password_file").  Refuses
 * a file that others may read (MA_EPERM).  Returns a string to be wiped
 * and freed by the caller, or NULL with err set.
 */
char	*ma_conf_read_secret(const char *path, const char *what,
	    struct ma_err *err);

#endif
