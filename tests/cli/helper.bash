# shellcheck shell=bash
# Shared set-up for the CLI tests.  Each test gets a private config and an
# empty database on the backend named by MAILADM_TEST_BACKEND:
#   sqlite  a file under $BATS_TEST_TMPDIR
#   mysql   a fresh database on the private server at $MARIADB_SOCKET
#           (started by tests/run-all.sh), dropped after the test
# Helpers:
#   ma ARGS…        run mailadm with the test config
#   db_sql          run SQL from stdin on the test database (tab-separated)
#   db_dump         print the whole database, for before/after comparisons
bats_require_minimum_version 1.5.0

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
MAILADM_BIN=${MAILADM_BIN:-$TOP/mailadm}
BACKEND=${MAILADM_TEST_BACKEND:-sqlite}

ma() { "$MAILADM_BIN" -c "$CFG" "$@"; }

mysql_root() {
	mariadb --no-defaults -S "$MARIADB_SOCKET" -uroot -N -B "$@"
}

# A MariaDB session that takes the locks of "$1 FOR UPDATE" (a SELECT on
# the test database) and keeps them $2 seconds, in the background: its
# connection id is the first line of $BATS_TEST_TMPDIR/conn, its PID in
# $HOLDER.  Returns once the lock is held.
mysql_hold() {
	mysql_root --unbuffered "$DBNAME" >"$BATS_TEST_TMPDIR/conn" 2>&1 <<SQL &
SELECT CONNECTION_ID();
START TRANSACTION;
$1 FOR UPDATE;
DO SLEEP($2);
ROLLBACK;
SQL
	HOLDER=$!
	for _ in $(seq 50); do
		[ "$(mysql_root <<<"SELECT COUNT(*) FROM information_schema.INNODB_TRX")" -gt 0 ] && return 0
		sleep 0.1
	done
	echo "could not take the lock: $1" >&2
	return 1
}

db_sql() {
	if [ "$BACKEND" = mysql ]; then
		mysql_root "$DBNAME"
	else
		sqlite3 -batch -separator $'\t' "$SQLITE_FILE"
	fi
}

db_dump() {
	if [ "$BACKEND" = mysql ]; then
		mariadb-dump --no-defaults -S "$MARIADB_SOCKET" -uroot \
		    --skip-dump-date --skip-comments --order-by-primary "$DBNAME"
	else
		sqlite3 "$SQLITE_FILE" .dump
	fi
}

# Write the config file; extra "key = value" lines may be given.
write_config() {
	{
		echo "db = $DB_URI"
		echo "vmail_base = $BATS_TEST_TMPDIR/vmail"
		echo "lock_timeout = 2"
		printf '%s\n' "$@"
	} >"$CFG"
}

setup_db() {
	CFG=$BATS_TEST_TMPDIR/mailadm.conf
	unset MAILADM_DB MAILADM_CONFIG
	if [ "$BACKEND" = mysql ]; then
		[ -S "${MARIADB_SOCKET:-}" ] || {
			echo "MAILADM_TEST_BACKEND=mysql needs MARIADB_SOCKET" >&2
			return 1
		}
		DBNAME=t_$$_${BATS_TEST_NUMBER}_$RANDOM
		mysql_root <<<"CREATE DATABASE $DBNAME"
		DB_URI="mysql://root@localhost/$DBNAME?socket=$MARIADB_SOCKET"
	else
		SQLITE_FILE=$BATS_TEST_TMPDIR/mailadm.db
		DB_URI="sqlite:$SQLITE_FILE"
	fi
	mkdir -p "$BATS_TEST_TMPDIR/vmail"
	write_config
}

teardown_db() {
	if [ "$BACKEND" = mysql ] && [ -n "${DBNAME:-}" ]; then
		mysql_root <<<"DROP DATABASE IF EXISTS $DBNAME"
	fi
}

# An initialised, empty store.
setup_store() {
	setup_db
	ma schema init
}

# fails CODE REGEX ARGS…: mailadm must exit CODE with exactly one line on
# stderr, "mailadm: …" matching REGEX, nothing on stdout, and leave the
# database byte for byte as it was.
fails() {
	local code=$1 re=$2 before after
	shift 2
	before=$(db_dump)
	run --separate-stderr ma "$@"
	after=$(db_dump)
	if [ "$status" -ne "$code" ] || [ "${#stderr_lines[@]}" -ne 1 ] ||
	    [[ ! ${stderr_lines[0]} =~ ^mailadm:\ .*$re ]] ||
	    [ -n "$output" ] || [ "$before" != "$after" ]; then
		echo "command: mailadm $*"
		echo "status: $status (want $code)"
		echo "stdout: $output"
		echo "stderr: $stderr"
		echo "want stderr matching: $re"
		[ "$before" = "$after" ] || diff <(echo "$before") <(echo "$after")
		return 1
	fi
}

# The value of KEY in "key: value" output.
field() {
	sed -n "s/^$1: //p"
}
