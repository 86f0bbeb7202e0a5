#include "mapfile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"

#ifndef MA_MAPS_DIR
#define MA_MAPS_DIR "/usr/local/share/mailadm/maps"
#endif

static const char *const kind_names[MA_MAP_KINDS] = {
	"domains", "mailboxes", "aliases", "vacations", "admins"
};

const char *
ma_map_kind_name(enum ma_map_kind k)
{
	return kind_names[k];
}

static void
free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
ma_map_free(struct ma_map **mp)
{
	struct ma_map *m = *mp;
	int k;

	if (m == NULL)
		return;
	for (k = 0; k < MA_MAP_KINDS; k++) {
		free(m->query[k]);
		free(m->source[k].table);
		free_strv(m->source[k].key, m->source[k].nkey);
	}
	free_strv(m->default_passwords, m->ndefault_passwords);
	free(m->path);
	free(m);
	*mp = NULL;
}

static int
push(char ***v, size_t *n, const char *s, size_t len)
{
	char **p = realloc(*v, (*n + 1) * sizeof(**v));

	if (p == NULL)
		return -1;
	*v = p;
	if ((p[*n] = strndup(s, len)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

/* "TABLE (COL, COL…)" */
static int
parse_source(struct ma_map_source *src, const char *v, const char **why)
{
	const char *p = v, *q;

	while (*p != '\0' && *p != '(' && !isspace((unsigned char)*p))
		p++;
	if (p == v || (src->table = strndup(v, (size_t)(p - v))) == NULL) {
		*why = "expected TABLE (KEY, …)";
		return -1;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p++ != '(') {
		*why = "expected TABLE (KEY, …): the key columns in parentheses";
		return -1;
	}
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		for (q = p; *q != '\0' && *q != ',' && *q != ')' &&
		    !isspace((unsigned char)*q); q++)
			;
		if (q == p || push(&src->key, &src->nkey, p, (size_t)(q - p)) < 0) {
			*why = "expected a key column name";
			return -1;
		}
		for (p = q; isspace((unsigned char)*p); p++)
			;
		if (*p == ')' && p[1 + strspn(p + 1, " \t\n")] == '\0')
			return 0;
		if (*p++ != ',') {
			*why = "expected ',' or ')' after a key column";
			return -1;
		}
	}
}

/* Set key to value; *why says what is wrong. */
static int
set_key(struct ma_map *m, const char *key, const char *value, const char **why)
{
	char *dot = strchr(key, '.');
	int k;

	if (strcmp(key, "default_password") == 0) {
		if (push(&m->default_passwords, &m->ndefault_passwords, value,
		    strlen(value)) < 0)
			*why = "out of memory";
		return *why ? -1 : 0;
	}
	for (k = 0; k < MA_MAP_KINDS; k++) {
		size_t n = strlen(kind_names[k]);

		if (strncmp(key, kind_names[k], n) != 0 ||
		    (key[n] != '\0' && key + n != dot))
			continue;
		if (dot != NULL && strcmp(dot, ".source") == 0) {
			if (k == MA_MAP_VACATIONS || m->source[k].table != NULL) {
				*why = m->source[k].table ? "given twice" :
				    "vacations have no source";
				return -1;
			}
			return parse_source(&m->source[k], value, why);
		}
		if (dot != NULL)
			break;
		if (m->query[k] != NULL) {
			*why = "given twice";
			return -1;
		}
		if (strncasecmp(value, "SELECT", 6) != 0 &&
		    strncasecmp(value, "WITH", 4) != 0) {
			*why = "expected a SELECT (or WITH … SELECT) query";
			return -1;
		}
		return (m->query[k] = strdup(value)) == NULL ? -1 : 0;
	}
	*why = "unknown key (the keys are domains, mailboxes, aliases, "
	    "vacations, admins, KIND.source and default_password)";
	return -1;
}

/* Split "key = value" and set it; the error names path:line. */
static int
entry(struct ma_map *m, char *text, unsigned long line, struct ma_err *err)
{
	char *eq = strchr(text, '='), *key = text, *end, q[MA_QUOTE_MAX];
	const char *why = NULL;

	if (eq == NULL)
		return ma_fail(err, MA_EINVAL, 0, "%s:%lu: expected key = value",
		    m->path, line);
	for (end = eq; end > key && isspace((unsigned char)end[-1]); end--)
		;
	*end = '\0';
	for (eq++; isspace((unsigned char)*eq); eq++)
		;
	for (end = eq + strlen(eq); end > eq && isspace((unsigned char)end[-1]);
	    end--)
		;
	*end = '\0';
	if (*eq == '\0')
		return ma_fail(err, MA_EINVAL, 0, "%s:%lu: %s: empty value",
		    m->path, line, ma_quote(key, q, sizeof(q)));
	if (set_key(m, key, eq, &why) < 0)
		return ma_fail(err, why ? MA_EINVAL : MA_ENOMEM, 0,
		    "%s:%lu: %s: %s", m->path, line, ma_quote(key, q,
		    sizeof(q)), why ? why : "out of memory");
	return 0;
}

static int
parse(struct ma_map *m, FILE *fp, struct ma_err *err)
{
	struct ma_buf cur = MA_BUF_INIT;
	unsigned long line = 0, start = 0;
	char *l = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	while (rc == 0) {
		n = getline(&l, &cap, fp);
		if (n > 0 && l[n - 1] == '\n')
			l[--n] = '\0';
		if (n >= 0)
			line++;
		if (n >= 0 && l[strspn(l, " \t")] == '#')
			continue;
		if (n > 0 && (l[0] == ' ' || l[0] == '\t') && start > 0) {
			ma_buf_addf(&cur, "\n%s", l);
			continue;
		}
		if (start > 0)
			rc = ma_buf_str(&cur) == NULL ? ma_fail(err, MA_ENOMEM,
			    ENOMEM, "out of memory") : entry(m, cur.s, start, err);
		ma_buf_release(&cur);
		start = 0;
		if (n < 0)
			break;
		if (rc == 0 && l[strspn(l, " \t")] != '\0') {
			if (l[0] == ' ' || l[0] == '\t')
				rc = ma_fail(err, MA_EINVAL, 0, "%s:%lu: a "
				    "continued line without a key before it",
				    m->path, line);
			ma_buf_add(&cur, l);
			start = line;
		}
	}
	free(l);
	ma_buf_release(&cur);
	if (rc == 0 && ferror(fp))
		rc = ma_fail(err, MA_EIO, errno, "cannot read %s: %s", m->path,
		    strerror(errno));
	return rc;
}

int
ma_map_load(const char *path, struct ma_map **mp, struct ma_err *err)
{
	struct ma_map *m = calloc(1, sizeof(*m));
	FILE *fp;
	int k, rc;

	if (m == NULL || (m->path = strdup(path)) == NULL) {
		free(m);
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	}
	if ((fp = fopen(path, "re")) == NULL) {
		rc = errno;
		ma_map_free(&m);
		return ma_fail(err, MA_ENOINPUT, rc, "cannot read map file "
		    "'%s': %s", path, strerror(rc));
	}
	rc = parse(m, fp, err);
	fclose(fp);
	for (k = 0; rc == 0 && k < MA_MAP_KINDS; k++)
		if (m->source[k].table != NULL && m->query[k] == NULL)
			rc = ma_fail(err, MA_EINVAL, 0, "%s: %s.source without "
			    "a %s query", path, kind_names[k], kind_names[k]);
	if (rc == 0 && m->query[MA_MAP_DOMAINS] == NULL &&
	    m->query[MA_MAP_MAILBOXES] == NULL && m->query[MA_MAP_ALIASES] == NULL)
		rc = ma_fail(err, MA_EINVAL, 0, "%s: no domains, mailboxes or "
		    "aliases query", path);
	if (rc < 0) {
		ma_map_free(&m);
		return -1;
	}
	*mp = m;
	return 0;
}

/* The directories presets may be in, most wanted first; NULL ends them. */
static void
preset_dirs(char dirs[4][PATH_MAX])
{
	const char *env = getenv("MAILADM_MAPS_DIR");
	char exe[PATH_MAX], *slash;
	ssize_t n;
	int i = 0;

	if (env != NULL && *env != '\0')
		snprintf(dirs[i++], PATH_MAX, "%s", env);
	snprintf(dirs[i++], PATH_MAX, "%s", MA_MAPS_DIR);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
		snprintf(dirs[i++], PATH_MAX, "%.*s/../share/mailadm/maps",
		    PATH_MAX - 32, exe);
		snprintf(dirs[i++], PATH_MAX, "%.*s/data/maps", PATH_MAX - 32,
		    exe);
	}
	while (i < 4)
		dirs[i++][0] = '\0';
}

static int
list_dir(const char *dir, ma_map_preset_cb *fn, void *arg)
{
	struct dirent **names;
	int n, i, count = 0;

	if (*dir == '\0' || (n = scandir(dir, &names, NULL, alphasort)) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name);

		if (len > 4 && names[i]->d_name[0] != '.' &&
		    strcmp(names[i]->d_name + len - 4, ".map") == 0) {
			names[i]->d_name[len - 4] = '\0';
			if (count >= 0 && fn(names[i]->d_name, arg) < 0)
				count = -1;
			else if (count >= 0)
				count++;
		}
		free(names[i]);
	}
	free(names);
	return count;
}

