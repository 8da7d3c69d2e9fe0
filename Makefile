# opsreport - month-end operations reporting pipeline.
#   make run     build, then run the pipeline on sample-data/ (writes out/<period>/)
#   make test    unit tests (Criterion) and end-to-end tests (pytest)
#   make asan    the whole suite under AddressSanitizer + UBSan
#   make bench   ingest, analytics, forecast and render benchmarks
#   make sample  regenerate sample-data/ with the deterministic generator
#   make screenshots  regenerate the README pictures (docs/*.png)
#   make install / uninstall   PREFIX=/usr/local DESTDIR= (docs/install.md)
#   make man     the man page, build/install/opsreport.1 (help2man, from --help)
#   make deb     an installable Debian package, build/deb/opsreport_VERSION_ARCH.deb
# V=1 shows the full compiler lines. DATADIR=/opt/opsreport/share bakes in where an
# installed opsreport looks for templates/ (default PREFIX/share/opsreport).

SAMPLE_PERIOD := 2026-10
CONFIG ?= config/opsreport.ini
BUILD ?= build

# Where `make install` puts things. The running program needs two of them,
# its templates (DATADIR) and its config (SYSCONFDIR/opsreport/opsreport.ini),
# so those are compiled in; $(BUILD)/paths.txt rebuilds what uses them when
# they change. SYSCONFDIR stays /etc under any PREFIX: that is where an admin
# looks for a server's config.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/opsreport
DOCDIR ?= $(PREFIX)/share/doc/opsreport
MANDIR ?= $(PREFIX)/share/man/man1
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
VERSION := $(shell sed -n 's/^\#define OPSREPORT_VERSION "\(.*\)"/\1/p' include/opsreport/common.h)
PKGS := gsl xlsxwriter inih libcurl glib-2.0 jansson zlib libcrypto
CC ?= cc
OPT ?= -O2
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g $(OPT) -Iinclude -Ipipeline -MMD -MP
# gcc warns about every snprintf that may truncate; ours truncate display text on purpose
ifeq ($(findstring clang,$(shell $(CC) --version 2>/dev/null | head -n1)),)
  CFLAGS_BASE += -Wno-format-truncation
endif
# HARDEN_CFLAGS: dpkg-buildflags' CFLAGS and CPPFLAGS, for the .deb
CFLAGS_BASE += -DOPSREPORT_SYSCONFDIR='"$(SYSCONFDIR)"' $(HARDEN_CFLAGS)
SAN ?=
ifeq ($(SAN),1)
  SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else ifneq ($(SAN),)
  $(error SAN must be 1 or empty)
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS = $(CFLAGS_BASE) $(SANFLAGS) $(PKG_CFLAGS) $(if $(DATADIR),-DOPSREPORT_DATADIR='"$(DATADIR)"')
LDLIBS = $(PKG_LIBS) -lcsv -lhpdf -lm
LDFLAGS += $(SANFLAGS)

Q := $(if $(V),,@)
SRC := $(sort $(shell find pipeline -name '*.c'))
LIB_SRC := $(filter-out pipeline/cli/main.c,$(SRC))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/pipeline/cli/main.o
LIB := $(BUILD)/libopsreport.a
BIN := $(BUILD)/opsreport
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps deps-test deps-package deps-bench run test test-only asan bench sample clean screenshots forecast-ref \
        man install uninstall deb deb-package FORCE

all: $(BIN)

deps:
	$(Q).ci/deps.sh build
deps-test:
	$(Q).ci/deps.sh test
deps-package:
	$(Q).ci/deps.sh package
deps-bench:
	$(Q).ci/deps.sh bench

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

bench: deps-bench
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

# ---- install, man page, Debian package -------------------------------------
# config/install.sh holds the one list of installed files that install,
# uninstall and deb share; $(GEN) the files with this install's paths filled in.

PATHS := $(BUILD)/paths.txt
GEN := $(BUILD)/install
GEN_FILES := $(GEN)/opsreport.1 $(GEN)/opsreport.service $(GEN)/opsreport.timer $(GEN)/opsreport.cron \
             $(GEN)/opsreport.ini
