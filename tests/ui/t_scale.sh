# t_scale.sh - many CPUs (--cpus N) and the c key: c, a CPU number and
# Enter step any CPU; past what fits, the CPU rows follow the CPU stepped
# last; a bigger terminal shows more of them.

# 64 CPUs at 80x24: one-line rows, a note on the CPUs not shown; c40
# Enter asks to leave the story, y tries CPU 40 and the rows move to it.
scale_64_cpus_80x24() {
	start -x 80 -y 24 scale --cpus 64 "$UI_LESSONS/02-first-interrupt.lua"
	wait_for "dpctutor: IRQL and a first interrupt"
	wait_for -r '^ Spc next  Enter pause  b/f back/redo  0-9/cN CPU'
	expect_screen_has -r '^CPU0 IRQL 0 PASSIVE +idle'
	expect_screen_has -r '^CPU11 IRQL 0 PASSIVE +idle'
	expect_screen_has "... 52 more CPUs not shown (CPU12..CPU63)"
	expect_screen_lacks -r '^  next:'
	expect_screen_has -r '^NIC +DPC not queued'
	local lines
	lines=$(wc -l <<<"$UI_LAST")
	[ "$lines" -eq 24 ] || fail "capture-pane shows $lines lines, not 24"
	# The prompt shows what is typed; Backspace edits it.
	send c 4
	wait_for "step CPU: c4_  (0-63, Enter steps it, Esc cancels)"
	send 1
	wait_for "step CPU: c41_"
	send BSpace
	wait_for "step CPU: c4_"
	send 0
	wait_for "step CPU: c40_"
	send Enter
	wait_for "leave the story and play freely? (y/n)"
	send y
	wait_for -r '^CPU 40 cannot step: it is idle'
	expect_screen_has -r '^CPU40 IRQL 0 PASSIVE +idle'
	expect_screen_has "... 52 more: CPU0-33 above, CPU46-63 below"
	expect_screen_lacks -r '^CPU0 IRQL'
	expect_screen_has "─ free play ─"
	expect_screen_has -r 'step 0/0 '
}

# Lesson 06 (two CPUs): c0 Enter during the story asks to leave it and
# steps CPU 0 after y; in free play c steps at once, an idle CPU says
# why, a CPU that is not there says so, Esc cancels.
scale_c_key() {
	start scale "$UI_LESSONS/06-two-dpcs.lua"
	wait_for "dpctutor: Two DPCs at once"
	send Enter
	wait_for "The NIC interrupts CPU 0. Its ISR saves"
	send Enter
	wait_for "CPU 0 has dequeued the DPC and entered it."
	wait_for -r 'step [1-9][0-9]*/[1-9]'
	settle
	local n m
	read -r n m <<<"$(step_of)"
	send c 0 Enter
	wait_for "leave the story and play freely? (y/n)"
	expect_screen_has -r "step $n/$m "
	send y
	wait_for -r "step $((n + 1))/$((n + 1)) "
	expect_screen_has "─ free play ─"
	send c 0 Enter
	wait_for -r "step $((n + 2))/$((n + 2)) "
	expect_screen_lacks "leave the story"
	send c 1 Enter
	wait_for -r '^CPU 1 cannot step: it is idle'
	send c 9 Enter
	wait_for -r '^there is no CPU 9 \(this machine has 0-1\)'
	send c 1
	wait_for "step CPU: c1_"
	send Escape
	wait_gone "step CPU:"
	expect_screen_has -r "step $((n + 2))/$((n + 2)) "
}

# More room shows more: at 200x60, 8 CPUs get full panes and all 64 fit
# as one-line rows in two columns.
scale_big_terminal() {
	start -x 200 -y 60 scale --cpus 8 "$UI_LESSONS/02-first-interrupt.lua"
	wait_for "dpctutor: IRQL and a first interrupt"
	wait_for -r '^CPU7 IRQL 0 PASSIVE +idle'
	settle
	local full
	full=$(grep -cE '^  next: ' <<<"$UI_LAST")
	[ "$full" -eq 8 ] || fail "8 CPUs at 200x60: $full full panes, not 8"
	start -x 200 -y 60 scale64 --cpus 64 "$UI_LESSONS/02-first-interrupt.lua"
	wait_for "dpctutor: IRQL and a first interrupt"
	wait_for -r '^CPU0 IRQL 0 PASSIVE +idle +CPU32 IRQL 0 PASSIVE +idle'
	expect_screen_has -r 'CPU63 IRQL 0 PASSIVE +idle'
	expect_screen_lacks "not shown"
}

ui_test scale_64_cpus_80x24 "--cpus 64 at 80x24: one-line rows, a note; c40 Enter y moves the rows to CPU 40"
ui_test scale_c_key "c N Enter: asks to leave the story, then steps; idle, missing CPUs and Esc"
ui_test scale_big_terminal "200x60: full panes for 8 CPUs, all 64 one-line rows in two columns"
