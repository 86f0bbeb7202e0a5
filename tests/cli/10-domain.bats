#!/usr/bin/env bats
# mailadm domain … on the backend chosen by MAILADM_TEST_BACKEND.
load helper

setup() { setup_store; }
teardown() { teardown_db; }

@test "domain add stores a lower-case name without its trailing dot" {
	run -0 ma domain add Example.COM.
	[ -z "$output" ]
	run -0 ma domain list
	[ "$output" = example.com ]
	[ "$(db_sql <<<"SELECT domain, transport, active FROM domain")" = \
	    $'example.com\tvirtual\t1' ]
}

@test "an internationalized name is stored as its A-label and shown in both forms" {
	run -0 ma domain add café.fr
	[ "$(db_sql <<<"SELECT domain FROM domain")" = xn--caf-dma.fr ]
	run -0 ma domain show CAFÉ.fr
	[ "$(field domain <<<"$output")" = xn--caf-dma.fr ]
	[ "$(field domain_unicode <<<"$output")" = café.fr ]
	run -0 ma domain show xn--caf-dma.fr
	[ "$(field domain_unicode <<<"$output")" = café.fr ]
}

@test "domain add with every option, shown as key: value and as JSON" {
	run -0 ma domain add example.org --description "Société X" --quota 100M \
	    --max-quota 1G --domain-quota 10G --max-mailboxes 50 \
	    --max-aliases disabled --transport lmtp:unix:private/lmtp \
	    --backup-mx --require-auth --inactive
	run -0 ma domain show example.org
	[ "$(field description <<<"$output")" = "Société X" ]
	[ "$(field quota <<<"$output")" = 100M ]
	[ "$(field max_quota <<<"$output")" = 1G ]
	[ "$(field domain_quota <<<"$output")" = 10G ]
	[ "$(field max_mailboxes <<<"$output")" = 50 ]
	[ "$(field max_aliases <<<"$output")" = disabled ]
	[ "$(field transport <<<"$output")" = lmtp:unix:private/lmtp ]
	[ "$(field backup_mx <<<"$output")" = yes ]
	[ "$(field require_auth <<<"$output")" = yes ]
	[ "$(field active <<<"$output")" = no ]
	run -0 ma --json domain show example.org
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["domain"] == "example.org", d
assert d["quota"] == 100 * 2**20 and d["max_quota"] == 2**30
assert d["domain_quota"] == 10 * 2**30 and d["max_aliases"] == -1
assert d["active"] is False and d["require_auth"] is True
assert d["backup_mx"] is True and d["alias_of"] is None
assert d["created"].endswith("Z") and "T" in d["created"]
' "$output"
	# Postfixadmin's units: MB of quota_multiplier bytes (1048576 here).
	[ "$(db_sql <<<"SELECT maxquota, quota, default_quota, aliases, smtp_auth FROM domain")" = \
	    $'1024\t10240\t104857600\t-1\t1' ]
}

@test "quotas that are not whole units of quota_multiplier are rounded down with a warning" {
	write_config "quota_multiplier = 1024000"
	run --separate-stderr -0 ma domain add example.net --max-quota 1G
	[[ $stderr == *"warning: max quota 1G stored as 1048000K"* ]]
	[ "$(db_sql <<<"SELECT maxquota FROM domain")" = 1048 ]
	# Less than one unit would read back as 0, "unlimited": refused.
	fails 65 "invalid max quota 512K: less than one quota unit" domain set example.net --max-quota 512K
}

@test "domain list is one name per line; --long is a table; --json an array" {
	ma domain add b.example
	ma domain add a.example --description "first one"
	run -0 ma domain list
	[ "$output" = $'a.example\nb.example' ]
	run -0 ma domain list --long
	[[ ${lines[0]} == domain*active*mailboxes*description ]]
	[[ ${lines[1]} == a.example*yes*"first one" ]]
	[ "${#lines[@]}" -eq 3 ]
	run -0 ma domain list --json
	python3 -c '
import json, sys
a = json.loads(sys.argv[1])
assert [d["domain"] for d in a] == ["a.example", "b.example"], a
' "$output"
	db_sql <<<"DELETE FROM domain"
	run -0 ma --json domain list
	[ "$output" = "[]" ]
}

