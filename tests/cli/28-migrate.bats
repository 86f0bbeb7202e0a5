#!/usr/bin/env bats
# mailadm migrate plan|run: the legacy fixtures (both schemas, both dumps)
# come out as their expected.json says; re-runs, --update, passwords,
# custom map files, malformed input.
load helper

FIX=$TOP/tests/fixtures/legacy
EXPECT=$TOP/tests/lib/migrate-expect.py
export MAILADM_BIN

setup() {
	setup_store
	R=$BATS_TEST_TMPDIR/report.json
	S=$BATS_TEST_TMPDIR/store
}
teardown() { teardown_db; }

# The store's tables as expected.json checks them, text hex-encoded.
dump_store() {
	mkdir -p "$S"
	db_sql <<<"SELECT domain, hex(description), aliases, mailboxes, maxquota,
	    backupmx, active, created FROM domain ORDER BY domain" >"$S/domain.tsv"
	db_sql <<<"SELECT username, hex(name), password, quota, active, created,
	    maildir FROM mailbox ORDER BY username" >"$S/mailbox.tsv"
	db_sql <<<"SELECT address, goto, active FROM alias ORDER BY address" \
	    >"$S/alias.tsv"
	db_sql <<<"SELECT alias_domain, target_domain FROM alias_domain" \
	    >"$S/alias_domain.tsv"
}

# run_fixture FOLDER DUMP PRESET: run it, then check store and report.
run_fixture() {
	run --separate-stderr -0 ma -q migrate run "$FIX/$1/$2" --preset "$3" \
	    --report "$R"
	[ -z "$output" ]
	dump_store
	run python3 "$EXPECT" "$FIX/$1/expected.json" "$R" "$S"
	if [ "$status" -ne 0 ]; then
		echo "$output"
		return 1
	fi
}

@test "migrate run: postfixadmin-2.1, UTF-8 dump, as expected.json says" {
	run_fixture postfixadmin-2.1 dump.sql postfixadmin-2
}

@test "migrate run: postfixadmin-2.1, latin1 dump, as expected.json says" {
	run_fixture postfixadmin-2.1 dump-latin1.sql postfixadmin-2
	[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["source"]["charset"])' "$R")" = latin1 ]
	[ "$(stat -c %a "$R")" = 600 ]
}

@test "migrate run: flurdy, UTF-8 dump, as expected.json says" {
	run_fixture flurdy dump.sql flurdy
}

@test "migrate run: flurdy, latin1 dump, as expected.json says" {
	run_fixture flurdy dump-latin1.sql flurdy
}

@test "migrate plan: the UTF-8 and latin1 dumps give the same plan; nothing is written" {
	before=$(db_dump)
	for f in dump.sql dump-latin1.sql; do
		run --separate-stderr -0 ma --json migrate plan "$FIX/postfixadmin-2.1/$f" \
		    --preset postfixadmin-2
		python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("source"); print(json.dumps(d, sort_keys=True))' \
		    <<<"$output" >"$BATS_TEST_TMPDIR/$f.plan"
	done
	cmp "$BATS_TEST_TMPDIR/dump.sql.plan" "$BATS_TEST_TMPDIR/dump-latin1.sql.plan"
	[ "$before" = "$(db_dump)" ]
	run python3 "$EXPECT" "$FIX/postfixadmin-2.1/expected.json" \
	    <(ma --json migrate plan "$FIX/postfixadmin-2.1/dump.sql" --preset postfixadmin-2) \
	    none --no-store
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
}

@test "migrate plan: counts, then every problem row with its reason and source row" {
	run --separate-stderr -0 ma migrate plan "$FIX/flurdy/dump.sql" --preset flurdy
	[[ ${lines[0]} == "source: $FIX/flurdy/dump.sql (utf8), map: flurdy" ]]
	[[ ${lines[1]} == "tables: aliases 29 domains 9 users 21" ]]
	grep -Eq '^domains +9 +6 +0 +0 +3$' <<<"$output"
	grep -Eq '^mailboxes +21 +19 +0 +0 +2$' <<<"$output"
	grep -Eq '^alias_domains +1 +1 +0 +0 +0$' <<<"$output"
	grep -q '^13 rejected, 38 warnings' <<<"$output"
	grep -q '^reject  DUPLICATE_DOMAIN_CASE domains {"pkid": "8"}: same domain as HOTEL-ROBERT.COM (pkid 6) except for case$' <<<"$output"
	grep -q '^        row: {"pkid": "8", "domain": "hotel-robert.com", "transport": "virtual:", "enabled": "1"}$' <<<"$output"
	grep -q '^warning TRUNCATED_DESTINATION aliases {"mail": "stages@xn--ptisserie-mller-3jb66b.de"}: .*'"'"'gaelle.richard@xn--ptisserie-mller-3j'"'"' is incomplete: dropped' <<<"$output"
	[ "$(db_sql <<<"SELECT COUNT(*) FROM domain")" = 0 ]
}

