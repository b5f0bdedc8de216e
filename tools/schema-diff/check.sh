#!/usr/bin/env bash
# make schema-diff: compares the work tree's schema.graphql with the schema clients already
# have, using diff.mjs (GraphQL Inspector), and fails on an unannounced breaking change.
# SCHEMA_DIFF_BASE=<git ref> overrides the choice of base below.
set -euo pipefail
root="$(git rev-parse --show-toplevel)"
cd "$root"

# What clients already have, best first:
# 1. The latest release tag (v*) reachable from HEAD: the last schema promised to clients,
#    so every change made since, over however many commits, is judged together.
# 1b. No tag in this clone: the release commit named in tools/schema-diff/RELEASED.
# 2. No release yet: the merge base with origin/main, i.e. what main had before this branch;
#    a branch is judged by its own changes, not by what main did meanwhile.
# 3. Neither, or the merge base is HEAD itself (on main, as in CI's fresh clone of main):
#    HEAD~1, so that at least the newest commit cannot break clients silently.
# With no base at all (a first commit) there is nothing to compare.
if [ "$(git rev-parse --is-shallow-repository)" = "true" ]; then
    # A shallow clone hides the tags and commits the base is chosen from: fetch them.
    git fetch --quiet --unshallow --tags origin ||
        echo "schema-diff: WARNING: shallow clone and no full history to fetch" >&2
fi
base="${SCHEMA_DIFF_BASE:-}"
why="SCHEMA_DIFF_BASE"
if [ -z "$base" ] && base="$(git describe --tags --abbrev=0 --match 'v*' HEAD 2>/dev/null)"; then
    why="latest release tag"
fi
released="$(grep -v '^#' tools/schema-diff/RELEASED 2>/dev/null | head -n 1 || true)"
if [ -z "$base" ] && [ -n "$released" ] && git cat-file -e "$released^{commit}" 2>/dev/null; then
    base="$released"
    why="last release, named in tools/schema-diff/RELEASED"
fi
if [ -z "$base" ] && git rev-parse -q --verify origin/main >/dev/null; then
    merge_base="$(git merge-base HEAD origin/main 2>/dev/null || true)"
    if [ -n "$merge_base" ] && [ "$merge_base" != "$(git rev-parse HEAD)" ]; then
        base="$merge_base"
        why="merge base with origin/main"
    fi
fi
if [ -z "$base" ] && git rev-parse -q --verify 'HEAD~1^{commit}' >/dev/null; then
    base="HEAD~1"
    why="no release tag and nothing to merge into: the previous commit"
fi
if [ -z "$base" ]; then
    echo "schema-diff: no earlier commit to compare with; nothing to check"
    exit 0
fi

old="$(mktemp -t schema-base.XXXXXX.graphql)"
trap 'rm -f "$old"' EXIT
if ! git cat-file -e "$base:schema.graphql" 2>/dev/null; then
    echo "schema-diff: $base ($why) has no schema.graphql; nothing to compare"
    exit 0
fi
git show "$base:schema.graphql" >"$old"
echo "schema-diff: schema.graphql against $base ($why, $(git rev-parse --short "$base^{commit}"))"
node tools/schema-diff/diff.mjs "$old" schema.graphql CHANGELOG.md
