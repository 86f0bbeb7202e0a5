/*
 * MySQL's "latin1", which is Windows-1252 and not ISO 8859-1: 0x80 is
 * the euro sign, 0x9C "œ", 0x96 "–".  The five bytes cp1252 leaves
 * undefined (0x81 0x8D 0x8F 0x90 0x9D) map to the C1 controls of the
 * same value, as MySQL maps them, so every byte round-trips.
 */
#ifndef MA_CP1252_H
#define MA_CP1252_H

#include <stddef.h>
#include <stdint.h>

/* The Unicode code point of latin1 byte b. */
uint32_t ma_cp1252_decode(unsigned char b);

/* The latin1 byte of code point cp, or -1 when latin1 has none. */
int	ma_cp1252_encode(uint32_t cp);

/* Write the UTF-8 form of cp (at most 4 bytes) to out; its length. */
size_t	ma_utf8_put(uint32_t cp, char *out);

/*
 * Decode the well-formed UTF-8 sequence at p (see ma_utf8_seq) into
 * *cp; its length, or 0 when it is not one.
 */
size_t	ma_utf8_get(const char *p, uint32_t *cp);

#endif