@test "migrate run twice changes nothing the second time; --dry-run writes nothing" {
	before=$(db_dump)
	run --separate-stderr -0 ma --dry-run migrate run "$FIX/postfixadmin-2.1/dump.sql" \
	    --preset postfixadmin-2
	[ "$before" = "$(db_dump)" ]
	ma -q migrate run "$FIX/postfixadmin-2.1/dump.sql" --preset postfixadmin-2
	first=$(db_dump)
	run --separate-stderr -0 ma --json migrate run "$FIX/postfixadmin-2.1/dump.sql" \
	    --preset postfixadmin-2
	[ "$first" = "$(db_dump)" ]
	python3 - "$output" <<-'EOF'
		import json, sys
		d = json.loads(sys.argv[1])
		for kind, c in d["counts"].items():
		    assert c["written"] == 0 and c["add"] == 0, (kind, c)
		assert d["counts"]["mailboxes"]["same"] == 19, d["counts"]
		assert d["counts"]["aliases"]["same"] == 45, d["counts"]
	EOF
}

@test "migrate run --update: rows changed at the source are updated, and only with it" {
	ma -q migrate run "$FIX/flurdy/dump.sql" --preset flurdy
	sed -e "s/'Lucie Dupont'/'Lucie Martin'/" \
	    -e "s/'joel.da-silva@numericable.fr'/'joel@example.net'/" \
	    -e "s/'10000000S','',''),('contact@clement/'20000000S','',''),('contact@clement/" \
	    "$FIX/flurdy/dump.sql" >"$BATS_TEST_TMPDIR/changed.sql"
	before=$(db_dump)
	run --separate-stderr -0 ma --json migrate run "$BATS_TEST_TMPDIR/changed.sql" --preset flurdy
	[ "$before" = "$(db_dump)" ]
	python3 -c 'import json,sys; c=json.loads(sys.argv[1])["counts"]; assert c["mailboxes"]["change"] == 2 and c["aliases"]["change"] == 1 and c["mailboxes"]["written"] == 0, c' "$output"
	logs=$(db_sql <<<"SELECT COUNT(*) FROM log")
	run --separate-stderr -0 ma --json migrate run "$BATS_TEST_TMPDIR/changed.sql" --preset flurdy --update
	python3 -c 'import json,sys; c=json.loads(sys.argv[1])["counts"]; assert c["mailboxes"]["written"] == 2 and c["aliases"]["written"] == 1, c' "$output"
	[ "$(db_sql <<<"SELECT COUNT(*) FROM log")" = $((logs + 3)) ]
	[ "$(db_sql <<<"SELECT name FROM mailbox WHERE username = 'l.dupont@clement-thionville.fr'")" = "Lucie Martin" ]
	[ "$(db_sql <<<"SELECT quota FROM mailbox WHERE username = 'info@robert-pont-a-mousson.fr'")" = 20000000 ]
	[ "$(db_sql <<<"SELECT goto FROM alias WHERE address = 'direction2@hotel-robert.com'")" = joel@example.net ]
	run --separate-stderr -0 ma --json migrate run "$BATS_TEST_TMPDIR/changed.sql" --preset flurdy --update
	python3 -c 'import json,sys; c=json.loads(sys.argv[1])["counts"]; assert all(v["written"] == 0 for v in c.values()), c' "$output"
}

@test "migrate: passwords kept as they are, cleartext hashed, empty ones disabled" {
	ma -q migrate run "$FIX/postfixadmin-2.1/dump.sql" --preset postfixadmin-2
	# cleartext hashed with password_scheme, DES kept, empty disabled
	echo WhyNfCGq | ma user verify info@robert-pont-a-mousson.fr --password-stdin
	echo Chouchou | ma user verify contact@clement-thionville.fr --password-stdin
	run ma user verify stagiaire@hotel-robert.com --password-stdin <<<x
	[ "$status" -eq 1 ]
	[ "$(db_sql <<<"SELECT password FROM mailbox WHERE username = 'stagiaire@hotel-robert.com'")" = '!' ]
	[ "$(ma user show stagiaire@hotel-robert.com | field password_scheme)" = LOCKED ]
}

