#!/usr/bin/env bash
# Benchmark `mailadm domain show` against the bare database clients doing
# the same single-row lookup, on SQLite and on a private MariaDB server, in
# one run.  See bench/README.md.  Prints a table on stdout; progress goes to
# stderr.  Exits non-zero only when the benchmark itself could not run (the
# 2x target is reported, not enforced).
#
# Knobs (environment):
#   BENCH_RUNS=200        timed runs of each lookup command
#   BENCH_ROUNDS=10       the runs are split into this many rounds; each round
#                         runs every command once more in a rotated order, so
#                         machine noise is spread over all commands alike
#   BENCH_WARMUP=20       untimed runs of each command before the first round
#   BENCH_DOMAINS=2000    domains in the store
#   BENCH_MAILBOXES=5     mailboxes per domain (each with its own alias row,
#                         as Postfixadmin makes them)
#   BENCH_ALIASES=3       further aliases per domain
#   BENCH_ADD_RUNS=100    timed `mailadm domain add` runs per backend (0: skip)
#   BENCH_BACKENDS="sqlite mysql"
#   BENCH_TOOL=auto       hyperfine (needs it), loop (bash + $EPOCHREALTIME)
#   BENCH_KEEP=0          1: keep the work directory (its path is printed)
#   MAILADM_BIN=./mailadm the binary to measure
set -eu -o pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MAILADM=${MAILADM_BIN:-$TOP/mailadm}
RUNS=${BENCH_RUNS:-200}
ROUNDS=${BENCH_ROUNDS:-10}
WARMUP=${BENCH_WARMUP:-20}
NDOMAINS=${BENCH_DOMAINS:-2000}
NMAILBOXES=${BENCH_MAILBOXES:-5}
NALIASES=${BENCH_ALIASES:-3}
ADD_RUNS=${BENCH_ADD_RUNS:-100}
BACKENDS=${BENCH_BACKENDS:-sqlite mysql}
TOOL=${BENCH_TOOL:-auto}
DOMAIN=example.com	# the domain looked up; one of the $NDOMAINS
ADD_DOMAIN=bench-add.example
DBNAME=mailadm

whole_numbers RUNS ROUNDS WARMUP NDOMAINS NMAILBOXES NALIASES ADD_RUNS
if [ "$ROUNDS" -lt 1 ] || [ "$RUNS" -lt "$ROUNDS" ]; then
	die "need BENCH_RUNS >= BENCH_ROUNDS >= 1"
fi
[ "$NDOMAINS" -ge 1 ] || die "BENCH_DOMAINS must be at least 1"
for b in $BACKENDS; do
	case $b in sqlite | mysql) ;; *) die "unknown backend '$b' (sqlite, mysql)" ;; esac
done
case $TOOL in
auto) command -v hyperfine >/dev/null && TOOL=hyperfine || TOOL=loop ;;
hyperfine) need_commands hyperfine ;;
loop) ;;
*) die "BENCH_TOOL must be auto, hyperfine or loop" ;;
esac
[ -x "$MAILADM" ] || die "no $MAILADM: run 'make' first (or 'make bench')"
case " $BACKENDS " in *" sqlite "*) need_commands sqlite3 ;; esac

# Both overrides would win over the config file we write.
unset MAILADM_DB MAILADM_CONFIG

bench_workdir