SUBST = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' \
            -e 's|@UNITDIR@|$(UNITDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'
INSTALL_ENV = DESTDIR='$(DESTDIR)' BINDIR='$(BINDIR)' DATADIR='$(DATADIR)' DOCDIR='$(DOCDIR)' \
              MANDIR='$(MANDIR)' COMPLETIONDIR='$(COMPLETIONDIR)' UNITDIR='$(UNITDIR)' \
              SYSCONFDIR='$(SYSCONFDIR)' BIN='$(BIN)' GEN='$(GEN)'
# help2man dates the page; the last commit's date keeps rebuilds identical
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || date +%s)

# rewritten only when a path changes, so only then does what depends on it rebuild
$(PATHS): FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(BINDIR)' '$(DATADIR)' '$(DOCDIR)' '$(MANDIR)' '$(UNITDIR)' '$(SYSCONFDIR)' > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi
$(BUILD)/pipeline/cli/run.o $(BUILD)/pipeline/core/template.o: $(PATHS)
# likewise the compiler and linker flags (the package's hardening flags):
# every object is rebuilt, and so the program relinked, when they change
FLAGS := $(BUILD)/flags.txt
$(FLAGS): FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(CC) $(CFLAGS)' '$(LDFLAGS) $(LDLIBS)' > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi
$(LIB_OBJ) $(MAIN_OBJ): $(FLAGS)
FORCE:

man: $(GEN)/opsreport.1

$(GEN)/opsreport.1: $(BIN) config/man/help2roff.pl config/man/opsreport.h2m.in $(PATHS)
	@command -v help2man >/dev/null || { echo "opsreport: the man page needs help2man: make deps-package" \
	    "(or apt-get install help2man)" >&2; exit 1; }
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MAN $@")
	$(Q)perl config/man/help2roff.pl $(BIN) > $(GEN)/commands.h2m
	$(Q)$(SUBST) config/man/opsreport.h2m.in > $(GEN)/opsreport.h2m
	$(Q)SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) help2man --no-info --no-discard-stderr \
	    --name='month-end operations reporting from CSV exports' --source='opsreport $(VERSION)' \
	    --manual='User Commands' --include=$(GEN)/commands.h2m --include=$(GEN)/opsreport.h2m \
	    --output=$@ $(BIN)

$(GEN)/opsreport.service $(GEN)/opsreport.timer $(GEN)/opsreport.cron: $(GEN)/%: config/% $(PATHS)
	@mkdir -p $(dir $@)
	$(Q)$(SUBST) $< > $@

# the server's config: the example with run folders in the unit's StateDirectory
$(GEN)/opsreport.ini: config/opsreport.ini $(PATHS)
	@mkdir -p $(dir $@)
	$(Q)sed -e '1s|.*|; $(SYSCONFDIR)/opsreport/opsreport.ini, installed from the example (the sample company): map your own exports, then run opsreport check|' \
	    -e '/^\[output\]$$/a dir = /var/lib/opsreport       ; run folders when --out is not given' $< > $@

install: $(BIN) $(GEN_FILES)
	$(Q)$(INSTALL_ENV) config/install.sh install

uninstall: $(GEN)/opsreport.ini
	$(Q)$(INSTALL_ENV) config/install.sh uninstall

# The package: a second build (PREFIX=/usr, Debian's hardening flags) in
# $(DEB_DIR)/build, installed into a staging root by the same install.sh, then
# the Debian parts: stripped binary, gzipped man page and changelog, copyright,
# conffiles, maintainer scripts, md5sums, and a control file whose Depends are
# the Debian packages of the libraries the binary links (dpkg-shlibdeps) plus
# the PDF's fonts. lintian must report no errors.
DEB_DIR ?= $(BUILD)/deb
DEB_VERSION := $(VERSION)-1
DEB_MAINTAINER ?= $(shell git log -1 --format='%an <%ae>' 2>/dev/null)
DEB_STAGE = $(DEB_DIR)/root
DEB_FILE = $(DEB_DIR)/opsreport_$(DEB_VERSION)_$(shell dpkg --print-architecture).deb

