#!/usr/bin/env bats
# A real InnoDB deadlock: mailadm is chosen as the victim, retries, and
# its change goes through once the other transaction is done.
load helper

setup() {
	setup_store
	write_config "lock_timeout = 5"
	ma domain add example.com
	ma alias add info@example.com x@elsewhere.org
}

teardown() {
	wait 2>/dev/null || true
	teardown_db
}

@test "a deadlock is retried and the change then succeeds" {
	# The other transaction writes many rows first, so that InnoDB picks
	# mailadm, the smaller one, as the victim.  It locks the domain row,
	# waits until mailadm holds the alias rows and waits for the domain,
	# then asks for the alias rows: a deadlock.
	mysql_root "$DBNAME" >"$BATS_TEST_TMPDIR/other.out" 2>&1 <<'SQL' &
START TRANSACTION;
INSERT INTO log (timestamp, username, domain, action, data)
  SELECT '2001-01-01 00:00:00', 'other', 'example.com', 'bulk', seq
  FROM seq_1_to_500;
UPDATE domain SET description = 'other' WHERE domain = 'example.com';
DO SLEEP(1.5);
UPDATE alias SET active = 1 WHERE domain = 'example.com';
DO SLEEP(0.5);
COMMIT;
SQL
	other=$!
	sleep 0.5
	run -0 ma domain del example.com --force
	wait "$other"
	# The other transaction finished; mailadm's retry removed the domain.
	[ "$(db_sql <<<"SELECT COUNT(*) FROM log WHERE action = 'bulk'")" = 500 ]
	[ "$(db_sql <<<"SELECT COUNT(*) FROM domain")" = 0 ]
	run -0 mysql_root <<<"SHOW ENGINE INNODB STATUS"
	[[ $output == *"LATEST DETECTED DEADLOCK"* ]]
	[[ $output == *"WE ROLL BACK TRANSACTION"* ]]
	[[ $output == *"DELETE FROM domain WHERE domain"* ]]
	# ... and it was this test's: the other transaction's rows are kept,
	# so the one rolled back was mailadm's, which then retried.
	[[ $output == *"\`$DBNAME\`"* ]]
}
