#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
