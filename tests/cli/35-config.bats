#!/usr/bin/env bats
# mailadm config postfix|courier|sasl|dovecot: the files printed or
# written, their key spellings and queries, modes, the all-or-nothing
# write into --dir, and the errors.  postmap reads the generated Postfix
# tables against the test database on both backends; tests/integration
# runs the real servers on them.
load helper

setup() {
	setup_store
	OUT=$BATS_TEST_TMPDIR/out
	# postmap and postconf need a main.cf: an empty one of our own.
	PF=$BATS_TEST_TMPDIR/pf
	mkdir "$OUT" "$PF"
	: >"$PF/main.cf"
	# The service the main.cf lines name on MariaDB (as their comment says).
	printf '%s\n' 'maildrop unix - n n - - pipe' \
	    '  flags=DRXhu user=nobody argv=/usr/bin/maildrop -d ${recipient}' \
	    >"$PF/master.cf"
	if [ "$BACKEND" = mysql ]; then T=mysql; else T=sqlite; fi
}

teardown() { teardown_db; }

MAPS="virtual_domains_maps virtual_mailbox_maps
virtual_alias_domain_mailbox_maps virtual_alias_maps virtual_alias_domain_maps
virtual_alias_domain_catchall_maps relay_domains transport_maps
sender_login_maps"

# The value of "key = value" in a generated file.
cfval() { sed -n "s/^$1 = //p" "$2"; }

# postmap -q KEY against the generated table NAME (in $OUT).
pq() { postmap -c "$PF" -q "$1" "$T:$OUT/${T}_$2.cf"; }

@test "config postfix prints every table and the main.cf lines that use them" {
	run -0 --separate-stderr ma config postfix
	for m in $MAPS; do
		grep -qx "# file: ${T}_$m.cf" <<<"$output"
		grep -q "proxy:$T:/etc/postfix/sql/${T}_$m.cf" <<<"$output"
	done
	grep -qx "# file: main.cf.mailadm" <<<"$output"
	[ "$(grep -c '^# file: ' <<<"$output")" -eq 10 ]
	[ "$(grep -c '^query = ' <<<"$output")" -eq 9 ]
	grep -qx "smtpd_sender_restrictions = reject_known_sender_login_mismatch" <<<"$output"
	grep -qx "virtual_mailbox_base = $BATS_TEST_TMPDIR/vmail" <<<"$output"
	grep -qx "virtual_uid_maps = static:5000" <<<"$output"
	if [ "$T" = mysql ]; then
		grep -qx "hosts = unix:$MARIADB_SOCKET" <<<"$output"
		grep -qx "user = root" <<<"$output"
		grep -qx "dbname = $DBNAME" <<<"$output"
		grep -qx "smtpd_sasl_type = cyrus" <<<"$output"
		grep -qx "virtual_transport = maildrop" <<<"$output"
		! grep -q '^password' <<<"$output"
	else
		grep -qx "dbpath = $SQLITE_FILE" <<<"$output"
		grep -qx "smtpd_sasl_type = dovecot" <<<"$output"
	fi
	[ -z "$stderr" ]
}

@test "config postfix --dir: files mode 0640 in the group of DIR, nothing else left" {
	chgrp daemon "$OUT"
	run -0 --separate-stderr ma config postfix --dir "$OUT"
	[ -z "$output" ] && [ -z "$stderr" ]
	for m in $MAPS; do
		[ "$(stat -c '%a %G' "$OUT/${T}_$m.cf")" = "640 daemon" ]
	done
	[ "$(stat -c '%a' "$OUT/main.cf.mailadm")" = 640 ]
	# No temporary file remains; the snippet names DIR.
	[ "$(ls -A "$OUT" | wc -l)" -eq 10 ]
	grep -q "proxy:$T:$OUT/${T}_virtual_alias_maps.cf" "$OUT/main.cf.mailadm"
	# Postfix reads the snippet without a complaint.
	cp "$OUT/main.cf.mailadm" "$PF/main.cf"
	run -0 --separate-stderr postconf -c "$PF" -n
	[ -z "$stderr" ]
	grep -q "^virtual_alias_maps = proxy:$T:$OUT/${T}_virtual_alias_maps.cf, " <<<"$output"
}