# ---------------------------------------------------- the query mailadm runs
# ma_domain_get() in lib/domain.c: SELECT DOMAIN_COLUMNS FROM domain d WHERE
# d.domain = ?.  Read the macro from the source so the client runs what the
# binary runs; fall back to a copy if its shape ever changes.
DOMAIN_COLUMNS_COPY="d.domain, d.description, d.aliases, d.mailboxes, \
d.maxquota, d.quota, d.default_quota, d.transport, d.backupmx, \
d.active, d.smtp_auth, d.created, d.modified, \
(SELECT COUNT(*) FROM mailbox m WHERE m.domain = d.domain), \
(SELECT COUNT(*) FROM alias a WHERE a.domain = d.domain AND NOT \
EXISTS (SELECT 1 FROM mailbox m WHERE m.username = a.address)), \
(SELECT target_domain FROM alias_domain x WHERE x.alias_domain = \
d.domain)"
domain_columns() {
	local cols=
	[ -r "$TOP/lib/domain.c" ] && cols=$(awk '
		/^#define[ \t]+DOMAIN_COLUMNS[ \t]/ { on = 1; sub(/^#define[ \t]+DOMAIN_COLUMNS/, "") }
		on {
			more = /\\[ \t]*$/
			s = s $0
			if (!more) exit
		}
		END {
			out = ""
			while (match(s, /"[^"]*"/)) {
				out = out substr(s, RSTART + 1, RLENGTH - 2)
				s = substr(s, RSTART + RLENGTH)
			}
			print out
		}' "$TOP/lib/domain.c")
	case $cols in
	d.domain,*"FROM mailbox"*) printf '%s\n' "$cols" ;;
	*)
		say "DOMAIN_COLUMNS not found in lib/domain.c; using the copy in bench/run.sh"
		printf '%s\n' "$DOMAIN_COLUMNS_COPY"
		;;
	esac
}
Q_SAME="SELECT $(domain_columns) FROM domain d WHERE d.domain = '$DOMAIN'"
Q_STAR="SELECT * FROM domain WHERE domain = '$DOMAIN'"

# -------------------------------------------------------------- the data
# One SQL file, one transaction, valid for SQLite and MariaDB: the other
# NDOMAINS-1 domains (the looked-up one is made by `mailadm domain add`),
# mailboxes and aliases for all of them, and a log row per domain.
gen_fill_sql() {
	awk -v nd="$NDOMAINS" -v nm="$NMAILBOXES" -v na="$NALIASES" -v dom="$DOMAIN" '
	function row(table, cols, vals) {
		if (table != cur || n == 500) {
			if (cur != "") print ";"
			printf "INSERT INTO %s (%s) VALUES\n", table, cols
			cur = table; n = 0
		} else
			print ","
		printf "(%s)", vals
		n++
	}
	BEGIN {
		ts = "'\''2024-01-01 00:00:00'\''"
		print "BEGIN;"
		# domain 0 is dom; 1..nd-1 are dNNNNN.example.net
		for (i = 1; i < nd; i++)
			row("domain", "domain, description, aliases, mailboxes, maxquota, quota, " \
			    "transport, backupmx, created, modified, active, password_expiry, " \
			    "smtp_auth, default_quota",
			    sprintf("'\''d%05d.example.net'\'', '\''bench domain %d'\'', 0, 0, 0, 0, " \
			    "'\''virtual'\'', 0, %s, %s, 1, 0, 0, 0", i, i, ts, ts))
		for (i = 0; i < nd; i++) {
			d = i == 0 ? dom : sprintf("d%05d.example.net", i)
			for (j = 1; j <= nm; j++)
				row("mailbox", "username, password, name, maildir, quota, local_part, " \
				    "domain, created, modified, active",
				    sprintf("'\''user%d@%s'\'', '\''{SHA512-CRYPT}$6$bench$x'\'', " \
				    "'\''User %d'\'', '\''%s/user%d/'\'', 0, '\''user%d'\'', '\''%s'\'', " \
				    "%s, %s, 1", j, d, j, d, j, j, d, ts, ts))
			for (j = 1; j <= nm; j++)
				row("alias", "address, goto, domain, created, modified, active",
				    sprintf("'\''user%d@%s'\'', '\''user%d@%s'\'', '\''%s'\'', %s, %s, 1",
				    j, d, j, d, d, ts, ts))
			for (j = 1; j <= na; j++)
				row("alias", "address, goto, domain, created, modified, active",
				    sprintf("'\''alias%d@%s'\'', '\''user1@%s,someone@elsewhere.example'\'', " \
				    "'\''%s'\'', %s, %s, 1", j, d, d, d, ts, ts))
		}
		for (i = 1; i < nd; i++)
			row("log", "timestamp, username, domain, action, data",
			    sprintf("%s, '\''bench (mailadm)'\'', '\''d%05d.example.net'\'', " \
			    "'\''create_domain'\'', '\''d%05d.example.net'\''", ts, i, i))
		if (cur != "") print ";"
		print "COMMIT;"
	}'
}

