#!/bin/bash
# One pass of the suite with the current build: C unit tests, then the
# CLI tests on SQLite and on MariaDB.  Needs MARIADB_SOCKET (a server
# started by tests/run-all.sh or tests/lib/mariadb-ctl).
# MAILADM_TEST_MARIADB_CLI=specific: on MariaDB, only the files that test
# what only a MariaDB server has (*-mariadb.bats); default: every file.
set -u
cd "$(dirname "$0")/.." || exit 1
if [ ! -S "${MARIADB_SOCKET:-}" ]; then
	echo "not ok - tests/run.sh needs MARIADB_SOCKET (see tests/run-all.sh)"
	exit 1
fi
status=0
root_sql() { mariadb --no-defaults -S "$MARIADB_SOCKET" -uroot -N -B; }

unitdb=unit_$$
root_sql <<<"CREATE DATABASE $unitdb" || exit 1
export MAILADM_TEST_MYSQL_URI="mysql://root@localhost/$unitdb?socket=$MARIADB_SOCKET"
for t in tests/unit/t-*; do
	case $t in *.c) continue ;; esac
	echo "# $t"
	"$t" || status=1
done
root_sql <<<"DROP DATABASE $unitdb"

# The CLI tests on one backend.  Files named *-mariadb.bats test what only
# a MariaDB server has.
cli_pass() {
	local backend=$1 f
	local -a files=()
	for f in tests/cli/*.bats; do
		case $backend:${MAILADM_TEST_MARIADB_CLI:-all}:$f in
		sqlite:*:*-mariadb.bats) continue ;;
		mysql:specific:*-mariadb.bats) ;;
		mysql:specific:*) continue ;;
		esac
		files+=("$f")
	done
	echo "# CLI tests on $backend"
	MAILADM_TEST_BACKEND=$backend bats --tap "${files[@]}"
}

# The two backends share nothing (each test makes its own files and its
# own database), so they run side by side: the MariaDB pass's TAP is held
# in a file and shown after the SQLite pass's.
held=$(mktemp) || exit 1
trap 'rm -f "$held"' EXIT
cli_pass mysql >"$held" 2>&1 &
mysql_pid=$!
cli_pass sqlite || status=1
wait "$mysql_pid" || status=1
cat "$held"
exit $status
