#!/usr/bin/env bash
# Benchmark making mailboxes in bulk, in one run on one private MariaDB
# server, a fresh database per method.  See bench/README.md.
#
# Part 1: the same 1,000 accounts made by `mailadm user add` (one process
# per account, pre-hashed passwords; also a few with --password-stdin and
# the default scheme), one `mailadm user import`, one `mailadm batch`,
# Postfixadmin's `postfixadmin-cli mailbox add` (one process per account),
# and the mariadb client loading the rows mailadm writes; `user add` on
# SQLite too.
# Part 2: `mailadm user import` of 100,000 pre-hashed accounts beside the
# mariadb client loading the same rows in one transaction, and the peak
# memory of the import at 10,000 and 100,000 accounts.
#
# Prints the tables on stdout; progress goes to stderr.  Exits non-zero only
# when the benchmark itself could not run: the targets are reported, not
# enforced.
#
# Knobs (environment):
#   BENCH_USERS=1000        part 1: accounts made by each method
#   BENCH_STDIN_USERS=200   part 1: accounts made by `user add --password-stdin`
#                           with the default scheme (0: skip)
#   BENCH_PFA_USERS=1000    part 1: accounts made by postfixadmin-cli (0: skip)
#   BENCH_ROUNDS=5          part 1 runs in this many rounds, every method in
#                           each (a rotated order): the one-process-per-account
#                           methods make 1/ROUNDS of their accounts per round,
#                           the one-file methods all of them, into a fresh
#                           database each round
#   BENCH_BIG="10000 100000"  part 2: import sizes; peak memory is compared
#                           between the first and the last, and the last is
#                           also loaded by the client (empty: skip part 2)
#   BENCH_BIG_ROUNDS=3      part 2: times the last size is imported and loaded,
#                           in turn (medians are shown)
#   BENCH_BIG_DOMAINS=100   part 2: domains the accounts are spread over
#   BENCH_BIG_MAILDIRS=2000 part 2: accounts imported with their Maildirs
#                           (0: skip)
#   BENCH_BIG_INTERLEAVED=1 part 2: also import the last size with each
#                           account in the next domain (0: skip)
#   BENCH_KEEP=0            1: keep the work directory (its path is printed)
#   MAILADM_BIN=./mailadm   the binary to measure
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MAILADM=${MAILADM_BIN:-$TOP/mailadm}
NUSERS=${BENCH_USERS:-1000}
NSTDIN=${BENCH_STDIN_USERS:-200}
NPFA=${BENCH_PFA_USERS:-1000}
ROUNDS=${BENCH_ROUNDS:-5}
BIG=${BENCH_BIG-10000 100000}
BIG_ROUNDS=${BENCH_BIG_ROUNDS:-3}
BIG_DOMAINS=${BENCH_BIG_DOMAINS:-100}
BIG_MAILDIRS=${BENCH_BIG_MAILDIRS:-2000}
BIG_INTERLEAVED=${BENCH_BIG_INTERLEAVED:-1}
NHASHES=16	# distinct password hashes the accounts share
DOMAIN=example.org	# the domain of part 1

whole_numbers NUSERS NSTDIN NPFA ROUNDS BIG_ROUNDS BIG_DOMAINS BIG_MAILDIRS BIG_INTERLEAVED
for n in $BIG; do whole_numbers n; done
[ "$ROUNDS" -ge 1 ] || die "BENCH_ROUNDS must be at least 1"
[ "$NUSERS" -ge "$ROUNDS" ] || die "need BENCH_USERS >= BENCH_ROUNDS"
# those methods make the first of the same accounts
[ "$NSTDIN" -le "$NUSERS" ] || die "need BENCH_STDIN_USERS <= BENCH_USERS"
[ "$NPFA" -le "$NUSERS" ] || die "need BENCH_PFA_USERS <= BENCH_USERS"
[ "$BIG_ROUNDS" -ge 1 ] || die "BENCH_BIG_ROUNDS must be at least 1"
[ "$BIG_DOMAINS" -ge 1 ] || die "BENCH_BIG_DOMAINS must be at least 1"
[ -x "$MAILADM" ] || die "no $MAILADM: run 'make' first (or 'make bench')"
need_commands sqlite3 md5sum
[ -x /usr/bin/time ] || die "/usr/bin/time is not installed (package time)"
[ "$NPFA" -eq 0 ] || need_commands php dpkg-deb

# Both overrides would win over the config files we write.
unset MAILADM_DB MAILADM_CONFIG