@test "domain set changes only what it is given; a missing domain is 68" {
	ma domain add example.com --description old --max-mailboxes 5
	run -0 ma domain set example.com --max-aliases 7 --require-auth
	run -0 ma domain show example.com
	[ "$(field description <<<"$output")" = old ]
	[ "$(field max_mailboxes <<<"$output")" = 5 ]
	[ "$(field max_aliases <<<"$output")" = 7 ]
	[ "$(field require_auth <<<"$output")" = yes ]
	run -0 ma domain set example.com --no-require-auth --inactive
	run -0 ma domain show example.com
	[ "$(field require_auth <<<"$output")" = no ]
	[ "$(field active <<<"$output")" = no ]
	fails 68 "no such domain 'nope.example'" domain set nope.example --description x
	fails 64 "nothing to change" domain set example.com
	fails 64 "exclude each other" domain set example.com --active --inactive
}

@test "enable and disable flip the active flag and are logged" {
	ma domain add example.com
	run -0 ma domain disable example.com
	[ "$(db_sql <<<"SELECT active FROM domain")" = 0 ]
	run -0 ma domain enable EXAMPLE.com
	[ "$(db_sql <<<"SELECT active FROM domain")" = 1 ]
	[ "$(db_sql <<<"SELECT action, data FROM log ORDER BY id")" = \
	    $'create_domain\texample.com\nedit_domain\texample.com active=0\nedit_domain\texample.com active=1' ]
	fails 68 "no such domain" domain disable nope.example
}

@test "every change writes one log row naming who made it" {
	ma domain add example.com
	run -0 db_sql <<<"SELECT username, domain, action FROM log"
	[ "$output" = "$(id -un) (mailadm)"$'\texample.com\tcreate_domain' ]
	[ "$(db_sql <<<"SELECT COUNT(*) FROM log WHERE timestamp > '2020-01-01'")" = 1 ]
}

@test "domain show of a missing domain is 68 with one line" {
	fails 68 "domain show: no such domain 'nope.example'" domain show nope.example
}

@test "domain del refuses while mailboxes, aliases or alias domains exist, unless --force" {
	ma domain add example.com
	ma domain add example.net
	# Mailboxes come in a later release; write Postfixadmin-style rows.
	db_sql <<'SQL'
INSERT INTO mailbox (username, password, name, maildir, local_part, domain)
  VALUES ('bob@example.com', 'x', 'Bob', 'example.com/bob/', 'bob', 'example.com');
INSERT INTO alias (address, goto, domain)
  VALUES ('bob@example.com', 'bob@example.com', 'example.com'),
         ('info@example.com', 'bob@example.com', 'example.com');
SQL
	ma domain alias add example.net example.com
	fails 73 "still has 1 mailboxes, 1 aliases and 1 alias domains.*--force" \
	    domain del example.com
	run -0 ma domain del example.com --force
	[ "$(db_sql <<<"SELECT COUNT(*) FROM mailbox")" = 0 ]
	[ "$(db_sql <<<"SELECT COUNT(*) FROM alias")" = 0 ]
	[ "$(db_sql <<<"SELECT COUNT(*) FROM alias_domain")" = 0 ]
	[ "$(db_sql <<<"SELECT domain FROM domain")" = example.net ]
	[ "$(db_sql <<<"SELECT action FROM log ORDER BY id DESC LIMIT 1")" = delete_domain ]
	fails 68 "no such domain 'example.com'" domain del example.com
}

@test "an empty domain is deleted without --force" {
	ma domain add example.com
	run -0 ma domain del example.com
	[ "$(db_sql <<<"SELECT COUNT(*) FROM domain")" = 0 ]
}

@test "--dry-run validates and reports but changes nothing" {
	ma domain add example.com
	before=$(db_dump)
	run --separate-stderr -0 ma --dry-run domain add example.org --require-auth
	[[ $stderr == *"dry run, would do: create_domain example.org require_auth=1"* ]]
	run --separate-stderr -0 ma domain del example.com -n --force
	[[ $stderr == *"would do: delete_domain example.com"* ]]
	run -0 ma domain set example.com --description x -n
	[ "$before" = "$(db_dump)" ]
	# Validation still runs: a duplicate is still an error.
	fails 73 "already exists" -n domain add example.com
}

