# lib.sh - helpers for dpctutor's end-to-end UI tests: the real binary in
# tmux, driven with send-keys and read back with capture-pane.
#
# Sourced by tests/ui/run.sh (bash).  The CI rules these helpers keep:
#   - LANG=C.UTF-8, the only UTF-8 locale on the CI image (LC_ALL unset);
#   - one PRIVATE tmux server per run: tmux -L dpctutor-ui-$$ -f /dev/null,
#     killed at exit (trap EXIT) whatever happens;
#   - no bare sleeps: wait_for polls capture-pane every 50 ms until the text
#     appears, and fails after UI_TIMEOUT seconds (default 10) printing the
#     last screen it saw;
#   - no time-based pass/fail: timeouts only stop a test that is stuck.
#
# A test is a shell function, registered with `ui_test FUNCTION "what it
# checks"` at the bottom of its tests/ui/t_*.sh file.  Each one runs in a
# subshell; the first failed check prints why, with the screen, and ends
# that test (exit 1).  Afterwards every session it started is killed.
#
# Helpers for tests:
#   start [-x W] [-y H] [-e VAR=VALUE]... NAME [ARGS...]
#                          start dpctutor ARGS in a new W x H session NAME
#                          (default 100x30) and make it the current one
#   start_shell [-x W] [-y H] NAME
#                          a plain sh (dash) with the prompt "uitest$ "
#   use NAME               make session NAME the current one
#   send KEYS...           tmux send-keys to the current session (key names:
#                          Enter Space Left Right Escape C-c; a bare
#                          character is that key)
#   send_text TEXT         send TEXT literally (send-keys -l)
#   resize W H             resize the current window
#   screen                 print the current screen (capture-pane -p)
#   wait_for [-r] TEXT     until the screen shows TEXT (a fixed string; -r:
#                          an extended regex, matched line by line)
#   wait_gone [-r] TEXT    until the screen no longer shows TEXT
#   expect_screen_has [-r] TEXT    the same as wait_for (the screen may
#                          still be being drawn, so "has" means "comes to")
#   expect_screen_lacks [-r] TEXT  the settled screen lacks TEXT
#   settle                 until two captures 50 ms apart are equal
#   pane_format FORMAT     a tmux format of the current pane (#{pane_dead})
#   wait_exit              until the program has exited; its status goes to
#                          UI_EXIT_STATUS (128+N: killed by signal N)
#   expect_pane_restored   the pane is off the alternate screen, the cursor
#                          shows, keypad and mouse modes are off
#   press KEY              send KEY, wait until the screen changes
#   press_until KEY TEXT [MAX]  press KEY until TEXT shows (MAX presses)
#   step_of                "N M" from the title's "step N/M" (last capture)
#   nocolor_colours        the SGR colour parameters on the current pane, one a line
#   fail MESSAGE           fail the test, printing MESSAGE and the screen
#   note MESSAGE           print a line under the test's name
#   known_bug ID TEXT -- CHECK...   run CHECK once on the settled screen; if
#                          it fails, report the known UI bug ID and go on
#                          (the test goes on); if it passes, say that the
#                          bug looks fixed (remove the marker).  UI_STRICT=1
#                          fails the test in both cases.
#   $UI_TUTOR              the dpctutor binary (absolute path)
#   $UI_ROOT               the repository; $UI_LESSONS its lessons/
#   $UI_TEST_TMP           a scratch directory for the running test
#   $UI_STATE              the test's private XDG_STATE_HOME: every program
#                          a test starts (start, start_shell) keeps its
#                          progress in $UI_STATE/dpctutor, shared by the
#                          runs of one test and by no other test
#
# For run.sh: ui_init TUTOR, ui_test, ui_run_one STEM FUNCTION DESC, ui_summary.

set -u

export LANG=C.UTF-8
unset LC_ALL LC_CTYPE LC_MESSAGES NO_COLOR DPCTUTOR_LESSONS
# Never the real ~/.local/state: ui_run_one points this at the test's own
# directory before the test runs; until then, at nothing writable.
export XDG_STATE_HOME=/nonexistent-dpctutor-ui-state
UI_STATE=

UI_TIMEOUT=${UI_TIMEOUT:-10}

