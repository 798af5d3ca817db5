# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The kernel-health pattern: a line of the kernel log that matches it is a
# report (warning, bug, leak, lockdep, sanitizer) and fails the run. One
# definition for each test's gate (lib.sh), the whole boot (run_all.sh)
# and the debug kernel's logs (scripts/debug-kernel.sh).

# shellcheck disable=SC2034 # for those who source this
HEALTH_RE='WARNING:|BUG:|Oops|refcount_t|unregister_netdevice: waiting for|lockdep|possible circular locking|KASAN|UBSAN|kmemleak|general protection|RCU stall|stack-protector|list_(add|del) corruption'
