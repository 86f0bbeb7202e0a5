/* UTF-8 decoding shared by validation and message quoting. */
#ifndef MA_UTF8_H
#define MA_UTF8_H

#include <stddef.h>

/*
 * Length (1–4) of the well-formed UTF-8 sequence at p, or 0 when it is
 * not one: stray or missing continuation bytes, overlong forms,
 * surrogates, code points above U+10FFFF.  p[0] must not be NUL.
 */
size_t	ma_utf8_seq(const unsigned char *p);

#endif
