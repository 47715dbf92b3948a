#!/usr/bin/env bash
# check-install.sh - `make install` and `make uninstall`, tried for real.
#
# Usage: tests/check-install.sh   (from the repository root; `make check-install`)
#
# Builds dpctutor afresh in a temporary build directory with PREFIX set to
# a temporary directory (the program finds installed lessons under the
# PREFIX it was compiled with, so the test cannot use the normal build),
# installs it there and runs the installed program from a directory far
# from the source tree, with no DPCTUTOR_LESSONS: it must find its own
# lessons in PREFIX/share/dpctutor/lessons.  Then DESTDIR staging, and
# that `make uninstall` leaves no file behind.  Each check prints PASS or
# FAIL; the closing line is "check-install: N passed, N failed".
set -u

MAKE=${MAKE:-make}
root=$(pwd)
[ -f "$root/Makefile" ] && [ -d "$root/lessons" ] || {
	echo "check-install: run from the repository root" >&2
	echo "check-install: 0 passed, 1 failed"
	exit 2
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dpctutor-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
build=$tmp/build
passed=0
failed=0

ok() {
	passed=$((passed + 1))
	echo "PASS $1"
}

bad() {
	failed=$((failed + 1))
	echo "FAIL $1"
	[ $# -gt 1 ] && printf '    %s\n' "${@:2}"
	return 0
}

# check NAME COMMAND...: PASS when COMMAND succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else bad "$name"; fi
}

mk() { # make in the repository with the test's build directory and prefix
	"$MAKE" --no-print-directory -C "$root" BUILD="$build" PREFIX="$prefix" DEPS=no "$@"
}

lessons=$(cd "$root/lessons" && ls -- *.lua | grep -vx api.lua | sort)
nlessons=$(wc -l <<<"$lessons")

echo "check-install: make install PREFIX=$prefix (build in $build)"
if ! mk all >"$tmp/build.log" 2>&1 || ! mk install >"$tmp/install.log" 2>&1; then
	bad "make install" "$(tail -n 5 "$tmp/build.log" "$tmp/install.log" 2>/dev/null)"
	echo "check-install: $passed passed, $failed failed"
	exit 1
fi
ok "make install"

# What install puts where.
bin=$prefix/bin/dpctutor
man=$prefix/share/man/man1/dpctutor.1
check "the program is $bin, executable" test -x "$bin"
missing=""
for l in $lessons api.lua; do
	[ -f "$prefix/share/dpctutor/lessons/$l" ] || missing="$missing $l"
done
check "every lesson and api.lua in share/dpctutor/lessons" test -z "$missing"
missing=""
for d in README.md $(cd "$root" && ls docs/*.md); do
	[ -f "$prefix/share/doc/dpctutor/$(basename "$d")" ] || missing="$missing $d"
done
check "README.md and docs/*.md in share/doc/dpctutor" test -z "$missing"
check "the engine library and headers" test -f "$prefix/lib/libdtengine.a" -a \
	-f "$prefix/include/dpctutor/dt_machine.h"

# The man page: there, lint-clean, naming the installed lesson directory.
check "the man page is $man" test -f "$man"
if command -v groff >/dev/null 2>&1; then
	lint=$(groff -man -ww -z "$man" 2>&1)
	check "the man page is lint-clean (groff -man -ww -z)" test -z "$lint"
	[ -z "$lint" ] || printf '    %s\n' "$lint"
else
	bad "the man page lint: groff is not installed (make deps installs groff-base)"
fi
check "the man page names $prefix/share/dpctutor/lessons" \
	grep -qF "$prefix/share/dpctutor/lessons" "$man"
if command -v man >/dev/null 2>&1; then
	found=$(MANPATH="$prefix/share/man" man -w dpctutor 2>/dev/null)
	check "man -w dpctutor finds it under MANPATH=$prefix/share/man" test "$found" = "$man"
fi

# The installed program, run from outside the tree with no lesson path.
away=$tmp/elsewhere
mkdir -p "$away"
run() { (cd "$away" && env -u DPCTUTOR_LESSONS "$bin" "$@"); }

out=$(run --version 2>&1)
check "--version prints the version" grep -qE '^dpctutor [0-9]+\.[0-9]+\.[0-9]+$' <<<"$out"
out=$(run --list 2>&1)
want=$(sed "s|^|$prefix/share/dpctutor/lessons/|" <<<"$lessons")
if [ "$out" = "$want" ]; then
	ok "--list from $away lists the $nlessons installed lessons"
else
	bad "--list from $away lists the $nlessons installed lessons" "got: $out" "want: $want"
fi
out=$(run --check 3 2>&1)
rc=$?
if [ $rc -eq 0 ] && grep -q "^PASS $prefix/share/dpctutor/lessons/03-" <<<"$out" &&
	grep -qx "1 passed, 0 failed" <<<"$out"; then
	ok "--check 3 checks the installed lesson 03 and passes"
else
	bad "--check 3 checks the installed lesson 03 and passes" "status $rc: $out"
fi
out=$(run --plain queued-once 2>&1)
check "--plain queued-once finds the installed lesson by its id" \
	grep -q "^Queued once until it runs$" <<<"$out"
out=$(run --help 2>&1)
check "--help names the installed lesson directory $prefix/share/dpctutor/lessons" grep -qF "($prefix/share/dpctutor/lessons)" <<<"$out"

# DESTDIR stages the same files under another root, and uninstall there
# takes them all away again.
stage=$tmp/stage
if mk install DESTDIR="$stage" >"$tmp/stage.log" 2>&1; then
	check "make install DESTDIR puts the files under DESTDIR$prefix" \
		test -x "$stage$prefix/bin/dpctutor" -a -f "$stage$prefix/share/man/man1/dpctutor.1" \
		-a -f "$stage$prefix/share/dpctutor/lessons/api.lua"
	mk uninstall DESTDIR="$stage" >>"$tmp/stage.log" 2>&1
	left=$(find "$stage" -type f | head -n 5)
	check "make uninstall DESTDIR leaves no file" test -z "$left"
	[ -z "$left" ] || printf '    left: %s\n' $left
else
	bad "make install DESTDIR=$stage" "$(tail -n 5 "$tmp/stage.log")"
fi

# And the plain uninstall.
mk uninstall >"$tmp/uninstall.log" 2>&1
left=$(find "$prefix" -type f | head -n 5)
check "make uninstall leaves no file under PREFIX" test -z "$left"
[ -z "$left" ] || printf '    left: %s\n' $left
left=$(find "$prefix" -mindepth 1 -type d -name 'dpctutor*' | head -n 5)
check "make uninstall removes dpctutor's own directories" test -z "$left"
[ -z "$left" ] || printf '    left: %s\n' $left

echo "check-install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
