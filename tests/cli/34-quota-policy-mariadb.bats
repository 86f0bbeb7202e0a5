#!/usr/bin/env bats
# mailadm quota policy against a MariaDB server that goes away and comes
# back while the service runs: requests in between get DEFER_IF_PERMIT,
# then the service connects again by itself.
load helper

setup() {
	setup_store
	VMAIL=$BATS_TEST_TMPDIR/vmail
	ma domain add example.com
	ma user add full@example.com --quota 1K --random-password >/dev/null
	head -c 2000 /dev/zero >"$VMAIL/example.com/full/new/1.M1P1.h,S=2000"
	ma quota recalc full@example.com
	POLUSER=pol_$$_$RANDOM
	grant
	POLURI="mysql://$POLUSER:pw@localhost/$DBNAME?socket=$MARIADB_SOCKET"
}
teardown() {
	[ -z "${pid:-}" ] || kill "$pid" 2>/dev/null || :
	mysql_root <<<"DROP USER IF EXISTS '$POLUSER'@'localhost'" || :
	teardown_db
}

# A read-only account, as the man page advises for the service.
grant() {
	mysql_root <<-EOF
	CREATE USER '$POLUSER'@'localhost' IDENTIFIED BY 'pw';
	GRANT SELECT ON $DBNAME.mailbox TO '$POLUSER'@'localhost';
	GRANT SELECT ON $DBNAME.domain TO '$POLUSER'@'localhost';
	GRANT SELECT ON $DBNAME.alias_domain TO '$POLUSER'@'localhost';
	GRANT SELECT ON $DBNAME.mailadm_schema TO '$POLUSER'@'localhost';
	EOF
}

# ask RECIPIENT WANT: the running service's action for RECIPIENT is WANT.
# (A coprocess's descriptors do not reach $(...) subshells.)
ask() {
	local line blank
	printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nrecipient=%s\nsize=0\n\n' \
	    "$1" >&"${COPROC[1]}"
	read -t 20 -r line <&"${COPROC[0]}" || return 1
	read -t 20 -r blank <&"${COPROC[0]}" || return 1
	[ -z "$blank" ] && [ "$line" = "$2" ] || {
		echo "for $1: '$line', want '$2'"
		cat "$BATS_TEST_TMPDIR/err"
		return 1
	}
}

# Close the service's connection from the server side.
kill_connection() {
	local id
	id=$(mysql_root <<<"SELECT id FROM information_schema.processlist WHERE user = '$POLUSER'")
	[ -n "$id" ]
	mysql_root <<<"KILL $id"
}

@test "a lost connection is made again; an outage defers; then it answers again" {
	local full='action=552 5.2.2 <full@example.com>: mailbox full'
	local defer='action=DEFER_IF_PERMIT 4.3.0 mailbox quota service unavailable, try again later'
	coproc "$MAILADM_BIN" -c "$CFG" --db "$POLURI" quota policy 2>"$BATS_TEST_TMPDIR/err"
	pid=$COPROC_PID
	ask full@example.com "$full"
	kill_connection
	ask full@example.com "$full"
	# The account goes: the server refuses the service.
	kill_connection
	mysql_root <<<"DROP USER '$POLUSER'@'localhost'"
	ask full@example.com "$defer"
	ask nobody@example.com "$defer"
	grant
	ask full@example.com "$full"
	ask nobody@example.com action=DUNNO
	# End of input: it ends.
	exec {COPROC[1]}>&-
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	! kill -0 "$pid" 2>/dev/null
	[ "$(grep -c 'cannot connect to database' "$BATS_TEST_TMPDIR/err")" -eq 2 ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/err")" -eq 2 ]
}
