/*
 * The targets of an alias: alias.goto holds them comma-separated, as
 * Postfix's virtual_alias_maps expects ("a@x.org,b@y.org").
 */
#ifndef MA_GOTO_H
#define MA_GOTO_H

#include <stddef.h>

#include "err.h"

struct ma_goto {
	char	**v;
	size_t	  n;
};

#define MA_GOTO_INIT { NULL, 0 }

/*
 * Add the targets in s (separated by commas, spaces or newlines, as
 * legacy rows may have them), skipping ones already present.
 */
int	ma_goto_parse(struct ma_goto *g, const char *s, struct ma_err *err);
/* Add one target unless present; returns 1 if added, 0 if present. */
int	ma_goto_add(struct ma_goto *g, const char *target, struct ma_err *err);
/* Remove a target; returns 1 if it was there, 0 if not. */
int	ma_goto_remove(struct ma_goto *g, const char *target);
int	ma_goto_has(const struct ma_goto *g, const char *target);
/* The stored form, "a,b,c"; the caller frees it.  NULL when out of memory. */
char	*ma_goto_join(const struct ma_goto *g);
void	ma_goto_release(struct ma_goto *g);

#endif
