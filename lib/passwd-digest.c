/*
 * Digests for the {SHA}/{SSHA}/{MD5}… schemes, through OpenSSL's EVP
 * (already in the process with libmariadb), and MySQL's PASSWORD() and
 * OLD_PASSWORD(), which a migrated database may still hold.
 */
#include <openssl/evp.h>
#include <stdint.h>
#include <string.h>

#include "passwd-priv.h"

int
ma_ct_equal(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = 0;
	size_t i;

	/* Every byte is read whatever the others hold: no early exit. */
	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

/* The digest's size in bytes, or -1 if OpenSSL has no such digest. */
int
pw_digest_size(const char *md)
{
	const EVP_MD *m = EVP_get_digestbyname(md);

	return m != NULL ? EVP_MD_get_size(m) : -1;
}

/* out receives md(pw salt): pw_digest_size(md) bytes.  Returns 0 or -1. */
int
pw_digest(const char *md, const char *pw, const unsigned char *salt,
    size_t saltlen, unsigned char *out, struct ma_err *err)
{
	const EVP_MD *m = EVP_get_digestbyname(md);
	EVP_MD_CTX *ctx;
	unsigned int n;
	int ok;

	if (m == NULL)
		return ma_fail(err, MA_EINVAL, 0, "OpenSSL has no %s digest",
		    md);
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return ma_fail(err, MA_ENOMEM, 0, "out of memory");
	/* Two updates: the password is never copied next to its salt. */
	ok = EVP_DigestInit_ex(ctx, m, NULL) == 1 &&
	    EVP_DigestUpdate(ctx, pw, strlen(pw)) == 1 &&
	    (saltlen == 0 || EVP_DigestUpdate(ctx, salt, saltlen) == 1) &&
	    EVP_DigestFinal_ex(ctx, out, &n) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return ma_fail(err, MA_EINVAL, 0, "OpenSSL cannot compute %s "
		    "(disabled by its configuration?)", md);
	return 0;
}

/* MySQL 4.1 PASSWORD(): SHA1(SHA1(pw)), shown as "*" and 40 hex digits. */
int
pw_mysql41(const char *pw, unsigned char out[20], struct ma_err *err)
{
	const EVP_MD *m = EVP_get_digestbyname("SHA1");
	unsigned char inner[EVP_MAX_MD_SIZE];
	int rc = 0;

	if (m == NULL ||
	    EVP_Digest(pw, strlen(pw), inner, NULL, m, NULL) != 1 ||
	    EVP_Digest(inner, 20, out, NULL, m, NULL) != 1)
		rc = ma_fail(err, MA_EINVAL, 0, "OpenSSL cannot compute SHA1");
	explicit_bzero(inner, sizeof(inner));
	return rc;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/*
 * MySQL OLD_PASSWORD() (hash_password() in MariaDB's sql/password.c):
 * two 31-bit words.  Spaces and tabs are skipped, as MySQL does; 32-bit
 * arithmetic gives the same low 31 bits as MySQL's unsigned long.
 */
void
pw_mysql323(const char *pw, unsigned char out[8])
{
	uint32_t nr = 1345345333, add = 7, nr2 = 0x12345671, c;
	const unsigned char *p;

	for (p = (const unsigned char *)pw; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t')
			continue;
		c = *p;
		nr ^= (((nr & 63) + add) * c) + (nr << 8);
		nr2 += (nr2 << 8) ^ nr;
		add += c;
	}
	put32(out, nr & 0x7fffffff);
	put32(out + 4, nr2 & 0x7fffffff);
	explicit_bzero(&nr, sizeof(nr));
	explicit_bzero(&nr2, sizeof(nr2));
	explicit_bzero(&add, sizeof(add));
}
