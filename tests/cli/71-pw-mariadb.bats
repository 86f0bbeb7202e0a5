#!/usr/bin/env bats
# MariaDB's own PASSWORD(), OLD_PASSWORD() and ENCRYPT() hashes (what a
# legacy MySQL 4.x mail database holds) verify with mailadm pw -t; mailadm
# reads the MySQL formats but never makes them.  MariaDB pass only.
load helper

setup() { setup_db; }
teardown() { teardown_db; }

# sql_value EXPR: the value of SELECT EXPR on the test server.
sql_value() {
	mysql_root <<<"SELECT $1"
}

# verifies HASH PASSWORD: mailadm says 0 for PASSWORD, 1 for another.
verifies() {
	run --separate-stderr ma pw -t "$1" --password-stdin <<<"$2"
	[ "$status" -eq 0 ] || {
		echo "'$1' for '$2': status $status: $stderr"
		return 1
	}
	run --separate-stderr ma pw -t "$1" --password-stdin <<<"x$2"
	[ "$status" -eq 1 ] || {
		echo "'$1' took a wrong password: status $status: $stderr"
		return 1
	}
}

@test "SELECT PASSWORD(x) verifies with mailadm pw -t" {
	local pw h n=0
	for pw in secret password 'pass word' 'Pässwörd-9!' \
	    'a-rather-long-password-of-forty-two-bytes'; do
		h=$(sql_value "PASSWORD('$pw')")
		[[ $h =~ ^\*[0-9A-F]{40}$ ]] || { echo "PASSWORD gave '$h'"; return 1; }
		verifies "$h" "$pw"
		n=$((n + 1))
	done
	[ "$n" -eq 5 ]
	# The published vector, to be sure the server is the one we think.
	[ "$(sql_value "PASSWORD('password')")" = \
	    '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19' ]
}

@test "SELECT OLD_PASSWORD(x) verifies with mailadm pw -t" {
	local pw h
	for pw in secret password 'Pässwörd-9!' mypass; do
		h=$(sql_value "OLD_PASSWORD('$pw')")
		[[ $h =~ ^[0-9a-f]{16}$ ]] || { echo "OLD_PASSWORD gave '$h'"; return 1; }
		verifies "$h" "$pw"
	done
	# OLD_PASSWORD skips blanks, and so does mailadm.
	h=$(sql_value "OLD_PASSWORD('pass word')")
	[ "$h" = "$(sql_value "OLD_PASSWORD('password')")" ]
	verifies "$h" password
}

@test "SELECT ENCRYPT(x, salt) (the system crypt) verifies with mailadm pw -t" {
	local h
	h=$(sql_value "ENCRYPT('secret', 'xy')")
	[ "$h" = 'xy/gRonXQz8UE' ]
	verifies "$h" secret
	h=$(sql_value "ENCRYPT('secret', '\$6\$saltsaltsalt\$')")
	[[ $h == '$6$saltsaltsalt$'* ]]
	verifies "$h" secret
}

@test "mailadm makes no MYSQL41 or MYSQL323 hash: verify only" {
	run --separate-stderr ma pw -s MYSQL41 --password-stdin <<<secret
	[ "$status" -eq 65 ]
	[[ $stderr == *"MYSQL41 hashes can be verified but not made"* ]]
	run --separate-stderr ma pw -s MYSQL323 --password-stdin <<<secret
	[ "$status" -eq 65 ]
	run -0 ma pw -l --long
	grep -Eq '^MYSQL41 +no ' <<<"$output"
	grep -Eq '^MYSQL323 +no ' <<<"$output"
}
