/*
 * A tiny header-only TAP (Test Anything Protocol) emitter for the unit tests.
 *
 *   test_begin("group");              a "# group" heading
 *   ok(cond, "fmt", ...);             one test point; returns cond != 0
 *   is_int(got, want, "name");        integers (int64), diagnostics on failure
 *   is_str(got, want, "name");        strings, NULL-safe
 *   tap_todo = "why";                 following failures are TODO (known bug)
 *   has_control(s)                    s holds a control character
 *   return done_testing();            prints the plan "1..N"; 0 if all passed
 *
 * Diagnostics are "# " lines on stderr, so prove shows them (on stdout for
 * TODO tests, where prove hides them).
 */
#ifndef TAP_H
#define TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;
static const char *tap_todo;	/* non-NULL: test points are TODO */

static inline void
diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void
diag(const char *fmt, ...)
{
	/* TODO diagnostics go with the TAP stream, where prove hides them. */
	FILE *f = tap_todo != NULL ? stdout : stderr;
	char buf[2048], *line, *nl;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fflush(stdout);
	for (line = buf; line != NULL; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		fprintf(f, "# %s\n", line);
	}
	fflush(f);
}

static inline void
test_begin(const char *name)
{
	printf("# %s\n", name);
}

static inline int
ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int
ok(int cond, const char *fmt, ...)
{
	char name[1024], *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	printf("%sok %d - ", cond ? "" : "not ", ++tap_count);
	for (p = name; *p != '\0'; p++)	/* '#' would start a directive */
		if (*p == '#')
			fputs("\\#", stdout);
		else
			putchar(*p == '\n' ? ' ' : *p);
	if (tap_todo != NULL)
		printf(" # TODO %s", tap_todo);
	putchar('\n');
	if (!cond && tap_todo == NULL)
		tap_failed++;
	if (!cond)
		diag("  Failed %stest %d", tap_todo ? "(TODO) " : "", tap_count);
	return cond;
}

/* Show s in a diagnostic: quoted, control bytes as \xNN, or NULL. */
static inline void
tap_show(const char *label, const char *s)
{
	char buf[1400] = "";
	size_t o = 0;

	if (s == NULL) {
		diag("%12s: NULL", label);
		return;
	}
	for (; *s != '\0' && o < 1200; s++) {
		unsigned char c = (unsigned char)*s;

		o += (size_t)snprintf(buf + o, sizeof(buf) - o,
		    c < 0x20 || c == 0x7f ? "\\x%02x" : "%c", c);
	}
	diag("%12s: '%s'%s", label, buf, *s != '\0' ? "..." : "");
}

static inline int
is_int(int64_t got, int64_t want, const char *name)
{
	if (ok(got == want, "%s", name))
		return 1;
	diag("%12s: %" PRId64, "got", got);
	diag("%12s: %" PRId64, "expected", want);
	return 0;
}

static inline int
is_str(const char *got, const char *want, const char *name)
{
	int same = got == NULL || want == NULL ? got == want :
	    strcmp(got, want) == 0;

	if (ok(same, "%s", name))
		return 1;
	tap_show("got", got);
	tap_show("expected", want);
	return 0;
}

/* Skip n test points (counted as passing). */
static inline void
skip(int n, const char *why)
{
	while (n-- > 0)
		printf("ok %d # skip %s\n", ++tap_count, why);
}

/* Nonzero when s holds a control character (messages must not). */
static inline int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static inline int
done_testing(void)
{
	printf("1..%d\n", tap_count);
	fflush(stdout);
	if (tap_failed > 0)
		diag("Looks like you failed %d test%s of %d.", tap_failed,
		    tap_failed == 1 ? "" : "s", tap_count);
	return tap_failed > 254 ? 254 : tap_failed;
}

#endif