# ------------------------------------------------------------ per backend
# setup_<b> sets CFG_<b> (mailadm config), CLI_<b> (the client command
# before its SQL, quoted for hyperfine) and SQL_<b> (a function that runs SQL
# from stdin), all used indirectly.
q() { # double-quote one word for both bash and hyperfine's shell-words
	# shellcheck disable=SC1003
	case $1 in *['"$`\']*) die "cannot quote '$1' for hyperfine" ;; esac
	printf '"%s"' "$1"
}

# shellcheck disable=SC2034,SC2317
setup_sqlite() {
	local f=$WORK/sqlite/mailadm.db
	mkdir -p "$WORK/sqlite"
	printf 'db = sqlite:%s\n' "$f" >"$WORK/sqlite/mailadm.conf"
	CFG_sqlite=$WORK/sqlite/mailadm.conf
	CLI_sqlite="sqlite3 $(q "$f")"
	SQL_sqlite() { sqlite3 -batch "$WORK/sqlite/mailadm.db"; }
}

# shellcheck disable=SC2034,SC2317
setup_mysql() {
	bench_mariadb_start
	echo "CREATE DATABASE $DBNAME" | mariadb_sql "$MYSQL_DIR" || die "CREATE DATABASE failed"
	printf 'db = mysql://root@localhost/%s?socket=%s\n' "$DBNAME" "$MARIADB_SOCKET" \
	    >"$WORK/mysql.conf"
	CFG_mysql=$WORK/mysql.conf
	CLI_mysql="mariadb --no-defaults -S $(q "$MARIADB_SOCKET") -uroot $DBNAME -e"
	SQL_mysql() { mariadb_sql "$MYSQL_DIR" "$DBNAME"; }
}

fill() { # BACKEND
	local b=$1 cfg t0 n
	cfg=CFG_$b
	cfg=${!cfg}
	t0=$EPOCHREALTIME
	"$MAILADM" -c "$cfg" schema init >/dev/null || die "$b: mailadm schema init failed"
	"$MAILADM" -c "$cfg" domain add "$DOMAIN" --description "benchmark target" \
	    >/dev/null || die "$b: mailadm domain add $DOMAIN failed"
	"SQL_$b" <"$WORK/fill.sql" >/dev/null || die "$b: loading the data failed"
	n=$(echo "SELECT COUNT(*) FROM domain" | "SQL_$b")
	[ "$n" = "$NDOMAINS" ] || die "$b: expected $NDOMAINS domains, found '$n'"
	say "$b: store filled in $(since "$t0") s: $n domains," \
	    "$((NDOMAINS * NMAILBOXES)) mailboxes, $((NDOMAINS * (NMAILBOXES + NALIASES))) aliases"
}

# ------------------------------------------------------------ measuring
# NAMES[i] / BACKEND_OF[i] / CMDS[i]: each lookup command (a string that
# hyperfine -N and bash split alike).
NAMES=() BACKEND_OF=() CMDS=()
add_cmd() { BACKEND_OF+=("$1") NAMES+=("$2") CMDS+=("$3"); }

SAMPLES=$WORK/samples.tsv	# "index<TAB>seconds" per timed run
: >"$SAMPLES"

# Check each command once: it must succeed and print the domain.
check_cmd() { # INDEX
	local i=$1 out
	eval "set -- ${CMDS[$i]}"
	out=$("$@" 2>&1) || die "${BACKEND_OF[$i]} ${NAMES[$i]} failed: $out"
	case ${BACKEND_OF[$i]} in
	-) ;;
	*) case $out in *"$DOMAIN"*) ;; *) die "${BACKEND_OF[$i]} ${NAMES[$i]}: no '$DOMAIN' in: $out" ;; esac ;;
	esac
}

# Times of one hyperfine JSON export, as "index<TAB>seconds"; the command
# names there are the indexes.
json_times() {
	tr -d '\n' <"$1" | awk '{
		s = $0
		while (match(s, /"command": *"[^"]*"/)) {
			c = substr(s, RSTART, RLENGTH); sub(/^"command": *"/, "", c); sub(/"$/, "", c)
			s = substr(s, RSTART + RLENGTH)
			if (!match(s, /"times": *\[[^]]*\]/)) break
			t = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
			sub(/^"times": *\[/, "", t); sub(/\]$/, "", t)
			n = split(t, v, /[ ,]+/)
			for (k = 1; k <= n; k++) if (v[k] != "") printf "%s\t%s\n", c, v[k]
		}
	}'
}

