#!/bin/sh
# Install every Debian and npm package mixperf needs, idempotently: apt-get update runs at most once,
# and only when something is missing. Safe to run on every `make`.
set -eu

# Build and library dependencies, the benchmark application, and the peers measured by `make bench`.
PKGS="
build-essential
cmake
pkg-config
clang
libclang-rt-14-dev
clang-format
libcurl4-openssl-dev
curl
libuv1-dev
libyaml-dev
libjansson-dev
libpcre2-dev
libgsl-dev
libtree-sitter-dev
libcriterion-dev
libelf-dev
libssl-dev
zlib1g-dev
openssl
python3.11-dev
python3
python3-django
python3-gunicorn
python3-yaml
pypy3
mypy
cython3
nginx
wrk
python3-locust
valgrind
time
nodejs
npm
procps
"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        # npm may come bundled with a nodejs package that is not Debian's; a working npm is enough.
        if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
        if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    echo "deps: installing:$missing"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

# npm packages are pinned by tools/npm/package-lock.json (with integrity hashes); install scripts are
# not run because only the sources are used.
here=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$here/tools/npm/node_modules/.mixperf-installed" ] ||
   [ "$here/tools/npm/package-lock.json" -nt "$here/tools/npm/node_modules/.mixperf-installed" ]; then
    echo "deps: npm ci (tools/npm)"
    (cd "$here/tools/npm" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    touch "$here/tools/npm/node_modules/.mixperf-installed"
fi
