#!/bin/bash
# "make check": build, run the whole suite against SQLite and a private
# MariaDB server and the integration tests against real mail servers, then
# rebuild with ASan+UBSan and run the suite (not the servers) again.
# Ends with a "N passed, N failed" line; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=tests/lib/mariadb.sh
. tests/lib/mariadb.sh

work=$(mktemp -d /tmp/mailadm-check.XXXXXX) || exit 1
chmod 0755 "$work"	# mariadbd runs as mysql and must reach its socket
log=$work/tap.log
cleanup() {
	mariadb_stop "$work/mariadb"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir "$work/mariadb"
mariadb_start "$work/mariadb" || { echo "not ok - MariaDB did not start"; exit 1; }
export MARIADB_SOCKET MARIADB_PORT

build() {
	make -s clean
	make -s mailadm unit "$@" || { echo "not ok - build $*" | tee -a "$log"; return 1; }
}

pass() {
	local name=$1
	shift
	echo "# === $name ==="
	./tests/run.sh "$@" 2>&1 | tee -a "$log"
}

# The real mail servers against the normal build, once (not again under
# the sanitizers: the servers, not mailadm, are what it exercises).
integration() {
	local t0=$SECONDS
	echo "# === integration: Postfix + Courier + Cyrus SASL on loopback ==="
	./tests/integration/run.sh 2>&1 | tee -a "$log"
	echo "# integration took $((SECONDS - t0)) s"
}

SAN='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all'
build && { pass "normal build"; integration; }
# A sanitizer finding exits 86, which no test expects.  The CLI files run
# on SQLite, and on MariaDB only those about what only MariaDB has: the
# commands' C code is the same on both, the MariaDB driver is exercised
# by the unit tests and those files, and the whole suite would take CI
# past its time.
build CFLAGS="$SAN" LDFLAGS="-fsanitize=address,undefined" &&
	MAILADM_TEST_MARIADB_CLI=specific \
	ASAN_OPTIONS=exitcode=86:detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=exitcode=86:print_stacktrace=1:halt_on_error=1 \
	pass "ASan+UBSan build"
make -s clean
make -s mailadm

ok=$(grep -c '^ok ' "$log")
bad=$(grep -c '^not ok ' "$log")
echo "$ok passed, $bad failed"
[ "$bad" -eq 0 ] && [ "$ok" -gt 0 ]