@test "postmap reads the tables: mailboxes, aliases, catch-all, alias domain" {
	ma domain add example.org
	ma domain add alias.org
	ma domain alias add alias.org example.org
	ma user add ann@example.org --random-password >/dev/null
	ma alias add info@example.org ann@example.org
	ma alias add @example.org ann@example.org x@elsewhere.net
	ma config postfix --dir "$OUT"
	[ "$(pq example.org virtual_domains_maps)" = example.org ]
	[ "$(pq alias.org virtual_domains_maps)" = alias.org ]
	[ "$(pq ann@example.org virtual_mailbox_maps)" = example.org/ann/ ]
	[ "$(pq ANN@example.org virtual_mailbox_maps)" = example.org/ann/ ]
	[ "$(pq ann@alias.org virtual_alias_domain_mailbox_maps)" = example.org/ann/ ]
	[ "$(pq ann@example.org virtual_alias_maps)" = ann@example.org ]
	[ "$(pq info@example.org virtual_alias_maps)" = ann@example.org ]
	[ "$(pq @example.org virtual_alias_maps)" = ann@example.org,x@elsewhere.net ]
	[ "$(pq info@alias.org virtual_alias_domain_maps)" = ann@example.org ]
	[ "$(pq who@alias.org virtual_alias_domain_catchall_maps)" = ann@example.org,x@elsewhere.net ]
	run -1 pq nobody@example.org virtual_mailbox_maps
	run -1 pq elsewhere.net virtual_domains_maps
	# A quote in the key is data, not SQL.
	run -1 pq "x' OR '1'='1" virtual_domains_maps
}

@test "postmap: only active rows of active, non-backup-MX domains" {
	ma domain add example.org
	ma domain add backup.org --backup-mx
	ma domain add relay.org --transport relay:[mx.relay.org]
	ma user add ann@example.org --random-password >/dev/null
	ma user add off@example.org --random-password --inactive >/dev/null
	ma config postfix --dir "$OUT"
	run -1 pq off@example.org virtual_mailbox_maps
	run -1 pq off@example.org virtual_alias_maps
	run -1 pq backup.org virtual_domains_maps
	[ "$(pq backup.org relay_domains)" = backup.org ]
	run -1 pq example.org relay_domains
	[ "$(pq relay.org transport_maps)" = "relay:[mx.relay.org]" ]
	run -1 pq example.org transport_maps
	ma domain disable example.org
	run -1 pq example.org virtual_domains_maps
	run -1 pq ann@example.org virtual_mailbox_maps
	run -1 pq ann@example.org virtual_alias_maps
}

@test "postmap: sender logins only for --require-auth domains" {
	ma domain add open.org
	ma domain add closed.org --require-auth
	ma user add ann@open.org --random-password >/dev/null
	ma user add bob@closed.org --random-password >/dev/null
	ma user add cid@closed.org --random-password >/dev/null
	ma alias add team@closed.org bob@closed.org cid@closed.org
	ma config postfix --dir "$OUT"
	[ "$(pq bob@closed.org sender_login_maps)" = bob@closed.org ]
	[ "$(pq team@closed.org sender_login_maps)" = bob@closed.org,cid@closed.org ]
	# Unknown addresses: Postfix then asks for @domain, owned by no login.
	run -1 pq nobody@closed.org sender_login_maps
	[ "$(pq @closed.org sender_login_maps)" = @closed.org ]
	run -1 pq ann@open.org sender_login_maps
	run -1 pq @open.org sender_login_maps
	ma domain set open.org --require-auth
	[ "$(pq ann@open.org sender_login_maps)" = ann@open.org ]
}

@test "config courier: authmysqlrc key spellings, tab-separated, and authdaemonrc" {
	if [ "$T" = sqlite ]; then
		fails 78 "courier-authlib has no SQLite module.*MariaDB" config courier
		return
	fi
	ma config courier --dir "$OUT"
	local rc=$OUT/authmysqlrc
	# Exact keys (DEFAULT_DOMAIN, not MYSQL_DEFAULT_DOMAIN, and no
	# sample-file misspellings), each followed by tabs, values unquoted.
	[ "$(grep -v '^#' "$rc" | grep . | cut -f1 | tr '\n' ' ')" = \
	    "MYSQL_SOCKET MYSQL_PORT MYSQL_USERNAME MYSQL_DATABASE MYSQL_OPT MYSQL_CHARACTER_SET MYSQL_USER_TABLE MYSQL_CRYPT_PWFIELD MYSQL_LOGIN_FIELD MYSQL_UID_FIELD MYSQL_GID_FIELD MYSQL_HOME_FIELD MYSQL_MAILDIR_FIELD MYSQL_NAME_FIELD MYSQL_QUOTA_FIELD MYSQL_WHERE_CLAUSE " ]
	grep -qxP "MYSQL_SOCKET\t+\Q$MARIADB_SOCKET\E" "$rc"
	grep -qxP "MYSQL_USERNAME\t+root" "$rc"
	grep -qxP "MYSQL_DATABASE\t+$DBNAME" "$rc"
	grep -qxP "MYSQL_USER_TABLE\t+mailbox" "$rc"
	grep -qxP "MYSQL_LOGIN_FIELD\t+username" "$rc"
	grep -qxP "MYSQL_CRYPT_PWFIELD\t+password" "$rc"
	grep -qxP "MYSQL_UID_FIELD\t+'5000'" "$rc"
	grep -qxP "MYSQL_HOME_FIELD\t+CONCAT\('\Q$BATS_TEST_TMPDIR\E/vmail/', maildir\)" "$rc"
	grep -qP "MYSQL_QUOTA_FIELD\t+IF\(quota > 0, CONCAT\(quota, 'S'\)" "$rc"
	grep -qP "MYSQL_WHERE_CLAUSE\t+active = 1 AND domain IN .*d.active = 1" "$rc"
	! grep -qE '^[A-Z_]+ +"' "$rc"
	# courier-authlib 0.71 refuses a file without the marker at the end.
	[ "$(tail -n 4 "$rc" | head -n 1)" = "##NAME: MARKER:0" ]
	grep -qx 'authmodulelist="authmysql"' "$OUT/authdaemonrc"
	grep -qx 'authdaemonvar=/run/courier/authdaemon' "$OUT/authdaemonrc"
	[ "$(stat -c %a "$rc" "$OUT/authdaemonrc" | sort -u)" = 640 ]
}

