#!/bin/sh
# Installs the native libraries the prover needs at run time (Debian/Ubuntu).
#   librandomx0 : tevador RandomX (k2pow, spec §5), loaded by Prover.Core.Pow.RandomXNative.
# Optional: other Debian packages named as arguments are installed the same way instead (scripts/slurm-cluster.sh
# passes munge and Slurm's daemons this way).
# Idempotent: packages already installed are left alone and the package index is refreshed
# only when a package is missing and the index does not know it. Must run as root (or via sudo).
set -eu

PACKAGES="${*:-librandomx0}"

log() { printf 'install-deps: %s\n' "$*" >&2; }

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
    log "apt-get/dpkg-query not found: this script only supports Debian-based systems; skipping."
    log "install the RandomX shared library (librandomx.so.0, tevador RandomX 1.1.x or later) by other means, or set POST_RANDOMX_LIBRARY to its path."
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        log "not running as root and sudo is missing; re-run as root."
        exit 1
    fi
fi

is_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

has_candidate() {
    candidate=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p')
    [ -n "$candidate" ] && [ "$candidate" != "(none)" ]
}

missing=""
for pkg in $PACKAGES; do
    if is_installed "$pkg"; then
        log "$pkg is already installed ($(dpkg-query -W -f='${Version}' "$pkg"))."
    else
        missing="$missing $pkg"
    fi
done

if [ -z "$missing" ]; then
    log "nothing to do."
    exit 0
fi

need_update=0
for pkg in $missing; do
    has_candidate "$pkg" || need_update=1
done
if [ "$need_update" -eq 1 ]; then
    log "running: apt-get update"
    $SUDO apt-get update >&2
fi

log "running: apt-get install -y$missing"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $missing >&2

for pkg in $missing; do
    if is_installed "$pkg"; then
        log "$pkg installed ($(dpkg-query -W -f='${Version}' "$pkg")):"
        dpkg -L "$pkg" | grep '\.so' >&2 || true
    else
        log "$pkg could not be installed."
        exit 1
    fi
done
