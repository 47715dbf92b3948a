# Makefile - dpctutor (GNU make 4.x)
#
#   make                 build $(BUILD)/libdtengine.a (and $(BUILD)/dpctutor
#                        once tutor/ has C files)
#   make run             build and start the tutor
#   make check           check dependencies, build and run every test
#   make deps            install the Debian packages the build and tests need
#   make help            list targets and variables
#
# Build variants, each in its own directory (object and dependency files
# mirror the source paths below it):
#   (none)       build/plain
#   SANITIZE=1   build/sanitize  ASan + UBSan, tests with DT_TEST_SCALE=small
#   VALGRIND=1   build/valgrind  tests under valgrind, CK_FORK=no, small scale
#   FUZZ=1       build/fuzz      clang, ASan + UBSan + libFuzzer coverage:
#                                the fuzz targets (`make fuzz`, docs/fuzzing.md)

.SUFFIXES:
.DELETE_ON_ERROR:
.DEFAULT_GOAL := all

# ---------------------------------------------------------------------------
# User-settable variables.  CFLAGS, CPPFLAGS, LDFLAGS and LDLIBS are the
# user's; the project's own flags are added beside them, never instead.
CFLAGS ?= -O2 -g
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
DESTDIR ?=
# DEPS=no: never install packages; stop and say what to run instead.
DEPS ?= yes
SANITIZE ?=
VALGRIND ?=
FUZZ ?=
# Arguments for `make run`, and a single Check suite for `make check-unit`.
ARGS ?=
SUITE ?=

INSTALL ?= install
AR ?= ar

# ---------------------------------------------------------------------------
# Build variant and directory.
ifneq ($(word 2,$(filter 1,$(SANITIZE) $(VALGRIND) $(FUZZ))),)
$(error choose at most one of SANITIZE=1, VALGRIND=1, FUZZ=1)
endif

SAN_FLAGS :=
TEST_ENV := CK_DEFAULT_TIMEOUT=120
TEST_WRAPPER :=
CHECK_LESSON_FLAGS :=

ifeq ($(SANITIZE),1)
BUILD := build/sanitize
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# LeakSanitizer works on these machines (root, no ptrace restriction), so
# leaks fail the tests.  Check forks a child per test; a leak found in the
# child makes that test an error ("early exit").
# The lesson checks run slower here: the last-resort alarm (deadline.h)
# gets ten minutes per lesson.
TEST_ENV := CK_DEFAULT_TIMEOUT=120 DT_TEST_SCALE=small DPCTUTOR_ALARM=600 \
	ASAN_OPTIONS=detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
else ifeq ($(VALGRIND),1)
BUILD := build/valgrind
# Without fork every test runs in valgrind's one process, so timeouts do
# not apply; the larger timeout is there should CK_FORK be turned back on.
TEST_ENV := CK_DEFAULT_TIMEOUT=600 CK_FORK=no DT_TEST_SCALE=small DPCTUTOR_ALARM=3600
TEST_WRAPPER := valgrind --quiet --error-exitcode=1 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect
# The lesson checks' for-all proofs within 1 preemption (a tenth of the
# runs of the lessons' own bounds) keep the stage within minutes.
CHECK_LESSON_FLAGS := --max-preemptions 1
else ifeq ($(FUZZ),1)
BUILD := build/fuzz
# Every object carries libFuzzer's coverage hooks and the sanitizers; only
# the fuzz targets link libFuzzer's main (-fsanitize=fuzzer).
CC := clang
SAN_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
else
BUILD := build/plain
endif

# ---------------------------------------------------------------------------
# Flags.  The project's mandatory flags come after the user's CFLAGS so
# that they always hold.
DT_CPPFLAGS := -Iinclude -D_POSIX_C_SOURCE=200809L
DT_CFLAGS := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes

ALL_CPPFLAGS = $(DT_CPPFLAGS) $(CPPFLAGS)
ALL_CFLAGS = $(CFLAGS) $(DT_CFLAGS) $(SAN_FLAGS)
ALL_LDFLAGS = $(CFLAGS) $(SAN_FLAGS) $(LDFLAGS)
DEPFLAGS = -MMD -MP

