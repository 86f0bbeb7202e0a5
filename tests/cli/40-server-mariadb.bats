#!/usr/bin/env bats
# What only a MariaDB server has: accounts with passwords.
load helper

setup() {
	setup_store
	DBUSER=ma_$$_$RANDOM
	mysql_root <<SQL
CREATE USER '$DBUSER'@'localhost' IDENTIFIED BY 'hunter2';
GRANT ALL ON $DBNAME.* TO '$DBUSER'@'localhost';
SQL
	SECRET=$BATS_TEST_TMPDIR/db.secret
	echo hunter2 >"$SECRET"
	chmod 0600 "$SECRET"
	DB_URI="mysql://$DBUSER@localhost/$DBNAME?socket=$MARIADB_SOCKET"
	write_config "db_password_file = $SECRET"
}

teardown() {
	mysql_root <<<"DROP USER IF EXISTS '$DBUSER'@'localhost'"
	teardown_db
}

@test "the password comes from db_password_file (0600 or 0640)" {
	run -0 ma domain add example.com
	chmod 0640 "$SECRET"
	run -0 ma domain list
	[ "$output" = example.com ]
}

@test "a db_password_file readable by others is refused with 77" {
	chmod 0644 "$SECRET"
	fails 77 "db_password_file '$SECRET' is readable by others \\(mode 0644\\): chmod 0600" domain list
	[[ $stderr != *hunter2* ]]
}

@test "a missing db_password_file is 66" {
	write_config "db_password_file = $BATS_TEST_TMPDIR/none"
	fails 66 "cannot read db_password_file" domain list
}

@test "a wrong password is 77 and never shown" {
	echo wrong-pass >"$SECRET"
	fails 77 "cannot connect to database.*Access denied" domain list
	[[ $stderr != *wrong-pass* ]]
}

@test "missing grants are 77" {
	mysql_root <<<"REVOKE ALL ON $DBNAME.* FROM '$DBUSER'@'localhost'; GRANT SELECT ON $DBNAME.* TO '$DBUSER'@'localhost';"
	run -0 ma domain list
	fails 77 "denied" domain add example.com
}
