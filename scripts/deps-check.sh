#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every program our scripts call must come from a package install-deps.sh
# installs (or one it depends on), or from one every Debian root has (Essential or Priority
# required, what debootstrap's minbase installs): a tool installed by hand
# on a developer's machine would otherwise hide a missing install step.
# Candidates are the words of scripts/, selftests/, .ci/ and the Makefiles,
# comments left out, that name a program on this machine; those that come
# from no package (built here) are skipped. Run by make lint.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"

# the packages install-deps.sh names, and virtme-ng (fetched from trixie)
listed=$(sed -n '/^DEBS="/,/"$/p' scripts/install-deps.sh | tr -d '"' |
	sed 's/^DEBS=//' | tr ' ' '\n'; echo virtme-ng)
base=$(dpkg-query -W -f='${Package} ${Essential} ${Priority}\n' |
	awk '$2 == "yes" || $3 == "required" { print $1 }')
# and what those depend on (python3 brings python3-minimal, ...)
# shellcheck disable=SC2086 # one package a word
closure=$(apt-cache depends --recurse --no-recommends --no-suggests \
	--no-conflicts --no-breaks --no-replaces --no-enhances $listed 2>/dev/null |
	sed -n 's/^\([a-z0-9][a-z0-9.+-]*\)$/\1/p')
allowed=$(printf '%s\n' "$listed" "$closure" "$base" apt | sed 's/:.*//' | sort -u)

# owner PATH: the package that installed the program at PATH, if any
owner() {
	local p

	for p in "$1" "$(readlink -f "$1")" "${1/#\/usr/}"; do
		dpkg-query -S "$p" 2>/dev/null | grep -v '^diversion' |
			sed -n '1s/:.*//p' | cut -d, -f1 | grep . &&
			return
	done
	return 0
}

# words in command position: first on a line or in a subshell, after
# | ; & $( or a
# keyword, or after a wrapper of ours or the system's and its arguments;
# not assignments (w=) or function definitions (w())
words=$(cat scripts/*.sh selftests/*.sh .ci/run Makefile selftests/Makefile |
	sed 's/\(^\|[[:space:]]\)#.*//' | perl -ne '
	while (/(?:^|[|;&]|(?:\$|<)\(|\b(?:then|do|else|exec|env|xargs|command)\s)\s*\(?\s*(?:!\s*)?([a-z][a-z0-9_.+-]*[a-z0-9])\b(?![=(])/g) { print "$1\n" }
	while (/\b(?:at|spawn)\s+"?\$?\w+"?\s+([a-z][a-z0-9_.+-]*[a-z0-9])\b/g) { print "$1\n" }
	while (/\btimeout\s+(?:-k\s+\S+\s+)?"?\S+"?\s+([a-z][a-z0-9_.+-]*[a-z0-9])\b/g) { print "$1\n" }
	while (/\b(?:check|check_fail|check_output\s+\S+|wait_for\s+\S+)\s+"[^"]*"\s+([a-z][a-z0-9_.+-]*[a-z0-9])\b/g) { print "$1\n" }' |
	sort -u)
# our own functions, which shadow any program of the same name
functions=$(cat scripts/*.sh selftests/*.sh |
	sed -n 's/^[[:space:]]*\([a-z][a-z0-9_]*\)()[[:space:]]*{.*/\1/p' | sort -u)
words=$(comm -23 <(echo "$words") <(echo "$functions"))
bad=0
for w in $words; do
	# where a fresh machine would find it, not ~/.local or pyenv
	path=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin type -P "$w") || continue
	pkg=$(owner "$path")
	[ -n "$pkg" ] || continue
	if ! grep -qx "$pkg" <<<"$allowed"; then
		echo "deps-check: $w ($path) comes from $pkg, which install-deps.sh does not install"
		bad=1
	fi
done
exit "$bad"