# pkg-config results, looked up on first use only (so that `make deps` or
# `make help` work before the modules are installed) and then remembered.
# lazy-pkg VAR, pkg-config arguments
lazy-pkg = $(eval $(1) := $$(shell $(PKG_CONFIG) $(2) 2>/dev/null))$($(1))
CHECK_CFLAGS = $(call lazy-pkg,CHECK_CFLAGS,--cflags check)
CHECK_PKG_LIBS = $(call lazy-pkg,CHECK_PKG_LIBS,--libs check)
CHECK_LIBS = $(CHECK_PKG_LIBS) -lm -lpthread
TUTOR_CFLAGS = $(call lazy-pkg,TUTOR_CFLAGS,--cflags lua5.4 ncursesw)
TUTOR_PKG_LIBS = $(call lazy-pkg,TUTOR_PKG_LIBS,--libs lua5.4 ncursesw)
TUTOR_LIBS = $(TUTOR_PKG_LIBS) -lm

# ---------------------------------------------------------------------------
# Sources and products.
ENGINE_SRCS := $(sort $(wildcard engine/*.c))
ENGINE_OBJS := $(ENGINE_SRCS:%.c=$(BUILD)/%.o)
LIB := $(BUILD)/libdtengine.a
HEADERS := $(sort $(wildcard include/*.h))

UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
UNIT_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/%.o)
UNIT_BIN := $(BUILD)/unit_tests

# The front-end: every tutor/*.c but main.c goes into libdttutor.a, which
# the unit tests link too; main.c makes the dpctutor program once it exists.
TUTOR_SRCS := $(sort $(wildcard tutor/*.c))
TUTOR_OBJS := $(TUTOR_SRCS:%.c=$(BUILD)/%.o)
TUTOR_LIB_OBJS := $(filter-out $(BUILD)/tutor/main.o,$(TUTOR_OBJS))
TUTOR_LIB := $(BUILD)/libdttutor.a
TUTOR_BIN := $(BUILD)/dpctutor
ifneq ($(wildcard tutor/main.c),)
HAVE_TUTOR := 1
PROGRAMS := $(TUTOR_BIN)
else
HAVE_TUTOR :=
PROGRAMS :=
endif

DEPFILES := $(ENGINE_OBJS:.o=.d) $(UNIT_OBJS:.o=.d) $(TUTOR_OBJS:.o=.d)

# ---------------------------------------------------------------------------
# Dependencies: pkg-config modules, commands, and the Debian packages that
# bring them.  All three modules are checked now, since the tutor needs
# lua5.4 and ncursesw and `make check` will soon build it.
DEPS_MODULES := check lua5.4 ncursesw
DEPS_COMMANDS := spin tmux groff
# `make deps` installs everything any variant needs (CI runs them all):
# valgrind for VALGRIND=1; clang and libclang-rt-14-dev (libFuzzer and
# clang's sanitizer runtimes, which clang does not pull in) for FUZZ=1.
# A variant only requires its own.
DEB_PACKAGES := pkg-config check libsubunit-dev liblua5.4-dev libncurses-dev tmux spin groff-base \
	valgrind clang libclang-rt-14-dev
ifeq ($(VALGRIND),1)
DEPS_COMMANDS += valgrind
endif
# CC=clang, and FUZZ=1 (which sets it), need clang.
ifneq ($(filter clang%,$(notdir $(CC))),)
DEPS_COMMANDS += clang
endif
ifeq ($(FUZZ),1)
define find-missing-files-sh
if command -v clang >/dev/null 2>&1; then \
	f=$$(clang -print-file-name=libclang_rt.fuzzer-$$(uname -m).a 2>/dev/null); \
	[ -f "$$f" ] || missing="$$missing libclang-rt-14-dev"; \
fi;
endef
endif

# The Debian package behind a module or command (check.pc requires
# libsubunit.pc, which libsubunit-dev ships).
define deb-of-sh
deb_of() { case "$$1" in \
	check) echo check libsubunit-dev ;; \
	lua5.4) echo liblua5.4-dev ;; \
	ncursesw) echo libncurses-dev ;; \
	groff) echo groff-base ;; \
	*) echo "$$1" ;; \
	esac; }
endef

# Sets $missing to the Debian packages of whatever is absent.
define find-missing-sh
$(deb-of-sh); missing=""; \
if ! command -v $(PKG_CONFIG) >/dev/null 2>&1; then \
	missing="pkg-config $(foreach m,$(DEPS_MODULES),$$(deb_of $(m)))"; \
else \
	for m in $(DEPS_MODULES); do \
		$(PKG_CONFIG) --exists "$$m" 2>/dev/null || missing="$$missing $$(deb_of $$m)"; \
	done; \
fi; \
for c in $(DEPS_COMMANDS); do \
	command -v "$$c" >/dev/null 2>&1 || missing="$$missing $$(deb_of $$c)"; \
done; \
$(find-missing-files-sh) \
missing=$$(echo $$missing)
endef

# Ensure the dependencies, running `make deps` unless DEPS=no.
define ensure-deps-sh
$(find-missing-sh); \
if [ -n "$$missing" ]; then \
	if [ "$(DEPS)" = no ]; then \
		echo "dpctutor: missing Debian packages ($$missing) and DEPS=no; install them with: make deps" >&2; \
		exit 1; \
	fi; \
	echo "dpctutor: missing Debian packages ($$missing): running \`make deps\`"; \
	$(MAKE) --no-print-directory deps || exit 1; \
	$(find-missing-sh); \
	if [ -n "$$missing" ]; then \
		echo "dpctutor: still missing after \`make deps\`: $$missing" >&2; \
		exit 1; \
	fi; \
fi
endef

# ---------------------------------------------------------------------------
# Test steps that `make check` runs, in order, after building the unit-test
# binary.  Later steps (lesson checks, tmux UI tests) append here, e.g.
#   CHECK_EXTRA += check-lessons check-ui
CHECK_EXTRA ?=
ifneq ($(wildcard tutor/main.c),)
CHECK_EXTRA += check-lessons check-curriculum check-spin check-exports
ifneq ($(VALGRIND),1)
CHECK_EXTRA += check-attacks
endif
endif
# The tmux UI tests run in the plain build only (not under ASan or valgrind).
ifneq ($(wildcard tutor/main.c),)
ifneq ($(VALGRIND),1)
ifneq ($(SANITIZE),1)
CHECK_EXTRA += check-ui check-install
endif
endif
endif
CHECK_STEPS = check-layering check-unit $(CHECK_EXTRA)

.PHONY: all lib run bench fuzz check-fuzz fuzz-bins fuzz-run fuzz-check check check-deps check-layering check-unit check-lessons curriculum check-curriculum check-spin check-exports check-ui check-install unit-tests deps \
	check-attacks \
	clean install uninstall help FORCE

all: $(LIB) $(PROGRAMS)

lib: $(LIB)

unit-tests: $(UNIT_BIN)

# ---------------------------------------------------------------------------
# Rebuild everything in $(BUILD) when the compiler or flags change (e.g.
# `make CC=clang` after `make`): the stamp is rewritten only on a change.
FLAGS_STAMP := $(BUILD)/.flags
DT_FLAGS_STRING := $(CC) | $(DT_CPPFLAGS) $(CPPFLAGS) | $(CFLAGS) $(DT_CFLAGS) $(SAN_FLAGS) | $(LDFLAGS) | $(LDLIBS) | $(PREFIX)
sh-quote = '$(subst ','\'',$(1))'

$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@printf '%s\n' $(call sh-quote,$(DT_FLAGS_STRING)) | cmp -s - $@ 2>/dev/null || \
		printf '%s\n' $(call sh-quote,$(DT_FLAGS_STRING)) > $@

FORCE:

# ---------------------------------------------------------------------------
# Compiling and linking.
$(BUILD)/engine/%.o: engine/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/tests/unit/%.o: tests/unit/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Itutor $(CHECK_CFLAGS) $(TUTOR_CFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/tutor/%.o: tutor/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Itutor -DDT_DATADIR='"$(PREFIX)/share/dpctutor"' $(TUTOR_CFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) -c $< -o $@

# The archive is rebuilt from scratch so that removed sources leave nothing
# behind; with no engine sources yet it is an empty archive.
$(LIB): $(ENGINE_OBJS) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $(ENGINE_OBJS)

$(TUTOR_LIB): $(TUTOR_LIB_OBJS) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $(TUTOR_LIB_OBJS)

$(UNIT_BIN): $(UNIT_OBJS) $(TUTOR_LIB) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_OBJS) $(TUTOR_LIB) $(LIB) $(CHECK_LIBS) $(TUTOR_LIBS) $(LDLIBS)

# Benchmarks (bench/): bench_engine links the engine only; bench_lua and
# bench_explore the lesson runtime too; bench_cli runs the dpctutor program
# (forkpty: -lutil).
BENCH_ENGINE_BIN := $(BUILD)/bench_engine
BENCH_TUTOR_BINS := $(BUILD)/bench_lua $(BUILD)/bench_explore
BENCH_CLI_BIN := $(BUILD)/bench_cli
BENCH_BINS := $(BENCH_ENGINE_BIN) $(BENCH_TUTOR_BINS) $(BENCH_CLI_BIN)
DEPFILES += $(BENCH_BINS:$(BUILD)/%=$(BUILD)/bench/%.d)

$(BUILD)/bench/%.o: bench/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Itutor $(TUTOR_CFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BENCH_ENGINE_BIN): $(BUILD)/bench/bench_engine.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BENCH_TUTOR_BINS): $(BUILD)/%: $(BUILD)/bench/%.o $(TUTOR_LIB) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TUTOR_LIBS) $(LDLIBS)

$(BENCH_CLI_BIN): $(BUILD)/bench/bench_cli.o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lutil $(LDLIBS)

# Benchmarks print figures and targets in one table (bench/run.sh,
# docs/performance.md); they never pass or fail on time.
bench: $(BENCH_BINS) $(PROGRAMS)
	@sh bench/run.sh $(BUILD)

$(TUTOR_BIN): $(BUILD)/tutor/main.o $(TUTOR_LIB) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(BUILD)/tutor/main.o $(TUTOR_LIB) $(LIB) $(TUTOR_LIBS) $(LDLIBS)

# The test build of dpctutor for tests/ui/t_faults.sh: the same objects
# but ui_term.c, compiled again with -DDT_TEST_HOOKS (the crash in the
# middle of drawing, armed by DPCTUTOR_TEST_CRASH_DRAW).  Its object comes
# before the archive, so the linker never takes the archive's ui_term.o.
# check-ui builds it; install never does.
HOOKS_BIN := $(BUILD)/dpctutor-test-hooks
HOOKS_OBJ := $(BUILD)/tutor/ui_term-test-hooks.o
DEPFILES += $(HOOKS_OBJ:.o=.d)
$(HOOKS_OBJ): tutor/ui_term.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -DDT_TEST_HOOKS -Itutor $(TUTOR_CFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(HOOKS_BIN): $(BUILD)/tutor/main.o $(HOOKS_OBJ) $(TUTOR_LIB) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(BUILD)/tutor/main.o $(HOOKS_OBJ) $(TUTOR_LIB) $(LIB) $(TUTOR_LIBS) $(LDLIBS)

-include $(DEPFILES)

# ---------------------------------------------------------------------------
# Running.
ifeq ($(HAVE_TUTOR),1)
run:
	@$(ensure-deps-sh)
	+@$(MAKE) --no-print-directory $(TUTOR_BIN)
	./$(TUTOR_BIN) $(ARGS)
else
run:
	@echo "dpctutor's terminal UI is not built yet (it arrives with the UI issue); \`make check\` runs the engine tests."
endif

# ---------------------------------------------------------------------------
# Testing.  `check` runs in steps, each in a fresh make so that pkg-config
# sees packages that `make deps` has just installed.
check:
	@$(ensure-deps-sh)
	+@$(MAKE) --no-print-directory $(UNIT_BIN) $(PROGRAMS)
	+@for step in $(CHECK_STEPS); do \
		$(MAKE) --no-print-directory $$step || exit 1; \
	done

check-deps:
	@$(ensure-deps-sh)

# The engine knows nothing of the terminal UI or of Lua.
check-layering:
	@sh tests/check-layering.sh

# Every lesson must pass --check (its closing line counts in CI).
check-lessons: $(TUTOR_BIN)
	@echo "lesson checks: $(TUTOR_BIN) --check lessons/*.lua"
	env $(TEST_ENV) $(TEST_WRAPPER) ./$(TUTOR_BIN) --check $(CHECK_LESSON_FLAGS) $(sort $(filter-out lessons/api.lua,$(wildcard lessons/*.lua)))

# Hostile lessons (tests/attacks/NN-*.lua): each must end in the lesson
# error its header names, at its file and line, with no effect outside.
check-attacks: $(TUTOR_BIN)
	@echo "sandbox attacks: tests/attacks/run.sh ./$(TUTOR_BIN)"
	env $(TEST_ENV) sh tests/attacks/run.sh ./$(TUTOR_BIN)

# docs/curriculum.md: every lesson with the rules it cites, every rule card
# with the lessons that teach it, generated from the lessons' metadata.
curriculum: $(TUTOR_BIN)
	sh tools/curriculum.sh ./$(TUTOR_BIN) lessons >docs/curriculum.md.tmp; \
		rc=$$?; mv docs/curriculum.md.tmp docs/curriculum.md; exit $$rc

# Fails when docs/curriculum.md is stale or a rule card is taught by no lesson.
check-curriculum: $(TUTOR_BIN)
	@echo "curriculum: docs/curriculum.md against tools/curriculum.sh"
	@sh tools/curriculum.sh ./$(TUTOR_BIN) lessons >docs/curriculum.md.new || \
		{ rm -f docs/curriculum.md.new; exit 1; }
	@if cmp -s docs/curriculum.md docs/curriculum.md.new; then rm -f docs/curriculum.md.new; \
	else diff -u docs/curriculum.md docs/curriculum.md.new; rm -f docs/curriculum.md.new; \
		echo "check-curriculum: docs/curriculum.md is stale: run make curriculum" >&2; exit 1; fi

# The explorer against an independent oracle: the final states Spin finds
# in a Promela model of the two-DPC scenario (tests/spin/).
check-spin: $(TUTOR_BIN)
	@echo "spin oracle: tests/spin/two-dpcs.pml against $(TUTOR_BIN) --explore tests/spin/two-dpcs.lua"
	env $(TEST_ENV) bash tests/spin/check-spin.sh ./$(TUTOR_BIN)

# --trace read back as JSON, --timeline against tests/golden/timeline/.
check-exports: $(TUTOR_BIN)
	env $(TEST_ENV) bash tests/check-exports.sh ./$(TUTOR_BIN)

# The real dpctutor driven in tmux (tests/ui/): keys in, screens out.
check-ui: $(TUTOR_BIN) $(HOOKS_BIN)
	@command -v tmux >/dev/null 2>&1 || { \
		echo "check-ui: tmux is not installed; install it with \`make deps\` (Debian package tmux)" >&2; \
		exit 1; }
	@echo "ui tests: tests/ui/run.sh ./$(TUTOR_BIN) in a private tmux server"
	bash tests/ui/run.sh ./$(TUTOR_BIN)

# `make install` into a temporary PREFIX (its own build, since the lesson
# directory is compiled in), the installed program run from elsewhere,
# DESTDIR staging and `make uninstall` (tests/check-install.sh).
check-install:
	@echo "install test: tests/check-install.sh (make install/uninstall into a temporary PREFIX)"
	env MAKE="$(MAKE)" bash tests/check-install.sh

check-unit: $(UNIT_BIN)
	@echo "unit tests: $(UNIT_BIN)$(if $(SUITE), $(SUITE))$(if $(TEST_WRAPPER), under valgrind)"
	env $(TEST_ENV) $(TEST_WRAPPER) ./$(UNIT_BIN) $(SUITE)

# ---------------------------------------------------------------------------
# Fuzzing (docs/fuzzing.md): libFuzzer targets in tests/fuzz/fuzz_NAME.c,
# built with FUZZ=1, seed corpora in tests/fuzz/corpus/NAME/.
#   make fuzz         each target for FUZZ_TIME seconds; new inputs are kept
#                     in build/fuzz/corpus/NAME, crashes in build/fuzz/artifacts
#   make check-fuzz   replays the committed corpus, then FUZZ_RUNS inputs per
#                     target (FUZZ_UI_RUNS for the UI) from seed FUZZ_SEED:
#                     a fixed amount of work, so
#                     the result never depends on the machine's speed
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BINS := $(FUZZ_NAMES:%=build/fuzz/fuzz_%)
FUZZ_TIME ?= 60
FUZZ_RUNS ?= 10000
# The UI target draws every screen after every key: 50 to 150 inputs a
# second, so it gets fewer.
FUZZ_UI_RUNS ?= 1000
FUZZ_SEED ?= 1
# Per input: 10 s before libFuzzer calls it a hang, 2 GiB of memory, and
# inputs of 16 KiB at most (lessons are small).
FUZZ_FLAGS := -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=0
FUZZ_ENV := ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# A target's libFuzzer dictionary, tests/fuzz/NAME.dict, when it has one.
fuzz-dict = $$([ -f tests/fuzz/$$t.dict ] && echo -dict=tests/fuzz/$$t.dict)

ifeq ($(FUZZ),1)
$(BUILD)/tests/fuzz/%.o: tests/fuzz/%.c $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -Itutor $(TUTOR_CFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(TUTOR_LIB) $(LIB)
	$(CC) $(CFLAGS) -fsanitize=fuzzer,address,undefined $(LDFLAGS) -o $@ $^ $(TUTOR_LIBS) $(LDLIBS)

-include $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/fuzz_%.d)

.SECONDARY: $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/fuzz_%.o)

fuzz-bins: $(FUZZ_BINS)

fuzz-run: $(FUZZ_BINS)
	@mkdir -p build/fuzz/artifacts
	@for t in $(FUZZ_NAMES); do \
		mkdir -p build/fuzz/corpus/$$t; \
		echo "fuzz: $$t for $(FUZZ_TIME) s (corpus build/fuzz/corpus/$$t + tests/fuzz/corpus/$$t)"; \
		env $(FUZZ_ENV) ./build/fuzz/fuzz_$$t $(FUZZ_FLAGS) $(fuzz-dict) -max_total_time=$(FUZZ_TIME) \
			-artifact_prefix=build/fuzz/artifacts/$$t- \
			build/fuzz/corpus/$$t tests/fuzz/corpus/$$t || exit 1; \
	done

fuzz-check: $(FUZZ_BINS)
	@passed=0; failed=0; \
	for t in $(FUZZ_NAMES); do \
		echo "fuzz: replaying tests/fuzz/corpus/$$t"; \
		if env $(FUZZ_ENV) ./build/fuzz/fuzz_$$t $(FUZZ_FLAGS) tests/fuzz/corpus/$$t/*; then \
			passed=$$((passed + 1)); else failed=$$((failed + 1)); fi; \
		rm -rf build/fuzz/check/$$t; mkdir -p build/fuzz/check/$$t build/fuzz/artifacts; \
		runs=$(FUZZ_RUNS); [ $$t != ui ] || runs=$(FUZZ_UI_RUNS); \
		echo "fuzz: $$t, $$runs inputs from seed $(FUZZ_SEED)"; \
		if env $(FUZZ_ENV) ./build/fuzz/fuzz_$$t $(FUZZ_FLAGS) $(fuzz-dict) -seed=$(FUZZ_SEED) \
			-runs=$$runs -artifact_prefix=build/fuzz/artifacts/$$t- \
			build/fuzz/check/$$t tests/fuzz/corpus/$$t; then \
			passed=$$((passed + 1)); else failed=$$((failed + 1)); fi; \
	done; \
	echo "fuzz: $$passed passed, $$failed failed"; \
	[ $$failed -eq 0 ]
endif

# The dependencies are checked in the FUZZ=1 make, which knows that clang
# and libFuzzer are needed.
fuzz:
	+@$(MAKE) --no-print-directory FUZZ=1 SANITIZE= VALGRIND= check-deps
	+@$(MAKE) --no-print-directory FUZZ=1 SANITIZE= VALGRIND= fuzz-run

check-fuzz:
	+@$(MAKE) --no-print-directory FUZZ=1 SANITIZE= VALGRIND= check-deps
	+@$(MAKE) --no-print-directory FUZZ=1 SANITIZE= VALGRIND= fuzz-check

# ---------------------------------------------------------------------------
# Installing the Debian packages.
SUDO := $(shell [ "$$(id -u)" -eq 0 ] 2>/dev/null || echo sudo)
APT_GET := env DEBIAN_FRONTEND=noninteractive apt-get

deps:
	@echo "dpctutor: installing Debian packages: $(DEB_PACKAGES)"
	@echo "  pkg-config finds the libraries; check (+ libsubunit-dev, which check.pc requires) runs"
	@echo "  the unit tests; liblua5.4-dev and libncurses-dev build the tutor; tmux drives the UI tests; spin checks the explorer; groff-base lints the man page;"
	@echo "  valgrind runs VALGRIND=1; clang and libclang-rt-14-dev (libFuzzer, sanitizer runtimes) build FUZZ=1."
	@if ! command -v apt-get >/dev/null 2>&1; then \
		echo "dpctutor: no apt-get here; install these yourself:" >&2; \
		echo "  Debian packages: $(DEB_PACKAGES)" >&2; \
		echo "  pkg-config modules: $(DEPS_MODULES) libsubunit$(if $(DEPS_COMMANDS),; commands: $(DEPS_COMMANDS))" >&2; \
		exit 1; \
	fi
	@if [ -n "$(SUDO)" ] && ! command -v sudo >/dev/null 2>&1; then \
		echo "dpctutor: not root and no sudo: as root run: apt-get update && apt-get install $(DEB_PACKAGES)" >&2; \
		exit 1; \
	fi
	@# A fresh image has empty package lists: always update first.  A failed
	@# update (offline) still lets the install try the lists already there.
	$(SUDO) $(APT_GET) update -q || echo "dpctutor: apt-get update failed; trying the install anyway" >&2
	$(SUDO) $(APT_GET) install -y -q --no-install-recommends $(DEB_PACKAGES)

# ---------------------------------------------------------------------------
# Installing dpctutor.  The program looks for installed lessons in
# $(datadir)/lessons, compiled in from PREFIX (DT_DATADIR above), so a
# DESTDIR install is for staging the same PREFIX elsewhere.
bindir := $(PREFIX)/bin
libdir := $(PREFIX)/lib
includedir := $(PREFIX)/include
datadir := $(PREFIX)/share/dpctutor
lessondir := $(datadir)/lessons
mandir := $(PREFIX)/share/man
man1dir := $(mandir)/man1
docdir := $(PREFIX)/share/doc/dpctutor
DOCS := README.md $(sort $(wildcard docs/*.md))
LESSON_FILES := $(sort $(wildcard lessons/*.lua))

install: all
	$(INSTALL) -d $(DESTDIR)$(libdir) $(DESTDIR)$(includedir)/dpctutor
	$(INSTALL) -m 644 $(LIB) $(DESTDIR)$(libdir)/libdtengine.a
	$(INSTALL) -m 644 $(HEADERS) $(DESTDIR)$(includedir)/dpctutor/
ifeq ($(HAVE_TUTOR),1)
	$(INSTALL) -d $(DESTDIR)$(bindir) $(DESTDIR)$(lessondir) $(DESTDIR)$(man1dir) $(DESTDIR)$(docdir)
	$(INSTALL) -m 755 $(TUTOR_BIN) $(DESTDIR)$(bindir)/dpctutor
	$(INSTALL) -m 644 $(LESSON_FILES) $(DESTDIR)$(lessondir)/
	$(INSTALL) -m 644 $(DOCS) $(DESTDIR)$(docdir)/
	@# The man page names the lesson directory of this PREFIX.
	sed 's|/usr/local/share/dpctutor|$(datadir)|g' dpctutor.1 > $(DESTDIR)$(man1dir)/dpctutor.1
	chmod 644 $(DESTDIR)$(man1dir)/dpctutor.1
endif

uninstall:
	rm -f $(DESTDIR)$(libdir)/libdtengine.a
	rm -f $(addprefix $(DESTDIR)$(includedir)/dpctutor/,$(notdir $(HEADERS)))
	rmdir $(DESTDIR)$(includedir)/dpctutor 2>/dev/null || true
	rm -f $(DESTDIR)$(bindir)/dpctutor
	rm -f $(addprefix $(DESTDIR)$(lessondir)/,$(notdir $(LESSON_FILES)))
	rmdir $(DESTDIR)$(lessondir) $(DESTDIR)$(datadir) 2>/dev/null || true
	rm -f $(DESTDIR)$(man1dir)/dpctutor.1
	rm -f $(addprefix $(DESTDIR)$(docdir)/,$(notdir $(DOCS)))
	rmdir $(DESTDIR)$(docdir) 2>/dev/null || true

# ---------------------------------------------------------------------------
clean:
	rm -rf build

help:
	@echo "dpctutor make targets:"
	@echo "  all (default)   build $(BUILD)/libdtengine.a$(if $(HAVE_TUTOR), and $(TUTOR_BIN))"
	@echo "  run             build and start the tutor (ARGS=... passes arguments)"
	@echo "  check           check dependencies, build and run every test"
	@echo "  check-unit      run the unit tests only (SUITE=name runs one suite)"
	@echo "  check-lessons   dpctutor --check on every lesson"
	@echo "  check-attacks   the sandbox attack suite (tests/attacks/; not under valgrind)"
	@echo "  curriculum      regenerates docs/curriculum.md (check-curriculum: fails when stale)"
	@echo "  check-spin      the Spin oracle against --explore on the two-DPC scenario"
	@echo "  check-exports   --trace JSON read back, --timeline against its golden files"
	@echo "  check-ui        the terminal UI driven in tmux (tests/ui/; plain build,"
	@echo "                  with $(HOOKS_BIN) for the crash test)"
	@echo "  check-install   make install/uninstall into a temporary PREFIX, then run it"
	@echo "  bench           print the benchmark figures (never pass/fail on time)"
	@echo "  fuzz            run each fuzz target for FUZZ_TIME seconds (docs/fuzzing.md)"
	@echo "  check-fuzz      replay the fuzz corpus, then FUZZ_RUNS inputs per target"
	@echo "  check-layering  check that engine/ and include/ use no curses or Lua"
	@echo "  check-deps      check dependencies only (installs them unless DEPS=no)"
	@echo "  deps            install the Debian packages (via sudo when not root)"
	@echo "  install         install into \$$(DESTDIR)\$$(PREFIX) (PREFIX=$(PREFIX))"
	@echo "  uninstall       remove what install put there"
	@echo "  clean           remove build/"
	@echo "variables:"
	@echo "  SANITIZE=1      ASan+UBSan build in build/sanitize, smaller tests"
	@echo "  VALGRIND=1      tests under valgrind, build in build/valgrind"
	@echo "  FUZZ=1          clang + ASan/UBSan + libFuzzer build in build/fuzz"
	@echo "  FUZZ_TIME=60    seconds per target for make fuzz; FUZZ_RUNS=10000 and"
	@echo "  FUZZ_SEED=1     the fixed-count run of make check-fuzz"
	@echo "  CC=clang        another compiler; CFLAGS (default -O2 -g), CPPFLAGS,"
	@echo "                  LDFLAGS, LDLIBS are honoured"
	@echo "  PREFIX, DESTDIR install locations (PREFIX defaults to /usr/local)"
	@echo "  DEPS=no         never install packages; stop and say what to run"
