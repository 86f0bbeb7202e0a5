#!/usr/bin/env bats
# completions/mailadm.bash: _mailadm fills COMPREPLY from the binary's hidden
# "mailadm __complete" command, for a command line set up as bash would.
load helper

setup() {
	setup_store
	ma domain add example.org
	ma domain add example.net
	ma domain add other.test
	ma domain add bücher.example
	ma domain alias add example.net example.org
	export MAILADM_COMPLETE_BIN=$MAILADM_BIN MAILADM_CONFIG=$CFG
	# shellcheck source=../../completions/mailadm.bash
	# MAILADM_COMPLETION_FILE: test another copy (to see these tests fail).
	source "${MAILADM_COMPLETION_FILE:-$TOP/completions/mailadm.bash}"
}

teardown() { teardown_db; }

# comp WORD…: complete the last WORD (use "" for an empty one) of the
# command line WORD…, as bash does for TAB.  $reply: COMPREPLY sorted, one
# per line; stderr of the completion goes to $BATS_TEST_TMPDIR/comp.err.
comp() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	unset COMP_LINE COMP_POINT
	COMPREPLY=(stale)
	_mailadm 2>"$BATS_TEST_TMPDIR/comp.err"
	reply=$(printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort)
}

# comp_line LINE WORD…: the same, with COMP_LINE as well, for words that
# readline split at '=' or ':' ("--config=F" arrives as --config = F).
comp_line() {
	local line=$1
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=(stale)
	_mailadm 2>"$BATS_TEST_TMPDIR/comp.err"
	reply=$(printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort)
}

# The reply must be exactly these words (in any order).
reply_is() {
	local want
	want=$(printf '%s\n' "$@" | LC_ALL=C sort)
	if [ "$reply" != "$want" ]; then
		echo "COMP_WORDS: ${COMP_WORDS[*]}"
		echo "want: $(echo $want)"
		echo "got:  $(echo $reply)"
		return 1
	fi
}

# The reply must contain each of these words.
reply_has() {
	local w
	for w in "$@"; do
		grep -qxF -- "$w" <<<"$reply" || {
			echo "COMP_WORDS: ${COMP_WORDS[*]}"
			echo "missing $w in: $(echo $reply)"
			return 1
		}
	done
}

# Every word of the reply must start with $1 (and there is at least one).
reply_all_start() {
	[ -n "$reply" ] || { echo "empty reply"; return 1; }
	local w
	while IFS= read -r w; do
		[[ $w == "$1"* ]] || { echo "'$w' does not start with '$1'"; return 1; }
	done <<<"$reply"
}

no_stderr() {
	[ ! -s "$BATS_TEST_TMPDIR/comp.err" ] || {
		cat "$BATS_TEST_TMPDIR/comp.err"
		return 1
	}
}

groups_of_binary() {
	"$MAILADM_BIN" __complete groups
}

@test "the completion is registered for mailadm" {
	run -0 complete -p mailadm
	[[ $output == *"-F _mailadm"* ]]
}

@test "position 1 completes the groups, help included" {
	comp mailadm ""
	reply_has domain schema help
	# shellcheck disable=SC2046
	reply_is $(groups_of_binary)
	no_stderr
	comp mailadm d
	reply_is domain
	comp mailadm sch
	reply_is schema
}

@test "the groups come after global options too" {
	comp mailadm -c "$CFG" ""
	reply_has domain schema help
	comp mailadm --json ""
	reply_has domain schema help
	comp mailadm --config "$CFG" -n --db "$DB_URI" ""
	reply_has domain schema help
	comp_line "mailadm --config=$CFG " mailadm --config = "$CFG" ""
	reply_has domain schema help
}

@test "position 1 with a dash completes the global options" {
	comp mailadm --
	reply_has --config --db --json --dry-run --quiet --verbose --help --version
	reply_all_start --
	comp mailadm --js
	reply_is --json
}

@test "the verbs of domain, and the second word of domain alias" {
	comp mailadm domain ""
	reply_has add set del list show enable disable alias
	# shellcheck disable=SC2046
	reply_is $("$MAILADM_BIN" __complete verbs domain)
	comp mailadm domain a
	reply_is add alias
	comp mailadm domain alias ""
	reply_is add del list
	comp mailadm domain alias l
	reply_is list
	comp mailadm --json domain alias ""
	reply_is add del list
}

@test "schema <TAB> gives init, upgrade and status" {
	comp mailadm schema ""
	reply_is init upgrade status
	comp mailadm schema u
	reply_is upgrade
	# No operand, no name from the database.
	comp mailadm schema status ""
	reply_is
}

@test "domain add --<TAB> gives its options and the global ones" {
	comp mailadm domain add --
	reply_has --quota --max-quota --domain-quota --require-auth --description \
	    --backup-mx --inactive --json --config --db --dry-run
	reply_all_start --
	# Only set has the options that undo a flag.
	if grep -qx -- --no-require-auth <<<"$reply"; then
		echo "domain add offers --no-require-auth"
		return 1
	fi
	comp mailadm domain add example.com --req
	reply_is --require-auth
}

