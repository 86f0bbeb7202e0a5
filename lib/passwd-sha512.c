/*
 * SHA512-CRYPT ($6$, crypt(5)) of several passwords at once.  Its 5,000
 * rounds of SHA-512 are most of what a bulk import spends, and a SHA-512
 * block is 64-bit additions, rotations and logic that a vector unit does
 * for eight passwords side by side, one per lane, in the time libxcrypt's
 * scalar code takes for one or two (per password, measured: 0.23 ms with
 * AVX-512, 0.57 ms with AVX2, 1.1 ms through crypt_r).  Only the rounds
 * are done here: the digests before them are libcrypto's, and what comes
 * out is crypt(3)'s to the byte (the tests compare each variant the
 * processor has with crypt_r).  A round's input must fit one block, so
 * passwords over 15 bytes (with the 16 characters of a new salt) go to
 * libxcrypt.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "passwd-priv.h"

/* Eight 64-bit lanes: one AVX-512 register, or two of AVX2. */
#define LANES		PW_GROUP_MAX
#define BLOCK		128
/* A block holds this much input before its padding and length. */
#define BLOCK_ROOM	111
#define SALT_MAX	16
/* The longest P sequence that fits (with no salt). */
#define P_MAX		((BLOCK_ROOM - 64) / 2)
/* crypt(5)'s default, which a setting without "rounds=" means. */
#define ROUNDS		5000

typedef uint64_t lanes __attribute__((vector_size(LANES * 8)));

/* One password's part, ready for the rounds. */
struct lane {
	unsigned char	 p[P_MAX];	/* the P sequence */
	unsigned char	 s[SALT_MAX];		/* the S sequence */
	size_t		 pl, sl;
	unsigned char	 a[64];	/* digest A, then the result */
};

static const uint64_t k512[80] = {
	0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL,
	0xe9b5dba58189dbbcULL, 0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL,
	0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL, 0xd807aa98a3030242ULL,
	0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
	0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL,
	0xc19bf174cf692694ULL, 0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL,
	0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL, 0x2de92c6f592b0275ULL,
	0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
	0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL,
	0xbf597fc7beef0ee4ULL, 0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL,
	0x06ca6351e003826fULL, 0x142929670a0e6e70ULL, 0x27b70a8546d22ffcULL,
	0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
	0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL,
	0x92722c851482353bULL, 0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL,
	0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL, 0xd192e819d6ef5218ULL,
	0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
	0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL,
	0x34b0bcb5e19b48a8ULL, 0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL,
	0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL, 0x748f82ee5defb2fcULL,
	0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
	0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL,
	0xc67178f2e372532bULL, 0xca273eceea26619cULL, 0xd186b8c721c0c207ULL,
	0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL, 0x06f067aa72176fbaULL,
	0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
	0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL,
	0x431d67c49c100d4cULL, 0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL,
	0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL,
};

static const uint64_t iv512[8] = {
	0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
	0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
	0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return __builtin_bswap64(v);
}

static void
put64(unsigned char *p, uint64_t v)
{
	v = __builtin_bswap64(v);
	memcpy(p, &v, 8);
}

#define ROTR(x, n)	((x) >> (n) | (x) << (64 - (n)))