bench_workdir
T_START=$EPOCHREALTIME
say "work directory $WORK"
# Measure a private copy: a rebuild of ./mailadm during the run (others work
# in this tree) must not swap the binary under the benchmark.
cp "$MAILADM" "$WORK/mailadm" || die "cannot copy $MAILADM"
MAILADM=$WORK/mailadm
mkdir "$WORK/cfg" "$WORK/vmail" "$WORK/in"
SAMPLES=$WORK/samples.tsv	# "method<TAB>seconds" per timed call
CPU_SAMPLES=$WORK/cpu.tsv	# "method<TAB>clock ticks" per timed call
: >"$SAMPLES"
: >"$CPU_SAMPLES"
CLK_TCK=$(getconf CLK_TCK)

# Does this mailadm have GROUP VERB?  The bench also runs against builds
# that predate `user import` or `batch`; their lines then say so.
has_verb() { "$MAILADM" "$@" --help >/dev/null 2>&1; }
HAS_IMPORT=0 HAS_BATCH=0 IMPORT_NO_MAILDIR=
if has_verb user import; then HAS_IMPORT=1; fi
if has_verb batch; then HAS_BATCH=1; fi
if [ $HAS_IMPORT = 1 ] && "$MAILADM" user import --help 2>&1 | grep -q -- --no-maildir; then
	IMPORT_NO_MAILDIR=--no-maildir
fi

# ------------------------------------------------------------- databases
# mk_db NAME BACKEND DOMAINS_FILE: a fresh database with mailadm's schema
# and the domains of the file, made by mailadm; sets CFG to its config.
mk_db() {
	local name=$1 b=$2 doms=$3 d
	CFG=$WORK/cfg/$name.conf
	mkdir "$WORK/vmail/$name"
	{
		case $b in
		mysql) printf 'db = mysql://root@localhost/%s?socket=%s\n' "$name" "$MARIADB_SOCKET" ;;
		sqlite) printf 'db = sqlite:%s\n' "$WORK/$name.db" ;;
		esac
		printf 'vmail_base = %s\n' "$WORK/vmail/$name"
		# Maildirs belong to vmail_uid, which may not be 0; as another
		# user, only our own ids are ours to give.
		if [ "$(id -u)" -ne 0 ]; then
			printf 'vmail_uid = %s\nvmail_gid = %s\n' "$(id -u)" "$(id -g)"
		fi
	} >"$CFG"
	if [ "$b" = mysql ]; then
		echo "CREATE DATABASE $name" | mariadb_sql "$MYSQL_DIR" || die "CREATE DATABASE $name failed"
	fi
	"$MAILADM" -c "$CFG" schema init >/dev/null || die "$name: mailadm schema init failed"
	while read -r d; do
		"$MAILADM" -c "$CFG" domain add "$d" </dev/null >/dev/null ||
			die "$name: mailadm domain add $d failed"
	done <"$doms"
}

drop_db() { # NAME BACKEND
	case $2 in
	mysql) echo "DROP DATABASE $1" | mariadb_sql "$MYSQL_DIR" || die "DROP DATABASE $1 failed" ;;
	sqlite) rm -f "$WORK/$1.db" ;;
	esac
	rm -rf "${WORK:?}/vmail/$1"
}

sql_in() { # NAME BACKEND QUERY: tab-separated rows
	case $2 in
	mysql) mariadb_sql "$MYSQL_DIR" "$1" <<<"$3" ;;
	sqlite) sqlite3 -batch -bail -separator "$(printf '\t')" "$WORK/$1.db" "$3" ;;
	esac
}

# "mailboxes<TAB>self aliases<TAB>digest": the digest covers every column
# of the mailbox, alias and mailbox log rows but the times, so two ways of
# making the same accounts can be checked to have written the same rows.
content_of() { # NAME BACKEND
	sql_in "$1" "$2" "SELECT 'm', username, password, name, maildir, quota,
	    local_part, domain, active FROM mailbox;
	    SELECT 'a', address, goto, domain, active FROM alias;
	    SELECT 'l', username, domain, action, data FROM log
	    WHERE action = 'create_mailbox'" |
		sort >"$WORK/content.txt"
	printf '%s\t%s\n' "$(awk -F '\t' '$1 == "m" { m++ } $1 == "a" && $2 == $3 { a++ }
		END { printf "%d\t%d", m, a }' "$WORK/content.txt")" \
		"$(md5sum <"$WORK/content.txt" | cut -c1-12)"
}

# Check NAME has N mailboxes, each with its self alias; prints the digest.
expect_accounts() { # NAME BACKEND N
	local c m a sum
	c=$(content_of "$1" "$2")
	IFS=$'\t' read -r m a sum <<<"$c"
	if [ "$m" != "$3" ] || [ "$a" != "$3" ]; then
		die "$1: expected $3 mailboxes and self aliases, found $m and $a"
	fi
	printf '%s\n' "$sum"
}

