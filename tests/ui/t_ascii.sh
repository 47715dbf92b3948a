# t_ascii.sh - --ascii (and a locale that is not UTF-8) draws with ASCII
# only: capture-pane shows no byte outside printable ASCII on any screen.

# expect_ascii_only WHAT: the settled screen is printable ASCII only.
expect_ascii_only() {
	settle
	local bad
	bad=$(LC_ALL=C grep -n '[^ -~]' <<<"$UI_LAST" | head -n 3)
	[ -z "$bad" ] || fail "$1: characters outside ASCII on line(s): $bad"
}

ascii_screens() {
	start ascii --ascii "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	wait_for -r "$UI_FOOTER_STORY"
	expect_screen_has -r '^-{40,} \|'
	expect_screen_has -r '\+- story -+\+'
	expect_screen_has -r '\+- log -+\+'
	expect_ascii_only "the lesson screen"
	# The story, its question and the log.
	send Enter
	wait_for "Two device events reach CPU 0 before its"
	send Enter Enter Enter
	wait_for "? What does WdfInterruptQueueDpcForIsr"
	send 2
	wait_for "you: FALSE"
	expect_screen_has "FALSE: the NIC DPC"
	expect_ascii_only "the story and the log"
	# A prompt.
	send 0
	wait_for "leave the story and play freely? (y/n)"
	expect_ascii_only "the leave prompt"
	send n
	wait_gone "leave the story"
	# The help.
	send '?'
	wait_for "Press any key to go back."
	expect_screen_has -r '\+- help -+\+'
	expect_ascii_only "the help screen"
	send x
	wait_gone "Press any key to go back."
	# Too small.
	resize 60 20
	wait_for "please enlarge it."
	expect_ascii_only "the enlarge screen"
	resize 100 30
	wait_for -r "$UI_FOOTER_STORY"
}

ascii_bugcheck() {
	cat >"$UI_TEST_TMP/nil.lua" <<'LUA'
lesson { api = 1, id = "nil-handle", title = "A nil handle", cpus = 1 }
local dev = device { name = "nic", irql = 5, affinity = { 0 } }
local status, irq = WdfInterruptCreate(dev, {
  EvtInterruptIsr = function(interrupt, message_id)
    WdfInterruptQueueDpcForIsr(nil)
    return true
  end,
  EvtInterruptDpc = function(interrupt, device) end,
})
story { fire(dev, { cpu = 0 }), run_to_end() }
LUA
	start ascii --ascii "$UI_TEST_TMP/nil.lua"
	wait_for "dpctutor: A nil handle"
	send g
	wait_for "bug check 0x10D"
	expect_ascii_only "the blue screen"
}

# Not UTF-8: LANG=C without --ascii.
ascii_locale_c() {
	start -e LANG=C ascii "$UI_LESSONS/06-two-dpcs.lua"
	wait_for "dpctutor: Two DPCs at once"
	wait_for -r "$UI_FOOTER_STORY"
	expect_screen_has -r '\+- story -+\+'
	expect_ascii_only "the lesson screen under LANG=C"
}

ui_test ascii_screens "--ascii: lesson, story, log, prompt, help and enlarge screens are ASCII only"
ui_test ascii_bugcheck "--ascii: the blue screen is ASCII only"
ui_test ascii_locale_c "LANG=C (not UTF-8) draws ASCII only without --ascii"