@test "domain set --no-<TAB> gives the --no-* options only" {
	comp mailadm domain set example.org --no-
	reply_has --no-require-auth --no-backup-mx
	reply_all_start --no-
	comp mailadm domain set --no-r
	reply_is --no-require-auth
}

@test "options of a two-word verb and of list" {
	comp mailadm domain list --
	reply_has --long --json
	comp mailadm domain alias list --l
	reply_is --long
	comp mailadm domain del example.org --f
	reply_is --force
}

@test "domain show <TAB> and domain del ex<TAB> give the existing domains" {
	comp mailadm domain show ""
	reply_is example.net example.org other.test xn--bcher-kva.example
	no_stderr
	comp mailadm domain del ex
	reply_is example.net example.org
	comp mailadm domain enable o
	reply_is other.test
	comp mailadm domain show zzz
	reply_is
}

@test "a domain that is added shows up in the next completion" {
	comp mailadm domain show n
	reply_is
	ma domain add new.example
	comp mailadm domain show n
	reply_is new.example
}

@test "domain alias del <TAB> gives only the alias domains" {
	comp mailadm domain alias del ""
	reply_is example.net
	ma domain alias add other.test example.org
	comp mailadm domain alias del ""
	reply_is example.net other.test
}

@test "domain alias add completes two domains, then nothing" {
	comp mailadm domain alias add ""
	reply_has example.net example.org other.test
	comp mailadm domain alias add other.test ex
	reply_is example.net example.org
	comp mailadm domain alias add other.test example.org ""
	reply_is
}

@test "no names where the verb takes no operand or has it already" {
	comp mailadm domain list ""
	reply_is
	comp mailadm domain show example.org ""
	reply_is
	comp mailadm domain add ""
	reply_is
}

@test "the value of an option is not completed as a domain" {
	comp mailadm domain set example.org --description ""
	reply_is
	comp mailadm domain set example.org --quota ""
	reply_is
	# But after the value, the operand still is.
	comp mailadm domain set --description "Some text" ex
	reply_is example.net example.org
	comp mailadm domain set --quota=1G ex
	reply_is example.net example.org
	comp_line "mailadm domain set --quota=1G ex" \
	    mailadm domain set --quota = 1G ex
	reply_is example.net example.org
	comp_line "mailadm domain set --quota=" mailadm domain set --quota =
	reply_is
}

@test "help <TAB> gives the groups, then verbs, then second words" {
	comp mailadm help ""
	# shellcheck disable=SC2046
	reply_is $(groups_of_binary | grep -vx help)
	reply_has domain schema
	comp mailadm help domain ""
	reply_has add set del list show enable disable alias
	comp mailadm help domain alias ""
	reply_is add del list
	comp mailadm help schema s
	reply_is status
}

@test "-c <TAB> and --config <TAB> complete file names" {
	local d=$BATS_TEST_TMPDIR/conf
	mkdir -p "$d/sub"
	: >"$d/a.conf"
	: >"$d/b.conf"
	: >"$d/other"
	comp mailadm -c "$d/"
	reply_is "$d/a.conf" "$d/b.conf" "$d/other" "$d/sub"
	comp mailadm --config "$d/a"
	reply_is "$d/a.conf"
	comp mailadm domain show -c "$d/b"
	reply_is "$d/b.conf"
	# "--config=D/a": readline replaces only what follows the '='.
	comp_line "mailadm --config=$d/a" mailadm --config = "$d/a"
	reply_is "$d/a.conf"
	cd "$d"
	comp_line "mailadm --config=" mailadm --config =
	reply_is a.conf b.conf other sub
}

@test "-c FILE and --db URI typed on the line choose the database" {
	local other=$BATS_TEST_TMPDIR/other.db bad=$BATS_TEST_TMPDIR/bad.conf
	"$MAILADM_BIN" --db "sqlite:$other" schema init
	"$MAILADM_BIN" --db "sqlite:$other" domain add forwarded.example
	# --db on the line wins over MAILADM_CONFIG's database.
	comp mailadm --db "sqlite:$other" domain show ""
	reply_is forwarded.example
	comp mailadm domain show --db "sqlite:$other" ""
	reply_is forwarded.example
	comp mailadm --db="sqlite:$other" domain show ""
	reply_is forwarded.example
	comp_line "mailadm --db sqlite:$other domain show " \
	    mailadm --db sqlite : "$other" domain show ""
	reply_is forwarded.example
	# MAILADM_CONFIG names a database that does not exist; -c on the line
	# names the test's: the names come from the one on the line.
	printf 'db = sqlite:%s/nowhere/x.db\n' "$BATS_TEST_TMPDIR" >"$bad"
	export MAILADM_CONFIG=$bad
	comp mailadm domain show ""
	reply_is
	no_stderr
	comp mailadm -c "$CFG" domain show ""
	reply_is example.net example.org other.test xn--bcher-kva.example
	comp mailadm --config "$CFG" domain alias del ""
	reply_is example.net
	comp_line "mailadm --config=$CFG domain show ex" \
	    mailadm --config = "$CFG" domain show ex
	reply_is example.net example.org
}

