# SPDX-License-Identifier: GPL-2.0
#
#   make            build the SCST and iSCSI modules and iscsi-scstd against KDIR (default: the
#                   running kernel's headers)
#   make check      install dependencies, build the modules against the
#                   Debian kernel the QEMU guest boots, run all tests
#   make test       run all tests without installing or building
#                   (TESTS="t-00-boot ..." selects guest tests)
#   make demo       boot the QEMU guest with a disk exported over iSCSI at
#                   127.0.0.1:3260 (DEMO_PORT) until Ctrl-C

KDIR ?= /lib/modules/$(shell uname -r)/build
export KDIR

all: modules daemon

modules:
	$(MAKE) -C scst modules KDIR=$(KDIR)
	$(MAKE) -C iscsi-scst modules KDIR=$(KDIR)

# User-space programs (iscsi-scstd)
daemon:
	$(MAKE) -C iscsi-scst daemon

# The guest runs the kernel of the installed linux-image-amd64, so build
# against its headers whatever the host runs.
check:
	tests/lib/install-deps.sh
	+@kver=$$(tests/lib/kver.sh) && \
		echo "make check: building modules for $$kver" && \
		$(MAKE) modules daemon test-modules KDIR=/usr/src/linux-headers-$$kver
	tests/run-all.sh

# Test-only kernel modules (tests/kmod), built against the core's symbols
test-modules: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/kmod \
		KBUILD_EXTRA_SYMBOLS=$(CURDIR)/scst/src/Module.symvers modules

test:
	tests/run-all.sh

# Benchmark, not part of check: our iSCSI target vs LIO vs tgt through
# open-iscsi + fio in one deterministic guest (QEMU TCG, -icount, 1 vCPU);
# the table goes to build/bench/results.txt.  About an hour of wall time
# with the defaults (BENCH_* variables: tests/bench/run-bench.sh).
bench:
	+@kver=$$(tests/lib/kver.sh) && \
		$(MAKE) modules daemon KDIR=/usr/src/linux-headers-$$kver || \
		echo "make bench: build failed, measuring the stacks that are there"
	tests/bench/run-bench.sh

# Demo: installs what is missing, builds for the guest's kernel, boots the
# guest with doc/scst.conf.example applied and its iSCSI port forwarded to
# the host's 127.0.0.1:$(DEMO_PORT) (tests/demo/demo.sh); Ctrl-C stops it.
demo:
	tests/lib/install-deps.sh
	+@kver=$$(tests/lib/kver.sh) && \
		$(MAKE) modules daemon KDIR=/usr/src/linux-headers-$$kver
	tests/demo/demo.sh

# Installs the modules into $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/extra
# (KVER read from KDIR) + depmod, iscsi-scstd and scstadmin into
# $(DESTDIR)$(SBINDIR), the systemd units (init/) into
# $(DESTDIR)$(SYSTEMDUNITDIR) and doc/scst.conf.example into
# $(DESTDIR)$(DOCDIR).  /etc/scst.conf is never written.  INSTALL_MOD_PATH
# defaults to DESTDIR.
DESTDIR ?=
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
DOCDIR ?= $(PREFIX)/share/doc/scst
SYSTEMDUNITDIR ?= $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null | grep . || echo /lib/systemd/system)
INSTALL_MOD_PATH ?= $(DESTDIR)
UNITS := scst.service iscsi-scstd.service
sub_install = INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) PREFIX=$(PREFIX) SBINDIR=$(SBINDIR)

install uninstall:
	$(MAKE) -C scst $@ KDIR=$(KDIR) $(sub_install)
	$(MAKE) -C iscsi-scst $@ KDIR=$(KDIR) $(sub_install)
	$(MAKE) -C scstadmin $@ $(sub_install)
	$(MAKE) $@-init

# The units name the programs by their installed paths.
install-init:
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(DOCDIR)
	for u in $(UNITS); do \
		sed 's|@SBINDIR@|$(SBINDIR)|g' init/$$u.in >$(DESTDIR)$(SYSTEMDUNITDIR)/$$u.tmp && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u.tmp && \
		mv -f $(DESTDIR)$(SYSTEMDUNITDIR)/$$u.tmp $(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; \
	done
	install -m 0644 doc/scst.conf.example $(DESTDIR)$(DOCDIR)/scst.conf.example
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
		systemctl daemon-reload || true; fi

uninstall-init:
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
		systemctl disable scst.service 2>/dev/null || true; fi
	rm -f $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(UNITS))
	rm -f $(DESTDIR)$(DOCDIR)/scst.conf.example
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
		systemctl daemon-reload || true; fi

clean:
	$(MAKE) -C scst clean KDIR=$(KDIR)
	$(MAKE) -C iscsi-scst clean KDIR=$(KDIR)
	@if [ -d $(KDIR) ]; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/kmod clean; \
	else \
		rm -f tests/kmod/*.o tests/kmod/*.ko tests/kmod/*.mod* \
			tests/kmod/.*.cmd tests/kmod/Module.symvers \
			tests/kmod/modules.order; \
	fi
	rm -rf build

.PHONY: all modules daemon test-modules check test bench demo install uninstall \
	install-init uninstall-init clean
