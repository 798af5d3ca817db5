# SPDX-License-Identifier: GPL-2.0
#
# make              the module and the iproute2 plugin, for the running kernel
# make KDIR=DIR     ... against another kernel build tree
# make install      install both, so that `ip link add ... type gretun` works
#                   (INSTALL_MOD_PATH= and DESTDIR= stage them elsewhere)
# make demo         the LAN-to-LAN scenario in a guest, narrated (root;
#                   installs what it needs on Debian 12)
# make check        the test suite, in a virtme-ng guest (root; installs what
#                   it needs on Debian 12)
# make interop      gretun and the kernel's ip_gre in two guests, on one
#                   network (part of make check too)
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

MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
IP_LIB_DIR ?= /usr/lib/$(MULTIARCH)/ip
PLUGIN := iproute2/link_gretun.so
PLUGIN_CFLAGS := -O2 -g -Wall -Wextra -Wno-unused-parameter -fPIC -I.

all: module plugin selftests/gretun_nl selftests/gretun_rr

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

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KDIR_RELEASE)
	install -D -m 0644 $(PLUGIN) $(DESTDIR)$(IP_LIB_DIR)/link_gretun.so

demo:
	./scripts/demo.sh

check:
	./scripts/check.sh

interop: all
	./scripts/interop.sh

bench:
	./scripts/bench.sh

check-debug:
	./scripts/debug-kernel.sh check

lint: kdir $(PLUGIN)
	KDIR=$(KDIR) PLUGIN=$(PLUGIN) ./scripts/lint.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -f $(PLUGIN) selftests/gretun_nl selftests/gretun_rr

.PHONY: all kdir module plugin install demo check interop bench check-debug lint \
	clean

selftests/gretun_nl: selftests/gretun_nl.c gre_tun.h
	$(CC) -O2 -Wall -Wextra -D_GNU_SOURCE -o $@ $<

selftests/gretun_rr: selftests/gretun_rr.c
	$(CC) -O2 -Wall -Wextra -o $@ $<
