#!/usr/bin/env bash
# Start (or reuse) a throwaway PostgreSQL and Redis on loopback for the tests, or with
# TRUONGSO_DURABLE=1 a durable pair for `make serve`.
#
# Usage:
#   eval "$(scripts/services.sh)"
#
# Stdout carries only the final shell lines:
#   export DATABASE_URL=postgres://postgres@127.0.0.1:PORT/truongso
#   export REDIS_URL=redis://127.0.0.1:PORT/0
# Progress messages go to stderr.
#
# Environment:
#   DATABASE_URL         if set to a postgres URL, it is reused and no
#                        PostgreSQL server is started
#   REDIS_URL            if set to a redis URL, it is reused and no Redis
#                        server is started
#   TRUONGSO_PG_PORT     PostgreSQL port (default 54329)
#   TRUONGSO_REDIS_PORT  Redis port (default 63799)
#   TRUONGSO_REPLICA     1: also start (or reuse) a streaming replica of the
#                        PostgreSQL (scripts/replica.sh) and print
#                        export DATABASE_REPLICA_URL=... (`make test` asks)
#   TRUONGSO_DURABLE     1: servers that keep their data (scripts/serve.sh asks):
#                        PostgreSQL without the tests' fsync=off,
#                        synchronous_commit=off, full_page_writes=off, Redis with
#                        --appendonly yes, both under TRUONGSO_DURABLE_DIR
#                        (default var/durable) and on ports of their own
#                        (default 54331 and 63801) so that they never reuse the
#                        tests' servers; a server already on the port is reused
#                        only if it is durable too. No replica.
#
# Data directory: var/pg in the repo; when run as root the cluster belongs to
# the "postgres" system user and lives in ${TMPDIR:-/tmp}/truongso-pg-PORT.
# Durable: TRUONGSO_DURABLE_DIR/pg and TRUONGSO_DURABLE_DIR/redis.
# Stop everything with scripts/stop-services.sh (the same variables).
set -euo pipefail

# Keep the real stdout (fd 3) for the export lines; everything else goes to
# stderr. Daemons are started with fd 3 closed, otherwise they would keep the
# caller's $(...) open forever.
exec 3>&1 1>&2
# Silence NOTICEs such as "extension ... already exists, skipping".
export PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c client_min_messages=warning"

say() { echo "==> $*" >&2; }
die() { echo "error: $*" >&2; exit 1; }

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB_NAME=truongso
# shellcheck source=scripts/pg-lib.sh
source "$repo/scripts/pg-lib.sh"
DURABLE="${TRUONGSO_DURABLE:-0}"
if [ "$DURABLE" = 1 ]; then
    PG_KIND=durable
    PG_PORT="${TRUONGSO_PG_PORT:-54331}"
    REDIS_PORT="${TRUONGSO_REDIS_PORT:-63801}"
    PG_SETTINGS=()
    if [ "${TRUONGSO_REPLICA:-0}" = 1 ]; then
        die "TRUONGSO_REPLICA=1 starts a test replica (fsync off); not with TRUONGSO_DURABLE=1"
    fi
else
    PG_KIND=pg
    PG_PORT="${TRUONGSO_PG_PORT:-54329}"
    REDIS_PORT="${TRUONGSO_REDIS_PORT:-63799}"
    # A test cluster trades what a crash would leave for speed.
    PG_SETTINGS=(fsync=off synchronous_commit=off full_page_writes=off)
fi

# ---------------------------------------------------------------- PostgreSQL

ensure_postgres_user() {
    if ! id -u postgres >/dev/null 2>&1; then
        say "Creating system user 'postgres'"
        useradd --system --user-group --no-create-home \
            --home-dir /nonexistent --shell /usr/sbin/nologin postgres
    fi
}

