#!/usr/bin/env bats
# The manual pages: they are valid roff, and they document every command
# group, verb, option and configuration key that the binary has.  The lists
# come from the binary (mailadm __complete …), so a new verb or option
# without documentation fails here.
load helper

# MAILADM_MAN_DIR: check other pages (to see that these tests can fail).
MAN=${MAILADM_MAN_DIR:-$TOP/man}

# The configuration keys (SPEC §6 and lock_timeout).
CONFIG_KEYS=(db db_password_file vmail_base vmail_uid vmail_gid maildir_format
	maildir_on_delete password_scheme password_prefix quota_warn_percent
	quota_warn_template quota_multiplier lock_timeout)

setup() {
	# No database is needed; keep the environment from choosing one.
	unset MAILADM_CONFIG MAILADM_DB
	# The groups, without the "help" pseudo-group; each has verbs, or
	# is a command itself (pw) with options of its own.
	mapfile -t GROUP_LIST < <("$MAILADM_BIN" __complete groups | grep -vx help)
	[ "${#GROUP_LIST[@]}" -ge 2 ]
	local g
	for g in "${GROUP_LIST[@]}"; do
		[ -n "$(verbs "$g")" ] ||
			[ -n "$("$MAILADM_BIN" __complete options "$g")" ]
	done
}

# A page as plain text on one long line per paragraph: roff's \- and the
# like become plain characters, and no option is cut by a line break.
render() {
	mandoc -Tascii -O width=1000 "$1" | col -bx
}

groups() {
	printf '%s\n' "${GROUP_LIST[@]}"
}

# Every verb of GROUP, two-word verbs as "alias add", one per line.
verbs() {
	local v w sub
	while IFS= read -r v; do
		sub=$("$MAILADM_BIN" __complete verbs "$1" "$v")
		if [ -n "$sub" ]; then
			while IFS= read -r w; do
				echo "$v $w"
			done <<<"$sub"
		else
			echo "$v"
		fi
	done < <("$MAILADM_BIN" __complete verbs "$1")
}

# The commands of GROUP: its verbs, or one empty line for a group without
# verbs ("mailadm pw").
commands() {
	local v
	v=$(verbs "$1")
	printf '%s\n' "$v"
}

# TEXT contains WORDS (a word or a phrase) not as part of a longer word.
has_words() {
	grep -Eq -- "(^|[^[:alnum:]_-])$2([^[:alnum:]_-]|$)" <<<"$1"
}

@test "the main page and one page per command group exist" {
	[ -f "$MAN/mailadm.8" ]
	local g n=0
	while IFS= read -r g; do
		[ -f "$MAN/mailadm-$g.8" ] || {
			echo "missing man/mailadm-$g.8"
			return 1
		}
		n=$((n + 1))
	done < <(groups)
	[ "$n" -ge 2 ]
}

