/* Input that a retried transaction can read again. */
#ifndef MA_SPOOL_H
#define MA_SPOOL_H

#include <stdio.h>

#include "err.h"

/*
 * A seekable stream with what in holds: in itself when it can seek, else
 * a private temporary file (mode 0600, already unlinked) with a copy, so
 * that input of any size costs disk, not memory.  *out is in or a new
 * stream for the caller to fclose().  MA_EIO on a read or write error.
 */
int	ma_spool(FILE *in, FILE **out, struct ma_err *err);

#endif
