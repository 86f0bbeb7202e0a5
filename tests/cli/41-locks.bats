#!/usr/bin/env bats
# Lock waits: retried a few times, then 75 with nothing changed.
load helper

setup() {
	setup_store
	write_config "lock_timeout = 1"
	ma domain add example.com
}

teardown() {
	[ -z "${HOLDER:-}" ] || release_lock
	teardown_db
}

# Hold a write lock on the domain row for $1 seconds, in the background;
# return once it is held.
hold_lock() {
	if [ "$BACKEND" = mysql ]; then
		mysql_hold "SELECT * FROM domain WHERE domain = 'example.com'" "$1"
		return
	else
		python3 -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
time.sleep(float(sys.argv[3]))
c.execute("ROLLBACK")
' "$SQLITE_FILE" "$BATS_TEST_TMPDIR/held" "$1" &
		HOLDER=$!
		for _ in $(seq 50); do
			[ -e "$BATS_TEST_TMPDIR/held" ] && return 0
			sleep 0.1
		done
	fi
	echo "could not take the lock" >&2
	return 1
}

# End the holder at once (on MariaDB, its session too).
release_lock() {
	if [ "$BACKEND" = mysql ]; then
		mysql_root <<<"KILL $(head -n 1 "$BATS_TEST_TMPDIR/conn")"
	fi
	kill "$HOLDER" 2>/dev/null || true
	wait "$HOLDER" || true
	HOLDER=
}

@test "a lock held too long: retried, then 75 and nothing changed" {
	before=$(db_dump)
	hold_lock 30
	start=$SECONDS
	run --separate-stderr -75 ma domain set example.com --description changed
	elapsed=$((SECONDS - start))
	release_lock
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "mailadm: domain set: gave up after 5 attempts: "* ]]
	# Five attempts of one second each, plus back-off.
	[ "$elapsed" -ge 5 ] && [ "$elapsed" -le 20 ]
	[ "$before" = "$(db_dump)" ]
}

@test "a lock released while retrying: the change goes through" {
	hold_lock 2
	run -0 ma domain set example.com --description changed
	[ "$(db_sql <<<"SELECT description FROM domain")" = changed ]
}

@test "batch and import under a lock held too long: 75, nothing changed, no Maildir left" {
	B=$BATS_TEST_TMPDIR/batch
	printf 'domain add other.org\nuser add a@example.com --random-password\n' >"$B"
	printf 'address,password\nb@example.com,pw-1\n' >"$BATS_TEST_TMPDIR/in.csv"
	before=$(db_dump)
	hold_lock 60
	run --separate-stderr -75 ma batch "$B"
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "mailadm: batch: gave up after 5 attempts: "* ]]
	run --separate-stderr -75 ma user import "$BATS_TEST_TMPDIR/in.csv"
	[[ $stderr == "mailadm: user import: gave up after 5 attempts: "* ]]
	release_lock
	[ "$before" = "$(db_dump)" ]
	[ -z "$(find "$BATS_TEST_TMPDIR/vmail" -mindepth 2 -print -quit)" ]
}

@test "batch: a lock released while retrying: the whole batch goes through once" {
	B=$BATS_TEST_TMPDIR/batch
	printf 'domain add other.org\nuser add a@example.com --random-password\n' >"$B"
	hold_lock 2
	run --separate-stderr -0 ma batch "$B"
	# The generated password is printed once, after the commit.
	[[ $output =~ ^[A-Za-z2-9]{16}$ ]]
	[ "$(ma user list)" = a@example.com ]
	[ "$(db_sql <<<"SELECT COUNT(*) FROM log WHERE action = 'create_mailbox'")" = 1 ]
}