@test "config sasl: pwcheck_method authdaemond, PLAIN and LOGIN" {
	if [ "$T" = sqlite ]; then
		fails 78 "no SQLite module.*Cyrus SASL reads the accounts through its authdaemond" config sasl
		return
	fi
	run -0 ma config sasl
	grep -qx "pwcheck_method: authdaemond" <<<"$output"
	grep -qx "authdaemond_path: /run/courier/authdaemon/socket" <<<"$output"
	grep -qx "mech_list: PLAIN LOGIN" <<<"$output"
	grep -qx "# file: smtpd.conf" <<<"$output"
}

@test "config dovecot: driver, connect, scheme and the queries" {
	ma config dovecot --dir "$OUT"
	local f=$OUT/dovecot-sql.conf.ext
	[ "$(stat -c %a "$f")" = 640 ]
	[ "$(cfval driver "$f")" = "$T" ]
	if [ "$T" = mysql ]; then
		[ "$(cfval connect "$f")" = "host=$MARIADB_SOCKET dbname=$DBNAME user=root" ]
		grep -q "^user_query = SELECT CONCAT('$BATS_TEST_TMPDIR/vmail/', m.maildir) AS home" "$f"
		grep -q "CONCAT('\*:bytes=', m.quota) AS quota_rule" "$f"
	else
		[ "$(cfval connect "$f")" = "$SQLITE_FILE" ]
		grep -q "^user_query = SELECT '$BATS_TEST_TMPDIR/vmail/' || m.maildir AS home" "$f"
		grep -q "'\*:bytes=' || m.quota AS quota_rule" "$f"
	fi
	[ "$(cfval default_pass_scheme "$f")" = CRYPT ]
	grep -q "^password_query = SELECT m.username AS user, m.password AS password .*m.active = 1 AND d.active = 1.* AND m.username = '%u'$" "$f"
	grep -q "5000 AS uid, 5000 AS gid" "$f"
	grep -q "^iterate_query = " "$f"
}

@test "the password comes from db_password_file or --db-password-file, never in messages" {
	printf 'Pw with space\n' >"$BATS_TEST_TMPDIR/pw"
	printf 'other-Pw\n' >"$BATS_TEST_TMPDIR/pw2"
	chmod 0600 "$BATS_TEST_TMPDIR/pw" "$BATS_TEST_TMPDIR/pw2"
	write_config "db_password_file = $BATS_TEST_TMPDIR/pw"
	local uri="mysql://reader@db.example.net:3307/mail"
	run -0 ma --db "$uri" config postfix
	grep -qx "password = Pw with space" <<<"$output"
	grep -qx "hosts = inet:db.example.net:3307" <<<"$output"
	run -0 ma --db "$uri" config postfix --db-password-file "$BATS_TEST_TMPDIR/pw2"
	grep -qx "password = other-Pw" <<<"$output"
	! grep -q "Pw with space" <<<"$output"
	run -0 ma --db "$uri" config courier
	grep -qxP "MYSQL_PASSWORD\t+Pw with space" <<<"$output"
	grep -qxP "MYSQL_SERVER\t+db.example.net" <<<"$output"
	grep -qxP "MYSQL_PORT\t+3307" <<<"$output"
	# Dovecot splits its connect string at spaces: refused, unshown.
	fails 78 "the database password holds a character that file cannot carry for the dovecot files" \
	    --db "$uri" config dovecot
	run ma --db "$uri" config dovecot
	! grep -q "with space" <<<"$output$stderr"
	# A readable password file is refused (mode 0644).
	chmod 0644 "$BATS_TEST_TMPDIR/pw2"
	fails 77 "pw2" --db "$uri" config postfix --db-password-file "$BATS_TEST_TMPDIR/pw2"
}