/* st = the SHA-512 state after one block w (words), from the IV. */
static inline __attribute__((always_inline)) void
compress(lanes *st, lanes *w)
{
	lanes a, b, c, d, e, f, g, h, t1, t2, x, y;
	int i;

	for (i = 0; i < 8; i++)
		st[i] = (lanes){ 0 } + iv512[i];
	a = st[0], b = st[1], c = st[2], d = st[3];
	e = st[4], f = st[5], g = st[6], h = st[7];
	for (i = 0; i < 80; i++) {
		if (i >= 16) {
			x = w[(i - 15) & 15];
			y = w[(i - 2) & 15];
			w[i & 15] += (ROTR(x, 1) ^ ROTR(x, 8) ^ (x >> 7)) +
			    w[(i - 7) & 15] + (ROTR(y, 19) ^ ROTR(y, 61) ^
			    (y >> 6));
		}
		t1 = h + (ROTR(e, 14) ^ ROTR(e, 18) ^ ROTR(e, 41)) +
		    ((e & f) ^ (~e & g)) + k512[i] + w[i & 15];
		t2 = (ROTR(a, 28) ^ ROTR(a, 34) ^ ROTR(a, 39)) +
		    ((a & b) ^ (a & c) ^ (b & c));
		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	st[0] += a, st[1] += b, st[2] += c, st[3] += d;
	st[4] += e, st[5] += f, st[6] += g, st[7] += h;
}

/*
 * One block of a lane's round input, its 16 words: the parts in crypt(5)'s
 * order (odd rounds begin with P and end with C, even ones the reverse),
 * S unless the round is a multiple of 3, P again unless one of 7.
 */
static void
round_block(const struct lane *l, int odd, int s, int p2,
    const unsigned char c[64], unsigned char b[BLOCK])
{
	size_t n = 0;

	memcpy(b, odd ? l->p : c, odd ? l->pl : 64);
	n += odd ? l->pl : 64;
	if (s) {
		memcpy(b + n, l->s, l->sl);
		n += l->sl;
	}
	if (p2) {
		memcpy(b + n, l->p, l->pl);
		n += l->pl;
	}
	memcpy(b + n, odd ? c : l->p, odd ? 64 : l->pl);
	n += odd ? 64 : l->pl;
	b[n] = 0x80;
	memset(b + n + 1, 0, BLOCK - 8 - n - 1);
	put64(b + BLOCK - 8, (uint64_t)n * 8);
}

/*
 * The rounds, every lane at once.  An even round's block is C (the state
 * itself, as words) then a tail fixed by the round's pattern: made once.
 */
static inline __attribute__((always_inline)) void
rounds(struct lane *l)
{
	lanes st[8], w[16], tail[4][8];
	unsigned char b[BLOCK], c[64];
	int i, j, k, pat;

	memset(c, 0, sizeof(c));
	for (pat = 0; pat < 4; pat++)
		for (k = 0; k < LANES; k++) {
			round_block(&l[k], 0, pat & 1, pat >> 1, c, b);
			for (j = 0; j < 8; j++)
				tail[pat][j][k] = get64(b + 64 + 8 * j);
		}
	for (j = 0; j < 8; j++)
		for (k = 0; k < LANES; k++)
			st[j][k] = get64(l[k].a + 8 * j);
	for (i = 0; i < ROUNDS; i++) {
		pat = (i % 3 != 0) | (i % 7 != 0) << 1;
		if (i % 2 == 0) {
			for (j = 0; j < 8; j++) {
				w[j] = st[j];
				w[8 + j] = tail[pat][j];
			}
		} else {
			for (k = 0; k < LANES; k++) {
				for (j = 0; j < 8; j++)
					put64(c + 8 * j, st[j][k]);
				round_block(&l[k], 1, pat & 1, pat >> 1, c, b);
				for (j = 0; j < 16; j++)
					w[j][k] = get64(b + 8 * j);
			}
		}
		compress(st, w);
	}
	for (k = 0; k < LANES; k++)
		for (j = 0; j < 8; j++)
			put64(l[k].a + 8 * j, st[j][k]);
	explicit_bzero(st, sizeof(st));
	explicit_bzero(w, sizeof(w));
	explicit_bzero(tail, sizeof(tail));
	explicit_bzero(b, sizeof(b));
	explicit_bzero(c, sizeof(c));
}

/* The same code, built for each vector unit. */
__attribute__((target("avx512f"))) static void
rounds_avx512(struct lane *l)
{
	rounds(l);
}

__attribute__((target("avx2"))) static void
rounds_avx2(struct lane *l)
{
	rounds(l);
}

/*
 * min: the fewest passwords for which a call is faster than libxcrypt one
 * by one (a call costs the same with one lane busy as with eight).
 */
static const struct variant {
	const char	*name;
	void		(*rounds)(struct lane *);
	size_t		 min;
} variants[] = {
	{ "avx512f", rounds_avx512, 2 },
	{ "avx2", rounds_avx2, 5 },
};

static const struct variant *chosen;
static pthread_once_t chosen_once = PTHREAD_ONCE_INIT;

static int
supported(const struct variant *v)
{
	__builtin_cpu_init();
	return strcmp(v->name, "avx512f") == 0 ?
	    __builtin_cpu_supports("avx512f") : __builtin_cpu_supports("avx2");
}

static int crypt_lanes(const struct variant *v, const char *const *pw,
    const char *const *setting, size_t n, char **out, struct ma_err *err);

/*
 * Whether v gives known hashes: the first is the example of the SHA-crypt
 * specification, the second crypt(3)'s; alternated over the lanes.  A
 * variant that does not (a compiler's or a processor's fault) is not
 * used: libxcrypt is.
 */
static int
known_answers(const struct variant *v)
{
	static const char *const pw[2] = { "Hello world!", "lanes, 8 wide" };
	static const char *const set[2] = { "$6$saltstring",
	    "$6$0123456789./AbZz" };
	static const char *const want[2] = {
	    "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNj"
	    "nQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
	    "$6$0123456789./AbZz$vMXco17m9Eog04OHttBBRIV17XCUJRQIaFox/pFnE9x"
	    "QHJhWz9AL3jF7NT06ldSqgCdWJmI90s.Q2iKkvaBDq/" };
	const char *lane_pw[LANES], *lane_set[LANES];
	char *out[LANES];
	struct ma_err err;
	size_t i, good = 0;

	for (i = 0; i < LANES; i++) {
		lane_pw[i] = pw[i % 2];
		lane_set[i] = set[i % 2];
	}
	if (crypt_lanes(v, lane_pw, lane_set, LANES, out, &err) < 0)
		return 0;
	for (i = 0; i < LANES; i++) {
		good += strcmp(out[i], want[i % 2]) == 0;
		free(out[i]);
	}
	return good == LANES;
}

static void
choose(void)
{
	size_t i;

	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		if (supported(&variants[i]) && known_answers(&variants[i])) {
			chosen = &variants[i];
			return;
		}
}

size_t
pw_sha512_group(void)
{
	pthread_once(&chosen_once, choose);
	return chosen != NULL ? LANES : 0;
}

size_t
pw_sha512_group_min(void)
{
	pthread_once(&chosen_once, choose);
	return chosen != NULL ? chosen->min : SIZE_MAX;
}

int
pw_sha512_use(const char *name)
{
	size_t i;

	pthread_once(&chosen_once, choose);
	if (name == NULL) {
		chosen = NULL;
		return 0;
	}
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		if (strcmp(variants[i].name, name) == 0 &&
		    supported(&variants[i]) && known_answers(&variants[i])) {
			chosen = &variants[i];
			return 0;
		}
	return -1;
}

/* The salt of a "$6$salt" setting: its length, or -1 for another form. */
static int
salt_of(const char *setting, const char **salt)
{
	size_t n;

	if (strncmp(setting, "$6$", 3) != 0 ||
	    strncmp(setting + 3, "rounds=", 7) == 0)
		return -1;
	*salt = setting + 3;
	n = strcspn(*salt, "$");
	return n > SALT_MAX ? SALT_MAX : (int)n;
}

int
pw_sha512_fits(const char *pw, const char *setting)
{
	const char *salt;
	int sl = salt_of(setting, &salt);

	return sl >= 0 && 64 + (size_t)sl + 2 * strlen(pw) <= BLOCK_ROOM;
}

/* SHA-512 of the n parts of part[] (each len[i] bytes, times[i] times). */
static int
digest(const void *const *part, const size_t *len, const size_t *times,
    size_t n, unsigned char out[64])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t i, t;
	int ok;

	ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha512(), NULL) == 1;
	for (i = 0; ok && i < n; i++)
		for (t = 0; ok && t < times[i]; t++)
			ok = EVP_DigestUpdate(ctx, part[i], len[i]) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, out, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* Digests B, A, DP and DS of crypt(5): the lane's inputs to the rounds. */
