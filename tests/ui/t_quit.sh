# t_quit.sh - q, Ctrl-C and SIGTERM end dpctutor and give the terminal back:
# the shell's prompt returns, the alternate screen is left, the cursor is
# visible, keypad and mouse modes are off, and `stty -a` in the same pane
# shows echo and icanon on.  dpctutor runs from a plain sh (dash), which
# itself leaves the terminal modes alone.

# quit_run_tutor [WRAPPER...]: type the dpctutor command line into the shell
# and wait for the lesson screen.
quit_run_tutor() {
	local cmd
	cmd="$* \"$UI_TUTOR\" \"$UI_LESSONS/03-queued-once.lua\"; echo \"exit\"\"code=\$?\""
	send_text "$cmd"
	send Enter
	wait_for "dpctutor: Queued once until it runs"
	wait_for -r "$UI_FOOTER_STORY"
	local flags
	flags=$(pane_format 'alternate_on=#{alternate_on} cursor_flag=#{cursor_flag}')
	[ "$flags" = "alternate_on=1 cursor_flag=0" ] ||
		fail "while dpctutor runs the pane should be on the alternate screen with the cursor hidden: $flags"
}

# quit_check_restored: after dpctutor has exited; its exit status goes to
# QUIT_RC.
quit_check_restored() {
	wait_for -r '^exitcode=[0-9]+'
	wait_for -r '^uitest\$ *$'
	wait_gone "dpctutor: Queued once until it runs"
	QUIT_RC=$(grep -oE '^exitcode=[0-9]+' <<<"$UI_LAST" | tail -n 1)
	QUIT_RC=${QUIT_RC#exitcode=}
	expect_pane_restored
	# The modes, in the pane itself.
	send_text "stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo|isig|icrnl|opost)' | tr '\\n' ' ' | sed 's/^/mo''des: /'; echo"
	send Enter
	wait_for -r '^modes: '
	local modes m
	modes=$(grep -E '^modes: ' <<<"$UI_LAST" | tail -n 1)
	for m in icanon echo isig icrnl opost; do
		grep -qE "(^|: | )$m( |$)" <<<"$modes" || fail "stty after dpctutor: '$m' is not on ($modes)"
	done
}

quit_q() {
	start_shell quit
	quit_run_tutor
	send Enter # some state to leave behind
	wait_for "Two device events reach CPU 0 before its"
	send q
	quit_check_restored
	local rc=$QUIT_RC
	[ "$rc" = 0 ] || fail "dpctutor exited with status $rc after q (want 0)"
	# The lesson's screen is gone and the command line is back.
	expect_screen_has -r '^uitest\$ .*03-queued-once.lua'
}

quit_ctrl_c() {
	start_shell quit
	quit_run_tutor
	send j # Ctrl-C also works with a prompt open
	wait_for "jump to step: _"
	send C-c
	quit_check_restored
	local rc=$QUIT_RC
	case $rc in
	0 | 130) note "exit status after Ctrl-C: $rc" ;;
	*) fail "dpctutor exited with status $rc after Ctrl-C (want 0 or 130)" ;;
	esac
	expect_screen_lacks "Quit (core dumped)"
}

quit_sigterm() {
	start_shell quit
	quit_run_tutor "sh -c 'echo \$\$ >\"$UI_TEST_TMP/pid\"; exec \"\$0\" \"\$@\"'"
	local pid
	pid=$(cat "$UI_TEST_TMP/pid" 2>/dev/null)
	[ -n "$pid" ] || fail "no pid file from the wrapper"
	kill -TERM "$pid" || fail "kill -TERM $pid failed"
	quit_check_restored
	local rc=$QUIT_RC
	case $rc in
	0 | 143) note "exit status after SIGTERM: $rc" ;;
	*) fail "dpctutor exited with status $rc after SIGTERM (want 0 or 143)" ;;
	esac
}

# A fatal signal (a crash) restores the terminal from the signal handler
# (write(2) of the prepared bytes and tcsetattr(3) only), then dies of
# the same signal: status 128 + N.  No core file is written (ulimit -c 0).
quit_fatal_signal() { # SIGNAL NUMBER
	start_shell quit
	quit_run_tutor "sh -c 'ulimit -c 0; echo \$\$ >\"$UI_TEST_TMP/pid\"; exec \"\$0\" \"\$@\"'"
	local pid
	pid=$(cat "$UI_TEST_TMP/pid" 2>/dev/null)
	[ -n "$pid" ] || fail "no pid file from the wrapper"
	kill "-$1" "$pid" || fail "kill -$1 $pid failed"
	quit_check_restored
	local rc=$QUIT_RC
	[ "$rc" = $((128 + $2)) ] || fail "dpctutor exited with status $rc after SIG$1 (want $((128 + $2)))"
}

quit_sigsegv() {
	quit_fatal_signal SEGV 11
}

quit_sigabrt() {
	quit_fatal_signal ABRT 6
}

# SIGHUP (the terminal window closed) takes the clean path as SIGTERM
# does: the terminal back, the student's place saved, then the status a
# shell expects of a hang-up (129).
quit_sighup() {
	start_shell quit
	quit_run_tutor "sh -c 'echo \$\$ >\"$UI_TEST_TMP/pid\"; exec \"\$0\" \"\$@\"'"
	send Enter # one piece of the story: a place worth saving
	wait_for "Two device events reach CPU 0"
	local pid
	pid=$(cat "$UI_TEST_TMP/pid" 2>/dev/null)
	[ -n "$pid" ] || fail "no pid file from the wrapper"
	kill -HUP "$pid" || fail "kill -HUP $pid failed"
	quit_check_restored
	[ "$QUIT_RC" = 129 ] || fail "dpctutor exited with status $QUIT_RC after SIGHUP (want 129)"
	grep -qE '^lesson queued-once .* resume=story ' "$UI_STATE/dpctutor/progress" ||
		fail "SIGHUP lost the student's place: $(cat "$UI_STATE/dpctutor/progress" 2>&1)"
}

# The last-resort alarm (DPCTUTOR_ALARM) rings while the lesson waits for
# a key: the terminal comes back, one line names the lesson, status 1.  5 s
# is only how long the lesson screen has to appear before the alarm rings;
# the test waits for the exit, it never times it.
quit_alarm() {
	start_shell quit
	quit_run_tutor DPCTUTOR_ALARM=5
	quit_check_restored
	local rc=$QUIT_RC
	[ "$rc" = 1 ] || fail "dpctutor exited with status $rc when the alarm rang (want 1)"
	expect_screen_has "03-queued-once.lua: stopped by the last-resort alarm after 5 s"
}

ui_test quit_q "q exits with status 0 and gives the terminal back (stty: echo, icanon on)"
ui_test quit_ctrl_c "Ctrl-C (with a prompt open) exits cleanly and gives the terminal back"
ui_test quit_sigterm "SIGTERM exits cleanly and gives the terminal back"
ui_test quit_sigsegv "SIGSEGV: the handler gives the terminal back, then dies of it (status 139)"
ui_test quit_sigabrt "SIGABRT: the handler gives the terminal back, then dies of it (status 134)"
ui_test quit_sighup "SIGHUP: a clean quit that saves the place, then status 129"
ui_test quit_alarm "the last-resort alarm gives the terminal back, names the lesson, exits 1"