@test "migrate run: more cleartext passwords than are hashed ahead, among others: each hashed into its own row" {
	# 9,800 new mailboxes (8,400 cleartext), every 7th without a password, and one in the
	# store already whose password changed at the source (--update); each
	# with its alias row, so that chunks of new mailboxes go in while the
	# aliases are checked
	write_config "password_scheme = SSHA512"
	ma domain add ex.org
	echo old | ma user add m0100@ex.org --password-stdin --no-maildir
	cat >"$BATS_TEST_TMPDIR/map" <<-'EOF'
		domains = SELECT d AS domain FROM dom
		mailboxes = SELECT a AS address, p AS password FROM box
		aliases = SELECT a AS address, a AS goto FROM box
	EOF
	{
		echo "CREATE TABLE dom (d varchar(9)); INSERT INTO dom VALUES ('ex.org');"
		echo "CREATE TABLE box (a text, p text);"
		awk 'BEGIN { for (i = 0; i < 9800; i++)
			printf "INSERT INTO box VALUES (\x27m%04d@ex.org\x27,\x27%s\x27);\n",
			    i, i % 7 == 3 ? "" : "pw-" i }'
	} >"$BATS_TEST_TMPDIR/d.sql"
	ma -q migrate run "$BATS_TEST_TMPDIR/d.sql" --map "$BATS_TEST_TMPDIR/map" --update
	db_sql <<<"SELECT username, password FROM mailbox ORDER BY username" >"$BATS_TEST_TMPDIR/pw.tsv"
	run python3 - "$BATS_TEST_TMPDIR/pw.tsv" <<-'EOF'
		import base64, hashlib, sys
		bad = []
		n = 0
		for line in open(sys.argv[1]):
		    user, stored = line.rstrip("\n").split("\t")
		    i = int(user[1:5])
		    n += 1
		    if i % 7 == 3:
		        if stored != "!":
		            bad.append(user)
		        continue
		    raw = base64.b64decode(stored[len("{SSHA512}"):])
		    if not stored.startswith("{SSHA512}") or \
		            hashlib.sha512(b"pw-%d" % i + raw[64:]).digest() != raw[:64]:
		        bad.append(user)
		print(n, "rows,", len(bad), "wrong:", bad[:5])
	EOF
	[ "$output" = "9800 rows, 0 wrong: []" ]
	[ "$(db_sql <<<"SELECT COUNT(*) FROM alias WHERE goto = address")" = 9800 ]
	# 9,799 by the migration, one by user add
	[ "$(db_sql <<<"SELECT COUNT(*) FROM log WHERE action = 'create_mailbox'")" = 9800 ]
}

@test "migrate run: a cleartext password the scheme refuses stops the run, naming the mailbox; nothing is written" {
	write_config "password_scheme = BLF-CRYPT"
	cat >"$BATS_TEST_TMPDIR/map" <<-'EOF'
		domains = SELECT d AS domain FROM dom
		mailboxes = SELECT a AS address, p AS password FROM box
	EOF
	long=$(printf 'x%.0s' $(seq 80))
	cat >"$BATS_TEST_TMPDIR/d.sql" <<-EOF
		CREATE TABLE dom (d varchar(9)); INSERT INTO dom VALUES ('ex.org');
		CREATE TABLE box (a text, p text);
		INSERT INTO box VALUES ('a@ex.org','short-1'),('b@ex.org','$long'),('c@ex.org','short-3');
	EOF
	fails 65 "migrate run: mailboxes: b@ex.org: password too long for BLF-CRYPT: 80 bytes" \
	    -q migrate run "$BATS_TEST_TMPDIR/d.sql" --map "$BATS_TEST_TMPDIR/map"
	[ "$(db_sql <<<"SELECT COUNT(*) FROM mailbox")" = 0 ]
}

