/*
 * Shell-style words for batch lines: blanks separate words; '…' keeps
 * everything literally; "…" keeps everything but \" \\ \$ \` which lose
 * the backslash; outside quotes a backslash keeps the next character;
 * '#' at the start of a word comments out the rest of the line.  No
 * expansion of any kind: what is typed is what the command gets.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct words {
	char	**v;
	int	  n, cap;
};

static int
push(struct words *w, char *word)
{
	char **nv;

	if (w->n + 2 > w->cap) {
		w->cap = w->cap ? w->cap * 2 : 8;
		if ((nv = realloc(w->v, (size_t)w->cap * sizeof(*nv))) == NULL)
			return -1;
		w->v = nv;
	}
	w->v[w->n++] = word;
	w->v[w->n] = NULL;
	return 0;
}

void
cli_words_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++) {
		explicit_bzero(v[i], strlen(v[i]));
		free(v[i]);
	}
	free(v);
}

int
cli_words(const char *line, const char *argv0, char ***v_r, int *n_r,
    const char **why)
{
	struct words w = { NULL, 0, 0 };
	const char *p = line;
	char *word = NULL, *o;

	*why = "out of memory";
	if (push(&w, strdup(argv0)) < 0 || w.v[0] == NULL)
		goto fail;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0' || *p == '#')
			break;
		/* A word is never longer than the rest of the line. */
		if ((word = o = malloc(strlen(p) + 1)) == NULL)
			goto fail;
		while (*p != '\0' && !strchr(" \t\n\r", *p)) {
			if (*p == '\'') {
				const char *end = strchr(p + 1, '\'');

				if (end == NULL) {
					*why = "unterminated ' quote";
					goto fail;
				}
				memcpy(o, p + 1, (size_t)(end - p - 1));
				o += end - p - 1;
				p = end + 1;
			} else if (*p == '"') {
				for (p++; *p != '"'; p++) {
					if (*p == '\0') {
						*why = "unterminated \" quote";
						goto fail;
					}
					if (*p == '\\' && strchr("\"\\$`", p[1]) &&
					    p[1] != '\0')
						p++;
					*o++ = *p;
				}
				p++;
			} else if (*p == '\\') {
				if (p[1] == '\0') {
					*why = "backslash at the end of the line";
					goto fail;
				}
				*o++ = p[1];
				p += 2;
			} else {
				*o++ = *p++;
			}
		}
		*o = '\0';
		if (push(&w, word) < 0)
			goto fail;
		word = NULL;
	}
	*v_r = w.v;
	*n_r = w.n;
	return 0;
fail:
	free(word);
	cli_words_free(w.v);
	return -1;
}
