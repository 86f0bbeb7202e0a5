#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db-priv.h"

void
ma_log_set_actor(struct ma_db *db, const char *actor)
{
	snprintf(db->actor, sizeof(db->actor), "%s", actor);
}

static int
journal_add(struct ma_db *db, const char *action, const char *data)
{
	size_t len = strlen(action) + strlen(data) + 2;
	char **v, *line;

	if ((line = malloc(len)) == NULL)
		return -1;
	snprintf(line, len, "%s %s", action, data);
	if ((v = realloc(db->journal, (db->njournal + 1) * sizeof(*v))) == NULL) {
		free(line);
		return -1;
	}
	db->journal = v;
	db->journal[db->njournal++] = line;
	return 0;
}

/* Rows a flush writes per INSERT. */
#define FLUSH_ROWS 256

/*
 * A held row: three length-prefixed strings ("12:example.com…"), which
 * keeps any byte a value may hold.
 */
static int
hold_rows(struct ma_db *db, size_t n, const char *const *domains,
    const char *action, const char *const *data, struct ma_err *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fprintf(db->log_held, "%zu:%s%zu:%s%zu:%s", strlen(domains[i]),
		    domains[i], strlen(action), action, strlen(data[i]),
		    data[i]) < 0)
			return ma_fail(err, MA_EIO, errno, "cannot hold log "
			    "rows back: %s", strerror(errno));
	return 0;
}

int
ma_log_hold(struct ma_db *db, struct ma_err *err)
{
	if (db->log_held == NULL && (db->log_held = tmpfile()) == NULL)
		return ma_fail(err, MA_EIO, errno, "cannot make a temporary "
		    "file: %s", strerror(errno));
	if (ftruncate(fileno(db->log_held), 0) != 0)
		return ma_fail(err, MA_EIO, errno, "cannot empty a temporary "
		    "file: %s", strerror(errno));
	rewind(db->log_held);
	return 0;
}

/*
 * One length-prefixed string, malloc'd; NULL at the end or on error.  The
 * length is read by hand: fscanf was most of a flush's own time.
 */
static char *
read_held(FILE *f)
{
	size_t len = 0, digits = 0;
	int c;
	char *s;

	while ((c = getc_unlocked(f)) >= '0' && c <= '9' && digits++ < 18)
		len = len * 10 + (size_t)(c - '0');
	if (digits == 0 || c != ':' || (s = malloc(len + 1)) == NULL)
		return NULL;
	if (fread(s, 1, len, f) != len) {
		free(s);
		return NULL;
	}
	s[len] = '\0';
	return s;
}

static void
free_rows(char **v, size_t n)
{
	while (n-- > 0)
		free(v[n]);
}

int
ma_log_flush(struct ma_db *db, struct ma_err *err)
{
	char *domain[FLUSH_ROWS], *data[FLUSH_ROWS], *action = NULL;
	char *d, *a, *t;
	FILE *f = db->log_held;
	size_t n = 0;
	int rc = 0;

	if (f == NULL)
		return 0;
	db->log_held = NULL;		/* from here on, write */
	rewind(f);
	for (;;) {
		d = read_held(f);
		a = d ? read_held(f) : NULL;
		t = a ? read_held(f) : NULL;
		/* One INSERT per action: a full chunk, or the action changes. */
		if (n > 0 && (t == NULL || n == FLUSH_ROWS ||
		    strcmp(a, action) != 0)) {
			rc = ma_log_write_rows(db, n, (const char *const *)domain,
			    action, (const char *const *)data, err);
			free_rows(domain, n);
			free_rows(data, n);
			n = 0;
		}
		if (t == NULL || rc < 0) {
			free(d);
			free(a);
			free(t);
			break;
		}
		free(action);
		action = a;
		domain[n] = d;
		data[n++] = t;
	}
	free(action);
	if (rc == 0 && !feof(f))
		rc = ma_fail(err, MA_EIO, errno, "cannot read the held log "
		    "rows back");
	fclose(f);
	return rc;
}

off_t
ma_log_mark(struct ma_db *db)
{
	return db->log_held != NULL ? ftello(db->log_held) : 0;
}

void
ma_log_back_to(struct ma_db *db, off_t mark)
{
	if (db->log_held == NULL || fflush(db->log_held) != 0)
		return;
	if (ftruncate(fileno(db->log_held), mark) == 0)
		fseeko(db->log_held, mark, SEEK_SET);
}

void
ma_log_drop_held(struct ma_db *db)
{
	if (db->log_held != NULL)
		fclose(db->log_held);
	db->log_held = NULL;
}

int
ma_log_write_rows(struct ma_db *db, size_t n, const char *const *domains,
    const char *action, const char *const *data, struct ma_err *err)
{
	const char *actor = db->actor[0] ? db->actor : "mailadm";
	struct ma_stmt *st;
	size_t i;
	int rc, k;

	if (db->dry_run || n == 0)
		return 0;
	if (db->log_held != NULL)
		return hold_rows(db, n, domains, action, data, err);
	if (ma_db_prepare_rows(db, "INSERT INTO log (timestamp, username, "
	    "domain, action, data)", 5, n, &st, err) < 0)
		return -1;
	for (i = 0, k = 1; i < n; i++) {
		ma_stmt_bind_text(st, k++, ma_db_now(db));
		ma_stmt_bind_text(st, k++, actor);
		ma_stmt_bind_text(st, k++, domains[i]);
		ma_stmt_bind_text(st, k++, action);
		ma_stmt_bind_text(st, k++, data[i]);
	}
	rc = ma_stmt_step(st, err);
	ma_stmt_finalize(&st);
	return rc < 0 ? -1 : 0;
}

int
ma_log_write(struct ma_db *db, const char *domain, const char *action,
    const char *data, struct ma_err *err)
{
	if (journal_add(db, action, data) < 0)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	return ma_log_write_rows(db, 1, &domain, action, &data, err);
}

const char *const *
ma_log_journal(struct ma_db *db, size_t *n)
{
	*n = db->njournal;
	return (const char *const *)db->journal;
}

void
ma_log_journal_reset(struct ma_db *db)
{
	size_t i;

	for (i = 0; i < db->njournal; i++)
		free(db->journal[i]);
	db->njournal = 0;
}