@test "migrate run --new-passwords: a random password in a 0600 CSV, never over a file" {
	pw=$BATS_TEST_TMPDIR/new.csv
	run --separate-stderr -0 ma -q migrate run "$FIX/postfixadmin-2.1/dump.sql" \
	    --preset postfixadmin-2 --new-passwords "$pw" --report "$R"
	[ "$(stat -c %a "$pw")" = 600 ]
	[ "$(head -n 1 "$pw")" = address,password ]
	[ "$(wc -l <"$pw")" = 2 ]
	line=$(sed -n 2p "$pw")
	[[ $line =~ ^stagiaire@hotel-robert\.com,[A-Za-z2-9]{16}$ ]]
	echo "${line#*,}" | ma user verify stagiaire@hotel-robert.com --password-stdin
	grep -q 'new random password' "$R"
	# never over an existing file
	fails 73 "cannot create the passwords file '$pw': it exists" migrate run \
	    "$FIX/postfixadmin-2.1/dump.sql" --preset postfixadmin-2 --new-passwords "$pw"
}

@test "migrate run --update --new-passwords: a random password given before stays, and is not listed again" {
	cat >"$BATS_TEST_TMPDIR/map" <<-'EOF'
		domains = SELECT d AS domain FROM dom
		mailboxes = SELECT a AS address, p AS password, n AS name FROM box
	EOF
	for name in Old New; do
		cat >"$BATS_TEST_TMPDIR/d-$name.sql" <<-EOF
			CREATE TABLE dom (d varchar(9));
			INSERT INTO dom VALUES ('ex.org');
			CREATE TABLE box (a text, p text, n text);
			INSERT INTO box VALUES ('a@ex.org','*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19','$name');
		EOF
	done
	ma -q migrate run "$BATS_TEST_TMPDIR/d-Old.sql" --map "$BATS_TEST_TMPDIR/map" \
	    --new-passwords "$BATS_TEST_TMPDIR/1.csv"
	line=$(sed -n 2p "$BATS_TEST_TMPDIR/1.csv")
	[[ $line == a@ex.org,* ]]
	# the name changed at the source: the row is updated, its password kept
	ma -q migrate run "$BATS_TEST_TMPDIR/d-New.sql" --map "$BATS_TEST_TMPDIR/map" \
	    --update --new-passwords "$BATS_TEST_TMPDIR/2.csv"
	[ "$(db_sql <<<"SELECT name FROM mailbox WHERE username = 'a@ex.org'")" = New ]
	[ "$(cat "$BATS_TEST_TMPDIR/2.csv")" = address,password ]
	echo "${line#*,}" | ma user verify a@ex.org --password-stdin
}

@test "migrate: MySQL PASSWORD() hashes are disabled, or hashed again from a matching clear copy" {
	cat >"$BATS_TEST_TMPDIR/map" <<-'EOF'
		domains = SELECT d AS domain FROM dom
		mailboxes = SELECT a AS address, p AS password, c AS password_clear FROM box
	EOF
	cat >"$BATS_TEST_TMPDIR/d.sql" <<-'EOF'
		CREATE TABLE dom (d varchar(9));
		INSERT INTO dom VALUES ('ex.org');
		CREATE TABLE box (a text, p text, c text);
		INSERT INTO box VALUES ('a@ex.org','*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19',''),('b@ex.org','5d2e19393cc5ef67','password'),('c@ex.org','{SSHA512}x',NULL);
	EOF
	run --separate-stderr -0 ma migrate run "$BATS_TEST_TMPDIR/d.sql" --map "$BATS_TEST_TMPDIR/map"
	[[ $stderr == *"warning UNVERIFIABLE_HASH mailboxes {\"address\": \"a@ex.org\"}: a MYSQL41 hash, which courier-authlib and Cyrus SASL cannot verify: it is imported with a disabled password"* ]]
	[[ $stderr == *"UNVERIFIABLE_HASH mailboxes {\"address\": \"b@ex.org\"}: a MYSQL323 hash"*"its clear copy matches it: hashed again with SHA512-CRYPT"* ]]
	[[ $stderr == *'warning INVALID_PASSWORD_HASH mailboxes {"address": "c@ex.org"}: password_format auto, but malformed SSHA512 hash'* ]]
	[ "$(db_sql <<<"SELECT password FROM mailbox WHERE username = 'a@ex.org'")" = '!*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19' ]
	echo password | ma user verify b@ex.org --password-stdin
	run ma user verify a@ex.org --password-stdin <<<password
	[ "$status" -eq 1 ]
}