static int
lane_prepare(struct lane *l, const char *pw, const char *salt)
{
	unsigned char bd[64], dp[64], ds[64];
	const void *part[3 + 8];
	size_t len[3 + 8], times[3 + 8], n, bit;
	int rc;

	part[0] = part[2] = pw, part[1] = salt;
	len[0] = len[2] = l->pl, len[1] = l->sl;
	times[0] = times[1] = times[2] = 1;
	if (digest(part, len, times, 3, bd) < 0)
		return -1;
	/* A: P, S, B cut to the length of P, then B or P for each bit. */
	part[2] = bd, len[2] = l->pl;
	for (n = 3, bit = l->pl; bit > 0; bit >>= 1, n++) {
		part[n] = bit & 1 ? (const void *)bd : pw;
		len[n] = bit & 1 ? 64 : l->pl;
		times[n] = 1;
	}
	rc = digest(part, len, times, n, l->a);
	times[0] = l->pl;
	if (rc == 0)
		rc = digest(part, len, times, 1, dp);
	part[0] = salt, len[0] = l->sl, times[0] = 16 + (size_t)l->a[0];
	if (rc == 0)
		rc = digest(part, len, times, 1, ds);
	memcpy(l->p, dp, l->pl);
	memcpy(l->s, ds, l->sl);
	explicit_bzero(bd, sizeof(bd));
	explicit_bzero(dp, sizeof(dp));
	explicit_bzero(ds, sizeof(ds));
	return rc;
}

