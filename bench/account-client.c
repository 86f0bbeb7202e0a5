/*
 * The least a command that makes one account on MariaDB can do: connect,
 * then in one transaction insert the mailbox row, its self alias and its
 * log row through prepared statements, commit.  No config file, no checks,
 * no Maildir: the floor under `mailadm user add --no-maildir`, for one
 * process per account.
 *
 *   account-client SOCKET DATABASE ADDRESS HASH
 * Exits 0 when the rows are committed, 1 with a message otherwise.
 */
#include <mysql.h>
#include <stdio.h>
#include <string.h>

static int
run(MYSQL *db, const char *sql, const char *const *params, unsigned nparams)
{
	MYSQL_BIND bind[4];
	MYSQL_STMT *st = mysql_stmt_init(db);
	int rc = -1;

	if (st == NULL || mysql_stmt_prepare(st, sql, strlen(sql)) != 0)
		goto out;
	memset(bind, 0, sizeof(bind));
	for (unsigned i = 0; i < nparams; i++) {
		bind[i].buffer_type = MYSQL_TYPE_STRING;
		bind[i].buffer = (void *)params[i];
		bind[i].buffer_length = strlen(params[i]);
	}
	if (mysql_stmt_bind_param(st, bind) == 0 && mysql_stmt_execute(st) == 0)
		rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "account-client: %s\n", st ? mysql_stmt_error(st) : "out of memory");
	if (st != NULL)
		mysql_stmt_close(st);
	return rc;
}

int
main(int argc, char **argv)
{
	MYSQL *db;
	const char *at;
	char local[65], data[300];

	if (argc != 5 || (at = strchr(argv[3], '@')) == NULL ||
	    (size_t)(at - argv[3]) >= sizeof(local)) {
		fprintf(stderr, "usage: account-client SOCKET DATABASE LOCAL@DOMAIN HASH\n");
		return 1;
	}
	memcpy(local, argv[3], (size_t)(at - argv[3]));
	local[at - argv[3]] = '\0';
	snprintf(data, sizeof(data), "%s quota=0", argv[3]);
	const char *mailbox[] = { argv[3], argv[4], local, at + 1 };
	const char *alias[] = { argv[3], argv[3], at + 1 };
	const char *log[] = { at + 1, data };

	db = mysql_init(NULL);
	if (db == NULL || mysql_real_connect(db, NULL, "root", NULL, argv[2], 0,
	    argv[1], 0) == NULL) {
		fprintf(stderr, "account-client: %s\n", db ? mysql_error(db) : "out of memory");
		return 1;
	}
	if (mysql_query(db, "START TRANSACTION") != 0 ||
	    run(db, "INSERT INTO mailbox (username, password, name, maildir, quota,"
	    " local_part, domain, created, modified, active) VALUES (?, ?, '', '',"
	    " 0, ?, ?, NOW(), NOW(), 1)", mailbox, 4) != 0 ||
	    run(db, "INSERT INTO alias (address, goto, domain, created, modified,"
	    " active) VALUES (?, ?, ?, NOW(), NOW(), 1)", alias, 3) != 0 ||
	    run(db, "INSERT INTO log (timestamp, username, domain, action, data)"
	    " VALUES (NOW(), 'bench', ?, 'create_mailbox', ?)", log, 2) != 0 ||
	    mysql_commit(db) != 0) {
		fprintf(stderr, "account-client: %s\n", mysql_error(db));
		mysql_close(db);
		return 1;
	}
	mysql_close(db);
	return 0;
}