@test "migrate: a custom map file (SPEC §10's example) on a schema of its own" {
	cat >"$BATS_TEST_TMPDIR/legacy.sql" <<-'EOF'
		CREATE TABLE `domaines` (`id` int, `nom` varchar(64), `quota_defaut_mo` int, `actif` tinyint);
		INSERT INTO `domaines` VALUES (1,'exemple.fr',50,1),(2,'Autre.FR',0,0);
		CREATE TABLE `comptes` (`login` varchar(64), `mot_de_passe` varchar(64), `nom_complet` varchar(64), `quota_mo` int, `actif` tinyint, `id_domaine` int);
		INSERT INTO `comptes` VALUES ('jean','secret1','Jean \'Jo\' Dupont',10,1,1),('marie','$1$abcdefgh$XXXXXXXXXXXXXXXXXXXXXX',NULL,NULL,1,2),('perdu','x','',1,1,9);
		CREATE TABLE `redirections` (`source` varchar(128), `destination` text, `actif` tinyint);
		INSERT INTO `redirections` VALUES ('contact@exemple.fr','jean@exemple.fr, marie@autre.fr',1),('@autre.fr','jean@exemple.fr',0);
	EOF
	cat >"$BATS_TEST_TMPDIR/legacy.map" <<-'EOF'
		# map file for a custom legacy schema
		domains   = SELECT nom AS domain, quota_defaut_mo * 1048576 AS quota, actif AS active
		            FROM domaines
		mailboxes = SELECT c.login || '@' || d.nom AS address, c.mot_de_passe AS password,
		                   c.nom_complet AS name, c.quota_mo * 1048576 AS quota,
		                   c.actif AS active, d.nom || '/' || c.login || '/' AS maildir
		            FROM comptes c LEFT JOIN domaines d ON d.id = c.id_domaine
		aliases   = SELECT source AS address, destination AS goto, actif AS active FROM redirections
	EOF
	run --separate-stderr -0 ma migrate run "$BATS_TEST_TMPDIR/legacy.sql" --map "$BATS_TEST_TMPDIR/legacy.map"
	[[ $stderr == *'reject  BAD_ADDRESS mailboxes {"address": null}: no address'* ]]
	[[ $stderr == *'        row: {"address": null, "password": "x", "name": "", "quota": "1048576", "active": "1", "maildir": null}'* ]]
	[[ $stderr == *'warning DOMAIN_NOT_LOWERCASE domains {"domain": "Autre.FR"}: domain stored in capitals; import as autre.fr'* ]]
	[ "$(db_sql <<<"SELECT domain, default_quota, active FROM domain ORDER BY domain")" = \
	    $'autre.fr\t0\t0\nexemple.fr\t52428800\t1' ]
	[ "$(db_sql <<<"SELECT username, name, quota FROM mailbox ORDER BY username")" = \
	    $'jean@exemple.fr\tJean \'Jo\' Dupont\t10485760\nmarie@autre.fr\t\t0' ]
	[ "$(db_sql <<<"SELECT address, goto, active FROM alias WHERE address <> goto ORDER BY address")" = \
	    $'@autre.fr\tjean@exemple.fr\t0\ncontact@exemple.fr\tjean@exemple.fr,marie@autre.fr\t1' ]
}

@test "migrate: malformed dumps are 65 naming line and column; nothing is written" {
	printf 'CREATE TABLE t (a int);\nINSERT INTO t VALUES (1,\n  '"'"'x);\n' >"$BATS_TEST_TMPDIR/bad.sql"
	fails 65 "migrate run: $BATS_TEST_TMPDIR/bad.sql: line 3, column 3: unterminated string \\(the dump is cut short\\?\\)$" \
	    migrate run "$BATS_TEST_TMPDIR/bad.sql" --preset flurdy
	head -c 5000 "$FIX/flurdy/dump.sql" >"$BATS_TEST_TMPDIR/cut.sql"
	fails 65 "cut.sql: line [0-9]+, column [0-9]+: " migrate run "$BATS_TEST_TMPDIR/cut.sql" --preset flurdy
	printf 'INSERT INTO users VALUES (1);\n' >"$BATS_TEST_TMPDIR/nocreate.sql"
	fails 65 "line 1: table 'users': INSERT into a table the dump never created" \
	    migrate plan "$BATS_TEST_TMPDIR/nocreate.sql" --preset flurdy
	fails 65 "SET NAMES koi8r: mailadm reads utf8 and latin1 dumps" \
	    migrate plan - --preset flurdy <<<"SET NAMES koi8r;"
}