# The footers (regexes for wait_for -r): the story's, free play's, and the
# one under a question, and a prompt's.  The UI's wording moves: tests use
# these.
UI_FOOTER_STORY='^ Spc next  Enter (to )?pause  b/f back/redo  0-9 CPU  e event'
UI_FOOTER_FREE='^ 0-9 (step )?CPU  Spc any  b/f back/redo  e event  t thread'
UI_FOOTER_ASK='^ 1-9 answer +b back'
UI_FOOTER_PROMPT='^ type your choice'
# The interrupt row of the objects pane: name, DPC state, runs, TRUE and
# FALSE counts, lock.  ui_irow NAME STATE RUNS T F [LOCK] -> a regex.
ui_irow() {
	echo "^$1 +DPC $2 +run $3 +T$4 F$5 +lock${6:+ +$6}"
}

UI_SOCKET=dpctutor-ui-$$
UI_PASSED=0
UI_FAILED=0
UI_KNOWN=0
UI_TESTS=()
UI_TEST_DESCS=()
UI_CUR=
UI_LAST=
UI_TMP=
UI_TEST_TMP=
UI_SERVER_UP=0
UI_SOCKET_PATH=

tmx() {
	tmux -L "$UI_SOCKET" -f /dev/null "$@"
}

# nocolor_colours: the colour parameters of the SGR escapes in the current
# pane (capture-pane -e), one per line: 30-37 40-47 90-97 100-107, 38 48.
nocolor_colours() {
	tmx capture-pane -p -e -t "$UI_CUR" |
		grep -oE $'\e\\[[0-9;]*m' |
		sed -E $'s/^\e\\[//; s/m$//' | tr ';' '\n' |
		grep -xE '3[0-8]|4[0-8]|9[0-7]|10[0-7]' | sort -u
}

# ---------------------------------------------------------------------------
# The run: one tmux server, killed at exit.

ui_cleanup() {
	if [ "$UI_SERVER_UP" = 1 ]; then
		tmx kill-server >/dev/null 2>&1 || true
		UI_SERVER_UP=0
		# tmux 3.3 leaves the socket file of a killed server behind.
		[ -n "$UI_SOCKET_PATH" ] && [ -S "$UI_SOCKET_PATH" ] && rm -f "$UI_SOCKET_PATH"
	fi
	[ -n "$UI_TMP" ] && rm -rf "$UI_TMP"
	UI_TMP=
}

# ui_init TUTOR: check the tools, start the private tmux server.
ui_init() {
	local tutor=${1:-}
	UI_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	UI_LESSONS=$UI_ROOT/lessons
	if ! command -v tmux >/dev/null 2>&1; then
		echo "ui tests: tmux is not installed; install it with \`make deps\` (Debian package tmux)" >&2
		return 1
	fi
	if [ -z "$tutor" ]; then
		echo "ui tests: usage: run.sh DPCTUTOR [TEST...]" >&2
		return 1
	fi
	if [ ! -f "$tutor" ] || [ ! -x "$tutor" ]; then
		echo "ui tests: $tutor is not an executable (build it with \`make\`)" >&2
		return 1
	fi
	UI_TUTOR=$(cd "$(dirname "$tutor")" && pwd)/$(basename "$tutor")
	trap ui_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	UI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dpctutor-ui.XXXXXX")
	# tmux-256color comes with ncurses-base; older tmux defaults to screen.
	local term=screen
	infocmp tmux-256color >/dev/null 2>&1 && term=tmux-256color
	# A keeper session holds the server up between tests (a server that
	# exits as its last session dies can race the next new-session).
	# remain-on-exit keeps a dead program's last screen for the report.
	if ! tmx new-session -d -s keeper -x 80 -y 24 "exec sleep 86400" \; \
		set-option -g status off \; \
		set-option -g remain-on-exit on \; \
		set-option -g default-terminal "$term" \; \
		set-option -g history-limit 100 >/dev/null; then
		echo "ui tests: cannot start a tmux server (tmux -L $UI_SOCKET)" >&2
		return 1
	fi
	UI_SERVER_UP=1
	UI_SOCKET_PATH=$(tmx display-message -p -t keeper '#{socket_path}' 2>/dev/null)
	return 0
}

# ---------------------------------------------------------------------------
# Reporting.

ui_now() { # seconds since the epoch, with microseconds
	if [ -n "${EPOCHREALTIME:-}" ]; then
		echo "${EPOCHREALTIME/,/.}"
	else
		date +%s.%N
	fi
}

