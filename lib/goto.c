#include "goto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
ma_goto_has(const struct ma_goto *g, const char *target)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (strcasecmp(g->v[i], target) == 0)
			return 1;
	return 0;
}

int
ma_goto_add(struct ma_goto *g, const char *target, struct ma_err *err)
{
	char **v, *copy;

	if (ma_goto_has(g, target))
		return 0;
	if ((copy = strdup(target)) == NULL ||
	    (v = realloc(g->v, (g->n + 1) * sizeof(*v))) == NULL) {
		free(copy);
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	}
	g->v = v;
	g->v[g->n++] = copy;
	return 1;
}

int
ma_goto_parse(struct ma_goto *g, const char *s, struct ma_err *err)
{
	static const char sep[] = ", \t\r\n";
	char word[1024];
	size_t len;

	while (*(s += strspn(s, sep)) != '\0') {
		len = strcspn(s, sep);
		if (len >= sizeof(word))
			return ma_fail(err, MA_EINVAL, 0, "alias target longer "
			    "than %zu characters", sizeof(word) - 1);
		memcpy(word, s, len);
		word[len] = '\0';
		if (ma_goto_add(g, word, err) < 0)
			return -1;
		s += len;
	}
	return 0;
}

int
ma_goto_remove(struct ma_goto *g, const char *target)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		if (strcasecmp(g->v[i], target) != 0)
			continue;
		free(g->v[i]);
		memmove(g->v + i, g->v + i + 1, (g->n - i - 1) * sizeof(*g->v));
		g->n--;
		return 1;
	}
	return 0;
}

char *
ma_goto_join(const struct ma_goto *g)
{
	size_t i, len = 1;
	char *s;

	for (i = 0; i < g->n; i++)
		len += strlen(g->v[i]) + 1;
	if ((s = malloc(len)) == NULL)
		return NULL;
	*s = '\0';
	for (i = 0; i < g->n; i++) {
		if (i > 0)
			strcat(s, ",");
		strcat(s, g->v[i]);
	}
	return s;
}

void
ma_goto_release(struct ma_goto *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->v[i]);
	free(g->v);
	g->v = NULL;
	g->n = 0;
}