@test "errors of the binary never reach the terminal" {
	export MAILADM_CONFIG=$BATS_TEST_TMPDIR/missing.conf
	comp mailadm domain show ""
	reply_is
	no_stderr
	comp mailadm nosuchgroup ""
	reply_is
	no_stderr
	comp mailadm domain nosuchverb ""
	reply_is
	no_stderr
}

@test "MAILADM_COMPLETE_BIN chooses the binary" {
	local fake=$BATS_TEST_TMPDIR/fake-mailadm
	printf '#!/bin/sh\n[ "$1 $2" = "__complete groups" ] && echo fakegroup\n' \
	    >"$fake"
	chmod +x "$fake"
	MAILADM_COMPLETE_BIN=$fake
	comp mailadm ""
	reply_is fakegroup
}

@test "alias del <TAB> and alias show <TAB> give the existing aliases" {
	ma alias add info@example.org x@elsewhere.test
	ma alias add @example.org x@elsewhere.test
	comp mailadm alias del ""
	reply_is @example.org info@example.org
	comp mailadm alias show in
	reply_is info@example.org
}

@test "pw, a group without verbs: its options, and -s <TAB> gives the schemes it makes" {
	comp mailadm pw ""
	reply_is
	comp mailadm pw -
	reply_has --list --long --scheme --test --password-stdin --json --config
	reply_all_start -
	comp mailadm pw --s
	reply_is --scheme
	comp mailadm pw -s ""
	# shellcheck disable=SC2046
	reply_is $("$MAILADM_BIN" pw -l --long | awk 'NR > 1 && $2 == "yes" { print $1 }')
	reply_has SHA512-CRYPT SHA256-CRYPT BLF-CRYPT YESCRYPT SSHA512 SSHA PLAIN
	no_stderr
	comp mailadm pw -s SSHA
	reply_is SSHA SSHA256 SSHA512
	comp mailadm --json pw --scheme SHA
	reply_is SHA512-CRYPT SHA256-CRYPT
	comp_line "mailadm pw --scheme=SS" mailadm pw --scheme = SS
	reply_is SSHA SSHA256 SSHA512
	# Schemes that can only be verified are not offered.
	comp mailadm pw -s DES
	reply_is
	comp mailadm pw -s MYSQL
	reply_is
	# After the value, options again; nothing for -t HASH.
	comp mailadm pw -s SSHA --pass
	reply_is --password-stdin
	comp mailadm pw -t ""
	reply_is
	comp mailadm help pw ""
	reply_is
}

@test "user import <TAB> and batch <TAB> complete file names, then nothing" {
	local d=$BATS_TEST_TMPDIR/files
	mkdir -p "$d"
	: >"$d/accounts.csv"
	: >"$d/changes.txt"
	comp mailadm user import "$d/a"
	reply_is "$d/accounts.csv"
	comp mailadm batch "$d/"
	reply_is "$d/accounts.csv" "$d/changes.txt"
	comp mailadm batch "$d/changes.txt" ""
	reply_is
	comp mailadm batch --k
	reply_is --keep-going
	comp mailadm user import --no
	reply_is --no-maildir
	no_stderr
}

@test "migrate: its verbs, the dump file, --preset and --charset values, files for --map" {
	local d=$BATS_TEST_TMPDIR/files
	mkdir -p "$d"
	: >"$d/postfix.sql"
	: >"$d/custom.map"
	comp mailadm migrate ""
	reply_is plan run verify
	comp mailadm migrate run "$d/p"
	reply_is "$d/postfix.sql"
	comp mailadm migrate run "$d/postfix.sql" --preset ""
	reply_is flurdy postfixadmin-2
	comp mailadm migrate plan "$d/postfix.sql" --preset p
	reply_is postfixadmin-2
	comp_line "mailadm migrate plan x --preset=fl" mailadm migrate plan x --preset = fl
	reply_is flurdy
	comp mailadm migrate plan "$d/postfix.sql" --charset ""
	reply_is auto utf8 latin1
	comp mailadm migrate run "$d/postfix.sql" --map "$d/c"
	reply_is "$d/custom.map"
	comp mailadm migrate run "$d/postfix.sql" --map "$d/custom.map" --up
	reply_is --update
	comp mailadm migrate run "$d/postfix.sql" --new
	reply_is --new-passwords
	comp mailadm migrate plan "$d/postfix.sql" ""
	reply_is
	no_stderr
}

@test "migrate --maildirs <TAB> and config --dir <TAB> complete directories only" {
	local d=$BATS_TEST_TMPDIR/files
	mkdir -p "$d/vmail-old" "$d/vmail-new"
	: >"$d/vmail.sql"
	comp mailadm migrate run "$d/vmail.sql" --maildirs "$d/v"
	reply_is "$d/vmail-new" "$d/vmail-old"
	comp mailadm migrate verify "$d/vmail.sql" --preset flurdy --maildirs "$d/vmail-o"
	reply_is "$d/vmail-old"
	comp mailadm config postfix --dir "$d/vmail-n"
	reply_is "$d/vmail-new"
	no_stderr
}