/* "$6$salt$" and the result in crypt(5)'s order of bytes. */
static char *
encode(const struct lane *l, const char *salt)
{
	static const char b64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz";
	char *out = malloc(3 + SALT_MAX + 1 + 86 + 1), *o;
	uint32_t v;
	int i, j, chars;

	if (out == NULL)
		return NULL;
	o = out + 3 + l->sl + 1;
	memcpy(out, "$6$", 3);
	memcpy(out + 3, salt, l->sl);
	out[3 + l->sl] = '$';
	/* bytes i, i + 21, i + 42, turning round one each time; 63 last */
	for (i = 0; i < 22; i++) {
		if (i == 21) {
			v = l->a[63];
			chars = 2;
		} else {
			v = (uint32_t)l->a[(i * 22) % 63] << 16 |
			    (uint32_t)l->a[(i * 22 + 21) % 63] << 8 |
			    l->a[(i * 22 + 42) % 63];
			chars = 4;
		}
		for (j = 0; j < chars; j++, v >>= 6)
			*o++ = b64[v & 63];
	}
	*o = '\0';
	return out;
}

int
pw_sha512_crypt(const char *const *pw, const char *const *setting, size_t n,
    char **out, struct ma_err *err)
{
	const struct variant *v;

	pthread_once(&chosen_once, choose);
	if ((v = chosen) == NULL)
		return ma_fail(err, MA_EINVAL, 0, "no SHA-512 lanes on this "
		    "processor");
	return crypt_lanes(v, pw, setting, n, out, err);
}

static int
crypt_lanes(const struct variant *v, const char *const *pw,
    const char *const *setting, size_t n, char **out, struct ma_err *err)
{
	struct lane l[LANES];
	const char *salt[LANES];
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++)
		out[i] = NULL;
	if (n == 0 || n > LANES)
		return ma_fail(err, MA_EINVAL, 0, "%zu passwords for %d "
		    "SHA-512 lanes", n, LANES);
	memset(l, 0, sizeof(l));
	for (i = 0; i < n && rc == 0; i++) {
		if (!pw_sha512_fits(pw[i], setting[i]))
			rc = ma_fail(err, MA_EINVAL, 0, "password or salt too "
			    "long for the SHA-512 lanes");
		else {
			l[i].sl = (size_t)salt_of(setting[i], &salt[i]);
			l[i].pl = strlen(pw[i]);
			if (lane_prepare(&l[i], pw[i], salt[i]) < 0)
				rc = ma_fail(err, MA_EIO, 0, "libcrypto cannot "
				    "compute SHA-512");
		}
	}
	/* Lanes without a password repeat the first. */
	for (; i < LANES && rc == 0; i++)
		l[i] = l[0];
	if (rc == 0)
		v->rounds(l);
	for (i = 0; i < n && rc == 0; i++)
		if ((out[i] = encode(&l[i], salt[i])) == NULL)
			rc = ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	if (rc < 0)
		for (i = 0; i < n; i++) {
			free(out[i]);
			out[i] = NULL;
		}
	explicit_bzero(l, sizeof(l));
	return rc;
}