# -------------------------------------------------------------- the data
# Accounts, one per line: address, local part, domain, hash, name, quota
# (a SIZE, or empty for the domain's default).  Account I is uI at one of
# the ND domains of DOMAINS_FILE: "grouped", each domain's accounts in a
# block, as in an export sorted by domain; "interleaved", the domains in
# turn, as in an export sorted by anything else.  One in ten hashes carries
# Dovecot's {SHA512-CRYPT} prefix; every other account has a 1G quota.
gen_accounts() { # N DOMAINS_FILE grouped|interleaved
	awk -v n="$1" -v order="$3" -v hashes="$WORK/in/hashes" -v OFS='\t' '
	NR == FNR { dom[nd++] = $0; next }
	END {
		while ((getline h <hashes) > 0) hash[nh++] = h
		for (i = 1; i <= n; i++) {
			d = dom[order == "grouped" ? int((i - 1) * nd / n) : i % nd]
			h = hash[i % nh]
			if (i % 10 == 0) h = "{SHA512-CRYPT}" h
			print "u" i "@" d, "u" i, d, h, "User " i, i % 2 ? "" : "1G"
		}
	}' "$2"
}

to_csv() {
	awk -F '\t' 'BEGIN { print "address,password,name,quota" }
	{ print $1 "," $4 "," $5 "," $6 }'
}

to_batch() {
	awk -F '\t' -v q="'" '{
		printf "user add %s --password-hash %s%s%s --name %s%s%s", $1, q, $4, q, q, $5, q
		if ($6 != "") printf " --quota %s", $6
		printf "\n"
	}'
}

# The rows mailadm writes for each account (lib/mailbox.c insert_rows: the
# mailbox row and its self alias; lib/log.c: its log row, ACTOR being what
# mailadm names the one who acts), as multi-row INSERTs in one transaction:
# the fastest way the client has to load them.
to_sql() {
	awk -F '\t' -v q="'" -v actor="$ACTOR" '
	function flush(   k) {
		if (n == 0) return
		print "INSERT INTO mailbox (username, password, name, maildir, quota, " \
		    "local_part, domain, created, modified, active) VALUES"
		for (k = 1; k <= n; k++) print mbx[k] (k < n ? "," : ";")
		print "INSERT INTO alias (address, goto, domain, created, modified, active) VALUES"
		for (k = 1; k <= n; k++) print ali[k] (k < n ? "," : ";")
		print "INSERT INTO log (timestamp, username, domain, action, data) VALUES"
		for (k = 1; k <= n; k++) print lg[k] (k < n ? "," : ";")
		n = 0
	}
	BEGIN { print "BEGIN;"; ts = q "2024-01-01 00:00:00" q }
	{
		quota = $6 == "1G" ? 1073741824 : 0
		mbx[++n] = sprintf("(%s%s%s, %s%s%s, %s%s%s, %s%s/%s/%s, %d, %s%s%s, %s%s%s, %s, %s, 1)",
		    q, $1, q, q, $4, q, q, $5, q, q, $3, $2, q, quota, q, $2, q, q, $3, q, ts, ts)
		ali[n] = sprintf("(%s%s%s, %s%s%s, %s%s%s, %s, %s, 1)",
		    q, $1, q, q, $1, q, q, $3, q, ts, ts)
		lg[n] = sprintf("(%s, %s%s%s, %s%s%s, %screate_mailbox%s, %s%s quota=%d%s)",
		    ts, q, actor, q, q, $3, q, q, q, q, $1, quota, q)
		if (n == 1000) flush()
	}
	END { flush(); print "COMMIT;" }'
}

gen_inputs() {
	local i
	say "hashing $NHASHES passwords"
	for ((i = 1; i <= NHASHES; i++)); do
		"$MAILADM" pw -s SHA512-CRYPT --password-stdin <<<"Bench${i}pw42" ||
			die "mailadm pw failed"
	done >"$WORK/in/hashes"
	echo "$DOMAIN" >"$WORK/in/p1.domains"
	mk_db actor sqlite "$WORK/in/p1.domains"
	ACTOR=$(sql_in actor sqlite "SELECT username FROM log")
	case $ACTOR in *"'"* | *\\*) die "cannot quote '$ACTOR' in SQL" ;; esac
	drop_db actor sqlite
	gen_accounts "$NUSERS" "$WORK/in/p1.domains" grouped >"$WORK/in/p1.tsv"
	to_csv <"$WORK/in/p1.tsv" >"$WORK/in/p1.csv"
	to_batch <"$WORK/in/p1.tsv" >"$WORK/in/p1.batch"
	to_sql <"$WORK/in/p1.tsv" >"$WORK/in/p1.sql"
	mapfile -t P1 <"$WORK/in/p1.tsv"
}