run_round() { # ROUND RUNS WARMUP
	local r=$1 runs=$2 warm=$3 n=${#CMDS[@]} k i j
	local -a order=() args=()
	for ((k = 0; k < n; k++)); do order+=($(((k + r) % n))); done
	if [ "$TOOL" = hyperfine ]; then
		for i in "${order[@]}"; do args+=(-n "$i" "${CMDS[$i]}"); done
		hyperfine -N --style none --warmup "$warm" --runs "$runs" \
		    --export-json "$WORK/round$r.json" "${args[@]}" \
		    >/dev/null 2>"$WORK/hyperfine.err" || {
			cat "$WORK/hyperfine.err" >&2
			die "hyperfine failed in round $r"
		}
		json_times "$WORK/round$r.json" >>"$SAMPLES"
	else
		local t0 t1 d
		for ((j = -warm; j < runs; j++)); do
			for i in "${order[@]}"; do
				eval "set -- ${CMDS[$i]}"
				t0=$EPOCHREALTIME
				"$@" >/dev/null 2>&1 || die "${NAMES[$i]} failed"
				t1=$EPOCHREALTIME
				if [ "$j" -ge 0 ]; then
					elapsed d "$t0" "$t1"
					printf '%s\t%s\n' "$i" "$d"
				fi
			done
		done >>"$SAMPLES"
	fi
}

# `mailadm domain add` of a new domain into the full store, ADD_RUNS times;
# an untimed `domain del` (hyperfine --prepare) removes it before each run.
bench_add() { # BACKEND -> "n<TAB>median_ms<TAB>p90_ms<TAB>min_ms"
	local b=$1 cfg add del i t0 t1 d
	cfg=CFG_$b
	cfg=${!cfg}
	add="$(q "$MAILADM") -c $(q "$cfg") domain add $ADD_DOMAIN"
	del="$(q "$MAILADM") -c $(q "$cfg") domain del $ADD_DOMAIN"
	"$MAILADM" -c "$cfg" domain add "$ADD_DOMAIN" >/dev/null || die "$b: domain add failed"
	if [ "$TOOL" = hyperfine ]; then
		hyperfine -N --style none --warmup 3 --runs "$ADD_RUNS" --prepare "$del" \
		    -n add "$add" --export-json "$WORK/add-$b.json" \
		    >/dev/null 2>"$WORK/hyperfine.err" || {
			cat "$WORK/hyperfine.err" >&2
			die "$b: hyperfine (domain add) failed"
		}
		json_times "$WORK/add-$b.json"
	else
		for ((i = 0; i < ADD_RUNS; i++)); do
			"$MAILADM" -c "$cfg" domain del "$ADD_DOMAIN" >/dev/null || die "$b: domain del failed"
			t0=$EPOCHREALTIME
			"$MAILADM" -c "$cfg" domain add "$ADD_DOMAIN" >/dev/null || die "$b: domain add failed"
			t1=$EPOCHREALTIME
			elapsed d "$t0" "$t1"
			printf 'add\t%s\n' "$d"
		done
	fi >"$WORK/add-$b.tsv"
	stats "$WORK/add-$b.tsv" | cut -f2-
}

# ------------------------------------------------------------------ main
T_START=$EPOCHREALTIME
say "work directory $WORK; timing with $TOOL"
# Measure a private copy: a rebuild of ./mailadm during the run (others work
# in this tree) must not swap the binary under the benchmark.
cp "$MAILADM" "$WORK/mailadm" || die "cannot copy $MAILADM"
MAILADM=$WORK/mailadm
gen_fill_sql >"$WORK/fill.sql"

# Two floors: starting any process, and starting mailadm without a database
# (dynamic linking of all its libraries, argument parsing).
add_cmd - "exec /bin/true" "/bin/true"
add_cmd - "mailadm --version" "$(q "$MAILADM") --version"
for b in $BACKENDS; do
	"setup_$b"
	fill "$b"
	cfg=CFG_$b cli=CLI_$b
	add_cmd "$b" "mailadm domain show" "$(q "$MAILADM") -c $(q "${!cfg}") domain show $DOMAIN"
	add_cmd "$b" "client, same query" "${!cli} $(q "$Q_SAME")"
	add_cmd "$b" "client, SELECT *" "${!cli} $(q "$Q_STAR")"
done
for i in "${!CMDS[@]}"; do check_cmd "$i"; done

per_round=$((RUNS / ROUNDS))
t0=$EPOCHREALTIME
say "timing ${#CMDS[@]} commands: $ROUNDS rounds x $per_round runs (+$WARMUP warm-up runs)"
for ((r = 0; r < ROUNDS; r++)); do
	runs=$per_round
	[ "$r" -eq $((ROUNDS - 1)) ] && runs=$((RUNS - per_round * (ROUNDS - 1)))
	warm=1
	[ "$r" -eq 0 ] && warm=$WARMUP
	run_round "$r" "$runs" "$warm"
done
say "lookups timed in $(since "$t0") s"

declare -A ADD_STATS=()
if [ "$ADD_RUNS" -gt 0 ]; then
	for b in $BACKENDS; do
		t0=$EPOCHREALTIME
		ADD_STATS[$b]=$(bench_add "$b")
		say "$b: $ADD_RUNS x domain add timed in $(since "$t0") s"
	done
fi

# ------------------------------------------------------------------ report
stats "$SAMPLES" >"$WORK/stats.tsv"
declare -A MED=() P90=() MIN=()
while IFS=$'\t' read -r i n med p90 min; do
	MED[$i]=$med P90[$i]=$p90 MIN[$i]=$min
done <"$WORK/stats.tsv"

ref_of() { # BACKEND NAME -> index
	local i
	for i in "${!CMDS[@]}"; do
		[ "${BACKEND_OF[$i]}" = "$1" ] && [ "${NAMES[$i]}" = "$2" ] && { echo "$i"; return; }
	done
}

row() { printf '%-8s %-22s %10s %8s %8s %7s\n' "$@"; }
echo
row backend command median_ms p90_ms min_ms ratio
verdict=
for b in $BACKENDS; do
	ref=$(ref_of "$b" "client, same query")
	for i in "${!CMDS[@]}"; do
		[ "${BACKEND_OF[$i]}" = "$b" ] || continue
		row "$b" "${NAMES[$i]}" "${MED[$i]}" "${P90[$i]}" "${MIN[$i]}" "$(ratio "${MED[$i]}" "${MED[$ref]}")"
	done
	if [ -n "${ADD_STATS[$b]:-}" ]; then
		IFS=$'\t' read -r n med p90 min <<<"${ADD_STATS[$b]}"
		row "$b" "mailadm domain add" "$med" "$p90" "$min" "-"
	fi
	ma=$(ref_of "$b" "mailadm domain show")
	star=$(ref_of "$b" "client, SELECT *")
	r_same=$(ratio "${MED[$ma]}" "${MED[$ref]}")
	r_star=$(ratio "${MED[$ma]}" "${MED[$star]}")
	if awk -v a="${MED[$ma]}" -v b="${MED[$ref]}" 'BEGIN { exit !(a <= 2 * b) }'; then
		ok=met
	else
		ok="NOT met"
	fi
	verdict="${verdict:+$verdict; }$b $ok ($r_same of the same query, $r_star of SELECT *)"
done
for i in "${!CMDS[@]}"; do
	if [ "${BACKEND_OF[$i]}" = - ]; then
		row - "${NAMES[$i]}" "${MED[$i]}" "${P90[$i]}" "${MIN[$i]}" "-"
	fi
done
echo
printf '%s runs per lookup in %s interleaved rounds (%s), %s domains, %s mailboxes and %s aliases per domain' \
    "$RUNS" "$ROUNDS" "$TOOL" "$NDOMAINS" "$NMAILBOXES" "$((NMAILBOXES + NALIASES))"
[ "$ADD_RUNS" -gt 0 ] && printf '; domain add: %s runs per backend, each into the full store' "$ADD_RUNS"
printf '.\nratio: median / median of "client, same query" on that backend; "exec /bin/true" is the cost of starting any process here,\n"mailadm --version" that of starting mailadm (loading its libraries) without opening a database.\n'
echo "target \"mailadm domain show within 2x of the bare client\": $verdict."
say "total $(since "$T_START") s"
