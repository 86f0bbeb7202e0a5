/*
 * The files that make the mail servers read mailadm's database: Postfix
 * lookup tables (mysql: or sqlite:), courier-authlib's authmysqlrc and
 * authdaemonrc, Cyrus SASL's smtpd.conf for Postfix, and Dovecot's
 * dovecot-sql.conf.ext.  Every query reads only active rows of active
 * domains, as the mail servers must see them.
 */
#ifndef MA_SRVCONF_H
#define MA_SRVCONF_H

#include <sys/types.h>

#include "buf.h"
#include "db.h"
#include "err.h"

enum ma_srv { MA_SRV_POSTFIX, MA_SRV_COURIER, MA_SRV_SASL, MA_SRV_DOVECOT };

/* What the generated files depend on. */
struct ma_srvconf_in {
	const struct ma_dburi *db;	/* the account the servers use */
	const char	*password;	/* its password, or NULL for none */
	const char	*vmail_base;	/* absolute */
	uid_t		 vmail_uid;
	gid_t		 vmail_gid;
	const char	*dir;		/* absolute: where the files will be */
};

#define MA_SRVCONF_NAMEMAX 64

struct ma_srvconf_file {
	char		 name[MA_SRVCONF_NAMEMAX];	/* inside dir */
	struct ma_buf	 text;
};

#define MA_SRVCONF_MAXFILES 12

struct ma_srvconf {
	struct ma_srvconf_file files[MA_SRVCONF_MAXFILES];
	size_t		 nfiles;
};

/* The first line of every generated file: what ma_srvconf_write replaces. */
#define MA_SRVCONF_MARK "# Written by mailadm config"

/* "postfix", "courier", … */
const char *ma_srv_name(enum ma_srv srv);

/* The directory the files are meant for when none is given. */
const char *ma_srv_default_dir(enum ma_srv srv);

/*
 * Generate the files of srv into out (release with ma_srvconf_release,
 * which wipes them: they hold the database password).  MA_ECONFIG when
 * the database cannot be read by that server (SQLite for courier-authlib)
 * or a value cannot be written in its file format (the message names the
 * value, never the password itself).
 */
int	ma_srvconf_make(enum ma_srv srv, const struct ma_srvconf_in *in,
	    struct ma_srvconf *out, struct ma_err *err);
void	ma_srvconf_release(struct ma_srvconf *c);

enum {
	MA_SRVCONF_FORCE = 1 << 0,	/* replace files mailadm did not write */
	MA_SRVCONF_DRY_RUN = 1 << 1	/* check everything, write nothing */
};

/*
 * Write every file of c into the existing directory dir, mode 0640 and
 * the group of dir, all or nothing: each is written to a temporary file
 * first and renamed over the old one only when all were written.  A file
 * in the way that mailadm did not write is replaced only with
 * MA_SRVCONF_FORCE (MA_EEXIST otherwise).  Errors: MA_ENOINPUT (no such
 * directory), MA_EEXIST, MA_EPERM, MA_EIO.
 */
int	ma_srvconf_write(const struct ma_srvconf *c, const char *dir,
	    unsigned int flags, struct ma_err *err);

#endif