deb: deps-package
	$(Q)export DEB_BUILD_MAINT_OPTIONS=hardening=+all; \
	$(MAKE) --no-print-directory BUILD=$(DEB_DIR)/build DEB_DIR=$(DEB_DIR) PREFIX=/usr SAN= OPT=-O2 \
	    UNITDIR=/lib/systemd/system LDFLAGS="$$(dpkg-buildflags --get LDFLAGS)" \
	    HARDEN_CFLAGS="$$(dpkg-buildflags --get CFLAGS) $$(dpkg-buildflags --get CPPFLAGS)" deb-package

deb-package: $(BIN) $(GEN_FILES)
	$(Q)rm -rf $(DEB_STAGE) $(DEB_DIR)/src && mkdir -p $(DEB_STAGE)/DEBIAN $(DEB_DIR)/src/debian
	$(Q)$(INSTALL_ENV) DESTDIR='$(DEB_STAGE)' config/install.sh install >/dev/null
	$(Q)rm -f $(DEB_STAGE)$(DATADIR)/installed-dirs # dpkg keeps its own list
	$(Q)strip --remove-section=.comment --remove-section=.note --strip-unneeded $(DEB_STAGE)$(BINDIR)/opsreport
	$(Q)gzip -9n $(DEB_STAGE)$(MANDIR)/opsreport.1
	$(Q)install -m 644 config/debian/copyright $(DEB_STAGE)$(DOCDIR)/copyright
	$(Q)install -D -m 644 config/debian/lintian-overrides $(DEB_STAGE)/usr/share/lintian/overrides/opsreport
	$(Q)sed -e 's|@VERSION@|$(DEB_VERSION)|' -e 's|@MAINTAINER@|$(DEB_MAINTAINER)|' \
	    -e "s|@DATE@|$$(date -u -R -d @$(SOURCE_DATE_EPOCH))|" config/debian/changelog.in \
	    | gzip -9n > $(DEB_STAGE)$(DOCDIR)/changelog.Debian.gz
	$(Q)install -m 644 config/debian/conffiles $(DEB_STAGE)/DEBIAN/
	$(Q)install -m 755 config/debian/postinst config/debian/prerm config/debian/postrm $(DEB_STAGE)/DEBIAN/
	$(Q)find $(DEB_STAGE) -type d -exec chmod 755 {} +
	$(Q)cd $(DEB_STAGE) && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | LC_ALL=C sort \
	    | xargs md5sum > DEBIAN/md5sums
	$(Q)printf 'Source: opsreport\n\nPackage: opsreport\nArchitecture: any\n' > $(DEB_DIR)/src/debian/control
	$(Q)deps=$$(cd $(DEB_DIR)/src && dpkg-shlibdeps -O -e$(abspath $(DEB_STAGE)$(BINDIR)/opsreport) \
	    | sed -n 's/^shlibs:Depends=//p') && test -n "$$deps" && \
	    sed -e 's|@VERSION@|$(DEB_VERSION)|' -e "s|@ARCH@|$$(dpkg --print-architecture)|" \
	        -e 's|@MAINTAINER@|$(DEB_MAINTAINER)|' -e "s|@DEPENDS@|$$deps, fonts-dejavu-core|" \
	        -e "s|@SIZE@|$$(du -sk --exclude=DEBIAN $(DEB_STAGE) | cut -f1)|" \
	        config/debian/control.in > $(DEB_STAGE)/DEBIAN/control
	$(Q)dpkg-deb --root-owner-group -Zxz --build $(DEB_STAGE) $(DEB_FILE) >/dev/null
	@echo "  DEB $(DEB_FILE)"
	$(Q)lintian --fail-on error --info --display-info --pedantic $(DEB_FILE)

# (not the nested builds of deb and the install tests: $(BUILD)/*/build)
-include $(shell find $(BUILD) -path '$(BUILD)/*/build' -prune -o -name '*.d' -print 2>/dev/null)