@test "no database connection is needed" {
	run -0 ma --db "mysql://x@localhost/nodb?socket=/nonexistent/sock" config postfix
	grep -qx "hosts = unix:/nonexistent/sock" <<<"$output"
}

@test "--dir refuses to replace a file mailadm did not write; --force does; all or nothing" {
	echo "# hand-written" >"$OUT/${T}_virtual_alias_maps.cf"
	fails 73 "'$OUT/${T}_virtual_alias_maps.cf' exists and was not written by mailadm: use --force" \
	    config postfix --dir "$OUT"
	# Nothing else was written.
	[ "$(ls -A "$OUT")" = "${T}_virtual_alias_maps.cf" ]
	run -0 ma config postfix --dir "$OUT" --force
	[ "$(ls -A "$OUT" | wc -l)" -eq 10 ]
	grep -q "^query = SELECT a.goto FROM alias a" "$OUT/${T}_virtual_alias_maps.cf"
	# Its own files are replaced without --force, and the inode changes
	# (a new file renamed over the old one, never rewritten in place).
	local before
	before=$(stat -c %i "$OUT/main.cf.mailadm")
	write_config "vmail_base = /srv/mail"
	run -0 ma config postfix --dir "$OUT"
	grep -qx "virtual_mailbox_base = /srv/mail" "$OUT/main.cf.mailadm"
	[ "$(stat -c %i "$OUT/main.cf.mailadm")" != "$before" ]
	mkdir -p "$BATS_TEST_TMPDIR/dir2/main.cf.mailadm"
	fails 73 "is a directory" config postfix --dir "$BATS_TEST_TMPDIR/dir2" --force
}

@test "--dry-run checks and writes nothing; -v names the files" {
	run -0 --separate-stderr ma config dovecot --dir "$OUT" -n
	[ -z "$output" ]
	[ "$stderr" = "mailadm: config dovecot: dry run, would write $OUT/dovecot-sql.conf.ext" ]
	[ -z "$(ls -A "$OUT")" ]
	run -0 --separate-stderr ma config dovecot --dir "$OUT" -v
	[ "$stderr" = "mailadm: config dovecot: wrote $OUT/dovecot-sql.conf.ext" ]
}

@test "--json: the files, or what was written" {
	run -0 ma --json config dovecot
	/usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); f=d["files"][0]; assert f["name"]=="dovecot-sql.conf.ext" and "password_query" in f["text"]' <<<"$output"
	run -0 ma --json config postfix --dir "$OUT"
	/usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["dir"]==sys.argv[1] and len(d["files"])==10 and d["dry_run"] is False' "$OUT" <<<"$output"
}

@test "config errors: usage, missing directory, relative vmail_base" {
	fails 64 "--force goes with --dir" config postfix --force
	fails 66 "--dir '$OUT/nope'" config postfix --dir "$OUT/nope"
	fails 64 "unknown command 'config exim'" config exim
	printf 'config postfix --dir %s\n' "$OUT" >"$BATS_TEST_TMPDIR/batch"
	fails 64 "batch: line 1: config postfix: not inside a batch" batch "$BATS_TEST_TMPDIR/batch"
	[ -z "$(ls -A "$OUT")" ]
	write_config "vmail_base = vmail"
	fails 78 "vmail_base 'vmail' is not an absolute path" config postfix
	if [ "$T" = sqlite ]; then
		fails 64 "--db-password-file goes with a mysql:// database" \
		    config postfix --db-password-file /dev/null
	fi
}

@test "a relative SQLite path is made absolute for the servers" {
	cd "$BATS_TEST_TMPDIR"
	run -0 ma --db sqlite:rel.db config postfix
	grep -qx "dbpath = $BATS_TEST_TMPDIR/rel.db" <<<"$output"
	grep -q "'@' || domain" <<<"$output"
}

@test "a vmail_base with a quote or a percent sign stays one SQL literal" {
	write_config "vmail_base = /srv/it's 100%"
	run -0 ma config dovecot
	if [ "$T" = mysql ]; then
		grep -q "CONCAT('/srv/it''s 100%%/', m.maildir) AS home" <<<"$output"
	else
		grep -q "'/srv/it''s 100%%/' || m.maildir AS home" <<<"$output"
	fi
}
