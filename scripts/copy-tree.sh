#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# copy-tree.sh DEST: copy this tree into DEST as a user would have it: the
# tracked and new files, none of what builds and test runs leave behind.
# Git tells which files those are; in a tree without git (an unpacked
# release) tar leaves out what .gitignore names.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
DEST=$1

mkdir -p "$DEST"
if git -C "$REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$REPO" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 cp --parents -t "$DEST")
else
	# .gitignore's patterns, unanchored as tar reads them
	tar -C "$REPO" --exclude-from=<(sed 's|^/||; s|/$||' "$REPO/.gitignore") \
		-c . | tar -C "$DEST" -x
fi
