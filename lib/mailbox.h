/*
 * Mailboxes: rows of the "mailbox" table with their self alias, as
 * Postfixadmin writes them.  Files (the Maildir) are the caller's: see
 * maildir.h; this module only says which Maildir a mailbox has.
 */
#ifndef MA_MAILBOX_H
#define MA_MAILBOX_H

#include <stdint.h>

#include "db.h"
#include "maildir.h"
#include "valid.h"

struct ma_mailbox {
	char		 address[MA_ADDRESS_MAX + 1];
	char		 local[MA_LOCAL_MAX + 1];
	char		 domain[MA_DOMAIN_MAX + 1];
	char		 maildir[MA_MAILDIR_MAX + 1];
	char		*name;
	char		*password;	/* the stored hash: never shown */
	int64_t		 quota;		/* bytes, 0 unlimited */
	int		 active;
	char		*created, *modified;
};

/* What add writes; set uses the fields marked in "fields". */
enum {
	MA_MBX_NAME	= 1 << 0,
	MA_MBX_QUOTA	= 1 << 1,
	MA_MBX_ACTIVE	= 1 << 2,
	MA_MBX_PASSWORD	= 1 << 3
};

struct ma_mailbox_req {
	const char	*address;	/* as typed */
	unsigned int	 fields;
	const char	*password;	/* a hash, never a clear password */
	const char	*name;
	int64_t		 quota;		/* without MA_MBX_QUOTA: the domain's */
	int		 active;
	const char	*maildir_format;
	uint64_t	 multiplier;	/* quota_multiplier */
	/*
	 * add only: called with the checked row before anything is written,
	 * so that files (the Maildir) can be made first; -1 stops the add.
	 */
	int		(*before_insert)(const struct ma_mailbox *m, void *arg,
			    struct ma_err *err);
	void		*before_insert_arg;
};

/*
 * Create a mailbox and its self alias.  Checks, under a lock on the
 * domain row so concurrent adds cannot pass them together: the domain
 * exists and is not a backup MX, its mailbox limit, the quota against the
 * domain's per-mailbox maximum and total.  *out receives the stored row
 * (maildir, quota).  Errors: MA_EINVAL, MA_ENODOMAIN, MA_EEXIST (a
 * mailbox or an alias has the address), MA_EDB, MA_ETEMP.
 */
int	ma_mailbox_add(struct ma_db *db, const struct ma_mailbox_req *req,
	    struct ma_mailbox *out, struct ma_err *err);

/*
 * Change the fields of req; an active change applies to the self alias
 * too, so a disabled mailbox is refused at RCPT.  *out gets the new row.
 * MA_ENOTFOUND if there is no such mailbox.
 */
int	ma_mailbox_set(struct ma_db *db, const struct ma_mailbox_req *req,
	    struct ma_mailbox *out, struct ma_err *err);

/* Delete the mailbox and its own alias; *out gets the row it had. */
int	ma_mailbox_del(struct ma_db *db, const char *address,
	    struct ma_mailbox *out, struct ma_err *err);

/* 1 found, 0 not, -1 error.  Release with ma_mailbox_release(). */
int	ma_mailbox_get(struct ma_db *db, const char *address,
	    struct ma_mailbox *m, struct ma_err *err);

typedef int ma_mailbox_cb(const struct ma_mailbox *m, void *arg);

/* Every mailbox (of domain, when not NULL) in address order. */
int	ma_mailbox_list(struct ma_db *db, const char *domain, ma_mailbox_cb *fn,
	    void *arg, struct ma_err *err);

/* log.data of a create_mailbox row: "address quota=N[ active=0]". */
#define MA_MAILBOX_DESCRIBE_MAX (MA_ADDRESS_MAX + 64)
void	ma_mailbox_describe(const struct ma_mailbox *m, char *buf, size_t size);

/*
 * What the quota commands need of every mailbox (of domain, when not
 * NULL), in no order, without a copy: the strings last until fn returns.
 * fn returning -1 (out of memory) stops it.
 */
struct ma_mailbox_brief {
	const char	*address, *maildir;
	int64_t		 quota;
	int		 active;
};

typedef int ma_mailbox_brief_cb(const struct ma_mailbox_brief *b, void *arg);

int	ma_mailbox_list_brief(struct ma_db *db, const char *domain,
	    ma_mailbox_brief_cb *fn, void *arg, struct ma_err *err);

void	ma_mailbox_release(struct ma_mailbox *m);

#endif
