/*
 * Migration map files (SPEC §10): "key = value" lines, a value going on
 * over the lines that follow when they begin with white space, "#" at the
 * start of a line for a comment.  The keys:
 *
 *   domains, mailboxes, aliases   the SELECTs over the staging tables that
 *                                 read each kind (see migrate.h for their
 *                                 result columns)
 *   vacations                     SELECT address, active: who had an
 *                                 auto-reply (tells vacation hooks apart)
 *   admins                        SELECT admin, domain: admin rights, which
 *                                 mailadm does not keep but checks
 *   KIND.source = TABLE (COL, …)  the source table of KIND's rows and its
 *                                 key: the query then returns source_row
 *                                 (that table's rowid), and reports show
 *                                 the table, the key and the whole row
 *   default_password = TEXT       a password the legacy application gave
 *                                 new accounts (may be given again)
 *
 * Presets are map files shipped in the maps directory, by name.
 */
#ifndef MA_MAPFILE_H
#define MA_MAPFILE_H

#include <stddef.h>

#include "err.h"

enum ma_map_kind {
	MA_MAP_DOMAINS,
	MA_MAP_MAILBOXES,
	MA_MAP_ALIASES,
	MA_MAP_VACATIONS,
	MA_MAP_ADMINS,
	MA_MAP_KINDS
};

/* "domains", "mailboxes"… */
const char *ma_map_kind_name(enum ma_map_kind k);

struct ma_map_source {
	char		*table;		/* NULL: the rows are the query's own */
	char		**key;
	size_t		 nkey;
};

struct ma_map {
	char			*path;
	char			*query[MA_MAP_KINDS];	/* NULL when absent */
	struct ma_map_source	 source[MA_MAP_KINDS];
	char			**default_passwords;
	size_t			 ndefault_passwords;
};

/*
 * Read a map file.  MA_ENOINPUT when it cannot be read; MA_EINVAL
 * "PATH:LINE: why" for an unknown key, a key given twice, a query that
 * is not a SELECT, a bad KIND.source, or a file with none of domains,
 * mailboxes and aliases.
 */
int	ma_map_load(const char *path, struct ma_map **mp, struct ma_err *err);
void	ma_map_free(struct ma_map **mp);

/*
 * The file of preset name: NAME.map in $MAILADM_MAPS_DIR, else in the
 * installed maps directory, else next to the binary (../share/mailadm/
 * maps, then data/maps: a build tree).  MA_ENOINPUT naming the presets
 * there are when there is none.  *path_r is for the caller to free.
 */
int	ma_map_preset(const char *name, char **path_r, struct ma_err *err);

typedef int ma_map_preset_cb(const char *name, void *arg);

/* The preset names, in order, from the first directory that has any. */
int	ma_map_presets(ma_map_preset_cb *fn, void *arg, struct ma_err *err);

#endif
