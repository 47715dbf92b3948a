# t_faults.sh - terminal faults: however dpctutor ends, the terminal is
# given back exactly as it was (`stty -a` in the pane, before and after,
# compared whole); a storm of resizes, sizes down to 10x5 and below, a
# closed or redirected standard input, output that is not a terminal, a
# locale that is not UTF-8, and a terminal that goes away under a tutor
# that ignores SIGHUP.
#
# The crash in the middle of drawing needs the test build of dpctutor
# (ui_term.c with -DDT_TEST_HOOKS), which `make check-ui` builds next to
# the plain one as dpctutor-test-hooks.

FAULTS_LESSON=03-queued-once.lua
FAULTS_TITLE="dpctutor: Queued once until it runs"

faults_hooks_bin() {
	echo "$(dirname "$UI_TUTOR")/dpctutor-test-hooks"
}

# faults_run [-b BINARY] [WRAPPER...]: in the shell, save `stty -a`, run
# dpctutor (through WRAPPER) on the lesson, then print its exit status and
# save `stty -a` again.  The wrapper writes the tutor's pid to
# $UI_TEST_TMP/pid.
faults_run() {
	local bin=$UI_TUTOR
	if [ "${1:-}" = -b ]; then
		bin=$2
		shift 2
	fi
	local t=$UI_TEST_TMP cmd
	cmd="stty -a >'$t/stty.before'; ${*:-} DPCTUTOR_LESSONS='$UI_ROOT/tests/lessons/frozen' sh -c 'ulimit -c 0; echo \$\$ >\"$t/pid\"; exec \"\$0\" \"\$@\"' '$bin' '$UI_ROOT/tests/lessons/frozen/$FAULTS_LESSON'; echo \"exit\"\"code=\$?\"; stty -a >'$t/stty.after'; echo st''ty-saved"
	rm -f "$t/pid" "$t/stty.before" "$t/stty.after"
	send_text "$cmd"
	send Enter
}

faults_wait_lesson() {
	wait_for "$FAULTS_TITLE"
	wait_for -r "$UI_FOOTER_STORY"
	[ "$(pane_format '#{alternate_on}')" = 1 ] || fail "dpctutor is not on the alternate screen"
}

faults_pid() {
	local pid
	pid=$(cat "$UI_TEST_TMP/pid" 2>/dev/null)
	[ -n "$pid" ] || fail "no pid file from the wrapper"
	echo "$pid"
}