# ------------------------------------------------------------- measuring
# timed KEY COMMAND...: run it once, append "KEY<TAB>seconds" to $SAMPLES.
# Its output is dropped, its stderr kept for the message if it fails.
# Its CPU time goes to $CPU_SAMPLES the same way, in clock ticks.
timed() {
	local key=$1 t0 t1 d c0 c1
	shift
	child_ticks c0
	t0=$EPOCHREALTIME
	if ! "$@" >/dev/null 2>"$WORK/timed.err"; then
		tail -n 5 "$WORK/timed.err" >&2
		die "$key: a timed call failed (its stderr above)"
	fi
	t1=$EPOCHREALTIME
	child_ticks c1
	elapsed d "$t0" "$t1"
	printf '%s\t%s\n' "$key" "$d" >>"$SAMPLES"
	printf '%s\t%d\n' "$key" $((c1 - c0)) >>"$CPU_SAMPLES"
}

# VAR = the CPU time (user and system, in clock ticks) of the children this
# shell has waited for, from /proc without a fork.  The kernel adds them up
# exactly, so a sum of differences is exact to a tick, whatever the calls'
# lengths.
child_ticks() {
	local stat
	local -a f
	read -r stat <"/proc/$$/stat"
	# after "pid (comm) ": state is field 0, cutime 13 and cstime 14
	read -r -a f <<<"${stat##*) }"
	printf -v "$1" '%d' $((f[13] + f[14]))
}

# The methods of part 1, each of a KIND:
#   user_add, pfa, floor: one process per account.  setup_KIND KEY runs
#     before the rounds; round_KIND KEY ROUND FIRST LAST makes accounts
#     FIRST..LAST (timed); done_KIND KEY, after the rounds, checks the rows
#     and sets SUM[KEY] to their digest, or "-" when it is not to be compared.
#   one_file: each round, a fresh database filled by load_KEY DB (timed).
# BACKEND, ACCOUNTS (in its database), PER_CALL (accounts per timed call)
# and LABEL describe it.
METHODS=()
declare -A KIND=() BACKEND=() ACCOUNTS=() PER_CALL=() LABEL=() SUM=() CFG_OF=()
method() { # KEY KIND BACKEND ACCOUNTS LABEL
	METHODS+=("$1")
	KIND[$1]=$2 BACKEND[$1]=$3 ACCOUNTS[$1]=$4 PER_CALL[$1]=1 LABEL[$1]=$5
	[ "$2" != one_file ] || PER_CALL[$1]=$4
}

# Account I of part 1: sets ADDR, NAME, QUOTA, PW (its clear password) and
# ARGS, the words of `mailadm user add` after "add": ADDRESS --name NAME
# [--quota SIZE] and --password-hash HASH, or --password-stdin for "stdin".
account_args() { # I hash|stdin
	local hash
	IFS=$'\t' read -r ADDR _ _ hash NAME QUOTA <<<"${P1[$1 - 1]}"
	ARGS=("$ADDR" --name "$NAME")
	[ -z "$QUOTA" ] || ARGS+=(--quota "$QUOTA")
	case $2 in
	hash) ARGS+=(--password-hash "$hash") ;;
	stdin) ARGS+=(--password-stdin) ;;
	esac
	PW="Bench$(($1 % NHASHES + 1))pw42"
}

# `mailadm user add`: key "stdin" gives clear passwords on its stdin, hashed
# with the default scheme; the others give the hashes, "add_nomd" with
# --no-maildir.
setup_user_add() { mk_db "u_$1" "${BACKEND[$1]}" "$WORK/in/p1.domains"; CFG_OF[$1]=$CFG; }
round_user_add() {
	local i mode=hash
	local -a more=()
	case $1 in
	stdin) mode=stdin ;;
	add_nomd) more=(--no-maildir) ;;
	esac
	for ((i = $3; i <= $4; i++)); do
		account_args "$i" "$mode"
		timed "$1" "$MAILADM" -c "${CFG_OF[$1]}" user add "${ARGS[@]}" "${more[@]}" <<<"$PW"
	done
}
done_user_add() {
	SUM[$1]=$(expect_accounts "u_$1" "${BACKEND[$1]}" "${ACCOUNTS[$1]}")
	[ "$1" = stdin ] || return 0
	SUM[$1]=-
	# the default scheme, as stored
	# shellcheck disable=SC2016  # the $ are the hashes' own
	case $(sql_in "u_$1" "${BACKEND[$1]}" "SELECT password FROM mailbox LIMIT 1") in
	'$6$'*) LABEL[$1]+=" (SHA512-CRYPT)" ;;
	'$5$'*) LABEL[$1]+=" (SHA256-CRYPT)" ;;
	'$y$'*) LABEL[$1]+=" (YESCRYPT)" ;;
	'$2'?'$'*) LABEL[$1]+=" (BLF-CRYPT)" ;;
	esac
}

