#!/usr/bin/env bats
# make install puts everything under DESTDIR/PREFIX with sane modes.
load helper

@test "make install honours PREFIX and DESTDIR" {
	stage=$BATS_TEST_TMPDIR/stage
	run -0 make -s -C "$TOP" install DESTDIR="$stage" PREFIX=/opt/mailadm
	[ "$(stat -c %a "$stage/opt/mailadm/sbin/mailadm")" = 755 ]
	for page in "$TOP"/man/*.8; do
		[ "$(stat -c %a "$stage/opt/mailadm/share/man/man8/${page##*/}")" = 644 ]
	done
	[ -f "$stage/opt/mailadm/share/man/man8/mailadm-domain.8" ]
	[ -f "$stage/opt/mailadm/share/bash-completion/completions/mailadm" ]
	[ -f "$stage/opt/mailadm/share/mailadm/mailadm.conf.example" ]
	run -0 "$stage/opt/mailadm/sbin/mailadm" --version
	[[ $output == mailadm\ * ]]
	# Nothing lands outside DESTDIR.
	[ -z "$(find "$stage" -mindepth 1 -maxdepth 1 ! -name opt)" ]
}

@test "the example config is a valid config" {
	setup_db
	run -0 "$MAILADM_BIN" -c "$TOP/data/mailadm.conf.example" --db "$DB_URI" schema init
	teardown_db
}
