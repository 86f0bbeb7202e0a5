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
	# a lock holder left by a failed test would hold up the DROPs
	if [ -n "${HOLDER:-}" ]; then
		mysql_root <<<"KILL $(head -n 1 "$BATS_TEST_TMPDIR/conn")" || :
		wait "$HOLDER" || :
	fi
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

# The notes of a report by code, as "CODE count" lines.
note_counts() {
	python3 -c 'import collections, json, sys
c = collections.Counter(e["code"] for e in json.load(open(sys.argv[1]))["report"])
print("\n".join("%s %d" % kv for kv in sorted(c.items())))' "$1"
}

@test "migrate run retried after a lock wait: the checks over the plan are in the report once" {
	write_config "lock_timeout = 1"
	run -0 ma -q migrate plan "$FIX/postfixadmin-2.1/dump.sql" --preset postfixadmin-2 \
	    --report "$BATS_TEST_TMPDIR/plan.json"
	# The log rows go in last: a session holding the log table's end makes
	# the first attempt wait there and fail, once the checks are made.
	# (COUNT(*) reads every row: their locks and the end's)
	mysql_hold "SELECT COUNT(*) FROM log" 2
	start=$EPOCHREALTIME
	run --separate-stderr -0 ma -q migrate run "$FIX/postfixadmin-2.1/dump.sql" \
	    --preset postfixadmin-2 --report "$BATS_TEST_TMPDIR/run.json"
	waited=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print (b - a >= 1.5) }')
	wait "$HOLDER"
	HOLDER=
	[ "$waited" = 1 ]
	[ "$(db_sql <<<"SELECT COUNT(*) FROM mailbox")" = 19 ]
	[ "$(db_sql <<<"SELECT COUNT(*) FROM log WHERE action = 'create_mailbox'")" = 19 ]
	note_counts "$BATS_TEST_TMPDIR/plan.json" >"$BATS_TEST_TMPDIR/plan.counts"
	note_counts "$BATS_TEST_TMPDIR/run.json" >"$BATS_TEST_TMPDIR/run.counts"
	grep -qx 'ALIAS_LOOP 2' "$BATS_TEST_TMPDIR/run.counts"
	grep -qx 'DANGLING_LOCAL_TARGET 1' "$BATS_TEST_TMPDIR/run.counts"
	diff "$BATS_TEST_TMPDIR/plan.counts" "$BATS_TEST_TMPDIR/run.counts"
}

@test "migrate run against a lock held through every attempt: 75, nothing written" {
	write_config "lock_timeout = 1"
	before=$(db_dump)
	# New mailboxes go in by chunks from a second thread: its failure
	# must stop the run as the first thread's would.
	mysql_hold "SELECT COUNT(*) FROM mailbox" 30
	run --separate-stderr -75 ma -q migrate run "$FIX/postfixadmin-2.1/dump.sql" \
	    --preset postfixadmin-2
	mysql_root <<<"KILL $(head -n 1 "$BATS_TEST_TMPDIR/conn")"
	wait "$HOLDER" || :
	HOLDER=
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "mailadm: migrate run: gave up after 5 attempts: mailboxes: "* ]]
	[ "$before" = "$(db_dump)" ]
}