# Postfixadmin 3.3.13 unpacked and configured by tests/lib/postfixadmin-db.sh
# (its private helpers: they read type, name and socket from here), its
# schema made by its own upgrade.php; the domain takes any number of
# mailboxes of any size, as mailadm's does.
setup_pfa() {
	local type=mysqli name=u_$1 socket=$MARIADB_SOCKET log scheme
	# shellcheck source=tests/lib/postfixadmin-db.sh
	. "$TOP/tests/lib/postfixadmin-db.sh"
	echo "CREATE DATABASE $name" | mariadb_sql "$MYSQL_DIR" || die "CREATE DATABASE $name failed"
	mkdir "$WORK/pfa"
	log=$WORK/pfa/postfixadmin.log
	PFA=$(_pfa_tree "$WORK/pfa") || die "cannot unpack Postfixadmin"
	_pfa_upgrade "$PFA" "$log" || die "Postfixadmin's upgrade.php failed"
	_pfa_cli "$PFA" "$log" domain add "$DOMAIN" --mailboxes 0 --aliases 0 \
		--maxquota 0 --quota 0 --default-aliases n || die "postfixadmin-cli domain add failed"
	scheme=$(sed -n "s/^\$CONF\['encrypt'\] *= *'\(.*\)';.*/\1/p" "$PFA/config.inc.php")
	LABEL[$1]+=" ($scheme)"
	# what _pfa_php runs, without the upgrade's session directory
	PFA_CLI=(php -d include_path="$PFA" -d display_errors=stderr -d error_log=
		-d log_errors=0 "$PFA/scripts/postfixadmin-cli.php")
}
round_pfa() {
	local i quota
	for ((i = $3; i <= $4; i++)); do
		account_args "$i" hash
		quota=0
		[ "$QUOTA" != 1G ] || quota=1024	# its unit is the MB
		# postfixadmin-cli takes the password only in its argv
		timed "$1" "${PFA_CLI[@]}" mailbox add "$ADDR" --name "$NAME" \
			--password "$PW" --password2 "$PW" --quota "$quota" --welcome-mail n
	done
}
done_pfa() { expect_accounts "u_$1" mysql "${ACCOUNTS[$1]}" >/dev/null; SUM[$1]=-; }

# The floor: what starting any process costs in these loops.
setup_floor() { :; }
round_floor() {
	local i
	for ((i = $3; i <= $4; i++)); do timed "$1" /bin/true; done
}
done_floor() { SUM[$1]=-; }

setup_one_file() { :; }
round_one_file() { # KEY ROUND: a fresh database, dropped after its check
	local db=u_$1_$2 sum
	mk_db "$db" mysql "$WORK/in/p1.domains"
	"load_$1" "$db"
	sum=$(expect_accounts "$db" mysql "${ACCOUNTS[$1]}")
	round_sum "$1" "$sum"
	drop_db "$db" mysql
}
done_one_file() { :; }
# Every round of a one-file method must write the same rows.
round_sum() { # KEY DIGEST
	[ -z "${SUM[$1]:-}" ] || [ "${SUM[$1]}" = "$2" ] ||
		die "$1: round wrote other rows (digest $2, before ${SUM[$1]})"
	SUM[$1]=$2
}
load_import() { timed import "$MAILADM" -c "$CFG" user import "$WORK/in/p1.csv"; }
load_batch() { timed batch "$MAILADM" -c "$CFG" batch "$WORK/in/p1.batch"; }
load_client() { timed client "${CLIENT[@]}" "$1" <"$WORK/in/p1.sql"; }