run_initdb() {
    local datadir="$1" initdb
    initdb="$PG_BIN/initdb"
    if as_pg_owner "$initdb" -D "$datadir" -A trust -U postgres \
        --encoding=UTF8 --locale=C.UTF-8 >"$TMP_BASE/truongso-initdb-$PG_PORT.log" 2>&1; then
        rm -f "$TMP_BASE/truongso-initdb-$PG_PORT.log"
        return 0
    fi
    say "initdb with locale C.UTF-8 failed, retrying with locale C"
    prepare_data_dir "$datadir"
    if as_pg_owner "$initdb" -D "$datadir" -A trust -U postgres \
        --encoding=UTF8 --locale=C >"$TMP_BASE/truongso-initdb-$PG_PORT.log" 2>&1; then
        rm -f "$TMP_BASE/truongso-initdb-$PG_PORT.log"
        return 0
    fi
    cat "$TMP_BASE/truongso-initdb-$PG_PORT.log" >&2 || true
    die "initdb failed"
}

# A durable stack must not run on a server started for the tests.
refuse_undurable_pg() {
    local psql="$1" settings
    settings="$("$psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -X -tA -d postgres \
        -c "SELECT current_setting('fsync') || ',' || current_setting('full_page_writes')")"
    if [ "$settings" != on,on ]; then
        die "the PostgreSQL on 127.0.0.1:$PG_PORT runs with fsync,full_page_writes = $settings" \
            "(a test server?); stop it or pick another TRUONGSO_PG_PORT"
    fi
}

# The tests' cluster is remade when it is incomplete or from another major version; a durable
# one holds the school's data, so it is left for a person to upgrade (pg_upgrade) or move.
refuse_to_recreate() {
    local datadir="$1" major="$2"
    [ -d "$datadir" ] && [ -n "$(ls -A "$datadir")" ] || return 0
    if [ ! -f "$datadir/PG_VERSION" ]; then
        die "$datadir is not empty but holds no cluster; move it away and retry"
    fi
    if [ "$(cat "$datadir/PG_VERSION")" != "$major" ]; then
        die "$datadir is from PostgreSQL $(cat "$datadir/PG_VERSION"), the server is $major:" \
            "upgrade it with pg_upgrade, or move it away"
    fi
}