# faults_expect_restored STATUS...: dpctutor ended with one of STATUS; the
# pane's modes are off; `stty -a` after is `stty -a` before, line for
# line; and text printed now carries no attribute left on.
faults_expect_restored() {
	wait_for -r '^stty-saved'
	wait_for -r '^uitest\$ *$'
	local rc ok=0 s
	rc=$(grep -oE '^exitcode=[0-9]+' <<<"$UI_LAST" | tail -n 1)
	rc=${rc#exitcode=}
	for s in "$@"; do
		[ "$rc" = "$s" ] && ok=1
	done
	[ "$ok" = 1 ] || fail "dpctutor exited with status '$rc' (want one of: $*)"
	expect_pane_restored
	[ -s "$UI_TEST_TMP/stty.before" ] || fail "no stty -a from before"
	[ -s "$UI_TEST_TMP/stty.after" ] || fail "no stty -a from after"
	local d
	d=$(diff "$UI_TEST_TMP/stty.before" "$UI_TEST_TMP/stty.after") ||
		fail "stty -a changed across dpctutor: $d"
	# Attributes: a line printed now is plain (capture-pane -e shows any
	# SGR sequence still in force before the text).
	send_text "echo pla''in-after"
	send Enter
	wait_for -r '^plain-after$'
	local line
	line=$(tmx capture-pane -p -e -t "$UI_CUR" | grep -a 'plain-after' | grep -av 'echo' | tail -n 1)
	[ "$line" = "plain-after" ] ||
		fail "attributes still on after dpctutor: $(printf '%q' "$line")"
}

faults_ctrl_c() {
	start_shell faults
	faults_run
	faults_wait_lesson
	send Enter
	wait_for "Two device events reach CPU 0 before its"
	send C-c
	faults_expect_restored 0 130
}

faults_sigint_by_kill() {
	start_shell faults
	faults_run
	faults_wait_lesson
	kill -INT "$(faults_pid)" || fail "kill -INT failed"
	faults_expect_restored 0 130
}

faults_sigterm() {
	start_shell faults
	faults_run
	faults_wait_lesson
	kill -TERM "$(faults_pid)" || fail "kill -TERM failed"
	faults_expect_restored 0 143
}

faults_sighup() {
	start_shell faults
	faults_run
	faults_wait_lesson
	kill -HUP "$(faults_pid)" || fail "kill -HUP failed"
	faults_expect_restored 129
}

# Ctrl-\ from the keyboard: SIGQUIT, the handler restores, then the
# default action (a core, here forbidden by ulimit -c 0) kills it.
faults_sigquit_key() {
	start_shell faults
	faults_run
	faults_wait_lesson
	send 'C-\'
	faults_expect_restored 131
}

# Ctrl-Z: curses gives the terminal back while the tutor is stopped
# (stty -a then is as before), and fg brings the lesson back, redrawn.
faults_ctrl_z_and_fg() {
	local t=$UI_TEST_TMP
	start_shell faults
	# No command list after the tutor: sh would run it at the stop.
	send_text "stty -a >'$t/stty.before'; '$UI_TUTOR' '$UI_LESSONS/$FAULTS_LESSON'"
	send Enter
	faults_wait_lesson
	send Enter
	wait_for "Two device events reach CPU 0 before its"
	send C-z
	wait_for "Stopped"
	wait_for -r '^uitest\$ *$'
	expect_pane_restored
	send_text "stty -a >'$UI_TEST_TMP/stty.stopped'; echo st''opped-saved"
	send Enter
	wait_for -r '^stopped-saved'
	local d
	d=$(diff "$UI_TEST_TMP/stty.before" "$UI_TEST_TMP/stty.stopped") ||
		fail "stty -a while stopped differs from before: $d"
	send_text fg
	send Enter
	wait_for "$FAULTS_TITLE"
	expect_screen_has "Two device events reach CPU 0 before its"
	expect_screen_has -r "$UI_FOOTER_STORY"
	[ "$(pane_format '#{alternate_on}')" = 1 ] || fail "after fg the tutor is not on the alternate screen"
	send q
	wait_for -r '^uitest\$ *$'
	send_text "echo \"exit\"\"code=\$?\"; stty -a >'$t/stty.after'; echo st''ty-saved"
	send Enter
	faults_expect_restored 0
}

# faults_crash_draw FRAME: the test build crashes half-way through drawing
# frame FRAME (SIGSEGV after reverse video and half a UTF-8 character).
faults_crash_draw() {
	local bin
	bin=$(faults_hooks_bin)
	[ -x "$bin" ] || fail "no test build at $bin (make check-ui builds it, or make build/plain/dpctutor-test-hooks)"
	start_shell faults
	faults_run -b "$bin" env DPCTUTOR_TEST_CRASH_DRAW="$1"
	if [ "$1" -gt 1 ]; then
		faults_wait_lesson
		local i
		for ((i = 2; i < $1; i++)); do
			press Enter
		done
		send Enter # this frame crashes
	fi
	faults_expect_restored 139
}

faults_crash_first_frame() {
	faults_crash_draw 1
}

faults_crash_later_frame() {
	faults_crash_draw 4
}

# The hook is in the test build only: the plain dpctutor ignores the
# variable (and does not even contain its name).
faults_no_hook_in_plain_build() {
	if grep -q DPCTUTOR_TEST_CRASH_DRAW "$UI_TUTOR"; then
		fail "$UI_TUTOR contains the crash hook"
	fi
	start -e DPCTUTOR_TEST_CRASH_DRAW=1 plain "$UI_LESSONS/$FAULTS_LESSON"
	wait_for "$FAULTS_TITLE"
	send Enter
	wait_for "Two device events reach CPU 0 before its"
	send q
	wait_exit
	[ "$UI_EXIT_STATUS" = 0 ] || fail "exit status $UI_EXIT_STATUS after q (want 0)"
}

# faults_lines_within W H: the last capture has at most H lines (it drops
# blank ones at the bottom), none wider than W characters.
faults_lines_within() {
	local lines line width=0
	lines=$(wc -l <<<"$UI_LAST")
	while IFS= read -r line; do # bash counts characters (LANG=C.UTF-8)
		[ "${#line}" -gt "$width" ] && width=${#line}
	done <<<"$UI_LAST"
	[ "$lines" -le "$2" ] || fail "at $1x$2 capture-pane shows $lines lines"
	[ "$width" -le "$1" ] || fail "at $1x$2 a line has $width characters"
}

# 60 resizes as fast as tmux takes them (sizes from a fixed-seed LCG,
# tiny and huge among them), then 100x30: the lesson screen is whole and
# at the same step, and keys still work.
faults_resize_storm() {
	start resize "$UI_LESSONS/$FAULTS_LESSON"
	wait_for "$FAULTS_TITLE"
	send Enter
	wait_for "Two device events reach CPU 0 before its"
	send Enter
	wait_for -r 'step [1-9][0-9]*/'
	settle
	local n m i seed=12345 w h
	read -r n m <<<"$(step_of)"
	for ((i = 0; i < 60; i++)); do
		seed=$(((seed * 1103515245 + 12345) % 2147483648))
		w=$((seed % 240 + 1))
		seed=$(((seed * 1103515245 + 12345) % 2147483648))
		h=$((seed % 70 + 1))
		tmx resize-window -t "$UI_CUR" -x "$w" -y "$h" || fail "resize-window ${w}x$h failed"
	done
	resize 100 30
	wait_gone "enlarge"
	wait_for "$FAULTS_TITLE"
	wait_for -r "step $n/$m "
	expect_screen_has -r '^CPU0 IRQL'
	expect_screen_has -r "$UI_FOOTER_STORY"
	expect_screen_has "Two device events reach CPU 0 before its"
	settle
	faults_lines_within 100 30
	[ "$(pane_format '#{pane_dead}')" = 0 ] || fail "dpctutor died in the storm"
	send Enter
	wait_gone -r "step $n/$m "
}

# Down to 10x5 the enlarge screen says what it needs, inside the window;
# below that (5x3, 1x1) it is cut but nothing breaks; back at 80x24 the
# lesson is there; q quits from 10x5.
faults_tiny_sizes() {
	start -x 80 -y 24 tiny "$UI_LESSONS/$FAULTS_LESSON"
	wait_for "$FAULTS_TITLE"
	local size w h
	for size in 79x23 44x12 43x12 20x8 12x6 10x5; do
		w=${size%x*}
		h=${size#*x}
		resize "$w" "$h"
		if [ "$w" -ge 44 ]; then
			wait_for "This one is ${size}: please"
		else
			wait_for "now $size"
			expect_screen_has "need 80x24"
			expect_screen_has "q quits"
		fi
		settle
		faults_lines_within "$w" "$h"
	done
	for size in 5x3 2x2 1x1; do
		resize "${size%x*}" "${size#*x}"
		# 1x1 is one corner cell, which curses leaves blank.
		[ "$size" = 1x1 ] || wait_for -r '^(ne|need)'
		settle
		[ "$(pane_format '#{pane_dead}')" = 0 ] || fail "dpctutor died at $size"
	done
	resize 80 24
	wait_for "$FAULTS_TITLE"
	expect_screen_has -r "$UI_FOOTER_STORY"
	settle
	faults_lines_within 80 24
	resize 10 5
	wait_for "now 10x5"
	send q
	wait_exit
	[ "$UI_EXIT_STATUS" = 0 ] || fail "exit status $UI_EXIT_STATUS after q at 10x5"
}

# faults_no_terminal REDIRECTION WANT: dpctutor LESSON REDIRECTION says
# WANT on stderr and exits 2; the terminal is untouched.
faults_no_terminal() {
	local t=$UI_TEST_TMP
	send_text "stty -a >'$t/stty.before'; '$UI_TUTOR' '$UI_LESSONS/$FAULTS_LESSON' $1; echo \"exit\"\"code=\$?\"; stty -a >'$t/stty.after'; echo st''ty-saved"
	send Enter
	wait_for -r '^stty-saved'
	expect_screen_has "$2"
	faults_expect_restored 2
	send clear Enter
	wait_gone "$2"
}

faults_closed_stdin() {
	start_shell faults
	faults_no_terminal '<&-' "dpctutor: standard input is closed"
	faults_no_terminal '</dev/null' "dpctutor: standard input is not a terminal"
	faults_no_terminal ">'$UI_TEST_TMP/out'" "dpctutor: standard output is not a terminal"
	faults_no_terminal '>/dev/null' "dpctutor: standard output is not a terminal"
	faults_no_terminal '>&-' "dpctutor: standard output is closed"
}

# A locale that is not UTF-8, set through LC_ALL over a UTF-8 LANG: ASCII
# drawing only.  (LANG=C alone is t_ascii.sh's ascii_locale_c.)
faults_posix_locale() {
	start -e LC_ALL=POSIX posix "$UI_LESSONS/$FAULTS_LESSON"
	wait_for "$FAULTS_TITLE"
	wait_for -r "$UI_FOOTER_STORY"
	settle
	local bad
	bad=$(LC_ALL=C grep -n '[^ -~]' <<<"$UI_LAST" | head -n 3)
	[ -z "$bad" ] || fail "LC_ALL=POSIX: characters outside ASCII on line(s): $bad"
	expect_screen_has -r '\+- story -+\+'
}

# The window closes under a tutor that ignores SIGHUP (nohup): every read
# fails from then on.  dpctutor must notice, save where the student was
# and exit, rather than spin on the failing reads.
faults_hangup_ignored() {
	local t=$UI_TEST_TMP
	UI_CUR=hup
	tmx new-session -d -s hup -x 100 -y 30 -c "$UI_ROOT" \
		env -u NO_COLOR -u LC_ALL -u LC_CTYPE LANG=C.UTF-8 XDG_STATE_HOME="$UI_STATE" \
		/bin/sh -c 'trap "" HUP; echo $$ >"$1"; exec "$2" "$3"' sh "$t/pid" \
		"$UI_TUTOR" "$UI_LESSONS/$FAULTS_LESSON" || fail "tmux new-session hup failed"
	wait_for "$FAULTS_TITLE"
	send Enter
	wait_for "Two device events reach CPU 0 before its"
	send Enter
	wait_for -r 'step [1-9][0-9]*/'
	local pid deadline
	pid=$(faults_pid)
	tmx kill-session -t hup || fail "kill-session failed"
	deadline=$(ui_deadline_ms)
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$(ui_now_ms)" -ge "$deadline" ]; then
			local cpu
			cpu=$(ps -o pcpu= -p "$pid")
			kill -KILL "$pid"
			fail "dpctutor ($pid) still runs ${UI_TIMEOUT} s after its terminal went away (${cpu}% CPU)"
		fi
		sleep 0.05
	done
	local file=$UI_STATE/dpctutor/progress
	grep -qE '^lesson queued-once .* resume=story ' "$file" ||
		fail "no resume record saved on the way out: $(cat "$file" 2>&1)"
}

# A full disk under the running tutor: its temporary file is made a
# symlink to /dev/full, so the save on the way to the menu fails with
# ENOSPC.  The menu says so and still shows where the student is (from
# memory); once the disk works again (the failed save removed the
# symlink) the next save writes it.
faults_progress_disk_full() {
	start_shell faults
	faults_run
	faults_wait_lesson
	send Enter
	wait_for "Two device events reach CPU 0 before its"
	press_until Space "step 4/4" 8
	local pid tmp
	pid=$(faults_pid)
	tmp=$UI_STATE/dpctutor/progress.tmp-$pid
	ln -s /dev/full "$tmp" || fail "cannot make $tmp"
	send m
	wait_for "progress is kept in memory only (No space left on device): cannot write to"
	expect_screen_has -r '03  Queued once until it runs +in progress, step 4$'
	[ -L "$tmp" ] && fail "the failed save left its temporary file"
	[ -c /dev/full ] || fail "/dev/full is gone"
	# The disk works again: back into the lesson (the menu selects the
	# lesson m came from) and out with q.
	expect_screen_has -r '^ → . 03  Queued once'
	send Enter
	wait_for "$FAULTS_TITLE"
	send q
	faults_expect_restored 0
	grep -qE '^lesson queued-once .* resume=story ' "$UI_STATE/dpctutor/progress" ||
		fail "the place was not saved once the disk worked: $(cat "$UI_STATE/dpctutor/progress" 2>&1)"
}

# A progress file cut in its third line: set aside, reported with the
# count of whole lines recovered, and the completion in them kept.
faults_progress_damage_recovered() {
	mkdir -p "$UI_STATE/dpctutor"
	printf '%s\n' 'dpctutor-progress 1' \
		'lesson queued-once gen=0 done=1 best=2/2 hash=00000001 resume=-' \
		'lesson two-dpcs gen=0 done=0 best=0/0 hash=00000002 resume=-' >"$UI_STATE/dpctutor/progress"
	printf 'lesson first-interrupt gen=0 do' >>"$UI_STATE/dpctutor/progress"
	start -e DPCTUTOR_LESSONS="$UI_ROOT/tests/lessons/frozen" menu
	wait_for "the progress file did not read back (2 whole lesson lines recovered); it was set aside as"
	expect_screen_has "1 of 3 done"
	expect_screen_has -r '03  Queued once until it runs +done, best 2/2'
	ls "$UI_STATE/dpctutor/" | grep -qE '^progress\.damaged-[0-9]{8}-[0-9]{6}$' ||
		fail "no progress.damaged-* file: $(ls "$UI_STATE/dpctutor/")"
	grep -q '^lesson queued-once gen=0 done=1 best=2/2 ' "$UI_STATE/dpctutor/progress" ||
		fail "the recovered lines were not written back: $(cat "$UI_STATE/dpctutor/progress")"
	send q
	wait_exit
	[ "$UI_EXIT_STATUS" = 0 ] || fail "exit status $UI_EXIT_STATUS after q"
}

ui_test faults_ctrl_c "Ctrl-C mid-story: exit 0/130, stty -a after == before, no attribute left on"
ui_test faults_sigint_by_kill "SIGINT from kill: exit 0/130, stty -a after == before"
ui_test faults_sigterm "SIGTERM: exit 0/143, stty -a after == before"
ui_test faults_sighup "SIGHUP: exit 129, stty -a after == before"
ui_test faults_ctrl_z_and_fg "Ctrl-Z: stopped, the terminal is as before (stty -a); fg redraws the lesson; q restores"
ui_test faults_sigquit_key "Ctrl-\\ (SIGQUIT): exit 131, stty -a after == before"
ui_test faults_crash_first_frame "test build: SIGSEGV half-way through frame 1 (reverse on, UTF-8 cut): exit 139, stty -a after == before, attributes off"
ui_test faults_crash_later_frame "test build: SIGSEGV half-way through frame 4 (after keys): exit 139, terminal restored"
ui_test faults_no_hook_in_plain_build "the plain build has no crash hook: DPCTUTOR_TEST_CRASH_DRAW=1 draws and quits normally"
ui_test faults_resize_storm "60 resizes from 1x1 to 240x70 without waiting, then 100x30: the lesson whole, same step, keys work"
ui_test faults_tiny_sizes "79x23 down to 10x5: the enlarge screen fits inside; 5x3, 2x2, 1x1 do not crash; back at 80x24; q at 10x5"
ui_test faults_closed_stdin "<&-, </dev/null, >file, >/dev/null, >&-: a clear message naming the stream, exit 2, stty unchanged"
ui_test faults_posix_locale "LC_ALL=POSIX over LANG=C.UTF-8: ASCII drawing only"
ui_test faults_hangup_ignored "the window closes under a tutor ignoring SIGHUP: it saves its place and exits (no busy loop)"
ui_test faults_progress_disk_full "progress.tmp-PID -> /dev/full: the menu reports ENOSPC, keeps the place in memory; the next save writes it"
ui_test faults_progress_damage_recovered "a progress file cut in line 3: set aside, '2 whole lesson lines recovered', 03 still done"