@test "migrate: usage, missing files, presets and map files" {
	fails 64 "give one of --preset NAME and --map FILE" migrate plan "$FIX/flurdy/dump.sql"
	fails 64 "give one of --preset NAME and --map FILE" migrate plan "$FIX/flurdy/dump.sql" \
	    --preset flurdy --map /dev/null
	fails 64 "--charset latin9: expected auto, utf8 or latin1" migrate plan "$FIX/flurdy/dump.sql" \
	    --preset flurdy --charset latin9
	fails 66 "no preset 'nope' \\(the presets are: flurdy, postfixadmin-2\\)" \
	    migrate plan "$FIX/flurdy/dump.sql" --preset nope
	fails 66 "cannot read '$BATS_TEST_TMPDIR/none.sql'" migrate run "$BATS_TEST_TMPDIR/none.sql" --preset flurdy
	m=$BATS_TEST_TMPDIR/m.map
	printf 'domains = SELECT 1\nfoo = bar\n' >"$m"
	fails 65 "m.map:2: foo: unknown key" migrate plan "$FIX/flurdy/dump.sql" --map "$m"
	printf 'domains = DELETE FROM domains\n' >"$m"
	fails 65 "m.map:1: domains: expected a SELECT" migrate plan "$FIX/flurdy/dump.sql" --map "$m"
	printf 'domains = SELECT domain, enabled AS actif FROM domains\n' >"$m"
	fails 65 "domains: unknown result column 'actif' \\(the columns are domain, description" \
	    migrate plan "$FIX/flurdy/dump.sql" --map "$m"
	printf 'domains = SELECT domain FROM nosuch\n' >"$m"
	fails 65 "domains query: no such table: nosuch$" migrate plan "$FIX/flurdy/dump.sql" --map "$m"
	printf 'mailboxes = SELECT id AS address FROM users\nmailboxes.source = users (id)\n' >"$m"
	fails 65 "the map names mailboxes.source, so the query must return source_row" \
	    migrate plan "$FIX/flurdy/dump.sql" --map "$m"
}

@test "migrate: the installed presets are found next to the binary" {
	stage=$BATS_TEST_TMPDIR/stage
	run -0 make -s -C "$TOP" install DESTDIR="$stage" PREFIX=/opt/m
	[ -f "$stage/opt/m/share/mailadm/maps/flurdy.map" ]
	[ -f "$stage/opt/m/share/mailadm/maps/postfixadmin-2.map" ]
	run --separate-stderr -0 "$stage/opt/m/sbin/mailadm" -c "$CFG" migrate plan \
	    "$FIX/flurdy/dump.sql" --preset flurdy
	MAILADM_MAPS_DIR=$BATS_TEST_TMPDIR/empty run -66 "$stage/opt/m/sbin/mailadm" -c "$CFG" \
	    migrate plan "$FIX/flurdy/dump.sql" --preset nope
}

@test "migrate verify: exit 1 with each difference until run, 0 after, 1 again after a change" {
	run --separate-stderr ma migrate verify "$FIX/flurdy/dump.sql" --preset flurdy
	[ "$status" -eq 1 ]
	[[ ${lines[0]} == "missing alias boucle1@clement-thionville.fr" ]]
	grep -qx "missing mailbox stagiaire@hotel-robert.com" <<<"$output"
	grep -qx "missing alias_domain ancien-clement-thionville.fr" <<<"$output"
	[ "$stderr" = "mailadm: migrate verify: 46 differences between the store and the source" ]
	ma -q migrate run "$FIX/flurdy/dump.sql" --preset flurdy
	run --separate-stderr -0 ma migrate verify "$FIX/flurdy/dump-latin1.sql" --preset flurdy
	[ -z "$output" ]
	ma user set info@robert-pont-a-mousson.fr --name X
	ma alias add extra@clement-thionville.fr contact@clement-thionville.fr
	ma user del direction@clement-thionville.fr --keep-maildir
	before=$(db_dump)
	run --separate-stderr -1 ma migrate verify "$FIX/flurdy/dump.sql" --preset flurdy --report "$R"
	[ "$output" = $'extra alias extra@clement-thionville.fr\nmissing mailbox direction@clement-thionville.fr\ndiffers mailbox info@robert-pont-a-mousson.fr' ]
	[ "$before" = "$(db_dump)" ]
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["differences"]) == 3, d["differences"]' "$R"
	run -1 ma --json migrate verify "$FIX/flurdy/dump.sql" --preset flurdy
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert {x["state"] for x in d["differences"]} == {"extra", "missing", "differs"}' "$output"
}
