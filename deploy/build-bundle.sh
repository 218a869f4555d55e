#!/usr/bin/env bash
# Builds the givre bundle that the Ansible role in deploy/ansible installs:
# the npm package (dist, policies, manifests, contrib) together with its
# production node_modules, as one tarball that installs without a network.
#
#   deploy/build-bundle.sh [--no-ci] [--no-build] [--out DIR]
#
#   --no-ci      use the node_modules already installed instead of `npm ci`
#   --no-build   use the dist/ already built instead of `npm run build`
#   --out DIR    where to write the tarball (default: the current folder)
#
# The native addon (better-sqlite3) is compiled for this host's Node.js:
# build on a host with the same Node.js major version as the targets, and a
# C library no newer than theirs (a Debian 12 build host suits Debian 12 and
# 13 targets). The role checks that the addon loads before switching to a
# new bundle. Prints the tarball's path on the last line.
set -euo pipefail

run_ci=yes
run_build=yes
out=$PWD
while [ $# -gt 0 ]; do
  case "$1" in
    --no-ci) run_ci=no ;;
    --no-build) run_build=no ;;
    --out)
      [ $# -ge 2 ] || { echo "build-bundle: --out needs a folder" >&2; exit 2; }
      out=$2
      shift
      ;;
    *) echo "build-bundle: unknown argument '$1' (see the top of $0)" >&2; exit 2 ;;
  esac
  shift
done
out=$(cd "$out" && pwd)
cd "$(dirname "$0")/.."

if [ "$run_ci" = yes ]; then npm ci --no-audit --no-fund; fi
if [ "$run_build" = yes ]; then npm run build; fi
if [ ! -f dist/cli/main.js ]; then
  echo "build-bundle: dist/cli/main.js is missing: run npm run build first" >&2
  exit 2
fi

version=$(node -p 'require("./package.json").version')
node_major=$(node -p 'process.versions.node.split(".")[0]')
arch=$(node -p 'process.arch')
name=givre-$version
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# npm pack applies package.json "files", so the bundle holds what a
# registry install would, plus the lockfile and production dependencies.
tarball=$(npm pack --silent --pack-destination "$stage" | tail -n 1)
mkdir "$stage/$name"
tar -xzf "$stage/$tarball" -C "$stage/$name" --strip-components=1
cp package-lock.json "$stage/$name/"
# node_modules may be a symlink to a shared checkout: copy what it points at.
cp -a "$(realpath node_modules)" "$stage/$name/node_modules"
(cd "$stage/$name" && npm prune --omit=dev --offline --ignore-scripts --no-audit --no-fund)
# npm prune leaves the scope folders of removed packages behind, empty.
find "$stage/$name/node_modules" -mindepth 1 -maxdepth 1 -type d -empty -delete

# The compiled addon is all better-sqlite3 needs at run time; its sources
# and object files are most of its size.
addon=$stage/$name/node_modules/better-sqlite3
rm -rf "$addon/deps" "$addon/src" "$addon/build/Release/obj" \
  "$addon/build/Release/obj.target" "$addon/build/Release/test_extension.node" \
  "$addon/build/deps"
rm -f "$addon"/build/Release/*.a

node -e '
  const [file, version] = process.argv.slice(1);
  const header = process.report.getReport().header;
  const bundle = {
    name: "givre",
    version,
    node: process.versions.node,
    node_modules_abi: process.versions.modules,
    platform: process.platform,
    arch: process.arch,
    glibc: header.glibcVersionRuntime ?? null,
  };
  require("fs").writeFileSync(file, JSON.stringify(bundle, null, 2) + "\n");
' "$stage/$name/givre-bundle.json" "$version"

# Same sources, same tarball: fixed owner, order and times, and gzip without
# a timestamp, so the role sees an unchanged bundle as unchanged.
epoch=$(git log -1 --format=%ct 2>/dev/null || date +%s)
file=$out/$name-node$node_major-linux-$arch.tar.gz
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
  -C "$stage" -cf - "$name" | gzip -n -9 >"$file.tmp"
mv "$file.tmp" "$file"
echo "$file"