@test "every page passes mandoc -Tlint -W warning without a message" {
	local f n=0
	for f in "$MAN"/*.8; do
		run mandoc -Tlint -W warning "$f"
		if [ "$status" -ne 0 ] || [ -n "$output" ]; then
			echo "$f: status $status"
			echo "$output"
			return 1
		fi
		n=$((n + 1))
	done
	[ "$n" -ge 3 ]
}

@test "every page renders with man -l without a message on stderr" {
	local f err
	for f in "$MAN"/*.8; do
		err=$(MANWIDTH=80 man -l "$f" 2>&1 >/dev/null)
		if [ -n "$err" ]; then
			echo "$f: $err"
			return 1
		fi
		# And it renders to something with the usual sections.
		run -0 env MANWIDTH=80 man -l "$f"
		[[ $output == *NAME* && $output == *SYNOPSIS* && $output == *DESCRIPTION* ]]
	done
}

@test "mailadm help lists every group" {
	run -0 "$MAILADM_BIN" help
	local g
	while IFS= read -r g; do
		grep -Eq "^  $g +[a-z]" <<<"$output" || {
			echo "'mailadm help' does not list $g"
			return 1
		}
	done < <(groups)
}

@test "mailadm help GROUP lists the verbs that completion knows" {
	local g v
	while IFS= read -r g; do
		run -0 "$MAILADM_BIN" help "$g"
		while IFS= read -r v; do
			grep -Eq "^  $v " <<<"$output" || {
				echo "'mailadm help $g' does not list '$v'"
				return 1
			}
		done < <(verbs "$g")
	done < <(groups)
}

@test "mailadm.8 names every group, every verb and every group page" {
	local text g v
	text=$(render "$MAN/mailadm.8")
	while IFS= read -r g; do
		has_words "$text" "$g" || { echo "no group $g"; return 1; }
		has_words "$text" "mailadm-$g\\(8\\)" || {
			echo "no reference to mailadm-$g(8)"
			return 1
		}
		while IFS= read -r v; do
			# Both words of a two-word verb, together.
			has_words "$text" "$v" || {
				echo "mailadm.8 lacks verb '$g $v'"
				return 1
			}
		done < <(verbs "$g")
	done < <(groups)
}

@test "every mailadm-GROUP.8 shows each verb as 'mailadm GROUP VERB'" {
	local text g v
	while IFS= read -r g; do
		text=$(render "$MAN/mailadm-$g.8")
		while IFS= read -r v; do
			has_words "$text" "mailadm $g${v:+ $v}" || {
				echo "mailadm-$g.8 lacks 'mailadm $g${v:+ $v}'"
				return 1
			}
		done < <(commands "$g")
	done < <(groups)
}

@test "every option of every verb is in its group's page" {
	local text g v o n=0
	while IFS= read -r g; do
		text=$(render "$MAN/mailadm-$g.8")
		while IFS= read -r v; do
			# shellcheck disable=SC2086 # two-word verbs are two words
			while IFS= read -r o; do
				has_words "$text" "$o" || {
					echo "mailadm-$g.8 lacks $o (of '$g $v')"
					return 1
				}
				n=$((n + 1))
			done < <("$MAILADM_BIN" __complete options "$g" $v)
		done < <(commands "$g")
	done < <(groups)
	# The binary did report options (at least the global ones).
	[ "$n" -gt 20 ]
}

@test "the option check would catch an undocumented option" {
	local text
	text=$(render "$MAN/mailadm-domain.8")
	has_words "$text" --require-auth
	has_words "$text" --no-require-auth
	if has_words "$text" --require-au ||
	    has_words "$text" --no-such-option; then
		echo "has_words matched a word that is not there"
		return 1
	fi
}

@test "mailadm.8 documents every global option" {
	local text o
	text=$(render "$MAN/mailadm.8")
	for o in -c --config --db --json -n --dry-run -q --quiet -v --verbose \
	    -h --help -V --version; do
		has_words "$text" "$o" || { echo "no $o"; return 1; }
	done
}

@test "mailadm.8 documents every configuration key in CONFIGURATION" {
	local text k
	text=$(render "$MAN/mailadm.8" |
	    sed -n '/^CONFIGURATION$/,/^[A-Z][A-Z ]*$/p')
	for k in "${CONFIG_KEYS[@]}"; do
		grep -Eq "(^|[[:space:]])$k = " <<<"$text" || {
			echo "mailadm.8 lacks '$k = …'"
			return 1
		}
	done
}

@test "every documented configuration key is one the binary accepts" {
	local k cfg=$BATS_TEST_TMPDIR/keys.conf
	# An empty value is refused by some keys (78 naming the value), an
	# unknown key is refused as "unknown key": tell them apart.
	for k in "${CONFIG_KEYS[@]}"; do
		printf '%s = x\n' "$k" >"$cfg"
		run "$MAILADM_BIN" -c "$cfg" --db "sqlite:$BATS_TEST_TMPDIR/none.db" \
		    schema status
		[[ $output != *"unknown key"* ]] || {
			echo "$k: $output"
			return 1
		}
	done
	printf 'no_such_key = x\n' >"$cfg"
	run -78 "$MAILADM_BIN" -c "$cfg" schema status
	[[ $output == *"keys.conf:1: unknown key 'no_such_key'"* ]]
}

@test "mailadm.8 lists the exit codes of SPEC §4 and the extra ones" {
	local text c
	text=$(render "$MAN/mailadm.8" | sed -n '/^EXIT STATUS/,/^EXAMPLES/p')
	for c in 0 1 64 65 66 67 68 69 70 71 73 74 75 77 78; do
		grep -Eq "^ +$c( |$)" <<<"$text" || {
			echo "EXIT STATUS lacks $c"
			return 1
		}
	done
}
