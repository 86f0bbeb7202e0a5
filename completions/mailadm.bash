# shellcheck shell=bash
# Bash completion for mailadm(8).
#
# Every list comes from the binary itself, through its hidden command
#   mailadm __complete groups
#   mailadm __complete verbs GROUP [VERB]
#   mailadm __complete options GROUP VERB...
#   mailadm __complete operand GROUP VERB...
#   mailadm __complete names domain|alias-domain|alias|mailbox|quota-target|
#                            preset|charset
# and the password schemes for -s/--scheme from "mailadm pw -l --long",
# so this file never needs to change when a command or option is added:
# the groups domain, user, alias, migrate, quota, schema, pw, batch and
# config, and those to come, all complete the same way.  An option whose
# value the usage line calls FILE completes file names, DIR directory
# names; --preset and --charset their values.
# The -c/--config and --db options already on the command line are passed
# on, so that names come from the same database a normal run would use.
#
# Needs only bash itself (not the bash-completion package).  Set
# MAILADM_COMPLETE_BIN to run another binary than "mailadm" from $PATH.

# Run the binary with the forwarded options; nothing on stderr, no stdin.
# Always true: callers only want the output (and may run under set -e).
_mailadm_run() {
	"${MAILADM_COMPLETE_BIN:-mailadm}" "${_mailadm_fwd[@]}" "$@" \
	    </dev/null 2>/dev/null
	return 0
}

# Add to COMPREPLY the words (one per line on stdin) that start with $1.
_mailadm_add() {
	local w
	while IFS= read -r w; do
		[[ -n $w && $w == "$1"* ]] && COMPREPLY+=("$w")
	done
	return 0
}