# ------------------------------------------------------------------ part 1
part1() {
	local r m k n t0
	method add user_add mysql "$NUSERS" "mailadm user add --password-hash"
	method add_nomd user_add mysql "$NUSERS" "mailadm user add --password-hash --no-maildir"
	[ "$NSTDIN" -eq 0 ] || method stdin user_add mysql "$NSTDIN" "mailadm user add --password-stdin"
	[ $HAS_IMPORT = 0 ] || method import one_file mysql "$NUSERS" "mailadm user import (one CSV file)"
	[ $HAS_BATCH = 0 ] || method batch one_file mysql "$NUSERS" "mailadm batch (one file)"
	[ "$NPFA" -eq 0 ] || method pfa pfa mysql "$NPFA" "postfixadmin-cli mailbox add"
	method client one_file mysql "$NUSERS" "mariadb client, one INSERT file"
	method add_sqlite user_add sqlite "$NUSERS" "mailadm user add --password-hash"
	method floor floor - "$NUSERS" "exec /bin/true (the loops' floor)"

	for m in "${METHODS[@]}"; do "setup_${KIND[$m]}" "$m"; done
	n=${#METHODS[@]}
	for ((r = 0; r < ROUNDS; r++)); do
		t0=$EPOCHREALTIME
		for ((k = 0; k < n; k++)); do
			m=${METHODS[(k + r) % n]}
			# this round's share of the method's accounts
			"round_${KIND[$m]}" "$m" "$r" $((r * ACCOUNTS[$m] / ROUNDS + 1)) \
				$(((r + 1) * ACCOUNTS[$m] / ROUNDS))
		done
		say "part 1: round $((r + 1)) of $ROUNDS in $(since "$t0") s"
	done
	for m in "${METHODS[@]}"; do "done_${KIND[$m]}" "$m"; done
}

report1() {
	local m n med p90 ref_m
	declare -A MED=() P90=() CALLS=() CPU_MS=()
	while IFS=$'\t' read -r m n med p90 _; do
		MED[$m]=$med P90[$m]=$p90 CALLS[$m]=$n
	done < <(stats "$SAMPLES")
	# mean CPU milliseconds per call
	while IFS=$'\t' read -r m med; do
		CPU_MS[$m]=$med
	done < <(awk -F '\t' -v hz="$CLK_TCK" '{ t[$1] += $2; n[$1]++ }
		END { for (m in t) printf "%s\t%.2f\n", m, t[m] * 1000 / hz / n[m] }' "$CPU_SAMPLES")
	# ms/account: the median call's time over the accounts it made
	per_acc() { awk -v t="${MED[$1]}" -v n="${PER_CALL[$1]}" 'BEGIN { printf "%.3f", t / n }'; }
	row() { printf '%-7s %-48s %8s %6s %10s %9s %8s %10s %7s  %s\n' "$@"; }
	echo "Part 1: accounts in one domain, a fresh database per method, $ROUNDS interleaved rounds"
	row backend method accounts calls median_ms p90_ms cpu_ms ms/account vs_add rows
	for m in "${METHODS[@]}"; do
		ref_m=add
		[ "${BACKEND[$m]}" != sqlite ] || ref_m=add_sqlite
		local rows=-
		if [ "${SUM[$m]}" != - ]; then
			if [ "${SUM[$m]}" = "${SUM[client]}" ]; then rows="= client"; else rows="DIFFER from client"; fi
		fi
		row "${BACKEND[$m]}" "${LABEL[$m]}" "${ACCOUNTS[$m]}" "${CALLS[$m]}" "${MED[$m]}" \
			"${P90[$m]}" "${CPU_MS[$m]}" "$(per_acc "$m")" \
			"$(ratio "$(per_acc "$m")" "$(per_acc "$ref_m")")" "$rows"
	done
	[ $HAS_IMPORT = 1 ] || row mysql "mailadm user import" - - - - - - - "not in this mailadm"
	[ $HAS_BATCH = 1 ] || row mysql "mailadm batch" - - - - - - - "not in this mailadm"
	echo
	echo "median_ms, p90_ms: per timed call (one account, or all of them for a one-file method); calls: over all rounds;"
	echo "cpu_ms: mean CPU time (user + system) per call of the process itself, the server's not counted."
	echo "ms/account: median_ms / accounts per call; vs_add: ms/account over that of 'mailadm user add --password-hash' on the same backend."
	echo "rows: the mailbox, alias and mailbox log rows (all columns but the times) are the same as those the client loaded."
	if [ "$NPFA" -gt 0 ]; then
		echo "target \"mailadm at least 10x cheaper per invocation than postfixadmin-cli\" (postfixadmin-cli / mailadm):"
		for m in add add_nomd; do
			echo "  ${LABEL[$m]}: $(verdict "${MED[pfa]} >= 10 * ${MED[$m]}") in wall time" \
			    "($(ratio "${MED[pfa]}" "${MED[$m]}") of the median), $(verdict "${CPU_MS[pfa]} >= 10 * ${CPU_MS[$m]}")" \
			    "in CPU time ($(ratio "${CPU_MS[pfa]}" "${CPU_MS[$m]}"))."
		done
	fi
}

# "met" or "NOT met": whether an awk condition holds.
verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "NOT met"; fi; }

# ------------------------------------------------------------------ part 2
# timed_mem KEY COMMAND...: like timed, and PEAK[KEY] = its peak resident
# set in kB, CPU[KEY] = the CPU seconds it used (user and system; the
# server's are not in it).
timed_mem() {
	local key=$1
	shift
	timed "$key" /usr/bin/time -f '%M %U %S' -o "$WORK/peak" "$@"
	read -r PEAK["$key"] CPU["$key"] <<<"$(tail -n 1 "$WORK/peak" |
		awk '{ printf "%d %.2f", $1, $2 + $3 }')"
}

