/* JSON text for the documents mailadm writes. */
#ifndef MA_JSON_H
#define MA_JSON_H

#include <stddef.h>

#include "buf.h"

/*
 * Append len bytes of s to b as a JSON string: quotes, backslashes and
 * control characters escaped; a byte that is not part of valid UTF-8 is
 * written as the character of the same value (\u00XX), so that the
 * document stays valid whatever the input.
 */
void	ma_json_str(struct ma_buf *b, const char *s, size_t len);

#endif
