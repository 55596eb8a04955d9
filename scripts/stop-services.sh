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
#   TRUONGSO_DURABLE     1: the durable servers of `make serve` (default ports 54331
#                        and 63801, data in TRUONGSO_DURABLE_DIR); Redis saves before
#                        it stops, and there is no replica to stop
set -euo pipefail

say() { echo "==> $*"; }

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURABLE="${TRUONGSO_DURABLE:-0}"
if [ "$DURABLE" = 1 ]; then
    PG_PORT="${TRUONGSO_PG_PORT:-54331}"
    REDIS_PORT="${TRUONGSO_REDIS_PORT:-63801}"
else
    PG_PORT="${TRUONGSO_PG_PORT:-54329}"
    REDIS_PORT="${TRUONGSO_REDIS_PORT:-63799}"
    REPLICA_PORT="${TRUONGSO_REPLICA_PORT:-54339}"
fi
# shellcheck source=scripts/pg-lib.sh
source "$repo/scripts/pg-lib.sh"

# ---------------------------------------------------------------- PostgreSQL

# stop_postgres KIND PORT: stop the KIND (pg or replica) cluster on PORT, if it runs.
stop_postgres() {
    local kind="$1" port="$2"
    if ! find_pg_bin; then
        say "PostgreSQL binaries not found, nothing to stop"
        return 0
    fi
    local datadir psql isready owner
    datadir="$(pg_data_dir "$kind" "$port")"
    psql="$(pg_tool psql || true)"
    isready="$(pg_tool pg_isready || true)"

    if [ ! -f "$datadir/postmaster.pid" ] && [ -n "$isready" ] &&
        "$isready" -q -h 127.0.0.1 -p "$port" 2>/dev/null && [ -n "$psql" ]; then
        # Started with a different TMPDIR? Ask the server where its data lives.
        datadir="$("$psql" -h 127.0.0.1 -p "$port" -U postgres -X -tAc 'SHOW data_directory' -d postgres 2>/dev/null || true)"
    fi

    if [ -z "$datadir" ] || [ ! -f "$datadir/postmaster.pid" ]; then
        say "PostgreSQL on port $port is not running (nothing to stop)"
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
        "$isready" -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
        echo "warning: PostgreSQL on port $port still seems to be running" >&2
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
    local how=nosave  # a test Redis keeps nothing
    if [ "$DURABLE" = 1 ]; then how=save; fi
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown "$how" >/dev/null 2>&1 || true
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

if [ "$DURABLE" = 1 ]; then
    stop_postgres durable "$PG_PORT"
else
    stop_postgres replica "$REPLICA_PORT"  # the standby first: it would only retry its primary
    # Its slot next, or the primary would keep WAL for a replica that is gone.
    if find_pg_bin && [ -n "$(pg_tool psql)" ]; then
        drop_replica_slot 127.0.0.1 "$PG_PORT" postgres "$REPLICA_PORT" 2>/dev/null || true
    fi
    stop_postgres pg "$PG_PORT"
fi
stop_redis