# The long options a value must follow, from the first line of VERB --help
# ("usage: mailadm domain add DOMAIN [--quota=SIZE] ..."), one per line.
_mailadm_value_opts() {
	local usage
	usage=$("${MAILADM_COMPLETE_BIN:-mailadm}" "$@" --help </dev/null \
	    2>/dev/null | head -n 1)
	while [[ $usage =~ (--[A-Za-z0-9][A-Za-z0-9-]*)= ]]; do
		printf '%s\n' "${BASH_REMATCH[1]}"
		usage=${usage#*"${BASH_REMATCH[0]}"}
	done
	return 0
}

# The long options of VERB whose value the usage line calls TYPE: FILE
# ("--map=FILE") or DIR ("--maildirs=DIR").
_mailadm_typed_opts() {
	local usage type=$1
	shift
	usage=$("${MAILADM_COMPLETE_BIN:-mailadm}" "$@" --help </dev/null \
	    2>/dev/null | head -n 1)
	while [[ $usage =~ (--[A-Za-z0-9][A-Za-z0-9-]*)=$type ]]; do
		printf '%s\n' "${BASH_REMATCH[1]}"
		usage=${usage#*"${BASH_REMATCH[0]}"}
	done
	return 0
}

# The number of operands of VERB: the upper-case words of its usage line,
# alone or in brackets when optional ("... alias add ALIAS_DOMAIN
# TARGET_DOMAIN": 2; "... batch [FILE]": 1).
_mailadm_operand_count() {
	local usage w n=0
	usage=$("${MAILADM_COMPLETE_BIN:-mailadm}" "$@" --help </dev/null \
	    2>/dev/null | head -n 1)
	local -a ws=()
	read -r -a ws <<<"$usage"
	for w in "${ws[@]}"; do
		[[ $w =~ ^\[?[A-Z][A-Z0-9_]*\]?$ ]] && n=$((n + 1))
	done
	# Without a usage line, do not limit the operands.
	[[ -n $usage ]] || n=99
	printf '%s\n' "$n"
}

# Rebuild the command line into _mailadm_words/_mailadm_cword: readline
# splits words at '=' and ':' (COMP_WORDBREAKS), so "--config=FILE" and
# "--db sqlite:/path" arrive as several words.  A word made only of '='
# and ':' is joined to its neighbours when no blank separates them in
# COMP_LINE (without COMP_LINE, as when a test sets COMP_WORDS, always).
_mailadm_reassemble() {
	local line=${COMP_LINE-} have_line=${COMP_LINE+x} i w prev_sep=0 sep
	local blank j=-1
	_mailadm_words=()
	_mailadm_cword=0
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		blank=1
		if [[ -n $have_line ]]; then
			[[ $line == [[:blank:]]* || i -eq 0 ]] || blank=0
			line=${line#"${line%%[![:blank:]]*}"}
			line=${line#"$w"}
		else
			blank=0
		fi
		sep=0
		[[ -n $w && $w != *[!=:]* ]] && sep=1
		if ((i >= 2 && j >= 1 && blank == 0 && (sep || prev_sep))); then
			_mailadm_words[j]+=$w
		else
			j=$((j + 1))
			_mailadm_words[j]=$w
		fi
		prev_sep=$sep
		((i == COMP_CWORD)) && _mailadm_cword=$j
	done
	# The cursor after the last word, on a new empty one.
	if ((COMP_CWORD >= ${#COMP_WORDS[@]})); then
		_mailadm_cword=$((j + 1))
		_mailadm_words[_mailadm_cword]=
	fi
	return 0
}

_mailadm() {
	local -a _mailadm_words=() _mailadm_fwd=() pos=() valopts=() fileopts=()
	local -a diropts=()
	local _mailadm_cword cur prev rlword w i expect='' verbn=0 n kind
	local verb_done='' verbs_checked='' subverbs_checked=''

	COMPREPLY=()
	_mailadm_reassemble
	cur=${_mailadm_words[_mailadm_cword]}
	prev=
	((_mailadm_cword > 0)) && prev=${_mailadm_words[_mailadm_cword - 1]}

	# Walk the words before the cursor: global options with a value are
	# kept for forwarding, verb options' values skipped, the rest are the
	# group, the verb word(s) and the operands.
	for ((i = 1; i < _mailadm_cword; i++)); do
		w=${_mailadm_words[i]}
		if [[ $expect == fwd ]]; then
			_mailadm_fwd+=("$w")
			expect=
			continue
		elif [[ $expect == skip ]]; then
			expect=
			continue
		fi
		case $w in
		-c | --config | --db)
			_mailadm_fwd+=("$w")
			expect=fwd
			;;
		--config=* | --db=* | -c?*)
			_mailadm_fwd+=("$w")
			;;
		-*)
			# A verb option that takes its value in the next word.
			if [[ -n $verb_done && $w == --* && $w != *=* ]]; then
				for n in "${valopts[@]}"; do
					[[ $w == "$n" ]] && expect=skip
				done
			fi
			;;
		*)
			pos+=("$w")
			;;
		esac
		# Once GROUP VERB is complete, learn which options take values.
		if [[ -z $verb_done && ${#pos[@]} -ge 1 && ${pos[0]} != help ]]; then
			if [[ -z $verbs_checked ]]; then
				verbs_checked=1
				# A group without verbs (pw) is the command itself.
				verbn=0
				[[ -n $(_mailadm_run __complete verbs "${pos[0]}") ]] &&
					verbn=1
			fi
			if ((verbn == 1 && ${#pos[@]} >= 2)) &&
			    [[ -z $subverbs_checked ]]; then
				subverbs_checked=1
				# A verb with sub-verbs (domain alias ...) has two words.
				[[ -n $(_mailadm_run __complete verbs "${pos[0]}" \
				    "${pos[1]}") ]] && verbn=2
			fi
			if ((${#pos[@]} >= verbn + 1)); then
				verb_done=1
				mapfile -t valopts < <(_mailadm_value_opts \
				    "${pos[@]:0:verbn+1}")
				mapfile -t fileopts < <(_mailadm_typed_opts \
				    FILE "${pos[@]:0:verbn+1}")
				mapfile -t diropts < <(_mailadm_typed_opts \
				    DIR "${pos[@]:0:verbn+1}")
			fi
		fi
	done

	# The part of the word readline replaces: it splits at '=' and ':',
	# so after "--config=" it is only what follows the '='.
	rlword=${COMP_WORDS[COMP_CWORD]-}
	[[ -n $rlword && $rlword != *[!=:]* ]] && rlword=

	if [[ $prev == -c || $prev == --config || $cur == --config=* ]]; then
		# A config file name.
		local prefix=
		[[ $cur == --config=* ]] && prefix=--config=
		while IFS= read -r w; do
			COMPREPLY+=("$prefix$w")
		done < <(compgen -f -- "${cur#"$prefix"}")
		# Outside a completion (a test calling _mailadm) compopt fails.
		compopt -o filenames 2>/dev/null || :
	elif [[ $prev == --db || $cur == --db=* ]]; then
		# A database URI: nothing sensible to offer.
		:
	elif [[ $prev == --scheme || $cur == --scheme=* ||
	    (${pos[0]-} == pw && $prev == -s) ]]; then
		# A password scheme: those the binary can make ("pw -l --long"
		# says "yes" in its second column).
		_mailadm_add "${cur#--scheme=}" < <(_mailadm_run pw -l --long |
		    awk 'NR > 1 && $2 == "yes" { print $1 }')
		[[ $cur != --scheme=* ]] ||
			COMPREPLY=("${COMPREPLY[@]/#/--scheme=}")
	elif [[ $prev == --preset || $cur == --preset=* || $prev == --charset ||
	    $cur == --charset=* ]]; then
		# A migration preset, or a dump's charset: the binary lists them.
		local opt=${prev#--}
		[[ $cur == --*=* ]] && opt=${cur%%=*} && opt=${opt#--}
		_mailadm_add "${cur#--"$opt"=}" < <(_mailadm_run __complete names \
		    "$opt")
		[[ $cur != --*=* ]] || COMPREPLY=("${COMPREPLY[@]/#/--$opt=}")
	elif [[ $expect == skip && " ${fileopts[*]} " == *" $prev "* ]]; then
		# A file: --map, --report, --new-passwords...
		while IFS= read -r w; do
			COMPREPLY+=("$w")
		done < <(compgen -f -- "$cur")
		compopt -o filenames 2>/dev/null || :
	elif [[ $expect == skip && " ${diropts[*]} " == *" $prev "* ]]; then
		# A directory: --maildirs, --dir...
		while IFS= read -r w; do
			COMPREPLY+=("$w")
		done < <(compgen -d -- "$cur")
		compopt -o filenames 2>/dev/null || :
	elif [[ $expect == skip ]]; then
		# The value of a verb option (a size, a text...).
		:
	elif ((${#pos[@]} == 0)); then
		if [[ $cur == -* ]]; then
			# The global options, from the usage text.
			_mailadm_add "$cur" < <(_mailadm_run help |
			    sed -n 's/^global options://p' |
			    grep -o -- '--[A-Za-z0-9-]*')
		else
			_mailadm_add "$cur" < <(_mailadm_run __complete groups)
		fi
	elif [[ ${pos[0]} == help ]]; then
		# help [GROUP [VERB [VERB]]]
		case ${#pos[@]} in
		1)
			_mailadm_add "$cur" < <(_mailadm_run __complete groups |
			    grep -vx help)
			;;
		2)
			_mailadm_add "$cur" < <(_mailadm_run __complete verbs \
			    "${pos[1]}")
			;;
		3)
			_mailadm_add "$cur" < <(_mailadm_run __complete verbs \
			    "${pos[1]}" "${pos[2]}")
			;;
		esac
	elif [[ -z $verb_done ]]; then
		if [[ $cur == -* ]]; then
			:
		elif ((${#pos[@]} == 1)); then
			_mailadm_add "$cur" < <(_mailadm_run __complete verbs \
			    "${pos[0]}")
		else
			# The second word of a two-word verb.
			_mailadm_add "$cur" < <(_mailadm_run __complete verbs \
			    "${pos[0]}" "${pos[1]}")
		fi
	elif [[ $cur == -* ]]; then
		# Not for "--quota=...": nothing to offer for the value.
		[[ $cur == *=* ]] ||
			_mailadm_add "$cur" < <(_mailadm_run __complete options \
			    "${pos[@]:0:verbn+1}")
	else
		kind=$(_mailadm_run __complete operand "${pos[@]:0:verbn+1}")
		n=$(_mailadm_operand_count "${pos[@]:0:verbn+1}")
		if [[ $kind == file ]] && ((${#pos[@]} - verbn - 1 < n)); then
			while IFS= read -r w; do
				COMPREPLY+=("$w")
			done < <(compgen -f -- "$cur")
			compopt -o filenames 2>/dev/null || :
		elif [[ -n $kind ]] && ((${#pos[@]} - verbn - 1 < n)); then
			_mailadm_add "$cur" < <(_mailadm_run __complete names \
			    "$kind")
		fi
	fi

	# Give readline only the part of each candidate it replaces.
	if [[ ${#COMPREPLY[@]} -gt 0 && $cur != "$rlword" ]]; then
		local trim=${cur%"$rlword"}
		COMPREPLY=("${COMPREPLY[@]#"$trim"}")
	fi
	return 0
}

complete -F _mailadm mailadm
