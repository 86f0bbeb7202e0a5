/* Server configuration files: the common parts of every generator. */
#include "srvconf-priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char	*name;
	const char	*dir;
	int		(*gen)(struct srv_gen *, struct ma_err *);
} servers[] = {
	[MA_SRV_POSTFIX] = { "postfix", "/etc/postfix/sql", srv_postfix },
	[MA_SRV_COURIER] = { "courier", "/etc/courier", srv_courier },
	[MA_SRV_SASL] = { "sasl", "/etc/postfix/sasl", srv_sasl },
	[MA_SRV_DOVECOT] = { "dovecot", "/etc/dovecot", srv_dovecot },
};

const char *
ma_srv_name(enum ma_srv srv)
{
	return servers[srv].name;
}

const char *
ma_srv_default_dir(enum ma_srv srv)
{
	return servers[srv].dir;
}

struct ma_buf *
srv_file(struct srv_gen *g, const char *name, const char *about)
{
	struct ma_srvconf_file *f;
	size_t n;

	/* Reported by ma_srvconf_make as out of memory. */
	if (g->out->nfiles == MA_SRVCONF_MAXFILES) {
		g->spill.oom = 1;
		return &g->spill;
	}
	f = &g->out->files[g->out->nfiles++];
	snprintf(f->name, sizeof(f->name), "%s", name);
	ma_buf_addf(&f->text, "%s %s: run it again rather than edit "
	    "this file.\n#\n", MA_SRVCONF_MARK, servers[g->srv].name);
	for (; *about != '\0'; about += n + (about[n] == '\n')) {
		n = strcspn(about, "\n");
		ma_buf_addf(&f->text, "# %.*s\n", (int)n, about);
	}
	return &f->text;
}

void
srv_concat(const struct srv_gen *g, struct ma_buf *b, ...)
{
	const char *s;
	va_list ap;
	int n = 0;

	va_start(ap, b);
	ma_buf_add(b, g->mysql ? "CONCAT(" : "");
	while ((s = va_arg(ap, const char *)) != NULL)
		ma_buf_addf(b, "%s%s", n++ ? (g->mysql ? ", " : " || ") : "",
		    s);
	ma_buf_add(b, g->mysql ? ")" : "");
	va_end(ap);
}

void
srv_sql_str(const struct srv_gen *g, struct ma_buf *b, const char *s,
    int pct)
{
	char one[3] = { 0 };

	ma_buf_add(b, "'");
	for (; *s != '\0'; s++) {
		one[0] = one[1] = *s;
		/*
		 * Double what the SQL literal or the server's own expansion
		 * would read as special: MariaDB's backslash escapes too.
		 */
		ma_buf_add(b, *s == '\'' || (pct && *s == '%') ||
		    (g->mysql && *s == '\\') ? one : one + 1);
	}
	ma_buf_add(b, "'");
}

void
srv_maildir_expr(const struct srv_gen *g, struct ma_buf *b,
    const char *prefix, const char *column)
{
	struct ma_buf path = MA_BUF_INIT, lit = MA_BUF_INIT;
	const char *base = g->in->vmail_base;

	ma_buf_addf(&path, "%s%s%s", prefix, base, base[0] != '\0' &&
	    base[strlen(base) - 1] == '/' ? "" : "/");
	/* Dovecot expands %x in its queries; authmysql does not. */
	srv_sql_str(g, &lit, ma_buf_str(&path) ? path.s : "",
	    g->srv == MA_SRV_DOVECOT);
	srv_concat(g, b, ma_buf_str(&lit) ? lit.s : "''", column, NULL);
	if (path.oom || lit.oom)
		b->oom = 1;
	ma_buf_release(&path);
	ma_buf_release(&lit);
}

int
srv_check_value(const struct srv_gen *g, const char *what, const char *value,
    int secret, const char *bad, struct ma_err *err)
{
	char q[MA_QUOTE_MAX];
	const char *why = NULL, *p;
	size_t n = strlen(value);

	for (p = value; *p != '\0' && why == NULL; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			why = "holds a control character";
		else if (strchr(bad, *p) != NULL)
			why = "holds a character that file cannot carry";
	if (why == NULL && n > 0 && (strchr(" \t", value[0]) != NULL ||
	    strchr(" \t", value[n - 1]) != NULL))
		why = "begins or ends with white space, which the server "
		    "would drop";
	if (why == NULL)
		return 0;
	if (secret)
		return ma_fail(err, MA_ECONFIG, 0, "%s %s for the %s files",
		    what, why, servers[g->srv].name);
	return ma_fail(err, MA_ECONFIG, 0, "%s '%s' %s for the %s files", what,
	    ma_quote(value, q, sizeof(q)), why, servers[g->srv].name);
}

int
ma_srvconf_make(enum ma_srv srv, const struct ma_srvconf_in *in,
    struct ma_srvconf *out, struct ma_err *err)
{
	struct srv_gen g = { in, out, srv, in->db->dialect == MA_MYSQL,
	    MA_BUF_INIT };
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = servers[srv].gen(&g, err);
	for (i = 0; rc == 0 && i < out->nfiles; i++)
		if (ma_buf_str(&out->files[i].text) == NULL)
			g.spill.oom = 1;
	if (rc == 0 && g.spill.oom)
		rc = ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	ma_buf_release(&g.spill);
	if (rc < 0)
		ma_srvconf_release(out);
	return rc;
}

void
ma_srvconf_release(struct ma_srvconf *c)
{
	size_t i;

	for (i = 0; i < c->nfiles; i++) {
		if (c->files[i].text.s != NULL)
			explicit_bzero(c->files[i].text.s,
			    c->files[i].text.cap);
		ma_buf_release(&c->files[i].text);
	}
	c->nfiles = 0;
}
