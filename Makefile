# SPDX-License-Identifier: GPL-2.0
#
#   make            build the SCST and iSCSI modules and iscsi-scstd against KDIR (default: the
#                   running kernel's headers)
#   make check      install dependencies, build the modules against the
#                   Debian kernel the QEMU guest boots, run all tests
#   make test       run all tests without installing or building
#                   (TESTS="t-00-boot ..." selects guest tests)

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

# Installs into /lib/modules/$(KVER)/extra (KVER read from KDIR) + depmod.
install uninstall:
	$(MAKE) -C scst $@ KDIR=$(KDIR)
	$(MAKE) -C iscsi-scst $@ KDIR=$(KDIR)
	$(MAKE) -C scstadmin $@

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

.PHONY: all modules daemon test-modules check test bench install uninstall clean
