#!/usr/bin/env bash
# Stop the throwaway PostgreSQL, its replica (scripts/replica.sh) and Redis
# started by scripts/services.sh.
# Servers that are not running are skipped; the data directory is kept, so
# the next scripts/services.sh run starts quickly.
#
# Environment (must match what services.sh used):
#   TRUONGSO_PG_PORT     PostgreSQL port (default 54329)
#   TRUONGSO_REDIS_PORT  Redis port (default 63799)
#   TRUONGSO_REPLICA_PORT  the replica's port (default 54339)
set -euo pipefail

say() { echo "==> $*"; }

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_PORT="${TRUONGSO_PG_PORT:-54329}"
REDIS_PORT="${TRUONGSO_REDIS_PORT:-63799}"
REPLICA_PORT="${TRUONGSO_REPLICA_PORT:-54339}"
TMP_BASE="${TMPDIR:-/tmp}"
TMP_BASE="${TMP_BASE%/}"
[ -n "$TMP_BASE" ] || TMP_BASE=/tmp

is_root() { [ "$(id -u)" -eq 0 ]; }

# ---------------------------------------------------------------- PostgreSQL

PG_BIN=""
find_pg_bin() {
    local dir cand
    if command -v pg_config >/dev/null 2>&1; then
        dir="$(pg_config --bindir 2>/dev/null || true)"
        if [ -n "$dir" ] && [ -x "$dir/pg_ctl" ]; then
            PG_BIN="$dir"; return 0
        fi
    fi
    cand="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -n "$cand" ] && [ -x "$cand/pg_ctl" ]; then
        PG_BIN="$cand"; return 0
    fi
    if command -v pg_ctl >/dev/null 2>&1; then
        PG_BIN="$(dirname "$(command -v pg_ctl)")"; return 0
    fi
    return 1
}

pg_tool() {
    if [ -n "$PG_BIN" ] && [ -x "$PG_BIN/$1" ]; then
        echo "$PG_BIN/$1"
    else
        command -v "$1" 2>/dev/null || true
    fi
}

pg_data_dir() {
    if [ "$PG_PORT" = "$REPLICA_PORT" ]; then
        if is_root; then echo "$TMP_BASE/truongso-replica-$PG_PORT"; else echo "$repo/var/replica"; fi
        return 0
    fi
    if is_root; then
        local base="$TMP_BASE"
        if ! id -u postgres >/dev/null 2>&1 ||
            ! runuser -u postgres -- test -d "$base" -a -w "$base" -a -x "$base" 2>/dev/null; then
            base=/tmp
        fi
        echo "$base/truongso-pg-$PG_PORT"
    else
        echo "$repo/var/pg"
    fi
}

stop_postgres() {
    local PG_PORT="${1:-$PG_PORT}"
    if ! find_pg_bin; then
        say "PostgreSQL binaries not found, nothing to stop"
        return 0
    fi
    local datadir psql isready owner
    datadir="$(pg_data_dir)"
    psql="$(pg_tool psql)"
    isready="$(pg_tool pg_isready)"

    if [ ! -f "$datadir/postmaster.pid" ] && [ -n "$isready" ] &&
        "$isready" -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null && [ -n "$psql" ]; then
        # Started with a different TMPDIR? Ask the server where its data lives.
        datadir="$("$psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -X -tAc 'SHOW data_directory' -d postgres 2>/dev/null || true)"
    fi

    if [ -z "$datadir" ] || [ ! -f "$datadir/postmaster.pid" ]; then
        say "PostgreSQL on port $PG_PORT is not running (nothing to stop)"
        return 0
    fi

    say "Stopping PostgreSQL ($datadir)"
    if is_root; then
        owner="$(stat -c %U "$datadir")"
        (cd / && runuser -u "$owner" -- "$PG_BIN/pg_ctl" -D "$datadir" -m fast -w stop) >/dev/null 2>&1 || true
    else
        "$PG_BIN/pg_ctl" -D "$datadir" -m fast -w stop >/dev/null 2>&1 || true
    fi
    if [ -f "$datadir/postmaster.pid" ] && [ -n "$isready" ] &&
        "$isready" -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; then
        echo "warning: PostgreSQL on port $PG_PORT still seems to be running" >&2
    else
        say "PostgreSQL stopped"
    fi
}

# --------------------------------------------------------------------- Redis

stop_redis() {
    if ! command -v redis-cli >/dev/null 2>&1; then
        say "redis-cli not found, nothing to stop"
        return 0
    fi
    if [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" != PONG ]; then
        say "Redis on port $REDIS_PORT is not running (nothing to stop)"
        return 0
    fi
    say "Stopping Redis on 127.0.0.1:$REDIS_PORT"
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    local i
    for i in $(seq 1 50); do
        [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] || break
        sleep 0.1
    done
    if [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; then
        echo "warning: Redis on port $REDIS_PORT still answers" >&2
    else
        say "Redis stopped"
    fi
}

stop_postgres "$REPLICA_PORT"  # the standby first: it would only retry its primary
# Its slot next, or the primary would keep WAL for a replica that is gone.
if find_pg_bin && [ -n "$(pg_tool psql)" ] &&
    "$(pg_tool psql)" -h 127.0.0.1 -p "$PG_PORT" -U postgres -X -q -tA -d postgres \
        -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
            WHERE slot_name = 'truongso_replica_$REPLICA_PORT' AND NOT active" >/dev/null 2>&1; then
    :
fi
stop_postgres
stop_redis