BIG_ROWS=() # "accounts<TAB>label<TAB>key" in the order measured
big_row() { BIG_ROWS+=("$1	$2	$3"); }

# big_run KEY N COMMAND...: time COMMAND on database "big" (made by mk_db
# just before: COMMAND may use $CFG), check it then holds N accounts, set
# DIGEST to their digest and MAILDIRS to the number of Maildirs made, drop
# the database.
big_run() {
	local key=$1 n=$2 t0
	shift 2
	t0=$EPOCHREALTIME
	timed_mem "$key" "$@"
	say "part 2: $key in $(since "$t0") s"
	DIGEST=$(expect_accounts big mysql "$n")
	MAILDIRS=$(find "$WORK/vmail/big" -mindepth 3 -maxdepth 3 -name cur | wc -l)
	t0=$EPOCHREALTIME
	drop_db big mysql
	[ "$MAILDIRS" -eq 0 ] || say "part 2: $MAILDIRS Maildirs removed in $(since "$t0") s"
}

part2() {
	local n largest smallest r i t0 doms=$WORK/in/big.domains
	declare -gA PEAK=() CPU=()
	for n in $BIG; do largest=$n; done
	for n in $BIG; do smallest=$n; break; done
	for ((i = 1; i <= BIG_DOMAINS; i++)); do printf 'd%03d.example.net\n' "$i"; done >"$doms"
	for n in $BIG; do
		t0=$EPOCHREALTIME
		gen_accounts "$n" "$doms" grouped >"$WORK/in/big.tsv"
		to_csv <"$WORK/in/big.tsv" >"$WORK/in/big-$n.csv"
		[ "$n" != "$largest" ] || to_sql <"$WORK/in/big.tsv" >"$WORK/in/big.sql"
		say "part 2: $n accounts generated in $(since "$t0") s"
		for ((r = 0; r < (n == largest ? BIG_ROUNDS : 1); r++)); do
			mk_db big mysql "$doms"
			big_run "import_$n" "$n" "$MAILADM" -c "$CFG" user import \
				$IMPORT_NO_MAILDIR "$WORK/in/big-$n.csv"
			[ "$n" = "$largest" ] || continue
			round_sum "import_$n" "$DIGEST"
			mk_db big mysql "$doms"
			big_run "client_$n" "$n" "${CLIENT[@]}" big <"$WORK/in/big.sql"
			round_sum "client_$n" "$DIGEST"
		done
		big_row "$n" "mailadm user import${IMPORT_NO_MAILDIR:+ $IMPORT_NO_MAILDIR}" "import_$n"
	done
	if [ "$BIG_INTERLEAVED" = 1 ]; then
		n=$largest
		gen_accounts "$n" "$doms" interleaved | to_csv >"$WORK/in/big-interleaved.csv"
		mk_db big mysql "$doms"
		big_run "interleaved_$n" "$n" "$MAILADM" -c "$CFG" user import \
			$IMPORT_NO_MAILDIR "$WORK/in/big-interleaved.csv"
		big_row "$n" "  the same, domains interleaved" "interleaved_$n"
	fi
	# Without --no-maildir, the imports above made Maildirs already.
	if [ "$BIG_MAILDIRS" -gt 0 ] && [ -n "$IMPORT_NO_MAILDIR" ]; then
		n=$BIG_MAILDIRS
		gen_accounts "$n" "$doms" grouped | to_csv >"$WORK/in/big-maildirs.csv"
		mk_db big mysql "$doms"
		big_run "maildirs_$n" "$n" "$MAILADM" -c "$CFG" user import "$WORK/in/big-maildirs.csv"
		[ "$MAILDIRS" = "$n" ] || die "import with Maildirs: $MAILDIRS Maildirs for $n accounts"
		big_row "$n" "mailadm user import (makes Maildirs)" "maildirs_$n"
	fi
	big_row "$largest" "mariadb client, one INSERT file" "client_$largest"
	SMALLEST=$smallest LARGEST=$largest
}

