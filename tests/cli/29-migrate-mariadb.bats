#!/usr/bin/env bats
# mailadm migrate from a live legacy server (mysql://…): its tables go
# into the staging database through the server's own charset conversion,
# and the plan is the one the dump of the same data gives.
load helper

FIX=$TOP/tests/fixtures/legacy

setup() {
	setup_store
	LEGACY=legacy_$$_${BATS_TEST_NUMBER}_$RANDOM
	mysql_root <<<"CREATE DATABASE $LEGACY"
	SRC="mysql://root@localhost/$LEGACY?socket=$MARIADB_SOCKET"
}
teardown() {
	mysql_root <<<"DROP DATABASE IF EXISTS $LEGACY"
	teardown_db
}

# The plan without its source member, for comparisons.
plan_of() {
	ma --json migrate plan "$1" --preset "$2" |
	    python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("source"); print(json.dumps(d, sort_keys=True))'
}

@test "migrate plan from a live server equals the plan of its dump" {
	local p
	for p in postfixadmin-2.1:postfixadmin-2 flurdy:flurdy; do
		mysql_root <<<"DROP DATABASE $LEGACY; CREATE DATABASE $LEGACY"
		# the latin1 dump, loaded as mysqldump meant it (SET NAMES latin1)
		mysql_root "$LEGACY" <"$FIX/${p%%:*}/dump-latin1.sql"
		[ "$(plan_of "$SRC" "${p##*:}")" = "$(plan_of "$FIX/${p%%:*}/dump.sql" "${p##*:}")" ]
	done
	run -0 ma --json migrate plan "$SRC" --preset flurdy
	[[ $output == *'"charset": "server"'* ]]
}

@test "migrate run from a live server, with its password in a file" {
	mysql_root "$LEGACY" <"$FIX/postfixadmin-2.1/dump.sql"
	mysql_root <<<"CREATE USER 'reader'@'localhost' IDENTIFIED BY 's3cret';
GRANT SELECT ON $LEGACY.* TO 'reader'@'localhost'"
	printf 's3cret\n' >"$BATS_TEST_TMPDIR/pw"
	chmod 600 "$BATS_TEST_TMPDIR/pw"
	run --separate-stderr -0 ma -q migrate run \
	    "mysql://reader@localhost/$LEGACY?socket=$MARIADB_SOCKET" \
	    --source-password-file "$BATS_TEST_TMPDIR/pw" --preset postfixadmin-2
	[ "$(db_sql <<<"SELECT name FROM mailbox WHERE username = 'secretariat.vandoeuvre@clement-thionville.fr'")" = \
	    "Sœur Cécile Bœuf – Vandœuvre" ]
	[ "$(db_sql <<<"SELECT COUNT(*) FROM mailbox")" = 19 ]
	chmod 644 "$BATS_TEST_TMPDIR/pw"
	fails 77 "--source-password-file '.*/pw' is readable by others" migrate plan "mysql://reader@localhost/$LEGACY?socket=$MARIADB_SOCKET" \
	    --source-password-file "$BATS_TEST_TMPDIR/pw" --preset postfixadmin-2
	mysql_root <<<"DROP USER 'reader'@'localhost'"
}

@test "migrate from a live server that cannot be reached is 69" {
	fails 69 "cannot connect to database" migrate plan \
	    "mysql://root@localhost/nosuchdb_$$?socket=$MARIADB_SOCKET" --preset flurdy
}
