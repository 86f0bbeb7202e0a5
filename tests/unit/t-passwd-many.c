/*
 * ma_passwd_hash_many and its two steps: the same hashes (each verifies
 * against its own password only) and the same first error as a loop of
 * ma_passwd_hash, with one worker, two, and more workers than passwords.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passwd.h"
#include "tap.h"

#define N 24

static char words[N][32];
static const char *pw[N];

static void
all_verify(const char *scheme, int workers)
{
	char *hash[N];
	struct ma_err err;
	size_t i, good = 0, others = 0;

	if (!ok(ma_passwd_hash_many(scheme, pw, N, 0, workers, hash, NULL,
	    &err) == 0, "%s, %d workers: hashed", scheme, workers)) {
		diag("%s", err.msg);
		return;
	}
	for (i = 0; i < N; i++) {
		good += ma_passwd_verify(hash[i], pw[i], &err) == 1;
		/* the hash of the next row is not this row's */
		others += ma_passwd_verify(hash[(i + 1) % N], pw[i], &err) == 1;
	}
	is_int(good, N, "every hash verifies against its password");
	is_int(others, 0, "and against no other row's");
	for (i = 0; i < N; i++)
		free(hash[i]);
}

static void
first_error(int workers)
{
	const char *bad[N];
	char *hash[N];
	struct ma_err err, loop;
	size_t i, at = N, nulls = 0;

	memcpy(bad, pw, sizeof(bad));
	bad[7] = "line\nbreak";
	bad[15] = "";
	ma_passwd_hash("SHA512-CRYPT", bad[7], 0, &hash[0], &loop);
	ok(ma_passwd_hash_many("SHA512-CRYPT", bad, N, 0, workers, hash,
	    &at, &err) == -1, "%d workers: refused", workers);
	is_int(at, 7, "the first bad password in order is named");
	is_str(err.msg, loop.msg, "with the error a loop gives");
	for (i = 0; i < N; i++)
		nulls += hash[i] == NULL;
	is_int(nulls, N, "no hash is kept");
}

/* start, then finish later: the same as at once; two batches at a time. */
static void
two_steps(void)
{
	struct ma_passwd_batch *a, *b;
	char *ha[N], *hb[N];
	struct ma_err err;
	size_t i, good = 0;

	ok(ma_passwd_hash_start("SHA512-CRYPT", pw, N, 0, 0, ha, &a, &err) ==
	    0 && ma_passwd_hash_start("SSHA512", pw, N, 0, 2, hb, &b, &err) ==
	    0, "two batches started");
	ok(ma_passwd_hash_finish(&b, NULL, &err) == 0 && b == NULL &&
	    ma_passwd_hash_finish(&a, NULL, &err) == 0 && a == NULL,
	    "finished in the other order");
	for (i = 0; i < N; i++) {
		good += ma_passwd_verify(ha[i], pw[i], &err) == 1 &&
		    ma_passwd_verify(hb[i], pw[i], &err) == 1;
		free(ha[i]);
		free(hb[i]);
	}
	is_int(good, N, "every hash of both verifies");
	ok(ma_passwd_hash_finish(&a, NULL, &err) == 0,
	    "finishing no batch is no error");
}

/*
 * Each hash taken as soon as it is made, in any order: the one asked for,
 * verified; a bad password's error at its place only; the rest cancelled.
 */
static void
wait_and_cancel(int workers)
{
	const char *some[N];
	struct ma_passwd_batch *b;
	char *hash[N], *taken[N] = { NULL };
	struct ma_err err, loop;
	size_t i, good = 0, order[] = { 3, 0, 20, 1 };

	memcpy(some, pw, sizeof(some));
	some[5] = "line\nbreak";
	ma_passwd_hash("SHA512-CRYPT", some[5], 0, &hash[0], &loop);
	if (!ok(ma_passwd_hash_start("SHA512-CRYPT", some, N, 0, workers, hash,
	    &b, &err) == 0, "%d workers: started", workers))
		return;
	for (i = 0; i < 4; i++) {
		if (ma_passwd_hash_wait(b, order[i], &err) < 0)
			break;
		taken[i] = hash[order[i]];
		hash[order[i]] = NULL;
		good += ma_passwd_verify(taken[i], pw[order[i]], &err) == 1;
	}
	is_int(good, 4, "passwords 3, 0, 20, 1 taken one by one, each verifies");
	is_int(ma_passwd_hash_wait(b, 5, &err), -1, "the bad one fails");
	is_str(err.msg, loop.msg, "with the error a loop gives");
	is_int(ma_passwd_hash_wait(b, 6, &err), 0, "the one after it is made");
	ma_passwd_hash_cancel(&b);
	ok(b == NULL, "cancelled");
	for (good = 0, i = 0; i < N; i++)
		good += hash[i] == NULL;
	is_int(good, N, "every hash not taken is freed");
	for (i = 0; i < 4; i++)
		free(taken[i]);
	ma_passwd_hash_cancel(&b);
	ok(b == NULL, "cancelling no batch does nothing");
}

/*
 * A batch opened empty and fed a few at a time: each fed password is
 * hashed (taken as it comes or left to finish), none beyond those fed.
 */
static void
fed(int workers)
{
	const char *some[N] = { NULL };
	struct ma_passwd_batch *b;
	char *hash[N];
	struct ma_err err;
	size_t i, good = 0, made = 0;

	if (!ok(ma_passwd_hash_open("SHA512-CRYPT", some, N, 0, workers, hash,
	    &b, &err) == 0, "%d workers: opened empty", workers))
		return;
	for (i = 0; i < 10; i++) {
		some[i] = pw[i];
		ma_passwd_hash_feed(b, i + 1);
		if (i % 3 == 0 && ma_passwd_hash_wait(b, i, &err) == 0)
			good += ma_passwd_verify(hash[i], pw[i], &err) == 1;
	}
	is_int(good, 4, "fed one by one, those waited for verify");
	ok(ma_passwd_hash_finish(&b, NULL, &err) == 0, "finished");
	for (good = 0, i = 0; i < N; i++) {
		made += hash[i] != NULL;
		good += i < 10 && ma_passwd_verify(hash[i], pw[i], &err) == 1;
		free(hash[i]);
	}
	is_int(made, 10, "the 10 fed are hashed, no other");
	is_int(good, 10, "each verifies");
}

int
main(void)
{
	size_t i;
	char *none;
	struct ma_err err;

	for (i = 0; i < N; i++) {
		snprintf(words[i], sizeof(words[i]), "secret-%zu", i);
		pw[i] = words[i];
	}
	test_begin("same results as a loop");
	all_verify("SHA512-CRYPT", 1);
	all_verify("SHA512-CRYPT", 2);
	all_verify("SHA512-CRYPT", 0);
	all_verify("SSHA512", 64);
	test_begin("in two steps");
	two_steps();
	test_begin("one by one, then cancelled");
	wait_and_cancel(1);
	wait_and_cancel(3);
	test_begin("fed as they come");
	fed(1);
	fed(2);
	test_begin("errors");
	first_error(1);
	first_error(3);
	is_int(ma_passwd_hash_many("NO-SUCH", pw, 1, 0, 0, &none, NULL, &err),
	    -1, "an unknown scheme is refused");
	is_int(ma_passwd_hash_many("SHA512-CRYPT", pw, 0, 0, 0, &none, NULL,
	    &err), 0, "nothing to hash is no error");
	return done_testing();
}
