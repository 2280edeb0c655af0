#!/usr/bin/env bash
# Runs informer_resume.mjs with the pinned client (scripts/install-deps.sh runs `npm ci` here).
here=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null || { echo "skip: node is not installed" >&2; exit 77; }
[ -d "$here/node_modules/@kubernetes/client-node" ] || { echo "skip: run npm ci in $here" >&2; exit 77; }
exec node "$here/informer_resume.mjs"
