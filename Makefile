# SPDX-License-Identifier: GPL-2.0
#
# make              the module and the iproute2 plugin, for the running kernel
# make KDIR=DIR     ... against another kernel build tree
# make install      install both, so that `ip link add ... type gretun` works
#                   (INSTALL_MOD_PATH= and DESTDIR= stage them elsewhere)
# make uninstall    remove what make install put there
# make dkms-install the module through DKMS (rebuilt for each new kernel),
#                   and the plugin; make dkms-uninstall removes both
# make deb          Debian packages gre-tun-dkms and gre-tun-iproute2, in
#                   .results/deb/
# make demo         the LAN-to-LAN scenario in a guest, narrated (root;
#                   installs what it needs on Debian 12); UNDERLAY=6: the
#                   mirror image, IPv4 LANs across an IPv6-only transit
# make check        the test suite, in a virtme-ng guest (root; installs what
#                   it needs on Debian 12)
# make interop      gretun and the kernel's ip_gre in two guests, on one
#                   network (part of make check too)
# make check-install make install, make dkms-install and the .deb, each
#                   installed, used and removed in a guest, the .deb also
#                   upgraded and rebuilt for a second kernel (installs
#                   backports' 6.12 if no other kernel has headers; DKMS
#                   builds are slow without KVM: make check tries make
#                   install only)
# make check-fresh  make demo and make check from nothing, in a minimal
#                   Debian 12 root made with debootstrap (root; slow)
# make check-debug  the test suite on a KASAN + lockdep + kmemleak + UBSAN
#                   kernel, built once and cached (root; slow: see README)
# make bench        gretun against ip_gre and plain routing in one guest:
#                   medians, ratios, CSV and chart in .results/bench/
# make lint         W=1, sparse, checkpatch, shellcheck and the plugin's ABI
# make clean

KERNELRELEASE ?= $(shell uname -r)
RUNNING_KDIR := /lib/modules/$(KERNELRELEASE)/build
# Without headers for the running kernel (a build host, a container), fall
# back to the newest installed kernel headers.
KDIR ?= $(firstword $(wildcard $(RUNNING_KDIR)) \
	$(lastword $(sort $(wildcard /lib/modules/*/build))))

# The release the tree builds for, as module directories are named.
KDIR_RELEASE = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h)

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
MODULE_DIR = $(INSTALL_MOD_PATH)/lib/modules/$(KDIR_RELEASE)
DKMS_SRC := /usr/src/gre-tun-$(VERSION)
DKMS_FILES := Kbuild compat.h gre_tun.c gre_tun.h dkms.conf

MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
IP_LIB_DIR ?= /usr/lib/$(MULTIARCH)/ip
PLUGIN := iproute2/link_gretun.so
PLUGIN_CFLAGS := -O2 -g -Wall -Wextra -Wno-unused-parameter -fPIC -I.

all: module plugin selftests

kdir:
	@if [ -z "$(KDIR)" ]; then \
		echo "gre_tun: no kernel headers found in /lib/modules/*/build." >&2; \
		echo "gre_tun: install them: apt-get install linux-headers-$(KERNELRELEASE)" >&2; \
		echo "gre_tun: (or linux-headers-amd64), or point KDIR= at a kernel build tree" >&2; \
		exit 1; \
	fi
	@if [ "$(KDIR)" != "$(RUNNING_KDIR)" ]; then \
		echo "gre_tun: building for $(KDIR), not the running kernel $(KERNELRELEASE)"; \
	fi

module: kdir
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

plugin: $(PLUGIN)

$(PLUGIN): iproute2/link_gretun.c iproute2/ip_plugin.h gre_tun.h
	$(CC) $(PLUGIN_CFLAGS) -shared -o $@ $<

# the selftests' helper programs (selftests/Makefile)
selftests:
	$(MAKE) -C selftests

DEPMOD = depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KDIR_RELEASE)

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=extra modules_install
	$(DEPMOD)
	install -D -m 0644 $(PLUGIN) $(DESTDIR)$(IP_LIB_DIR)/link_gretun.so

uninstall: kdir
	rm -f $(MODULE_DIR)/extra/gre_tun.ko $(MODULE_DIR)/extra/gre_tun.ko.*
	$(DEPMOD)
	rm -f $(DESTDIR)$(IP_LIB_DIR)/link_gretun.so

dkms-install: $(PLUGIN)
	rm -rf $(DKMS_SRC)
	install -D -m 0644 -t $(DKMS_SRC) $(DKMS_FILES)
	dkms add gre-tun/$(VERSION)
	dkms install gre-tun/$(VERSION) $(if $(KDIR_RELEASE),-k $(KDIR_RELEASE))
	install -D -m 0644 $(PLUGIN) $(DESTDIR)$(IP_LIB_DIR)/link_gretun.so

dkms-uninstall:
	dkms remove gre-tun/$(VERSION) --all || true
	rm -rf $(DKMS_SRC)
	rm -f $(DESTDIR)$(IP_LIB_DIR)/link_gretun.so

deb:
	./scripts/deb.sh

UNDERLAY ?= 4
demo:
	GRETUN_UNDERLAY=$(UNDERLAY) ./scripts/demo.sh

check:
	./scripts/check.sh

interop: all
	./scripts/interop.sh

bench:
	./scripts/bench.sh

# a DKMS build is one long silent step in a guest without KVM
check-install:
	GRETUN_TESTS=gretun_install.sh GRETUN_INSTALL_WAYS="make dkms deb" \
		GRETUN_SILENCE_LIMIT=900 GRETUN_TEST_TIMEOUT=2400 ./scripts/check.sh

check-fresh:
	./scripts/check-fresh.sh

check-debug:
	./scripts/debug-kernel.sh check

lint: kdir $(PLUGIN)
	KDIR=$(KDIR) PLUGIN=$(PLUGIN) ./scripts/lint.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -f $(PLUGIN)
	$(MAKE) -C selftests clean

.PHONY: all kdir module plugin selftests install uninstall dkms-install \
	dkms-uninstall deb demo check check-install check-fresh interop bench \
	check-debug lint clean
