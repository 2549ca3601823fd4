# slaguard - top-level build.
#
#   make              module for KVER (or KDIR) and the userspace programs
#   make check        every test: build matrix, sparse, dkms, unit, KUnit, VM
#   make demo         boot a VM and show detection and enforcement
#   make install      programs, the application SDK, what slaguardd reads
#                     (table definitions, attack shapes), the systemd unit,
#                     a modules-load.d entry, man pages, bash completion,
#                     docs and examples (PREFIX, DESTDIR)
#   make dkms-install copy the module sources to /usr/src for dkms
#   make deb          Debian packages slaguard and slaguard-dkms in build/deb
#   make check-build|check-dkms|check-deb|check-unit|check-host|check-kunit|check-vm
#                     one stage of "make check"
#   make bench        benchmarks in the VM (figures, not pass/fail)
#   make bench-replay the SLA engine's events/s on one core, natively
#   make help         this text

VERSION := 0.1.0

# The kernel to build for: the running one if its headers are installed,
# else the newest Debian 6.1 amd64 kernel whose headers are.
KVER ?= $(shell v=$$(uname -r); \
	if [ -d /lib/modules/$$v/build ]; then echo $$v; else \
	. tests/kernels.sh; echo $$KVER; fi)
KDIR ?= /lib/modules/$(KVER)/build

PREFIX ?= /usr/local
DESTDIR ?=
SBINDIR ?= $(PREFIX)/sbin
# slaguardd looks here for its table definitions and attack shapes (built
# in: /usr/share/slaguard), whatever the PREFIX of the programs.
DATADIR ?= /usr/share/slaguard
DOCDIR ?= $(PREFIX)/share/doc/slaguard
UNITDIR ?= /lib/systemd/system
MANDIR ?= $(PREFIX)/share/man
# bash-completion looks in $XDG_DATA_DIRS (/usr/local/share:/usr/share).
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
MODULESLOADDIR ?= /usr/lib/modules-load.d

.PHONY: all help module userspace clean install dkms-install deb deps check \
	check-build check-dkms check-deb check-unit check-kunit check-vm \
	check-host bench bench-replay demo

all: module userspace

help:
	@sed -n '3,/^$$/p' Makefile | sed 's/^# \{0,1\}//'

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
	@cp kmod/slaguard.ko . 2>/dev/null || true

userspace:
	$(MAKE) -C userspace

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C userspace clean
	rm -rf build slaguard.ko

install: userspace
	$(MAKE) -C userspace install PREFIX=$(PREFIX) SBINDIR=$(SBINDIR) DESTDIR=$(DESTDIR)
	install -d $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)/examples \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(MODULESLOADDIR) \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR)
	install -m 0644 man/slaguardd.8 man/slaguardctl.8 man/slaguard-coord.8 \
		$(DESTDIR)$(MANDIR)/man8/
	install -m 0644 man/slaguard.sla.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 packaging/bash-completion/slaguardd \
		packaging/bash-completion/slaguardctl \
		packaging/bash-completion/slaguard-coord $(DESTDIR)$(BASHCOMPDIR)/
	install -m 0644 nft/slaguard.nft nft/slaguard-inspect.nft \
		data/attack-shapes.json $(DESTDIR)$(DATADIR)/
	install -m 0644 README.md docs/*.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 examples/*.yaml examples/*.c examples/*.py $(DESTDIR)$(DOCDIR)/examples/
	sed -e 's|/usr/local/sbin/|$(SBINDIR)/|g' \
		-e 's|file:/usr/share/doc/slaguard/|file:$(DOCDIR)/|g' \
		packaging/slaguardd.service > $(DESTDIR)$(UNITDIR)/slaguardd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/slaguardd.service
	# The module is loaded at boot by systemd-modules-load (no autoload).
	printf '%s\n' '# slaguard: the security SLA monitor (see $(DOCDIR)/README.md)' \
		slaguard > $(DESTDIR)$(MODULESLOADDIR)/slaguard.conf

# Only the module's sources: dkms builds them with the Makefile below.
dkms-install:
	install -d $(DESTDIR)/usr/src/slaguard-$(VERSION)/kmod \
		$(DESTDIR)/usr/src/slaguard-$(VERSION)/include/uapi/linux
	install -m 644 Kbuild dkms.conf $(DESTDIR)/usr/src/slaguard-$(VERSION)/
	install -m 644 kmod/Kbuild kmod/Kconfig kmod/*.c kmod/*.h \
		$(DESTDIR)/usr/src/slaguard-$(VERSION)/kmod/
	install -m 644 include/uapi/linux/slaguard.h \
		$(DESTDIR)/usr/src/slaguard-$(VERSION)/include/uapi/linux/
	printf 'KDIR ?= /lib/modules/$$(KVER)/build\nall:\n\t$$(MAKE) -C $$(KDIR) M=$$(CURDIR) modules\nclean:\n\t$$(MAKE) -C $$(KDIR) M=$$(CURDIR) clean\n' \
		> $(DESTDIR)/usr/src/slaguard-$(VERSION)/Makefile

deb:
	./scripts/build-deb.sh

deps:
	./scripts/install-deps.sh

# The README's test command: installs what it needs, then runs everything.
check: deps
	./tests/run-all.sh

# Single stages of "make check", for iterating.
check-build:
	. tests/kernels.sh; ./tests/build/matrix.sh "$$KVER" "$$KVER_NEW"

check-dkms:
	. tests/kernels.sh; ./tests/build/dkms.sh "$(VERSION)" "$$KVER" "$$KVER_NEW"

check-deb:
	. tests/kernels.sh; ./tests/build/deb.sh "$$KVER" "$$KVER_NEW"

check-unit:
	$(MAKE) -C tests/unit check

check-host:
	$(MAKE) -C tests/host check

check-kunit:
	./tests/kunit/run.sh

# The VM scenarios on Debian's 6.1 and on the current 6.12, each booting
# its kernel with the module built for it (build/vm/kmod-KVER).
check-vm: userspace
	$(MAKE) -C tests/host build/nats-pub	# for 81-daemon-fleet
	. tests/kernels.sh; ./tests/vm/run.sh --kver "$$KVER" --build-module --timeout 2700 --scenario-timeout 360 && \
		./tests/vm/run.sh --kver "$$KVER_NEW" --build-module --timeout 2700 --scenario-timeout 360

bench: module userspace
	./bench/run.sh

bench-replay: userspace
	$(MAKE) -C bench replay

demo: deps module userspace
	./scripts/demo.sh
