/*
 * SHA512-CRYPT side by side (lib/passwd-sha512.c): every variant this
 * processor has gives crypt_r's hash to the byte, for passwords of every
 * length that fits, salts of 0 to 16 characters, every byte value, and
 * groups of 1 to 8; pw_hash_group mixes in those that do not fit and
 * those refused, as ma_passwd_hash would.
 */
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "passwd-priv.h"
#include "tap.h"

static const char b64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
    "klmnopqrstuvwxyz";

/* Random groups against crypt_r: the number of hashes that differ. */
static int
against_crypt_r(unsigned seed, int groups, size_t *checked)
{
	static char pws[8][32], settings[8][24];
	const char *pw[8], *set[8];
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	struct ma_err err;
	char *out[8];
	int g, bad = 0;
	size_t n, i, j, sl, pl;

	srand(seed);
	for (g = 0; g < groups && cd != NULL; g++) {
		n = 1 + (size_t)rand() % 8;
		for (i = 0; i < n; i++) {
			sl = (size_t)rand() % 17;
			/* as long as fits in one block with this salt */
			pl = (size_t)rand() % ((47 - sl) / 2 + 1);
			for (j = 0; j < pl; j++)
				pws[i][j] = (char)(1 + rand() % 255);
			pws[i][pl] = '\0';
			memcpy(settings[i], "$6$", 3);
			for (j = 0; j < sl; j++)
				settings[i][3 + j] = b64[rand() % 64];
			settings[i][3 + sl] = '\0';
			pw[i] = pws[i];
			set[i] = settings[i];
		}
		if (pw_sha512_crypt(pw, set, n, out, &err) < 0) {
			diag("%s", err.msg);
			bad += (int)n;
			continue;
		}
		for (i = 0; i < n; i++) {
			const char *want = crypt_r(pw[i], set[i], cd);

			if (strcmp(out[i], want) != 0 && bad++ < 3)
				diag("%s\n  crypt_r %s", out[i], want);
			free(out[i]);
			(*checked)++;
		}
	}
	free(cd);
	return bad;
}

static void
variant(const char *name)
{
	size_t checked = 0;

	test_begin(name);
	if (!(strcmp(name, "avx512f") == 0 ? __builtin_cpu_supports("avx512f") :
	    __builtin_cpu_supports("avx2"))) {
		/* The processor has not got it: said, not passed silently. */
		printf("ok %d - %s # SKIP not on this processor\n",
		    ++tap_count, name);
		return;
	}
	if (!is_int(pw_sha512_use(name), 0, "used: its known answers right"))
		return;
	is_int(pw_sha512_group(), 8, "eight lanes");
	is_int(against_crypt_r(1, 120, &checked), 0,
	    "random passwords and salts: crypt_r's hashes");
	ok(checked > 300, "%zu compared", checked);
}

static void
fits(void)
{
	test_begin("what fits one block");
	ok(pw_sha512_fits("fifteen-bytes..", "$6$0123456789abcdef"),
	    "15 bytes with a 16-character salt");
	ok(!pw_sha512_fits("sixteen-bytes...", "$6$0123456789abcdef"),
	    "not 16");
	ok(pw_sha512_fits("twenty-three-bytes.....", "$6$"),
	    "23 bytes without salt");
	ok(!pw_sha512_fits("short", "$6$rounds=6000$0123456789abcdef"),
	    "not other rounds");
	ok(!pw_sha512_fits("short", "$5$0123456789abcdef"), "not SHA-256");
}

/* A group as ma_passwd_hash does each: hashes that verify, its errors. */
static void
group(int prefix)
{
	const char *pw[8] = { "one", "a password much too long for a block",
	    "", "three", "line\nbreak", "five", "sixsix", "seven" };
	char *hash[8], want[8][sizeof(((struct ma_err *)0)->msg)];
	int rcs[8];
	struct ma_err errs[8], loop;
	size_t i, good = 0, wrong = 0, errors = 0;

	test_begin(prefix ? "a group, {SHA512-CRYPT} prefix" : "a group");
	for (i = 0; i < 8; i++) {
		char *h = NULL;

		want[i][0] = '\0';
		if (ma_passwd_hash("SHA512-CRYPT", pw[i], prefix, &h,
		    &loop) < 0)
			snprintf(want[i], sizeof(want[i]), "%s", loop.msg);
		free(h);
	}
	pw_hash_group("SHA512-CRYPT", pw, 8, prefix, hash, rcs, errs);
	for (i = 0; i < 8; i++) {
		if (want[i][0] != '\0') {
			errors += rcs[i] == -1 && hash[i] == NULL &&
			    strcmp(errs[i].msg, want[i]) == 0;
			continue;
		}
		good += rcs[i] == 0 && ma_passwd_verify(hash[i], pw[i],
		    &loop) == 1 && strncmp(hash[i], prefix ?
		    "{SHA512-CRYPT}$6$" : "$6$", prefix ? 17 : 3) == 0;
		wrong += ma_passwd_verify(hash[i], pw[(i + 1) % 8], &loop) == 1;
		free(hash[i]);
	}
	is_int(good, 6, "six hashes that verify");
	is_int(wrong, 0, "none against another password");
	is_int(errors, 2, "the empty one and the line break refused, as "
	    "ma_passwd_hash refuses them");
}

int
main(void)
{
	int have = __builtin_cpu_supports("avx512f") ||
	    __builtin_cpu_supports("avx2");

	test_begin("the variant chosen");
	is_int(pw_sha512_group(), have ? 8 : 0,
	    "lanes when the processor has AVX2 or AVX-512, else none");
	fits();
	variant("avx512f");
	variant("avx2");
	if (have)
		group(0);
	group(1);
	pw_sha512_use(NULL);
	is_int(pw_hash_group_size("SHA512-CRYPT"), 1, "without lanes: one at "
	    "a time");
	group(0);
	return done_testing();
}