int
ma_map_presets(ma_map_preset_cb *fn, void *arg, struct ma_err *err)
{
	char dirs[4][PATH_MAX];
	int i, n;

	preset_dirs(dirs);
	for (i = 0; i < 4; i++)
		if ((n = list_dir(dirs[i], fn, arg)) != 0)
			return n < 0 ? ma_fail(err, MA_EIO, errno, "cannot write "
			    "the list: %s", strerror(errno)) : 0;
	return 0;
}

static int
add_name(const char *name, void *arg)
{
	struct ma_buf *b = arg;

	ma_buf_addf(b, "%s%s", b->len ? ", " : "", name);
	return 0;
}

int
ma_map_preset(const char *name, char **path_r, struct ma_err *err)
{
	struct ma_buf known = MA_BUF_INIT;
	char dirs[4][PATH_MAX], *path, q[MA_QUOTE_MAX];
	int i;

	preset_dirs(dirs);
	for (i = 0; *name != '\0' && strchr(name, '/') == NULL && i < 4; i++) {
		if (dirs[i][0] == '\0')
			continue;
		if (asprintf(&path, "%s/%s.map", dirs[i], name) < 0)
			return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
		if (access(path, R_OK) == 0) {
			*path_r = path;
			return 0;
		}
		free(path);
	}
	ma_map_presets(add_name, &known, err);
	ma_fail(err, MA_ENOINPUT, 0, "no preset '%s' (the presets are: %s)",
	    ma_quote(name, q, sizeof(q)), known.len ? ma_buf_str(&known) :
	    "none: the maps directory " MA_MAPS_DIR " is missing");
	ma_buf_release(&known);
	return -1;
}