ui_now_ms() { # milliseconds since the epoch
	local t
	t=$(ui_now)
	local s=${t%.*} f=${t#*.}000
	echo $((s * 1000 + 10#${f:0:3}))
}

ui_deadline_ms() { # now + UI_TIMEOUT (seconds, decimals allowed), in ms
	local s=${UI_TIMEOUT%.*} f=0
	[ "$s" = "$UI_TIMEOUT" ] || f=${UI_TIMEOUT#*.}
	f=${f}000
	echo $(($(ui_now_ms) + ${s:-0} * 1000 + 10#${f:0:3}))
}

# Print the last capture, framed (on stdout, to keep a log's order).
ui_show_screen() {
	local label=${1:-last screen}
	{
		echo "    --- $label${UI_CUR:+ (session $UI_CUR)} ---"
		if [ -n "$UI_LAST" ]; then
			printf '%s\n' "$UI_LAST" | sed 's/^/    |/'
		else
			echo "    (nothing captured)"
		fi
		echo "    ---"
	}
}

fail() {
	echo "    FAILED: $*"
	ui_show_screen
	exit 1
}

note() {
	echo "    $*"
}

# ---------------------------------------------------------------------------
# Sessions.

start() {
	local w=100 h=30 envs=()
	while [ $# -gt 0 ]; do
		case $1 in
		-x) w=$2; shift 2 ;;
		-y) h=$2; shift 2 ;;
		-e) envs+=("$2"); shift 2 ;;
		*) break ;;
		esac
	done
	[ $# -ge 1 ] || fail "start: no session name"
	UI_CUR=$1
	shift
	UI_LAST=
	# A small sh records the exit status in a file: tmux's own
	# #{pane_dead_status} is sometimes never set (tmux 3.3a).
	local status_file=$UI_TEST_TMP/exit.$UI_CUR
	rm -f "$status_file"
	tmx new-session -d -s "$UI_CUR" -x "$w" -y "$h" -c "$UI_ROOT" \
		env -u NO_COLOR -u LC_ALL -u LC_CTYPE LANG=C.UTF-8 \
		XDG_STATE_HOME="$UI_STATE" "${envs[@]}" \
		/bin/sh -c 'f=$1; shift; "$@"; echo $? >"$f.tmp"; mv "$f.tmp" "$f"' sh \
		"$status_file" "$UI_TUTOR" "$@" ||
		fail "start: tmux new-session $UI_CUR failed"
}

start_shell() {
	local w=100 h=30
	while [ $# -gt 0 ]; do
		case $1 in
		-x) w=$2; shift 2 ;;
		-y) h=$2; shift 2 ;;
		*) break ;;
		esac
	done
	UI_CUR=$1
	UI_LAST=
	tmx new-session -d -s "$UI_CUR" -x "$w" -y "$h" -c "$UI_ROOT" \
		env -u NO_COLOR -u LC_ALL -u LC_CTYPE -u ENV LANG=C.UTF-8 \
		XDG_STATE_HOME="$UI_STATE" 'PS1=uitest$ ' /bin/sh ||
		fail "start_shell: tmux new-session $UI_CUR failed"
	wait_for -r '^uitest\$'
}

use() {
	UI_CUR=$1
}

send() {
	tmx send-keys -t "$UI_CUR" "$@" || fail "send-keys $* to $UI_CUR failed"
}

send_text() {
	tmx send-keys -t "$UI_CUR" -l "$1" || fail "send-keys -l to $UI_CUR failed"
}

resize() {
	tmx resize-window -t "$UI_CUR" -x "$1" -y "$2" || fail "resize-window $1x$2 failed"
}

pane_format() {
	tmx display-message -p -t "$UI_CUR" "$1" 2>/dev/null
}

# Capture the screen into UI_LAST (and print it).
screen() {
	local out
	if ! out=$(tmx capture-pane -p -t "$UI_CUR" 2>&1); then
		UI_LAST="(capture-pane failed: $out)"
		printf '%s\n' "$UI_LAST"
		return 1
	fi
	UI_LAST=$out
	printf '%s\n' "$out"
}

ui_capture() { # like screen, without printing
	screen >/dev/null
}

# ui_matches MODE TEXT: does UI_LAST show TEXT?
ui_matches() {
	if [ "$1" = -E ]; then
		grep -qE -e "$2" <<<"$UI_LAST"
	else
		grep -qF -e "$2" <<<"$UI_LAST"
	fi
}

# ui_poll WANT MODE TEXT WHAT: poll until ui_matches says WANT (0 or 1).
ui_poll() {
	local want=$1 mode=$2 text=$3 what=$4 deadline dead=""
	deadline=$(ui_deadline_ms)
	while :; do
		if ! ui_capture; then
			fail "$what: session $UI_CUR is gone"
		fi
		if ui_matches "$mode" "$text"; then
			[ "$want" = 0 ] && return 0
		else
			[ "$want" = 1 ] && return 0
		fi
		if [ -n "$dead" ]; then
			fail "$what: the program exited ($dead) first"
		fi
		if [ "$(pane_format '#{pane_dead}')" = 1 ]; then
			# One more capture: the text may have come just before the end.
			dead="status $(cat "$UI_TEST_TMP/exit.$UI_CUR" 2>/dev/null || echo unknown)"
			continue
		fi
		if [ "$(ui_now_ms)" -ge "$deadline" ]; then
			fail "$what: not within ${UI_TIMEOUT} s"
		fi
		sleep 0.05
	done
}

ui_mode_args() { # [-r] TEXT -> sets ui_mode ui_text
	ui_mode=-F
	if [ "${1:-}" = -r ]; then
		ui_mode=-E
		shift
	fi
	ui_text=${1-}
}

wait_for() {
	local ui_mode ui_text
	ui_mode_args "$@"
	ui_poll 0 "$ui_mode" "$ui_text" "waiting for ${ui_mode/-F/text}${ui_mode/-E/ regex} '$ui_text'"
}

wait_gone() {
	local ui_mode ui_text
	ui_mode_args "$@"
	ui_poll 1 "$ui_mode" "$ui_text" "waiting for '$ui_text' to go"
}

expect_screen_has() {
	local ui_mode ui_text
	ui_mode_args "$@"
	ui_poll 0 "$ui_mode" "$ui_text" "expected the screen to show '$ui_text'"
}

# Until two captures 50 ms apart are the same (the frame is drawn).
settle() {
	local prev deadline
	deadline=$(ui_deadline_ms)
	ui_capture || fail "settle: session $UI_CUR is gone"
	while :; do
		prev=$UI_LAST
		sleep 0.05
		ui_capture || fail "settle: session $UI_CUR is gone"
		[ "$prev" = "$UI_LAST" ] && return 0
		[ "$(ui_now_ms)" -ge "$deadline" ] && fail "settle: the screen kept changing for ${UI_TIMEOUT} s"
	done
}

expect_screen_lacks() {
	local ui_mode ui_text
	ui_mode_args "$@"
	settle
	if ui_matches "$ui_mode" "$ui_text"; then
		fail "expected the screen not to show '$ui_text'"
	fi
}

# "N M" from "step N/M" in the last capture.
step_of() {
	local l
	l=$(grep -oE 'step [0-9]+/[0-9]+' <<<"$UI_LAST" | head -n 1)
	l=${l#step }
	echo "${l%/*} ${l#*/}"
}

# known_bug ID TEXT -- CHECK...: see the top of the file.
known_bug() {
	local id=$1 text=$2
	shift 2
	[ "${1:-}" = -- ] && shift
	# On the settled screen, once: whether a bug shows is no matter of time.
	settle
	if (UI_TIMEOUT=0 "$@") >/dev/null 2>&1; then
		if [ "${UI_STRICT:-0}" = 1 ]; then
			fail "known UI bug $id no longer reproduces ($text): remove its known_bug marker"
		fi
		echo "    FIXED? known UI bug $id no longer reproduces: remove its known_bug marker"
		return 0
	fi
	if [ "${UI_STRICT:-0}" = 1 ]; then
		fail "known UI bug $id: $text"
	fi
	echo "    KNOWN UI BUG $id: $text"
	echo "known" >>"$UI_TEST_TMP/.known"
}

# ---------------------------------------------------------------------------
# Running tests.

ui_test() { # FUNCTION DESCRIPTION
	UI_TESTS+=("$1")
	UI_TEST_DESCS+=("$2")
}

ui_kill_test_sessions() {
	local s
	while read -r s; do
		[ -n "$s" ] && [ "$s" != keeper ] && tmx kill-session -t "=$s" >/dev/null 2>&1
	done < <(tmx list-sessions -F '#{session_name}' 2>/dev/null)
}

# ui_run_one FILE-STEM FUNCTION DESCRIPTION
ui_run_one() {
	local name="$1/$2" desc=$3 t0 t1 rc known=0
	UI_TEST_TMP=$UI_TMP/$2
	UI_STATE=$UI_TEST_TMP/state
	mkdir -p "$UI_TEST_TMP" "$UI_STATE"
	export XDG_STATE_HOME=$UI_STATE
	t0=$(ui_now)
	echo "$name: $desc"
	(
		UI_CUR=
		UI_LAST=
		"$2"
	) </dev/null
	rc=$?
	t1=$(ui_now)
	ui_kill_test_sessions
	[ -f "$UI_TEST_TMP/.known" ] && known=$(wc -l <"$UI_TEST_TMP/.known")
	UI_KNOWN=$((UI_KNOWN + known))
	local secs
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	if [ $rc -eq 0 ]; then
		UI_PASSED=$((UI_PASSED + 1))
		echo "    PASS $name (${secs} s)"
	else
		UI_FAILED=$((UI_FAILED + 1))
		echo "    FAIL $name (${secs} s)"
	fi
}

ui_summary() {
	if [ "$UI_KNOWN" -gt 0 ]; then
		echo "(known UI bugs reported above: $UI_KNOWN; UI_STRICT=1 makes them fail)"
	fi
	echo "$UI_PASSED passed, $UI_FAILED failed"
}

# ---------------------------------------------------------------------------
# Higher-level helpers.

# wait_exit: until the program started by `start` has ended; its exit
# status goes to UI_EXIT_STATUS (128+N for signal N).
wait_exit() {
	local deadline f=$UI_TEST_TMP/exit.$UI_CUR
	deadline=$(ui_deadline_ms)
	while [ ! -s "$f" ]; do
		if [ "$(ui_now_ms)" -ge "$deadline" ]; then
			ui_capture
			fail "the program did not exit within ${UI_TIMEOUT} s"
		fi
		sleep 0.05
	done
	UI_EXIT_STATUS=$(cat "$f")
}

# expect_pane_restored: what curses turned on is off again (tmux's view
# of the pane's modes; the termios modes need `stty -a` in the pane).
expect_pane_restored() {
	local flags want
	flags=$(pane_format 'alternate_on=#{alternate_on} cursor_flag=#{cursor_flag} keypad_flag=#{keypad_flag} keypad_cursor_flag=#{keypad_cursor_flag} mouse_any_flag=#{mouse_any_flag} mouse_standard_flag=#{mouse_standard_flag} mouse_button_flag=#{mouse_button_flag} mouse_sgr_flag=#{mouse_sgr_flag}')
	want="alternate_on=0 cursor_flag=1 keypad_flag=0 keypad_cursor_flag=0 mouse_any_flag=0 mouse_standard_flag=0 mouse_button_flag=0 mouse_sgr_flag=0"
	[ "$flags" = "$want" ] || fail "the terminal is not restored: $flags (want $want)"
}

# press KEY: send KEY and wait until the screen differs from before it.
press() {
	local before
	ui_capture || fail "press: session $UI_CUR is gone"
	before=$UI_LAST
	send "$1"
	local deadline
	deadline=$(ui_deadline_ms)
	while :; do
		ui_capture || fail "press $1: session $UI_CUR is gone"
		[ "$UI_LAST" != "$before" ] && return 0
		[ "$(ui_now_ms)" -ge "$deadline" ] && fail "key $1 changed nothing on the screen within ${UI_TIMEOUT} s"
		sleep 0.05
	done
}

# press_until KEY TEXT [MAX]: press KEY (each press must change the
# screen) until the screen shows TEXT, at most MAX (default 10) times.
press_until() {
	local key=$1 text=$2 max=${3:-10} i
	for ((i = 0; i < max; i++)); do
		press "$key"
		settle
		grep -qF -e "$text" <<<"$UI_LAST" && return 0
	done
	fail "'$text' did not come after $max presses of $key"
}

# ui_click X Y: a left click at column X, row Y (0-based) as the terminal
# reports it in the X10 mouse encoding (ESC [ M, then button, column and
# row, each plus 32, the latter two 1-based): a press, then the release.
# tmux passes the bytes through to the program like keys.
ui_click() {
	local cx cy
	cx=$(printf "\\$(printf '%03o' $(($1 + 33)))")
	cy=$(printf "\\$(printf '%03o' $(($2 + 33)))")
	send_text $'\e[M'" $cx$cy"
	send_text $'\e[M'"#$cx$cy"
}
