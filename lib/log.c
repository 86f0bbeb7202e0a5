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
ma_log_write(struct ma_db *db, const char *domain, const char *action,
    const char *data, struct ma_err *err)
{
	static const char sql[] = "INSERT INTO log (timestamp, username, "
	    "domain, action, data) VALUES (?, ?, ?, ?, ?)";
	struct ma_stmt *st;
	int rc;

	if (journal_add(db, action, data) < 0)
		return ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	if (db->dry_run)
		return 0;
	if (ma_db_prepare(db, sql, &st, err) < 0)
		return -1;
	if (ma_stmt_bind_text(st, 1, ma_db_now(db)) < 0 ||
	    ma_stmt_bind_text(st, 2, db->actor[0] ? db->actor : "mailadm") < 0 ||
	    ma_stmt_bind_text(st, 3, domain) < 0 ||
	    ma_stmt_bind_text(st, 4, action) < 0 ||
	    ma_stmt_bind_text(st, 5, data) < 0)
		rc = ma_fail(err, MA_ENOMEM, ENOMEM, "out of memory");
	else
		rc = ma_stmt_step(st, err);
	ma_stmt_finalize(&st);
	return rc < 0 ? -1 : 0;
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
