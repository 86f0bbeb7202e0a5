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

# The CLI files of each backend.  Files named *-mariadb.bats test what
# only a MariaDB server has.
specific=0
[ "${MAILADM_TEST_MARIADB_CLI:-all}" = specific ] && specific=1
sqlite_files=() mysql_files=()
for f in tests/cli/*.bats; do
	case $f in
	*-mariadb.bats) mysql_files+=("$f") ;;
	*)
		sqlite_files+=("$f")
		[ "$specific" = 1 ] || mysql_files+=("$f")
		;;
	esac
done

# lane @BACKEND FILE… [@BACKEND FILE…]: the files on their backends.
lane() {
	local backend= rc=0 t
	local -a files=()
	for t in "$@" @; do
		case $t in
		@*)
			if [ ${#files[@]} -gt 0 ]; then
				echo "# CLI tests on $backend"
				MAILADM_TEST_BACKEND=$backend bats --tap "${files[@]}" ||
					rc=1
			fi
			backend=${t#@} files=()
			;;
		*) files+=("$t") ;;
		esac
	done
	return $rc
}

# Tests share nothing (each makes its own files and its own database), so
# two lanes run side by side, the second one's TAP held in a file and shown
# after the first's: SQLite beside MariaDB, or, when MariaDB gets only its
# own few files, SQLite's files shared between the lanes.
lane1=(@sqlite) lane2=(@sqlite)
if [ "$specific" = 1 ]; then
	for i in "${!sqlite_files[@]}"; do
		if [ $((i % 2)) = 0 ]; then
			lane1+=("${sqlite_files[$i]}")
		else
			lane2+=("${sqlite_files[$i]}")
		fi
	done
else
	lane1+=("${sqlite_files[@]}")
fi
lane2+=(@mysql "${mysql_files[@]}")
held=$(mktemp) || exit 1
trap 'rm -f "$held"' EXIT
lane "${lane2[@]}" >"$held" 2>&1 &
lane2_pid=$!
lane "${lane1[@]}" || status=1
wait "$lane2_pid" || status=1
cat "$held"
exit $status