@test "alias domains: add, list, show, del, and their errors" {
	ma domain add example.com
	ma domain add example.net
	run -0 ma domain alias add example.net example.com
	run -0 ma domain alias list
	[ "$output" = example.net ]
	run -0 ma domain alias list --long
	[[ ${lines[1]} == example.net*example.com*yes ]]
	run -0 ma domain show example.net
	[ "$(field alias_of <<<"$output")" = example.com ]
	fails 73 "alias domain 'example.net' already exists" domain alias add example.net example.com
	fails 65 "cannot point to itself" domain alias add example.com example.com
	fails 68 "no such domain 'missing.example'.*domain add" domain alias add missing.example example.com
	fails 68 "no such domain 'missing.example'" domain alias add example.com missing.example
	ma domain add example.org
	fails 65 "is itself an alias domain" domain alias add example.org example.net
	fails 65 "'example.com' is the target of other alias domains" domain alias add example.com example.org
	run -0 ma domain alias del example.net
	[ "$(db_sql <<<"SELECT COUNT(*) FROM alias_domain")" = 0 ]
	fails 68 "no such alias domain" domain alias del example.net
}

@test "bad domain names: one line naming the value, exit 65, nothing changed" {
	ma domain add example.com
	long=$(printf 'a%.0s' {1..300}).com
	label=$(printf 'b%.0s' {1..64}).com
	fails 65 "invalid domain '': empty" domain add ''
	fails 65 "invalid domain 'a{60}\.\.\.': longer than 253" domain add "$long"
	fails 65 "label is longer than 63" domain add "$label"
	fails 65 "invalid domain 'exa mple.com': contains a space" domain add 'exa mple.com'
	fails 65 "invalid domain ''; DROP TABLE domain; --'" domain add "'; DROP TABLE domain; --"
	fails 65 "invalid domain '\\\\xff\\\\xfe.com': not valid UTF-8" domain add $'\xff\xfe.com'
	fails 65 "control character" domain add $'a\tb.com'
	fails 65 "at least two labels" domain add localhost
	fails 65 "all digits" domain add 192.168.0.1
	fails 65 "begins or ends with a hyphen" domain add -- -x.com
	fails 65 "only letters, digits" domain add 'a_b.com'
	fails 65 "only letters, digits" domain add 'a/../b.com'
	# Exactly at the limits is fine.
	run -0 ma domain add "$(printf 'c%.0s' {1..63}).com"
}

@test "bad option values: exit 65 or 64, nothing changed" {
	fails 65 "invalid size '1.5G': fractions" domain add x.example --quota 1.5G
	fails 65 "invalid size '10Q': unknown unit" domain add x.example --max-quota 10Q
	fails 65 "invalid size '99999999999999999999': too large" domain add x.example --domain-quota 99999999999999999999
	fails 65 "invalid count 'lots'" domain add x.example --max-mailboxes lots
	fails 65 "invalid count '9999999999'" domain add x.example --max-aliases 9999999999
	fails 65 "invalid transport 'a b'" domain add x.example --transport 'a b'
	fails 65 "invalid description.*control character" domain add x.example --description $'a\nb'
	fails 65 "invalid description.*not valid UTF-8" domain add x.example --description $'\xe9t\xe9'
	fails 65 "longer than 255 characters" domain add x.example --description "$(printf 'é%.0s' {1..256})"
	fails 64 'invalid option "--bogus"' domain add x.example --bogus
	fails 64 "missing option DOMAIN|DOMAIN" domain add
	fails 64 "excess option b.example" domain add a.example b.example
	fails 64 "unknown command 'domain frob'" domain frob
	# An option-looking value is taken as the option's value, not an option.
	run -0 ma domain add x.example --description --json
	[ "$(db_sql <<<"SELECT description FROM domain")" = --json ]
}

@test "eight processes adding the same domain: one succeeds, seven exit 73" {
	for i in 1 2 3 4 5 6 7 8; do
		( rc=0
		  ma domain add race.example >"$BATS_TEST_TMPDIR/out$i" \
		      2>"$BATS_TEST_TMPDIR/err$i" || rc=$?
		  echo $rc >"$BATS_TEST_TMPDIR/rc$i" ) &
	done
	wait
	codes=$(cat "$BATS_TEST_TMPDIR"/rc* | sort | tr '\n' ' ')
	[ "$codes" = "0 73 73 73 73 73 73 73 " ]
	[ -z "$(cat "$BATS_TEST_TMPDIR"/out*)" ]
	for i in 1 2 3 4 5 6 7 8; do
		if [ "$(cat "$BATS_TEST_TMPDIR/rc$i")" = 73 ]; then
			[ "$(cat "$BATS_TEST_TMPDIR/err$i")" = \
			    "mailadm: domain add: domain 'race.example' already exists" ]
		else
			[ ! -s "$BATS_TEST_TMPDIR/err$i" ]
		fi
	done
	[ "$(db_sql <<<"SELECT COUNT(*) FROM domain")" = 1 ]
	[ "$(db_sql <<<"SELECT COUNT(*) FROM log")" = 1 ]
}
