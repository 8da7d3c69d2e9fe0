# opsreport - month-end operations reporting pipeline.
#   make run     build, then run the pipeline on sample-data/ (writes out/<period>/)
#   make test    unit tests (Criterion) and end-to-end tests (pytest)
#   make asan    the whole suite under AddressSanitizer + UBSan
#   make bench   ingest, analytics, forecast and render benchmarks
#   make sample  regenerate sample-data/ with the deterministic generator
#   make screenshots  regenerate the README pictures (docs/*.png)
# V=1 shows the full compiler lines. DATADIR=/opt/opsreport/share bakes in where an
# installed opsreport looks for templates/ (default /usr/local/share/opsreport).

SAMPLE_PERIOD := 2026-10
CONFIG ?= config/opsreport.ini
BUILD ?= build
PKGS := gsl xlsxwriter inih libcurl glib-2.0 jansson
CC ?= cc
OPT ?= -O2
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g $(OPT) -Iinclude -Ipipeline -MMD -MP
# gcc warns about every snprintf that may truncate; ours truncate display text on purpose
ifeq ($(findstring clang,$(shell $(CC) --version 2>/dev/null | head -n1)),)
  CFLAGS_BASE += -Wno-format-truncation
endif
SAN ?=
ifeq ($(SAN),1)
  SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else ifneq ($(SAN),)
  $(error SAN must be 1 or empty)
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
DATADIR ?=
CFLAGS = $(CFLAGS_BASE) $(SANFLAGS) $(PKG_CFLAGS) $(if $(DATADIR),-DOPSREPORT_DATADIR='"$(DATADIR)"')
LDLIBS = $(PKG_LIBS) -lcsv -lhpdf -lm
LDFLAGS += $(SANFLAGS)

Q := $(if $(V),,@)
SRC := $(sort $(shell find pipeline -name '*.c'))
LIB_SRC := $(filter-out pipeline/main.c,$(SRC))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/pipeline/main.o
LIB := $(BUILD)/libopsreport.a
BIN := $(BUILD)/opsreport
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps deps-test run test test-only asan bench sample clean screenshots forecast-ref

all: $(BIN)

deps:
	$(Q).ci/deps.sh build
deps-test:
	$(Q).ci/deps.sh test

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC $<")
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(MAIN_OBJ) $(LIB)
	@$(if $(Q),echo "  LD $@")
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC $<")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $< $(LIB) $(LDLIBS) -lcriterion -o $@

run: deps
	$(Q)$(MAKE) --no-print-directory $(BIN)
	$(BIN) run --config $(CONFIG) --period $(SAMPLE_PERIOD) --data sample-data --out out

test: deps-test
	$(Q)$(MAKE) --no-print-directory test-only

test-only: $(BIN) $(TEST_BIN)
	$(Q)BUILD=$(BUILD) tests/run.sh

asan: deps-test
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan SAN=1 OPT=-O1 test-only

bench: deps-test
	$(Q)$(MAKE) --no-print-directory $(BIN)
	$(Q)BUILD=$(BUILD) tests/bench.sh

screenshots: deps-test
	$(Q)$(MAKE) --no-print-directory $(BIN)
	$(Q)BUILD=$(BUILD) tests/screenshots.sh

sample: $(BIN)
	$(BIN) generate --out sample-data --period $(SAMPLE_PERIOD)

# ---- fuzzing (tests/fuzz, issue #12): libFuzzer harnesses, clang with ASan + UBSan ----
#   make fuzz FUZZ_S=N  builds them in build-fuzz/ and runs each N seconds (default 60),
#                       after replaying every input in tests/fuzz/regressions/
# FUZZ=1 (set by the fuzz target) instruments the library objects for coverage
# without linking libFuzzer's main; only the harnesses link it (-fsanitize=fuzzer).
FUZZ_S ?= 60
FUZZ_BUILD ?= build-fuzz
FUZZ_NAMES := $(sort $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c))))
ifeq ($(FUZZ),1)
  SANFLAGS := -fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
.PHONY: fuzz fuzz-bins
fuzz-bins: $(FUZZ_NAMES:%=$(BUILD)/fuzz/%)
$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_util.h $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ $<")
	$(Q)$(CC) $(CFLAGS) -fsanitize=fuzzer $< $(LIB) $(LDLIBS) -o $@
fuzz:
	$(Q)FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_S=$(FUZZ_S) MAKE="$(MAKE)" tests/fuzz/run.sh
# ---- end of fuzzing ----

clean:
	rm -rf build build-asan out

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
