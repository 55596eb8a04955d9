#!/usr/bin/env bash
# Install the Debian packages the project needs (only the missing ones).
#
# Usage:
#   scripts/system-deps.sh                          # check/install everything
#   scripts/system-deps.sh postgresql redis-server  # only a subset
#
# Known names: postgresql (server + contrib), postgresql-contrib,
# redis-server, chromium, fonts-noto-core, fonts-dejavu-core,
# libharfbuzz-subset0, gettext, haproxy, pgbouncer (the last two for the
# multi-host run: a load balancer and a pooler, as a province runs them).
#
# As root the missing packages are installed with apt-get. As another user
# the script prints what is missing and the command to run, and exits 1.
set -euo pipefail

ALL=(postgresql redis-server chromium fonts-noto-core fonts-dejavu-core libharfbuzz-subset0 gettext haproxy pgbouncer)

usage() {
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# Map a requested name to the Debian package(s) it stands for.
expand() {
    case "$1" in
        postgresql) echo postgresql postgresql-contrib ;;
        postgresql-contrib | redis-server | chromium | fonts-noto-core | \
            fonts-dejavu-core | libharfbuzz-subset0 | gettext | haproxy | pgbouncer) echo "$1" ;;
        *) return 1 ;;
    esac
}

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

if [ $# -gt 0 ]; then
    case "$1" in -h | --help) usage; exit 0 ;; esac
    requested=("$@")
else
    requested=("${ALL[@]}")
fi

packages=()
for name in "${requested[@]}"; do
    if ! pkgs=$(expand "$name"); then
        echo "error: unknown package '$name' (known: ${ALL[*]} postgresql-contrib)" >&2
        exit 2
    fi
    for pkg in $pkgs; do
        case " ${packages[*]-} " in *" $pkg "*) ;; *) packages+=("$pkg") ;; esac
    done
done

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "error: dpkg-query not found; this script supports Debian/Ubuntu only." >&2
    echo "       Install these packages with your package manager: ${packages[*]}" >&2
    exit 1
fi

echo "==> Checking system packages: ${packages[*]}"
missing=()
for pkg in "${packages[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "==> All required system packages are installed."
    exit 0
fi

echo "==> Missing packages: ${missing[*]}"

if [ "$(id -u)" -ne 0 ]; then
    {
        echo "error: not running as root, cannot install packages."
        echo "Run as root (or with sudo):"
        echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
    } >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: apt-get not found; install these packages manually: ${missing[*]}" >&2
    exit 1
fi

echo "==> Updating package index (apt-get update)"
apt-get update -qq

echo "==> Installing: ${missing[*]}"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"

still_missing=()
for pkg in "${missing[@]}"; do
    is_installed "$pkg" || still_missing+=("$pkg")
done
if [ ${#still_missing[@]} -gt 0 ]; then
    echo "error: still not installed after apt-get: ${still_missing[*]}" >&2
    exit 1
fi

echo "==> System packages installed."