report2() {
	local n label key m calls med
	declare -A MED=() CALLS=()
	while IFS=$'\t' read -r m calls med _; do
		MED[$m]=$med CALLS[$m]=$calls
	done < <(stats "$SAMPLES")
	row() { printf '%-9s %-40s %5s %8s %11s %6s %8s %7s  %s\n' "$@"; }
	echo "Part 2: pre-hashed accounts over $BIG_DOMAINS domains, MariaDB, a fresh database per run"
	row accounts method runs wall_s ms/account cpu_s peak_MB ratio rows
	for key in "${BIG_ROWS[@]}"; do
		IFS=$'\t' read -r n label m <<<"$key"
		local rows=-
		case $m in import_"$LARGEST" | client_"$LARGEST")
			if [ "${SUM[$m]}" = "${SUM[client_$LARGEST]}" ]; then rows="= client"; else rows="DIFFER from client"; fi ;;
		esac
		local r=-
		[ "$n" != "$LARGEST" ] || r=$(ratio "${MED[$m]}" "${MED[client_$LARGEST]}")
		row "$n" "$label" "${CALLS[$m]}" \
			"$(awk -v t="${MED[$m]}" 'BEGIN { printf "%.2f", t / 1000 }')" \
			"$(awk -v t="${MED[$m]}" -v n="$n" 'BEGIN { printf "%.4f", t / n }')" "${CPU[$m]}" \
			"$(awk -v k="${PEAK[$m]}" 'BEGIN { printf "%.1f", k / 1024 }')" "$r" "$rows"
	done
	echo
	echo "wall_s: median over runs; cpu_s, peak_MB: CPU time (user + system) and peak resident memory (GNU time %M) of the"
	echo "process itself, last run, the server's not counted;"
	echo "ratio: wall time over the client's for as many accounts; the client's file holds multi-row INSERTs in one transaction."
	echo "Accounts are grouped by domain (an export sorted by domain); \"domains interleaved\": each account in the next domain."
	local t=${MED[import_$LARGEST]} c=${MED[client_$LARGEST]} a=${PEAK[import_$SMALLEST]} b=${PEAK[import_$LARGEST]}
	if [ "$LARGEST" -ge 100000 ]; then
		echo "target \"import of $LARGEST accounts under 30 s\": $(verdict "$t < 30000") ($(awk -v t="$t" 'BEGIN { printf "%.1f", t / 1000 }') s)."
	fi
	echo "target \"import within 2x of the client\": $(verdict "$t <= 2 * $c") ($(ratio "$t" "$c"))."
	if [ "$SMALLEST" != "$LARGEST" ]; then
		echo "target \"flat peak memory\" ($SMALLEST -> $LARGEST accounts, at most 1.25x): $(verdict "$b <= 1.25 * $a")" \
		    "($(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f MB -> %.1f MB, %.2fx", a / 1024, b / 1024, b / a }'))."
	fi
}

# tests/lib/mariadb.sh sizes its servers for a quick start (32M buffer
# pool, 8M redo log); a 100,000-account transaction would then measure page
# I/O.  Give this one MariaDB's own defaults, those of a stock server.
size_server() {
	local n status
	mariadb_sql "$MYSQL_DIR" <<-EOF || die "cannot resize the server"
		SET GLOBAL innodb_buffer_pool_size = 134217728;
		SET GLOBAL innodb_log_file_size = 100663296;
	EOF
	# the buffer pool is resized in the background
	for ((n = 0; n < 100; n++)); do
		status=$(mariadb_sql "$MYSQL_DIR" <<<"SELECT @@innodb_buffer_pool_size,
		    (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
		    WHERE VARIABLE_NAME = 'INNODB_BUFFER_POOL_RESIZE_STATUS')")
		case $status in 134217728$'\t' | 134217728$'\t'Completed*) return 0 ;; esac
		sleep 0.1
	done
	die "the server's buffer pool was not resized: $status"
}

# ------------------------------------------------------------------ main
bench_mariadb_start
size_server
# the client as the baseline runs it (mariadb_sql is a function: GNU time
# cannot run it)
CLIENT=(mariadb --no-defaults -S "$MARIADB_SOCKET" -uroot -N -B)
gen_inputs
part1
if [ -n "$BIG" ]; then
	if [ $HAS_IMPORT = 1 ]; then
		part2
	else
		say "part 2 skipped: this mailadm has no 'user import'"
	fi
fi
echo
report1
if [ -n "$BIG" ] && [ $HAS_IMPORT = 1 ]; then
	echo
	report2
fi
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average $(cut -d " " -f 1-3 /proc/loadavg), $("$MAILADM" --version 2>&1 | head -n 1)."
say "total $(since "$T_START") s"
