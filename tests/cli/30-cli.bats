#!/usr/bin/env bats
# Global options, configuration, help, exit codes and output rules.
load helper

setup() { setup_store; }
teardown() { teardown_db; }

@test "no arguments: usage on stderr, exit 64" {
	run --separate-stderr -64 "$MAILADM_BIN"
	[ -z "$output" ]
	[[ $stderr == usage:* ]]
}

@test "--version and help" {
	run -0 "$MAILADM_BIN" --version
	[[ $output =~ ^mailadm\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	run -0 "$MAILADM_BIN" help
	[[ $output == *"domain add"*"schema upgrade"* ]]
	run -0 "$MAILADM_BIN" --help
	[[ $output == usage:* ]]
	run -0 "$MAILADM_BIN" help domain
	[[ $output == *"alias add"* ]]
	run -0 "$MAILADM_BIN" help domain alias add
	[[ $output == "usage: mailadm domain alias add ALIAS_DOMAIN TARGET_DOMAIN"* ]]
	run -0 "$MAILADM_BIN" domain
	[[ $output == *"usage: mailadm domain VERB"* ]]
}

@test "every command of the table answers --help with its usage, exit 0" {
	n=0
	for g in $("$MAILADM_BIN" __complete groups); do
		[ "$g" = help ] && continue
		for v in $("$MAILADM_BIN" __complete verbs "$g"); do
			subs=$("$MAILADM_BIN" __complete verbs "$g" "$v")
			for s in ${subs:-""}; do
				run -0 ma $g $v $s --help
				[[ ${lines[0]} == "usage: mailadm $g $v${s:+ $s}"* ]]
				[[ $output == *"--json"* ]]
				n=$((n + 1))
			done
		done
	done
	[ "$n" -ge 13 ]
}

@test "-V works before the group and after the verb" {
	run -0 ma -V --json
	[[ $output =~ ^mailadm\ [0-9.]+$ ]]
	run -0 ma domain list -V
	[[ $output =~ ^mailadm\ [0-9.]+$ ]]
}

@test "the first word of a two-word verb lists the group's verbs" {
	run -0 ma help domain alias
	[[ $output == *"alias add"*"alias del"*"alias list"* ]]
	run -0 ma domain alias
	[[ $output == *"alias add"* ]]
}

@test "--json: a change that shows nothing else prints the changes it made" {
	ma domain add example.com
	run -0 ma --json domain disable example.com
	[ "$output" = '{"changes": ["edit_domain example.com active=0"], "dry_run": false}' ]
	run --separate-stderr -0 ma --json -n domain del example.com
	[ "$output" = '{"changes": ["delete_domain example.com"], "dry_run": true}' ]
	run -0 ma --json domain del example.com
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["changes"] == ["delete_domain example.com"], d' "$output"
}

@test "a dry-run schema init creates no database file" {
	run -0 "$MAILADM_BIN" --db "sqlite:$BATS_TEST_TMPDIR/new.db" -n schema init
	[ ! -e "$BATS_TEST_TMPDIR/new.db" ]
}

@test "unknown commands and options: one line, exit 64" {
	fails 64 "unknown command 'frob'" frob
	fails 64 "unknown command 'domain frob'" domain frob
	fails 64 "unknown command 'help frob'|unknown command 'frob'" help frob
	fails 64 'invalid option "--frob"' domain list --frob
	fails 64 'invalid option "--frob"' --frob domain list
}

@test "global options are accepted before the group and after the verb" {
	ma domain add example.com
	run -0 ma --json domain list
	[ "$output" = '[
{"domain": "example.com", "domain_unicode": "example.com", "active": true, "mailboxes": 0, "max_mailboxes": 0, "aliases": 0, "max_aliases": 0, "quota": 0, "max_quota": 0, "domain_quota": 0, "require_auth": false, "backup_mx": false, "transport": "virtual", "alias_of": null, "created": "'"$(db_sql <<<"SELECT REPLACE(created, ' ', 'T') FROM domain")"'Z", "modified": "'"$(db_sql <<<"SELECT REPLACE(modified, ' ', 'T') FROM domain")"'Z", "description": ""}
]' ]
	run -0 ma domain list --json
	python3 -c 'import json,sys; json.loads(sys.argv[1])' "$output"
	run -0 "$MAILADM_BIN" domain list -c "$CFG"
	[ "$output" = example.com ]
	run -0 "$MAILADM_BIN" domain list --config="$CFG" -q
	[ "$output" = example.com ]
}

@test "the database comes from --db, else \$MAILADM_DB, else the config" {
	ma domain add from-config.example
	other=$BATS_TEST_TMPDIR/other.db
	"$MAILADM_BIN" --db "sqlite:$other" schema init
	"$MAILADM_BIN" --db "sqlite:$other" domain add from-flag.example
	run -0 ma --db "sqlite:$other" domain list
	[ "$output" = from-flag.example ]
	MAILADM_DB=sqlite:$other run -0 ma domain list
	[ "$output" = from-flag.example ]
	MAILADM_DB=sqlite:/nonexistent/x.db run -0 ma --db "sqlite:$other" domain list
	[ "$output" = from-flag.example ]
	run -0 ma domain list
	[ "$output" = from-config.example ]
	MAILADM_CONFIG=$CFG run -0 "$MAILADM_BIN" domain list
	[ "$output" = from-config.example ]
}

@test "--json errors are also a JSON object on stdout" {
	run --separate-stderr -68 ma --json domain show nope.example
	[ "$stderr" = "mailadm: domain show: no such domain 'nope.example'" ]
	[ "$output" = '{"error": {"code": 68, "message": "no such domain '"'nope.example'"'"}}' ]
	run --separate-stderr -64 ma --json domain frob
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["error"]["code"] == 64' "$output"
}

@test "config: an unknown key is 78 naming file and line" {
	printf '# comment\n\ndb = %s\nfrobnicate = 1\n' "$DB_URI" >"$CFG"
	fails 78 "$CFG:4: unknown key 'frobnicate'" domain list
}

@test "config: bad values are 78 naming file, line and value" {
	printf 'db = %s\nvmail_uid = 0\n' "$DB_URI" >"$CFG"
	fails 78 "$CFG:2: vmail_uid = '0': expected a numeric id above 0" domain list
	printf 'db = %s\nquota_multiplier = lots\n' "$DB_URI" >"$CFG"
	fails 78 "$CFG:2: quota_multiplier = 'lots'" domain list
	printf 'db = %s\njust words\n' "$DB_URI" >"$CFG"
	fails 78 "$CFG:2: expected 'key = value'" domain list
}

@test "config: a value may continue on lines that begin with white space" {
	printf 'db =\n   %s\n# done\n' "$DB_URI" >"$CFG"
	run -0 ma domain list
}

@test "config: missing or unreadable file is 66" {
	fails 66 "cannot read config '/nonexistent/mailadm.conf'" -c /nonexistent/mailadm.conf domain list
	fails 66 "cannot read config '$BATS_TEST_TMPDIR': Is a directory" -c "$BATS_TEST_TMPDIR" domain list
	MAILADM_CONFIG=/nonexistent/x.conf run --separate-stderr -66 "$MAILADM_BIN" domain list
	[[ $stderr == *"cannot read config '/nonexistent/x.conf'"* ]]
}

@test "an unreachable database is 69 with one line" {
	fails 69 "cannot open database 'sqlite:/nonexistent/dir/m.db'" --db sqlite:/nonexistent/dir/m.db domain list
	fails 69 "cannot connect to database 'mysql://nobody@127.0.0.1/x'" --db mysql://nobody@127.0.0.1:1/x domain list
	fails 69 "cannot connect" --db "mysql://nobody@localhost/x?socket=$BATS_TEST_TMPDIR/no.sock" domain list
}

@test "a malformed database URI is 78 and never echoes a password" {
	run --separate-stderr -78 ma --db mysql://u:s3cr3t@host:99999/db domain list
	[[ $stderr == *"invalid database URI"* ]]
	[[ $stderr != *s3cr3t* ]]
	fails 78 "invalid database URI" --db postgres://x/y domain list
}

@test "a write error on stdout is reported (74)" {
	ma domain add example.com
	run -74 bash -c '"$0" -c "$1" domain list >/dev/full' "$MAILADM_BIN" "$CFG"
	[[ $output == "mailadm: write error on standard output: No space left on device" ]]
}

@test "files the tool creates are private: a new SQLite store is not world-readable" {
	new=$BATS_TEST_TMPDIR/new.db
	run -0 "$MAILADM_BIN" --db "sqlite:$new" schema init
	[ "$(stat -c %a "$new")" = 640 ]
}