start_postgres() {
    if ! find_pg_bin; then
        say "PostgreSQL server binaries not found, installing them"
        "$repo/scripts/system-deps.sh" postgresql 3>&-
        find_pg_bin || die "PostgreSQL server binaries (initdb, pg_ctl) still not found"
    fi
    say "Using PostgreSQL binaries from $PG_BIN"
    is_root && ensure_postgres_user

    local isready psql datadir major
    isready="$(pg_tool pg_isready)"
    psql="$(pg_tool psql)"

    if "$isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
        say "PostgreSQL already running on 127.0.0.1:$PG_PORT, reusing it"
        if [ "$DURABLE" = 1 ]; then
            refuse_undurable_pg "$psql"
        fi
    else
        datadir="$(pg_data_dir "$PG_KIND" "$PG_PORT")"
        major="$("$PG_BIN/initdb" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)*.*/\1/')"
        if [ "$DURABLE" = 1 ]; then
            refuse_to_recreate "$datadir" "$major"
        fi
        if [ -d "$datadir" ] && [ ! -L "$datadir" ]; then
            if [ -f "$datadir/PG_VERSION" ] && [ "$(cat "$datadir/PG_VERSION")" != "$major" ]; then
                say "Data dir $datadir is from PostgreSQL $(cat "$datadir/PG_VERSION"), recreating it for $major"
                rm -rf "$datadir"
            elif [ ! -f "$datadir/PG_VERSION" ] && [ -n "$(ls -A "$datadir")" ]; then
                say "Data dir $datadir is incomplete, recreating it"
                rm -rf "$datadir"
            fi
        fi
        if [ ! -f "$datadir/PG_VERSION" ]; then
            say "Initialising PostgreSQL cluster in $datadir"
            prepare_data_dir "$datadir"
            run_initdb "$datadir"
        fi
        say "Starting PostgreSQL on 127.0.0.1:$PG_PORT (log: $datadir/log)"
        start_pg "$datadir" "$PG_PORT" 60 ${PG_SETTINGS[@]+"${PG_SETTINGS[@]}"} \
            || die "could not start PostgreSQL"
    fi

    local pq=("$psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -X -q -v ON_ERROR_STOP=1)
    "${pq[@]}" -d template1 -c 'CREATE EXTENSION IF NOT EXISTS unaccent; CREATE EXTENSION IF NOT EXISTS pg_trgm;' >/dev/null
    if [ "$("${pq[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != 1 ]; then
        say "Creating database $DB_NAME"
        "${pq[@]}" -d postgres -c "CREATE DATABASE $DB_NAME" >/dev/null
    fi
    "${pq[@]}" -d "$DB_NAME" -c 'CREATE EXTENSION IF NOT EXISTS unaccent; CREATE EXTENSION IF NOT EXISTS pg_trgm;' >/dev/null
    say "PostgreSQL ready: database $DB_NAME on 127.0.0.1:$PG_PORT"
    DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/$DB_NAME"
}

# --------------------------------------------------------------------- Redis

redis_ping() {
    [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
}

start_redis() {
    if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
        say "Redis binaries not found, installing them"
        "$repo/scripts/system-deps.sh" redis-server 3>&-
        command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 \
            || die "redis-server / redis-cli still not found"
    fi

    if redis_ping; then
        say "Redis already running on 127.0.0.1:$REDIS_PORT, reusing it"
        if [ "$DURABLE" = 1 ] &&
            [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" --raw config get appendonly | sed -n 2p)" != yes ]; then
            die "the Redis on 127.0.0.1:$REDIS_PORT does not run with appendonly yes" \
                "(a test server?); stop it or pick another TRUONGSO_REDIS_PORT"
        fi
    else
        local dir="$TMP_BASE" persistence=(--save "" --appendonly no)
        if [ "$DURABLE" = 1 ]; then
            # The broker's queued tasks and beat's state survive a restart; the default
            # appendfsync (everysec) loses at most a second of them in a crash.
            dir="$(durable_dir)/redis"
            persistence=(--appendonly yes)
            (umask 077 && mkdir -p "$dir")  # the queued tasks name pupils and parents
        fi
        local log="$dir/redis-$REDIS_PORT.log"
        say "Starting Redis on 127.0.0.1:$REDIS_PORT (log: $log)"
        redis-server --bind 127.0.0.1 --port "$REDIS_PORT" "${persistence[@]}" \
            --daemonize yes --dir "$dir" --logfile "$log" \
            --pidfile "$dir/redis-$REDIS_PORT.pid" >/dev/null 3>&-
        local i
        for i in $(seq 1 50); do
            redis_ping && break
            sleep 0.2
        done
        if ! redis_ping; then
            tail -n 20 "$log" >&2 || true
            die "Redis did not answer on 127.0.0.1:$REDIS_PORT"
        fi
    fi
    say "Redis ready on 127.0.0.1:$REDIS_PORT"
    REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
}

# ---------------------------------------------------------------------- main

case "${DATABASE_URL:-}" in
    postgres*) say "DATABASE_URL is set, reusing it (not starting PostgreSQL)" ;;
    *) start_postgres ;;
esac

case "${REDIS_URL:-}" in
    redis*) say "REDIS_URL is set, reusing it (not starting Redis)" ;;
    *) start_redis ;;
esac

printf 'export DATABASE_URL=%q\n' "$DATABASE_URL" >&3
printf 'export REDIS_URL=%q\n' "$REDIS_URL" >&3

if [ "${TRUONGSO_REPLICA:-0}" = 1 ]; then
    DATABASE_URL="$DATABASE_URL" bash "$repo/scripts/replica.sh" >&3
fi
