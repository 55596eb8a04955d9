#!/usr/bin/env bash
# Start (or reuse) a streaming replica of the test PostgreSQL on loopback.
#
# Usage:
#   eval "$(scripts/replica.sh)"          (scripts/services.sh calls it when
#                                         TRUONGSO_REPLICA=1; `make test` does)
#
# Stdout carries only the final shell line:
#   export DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:PORT/truongso
# Progress messages go to stderr.
#
# The replica is a hot standby made with `pg_basebackup -R` from the primary
# (it streams the primary's WAL; every database the primary creates, the test
# databases included, appears on it), through a physical replication slot, so
# the primary keeps the WAL a briefly stopped replica still needs (a busy test
# primary recycles a segment within seconds). A replica answering on its port
# and streaming is reused; otherwise it is made afresh (seconds for a test
# cluster). scripts/stop-services.sh drops the slot, so a replica that is gone
# does not make the primary keep WAL for ever.
#
# Environment:
#   DATABASE_REPLICA_URL    if set to a postgres URL, it is reused as it is
#   DATABASE_URL            the primary (default postgres://postgres@127.0.0.1:54329/truongso)
#   TRUONGSO_REPLICA_PORT   the replica's port (default 54339)
#
# Data directory: var/replica in the repo; when run as root the cluster belongs
# to the "postgres" system user and lives in ${TMPDIR:-/tmp}/truongso-replica-PORT.
# Stop it with scripts/stop-services.sh.
set -euo pipefail

exec 3>&1 1>&2

say() { echo "==> $*" >&2; }
die() { echo "error: $*" >&2; exit 1; }

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPLICA_PORT="${TRUONGSO_REPLICA_PORT:-54339}"
# shellcheck source=scripts/pg-lib.sh
source "$repo/scripts/pg-lib.sh"

case "${DATABASE_REPLICA_URL:-}" in
    postgres*)
        say "DATABASE_REPLICA_URL is set, reusing it (not starting a replica)"
        printf 'export DATABASE_REPLICA_URL=%q\n' "$DATABASE_REPLICA_URL" >&3
        exit 0
        ;;
esac

# The primary's host, port, user and database, from DATABASE_URL.
primary_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:54329/truongso}"
rest="${primary_url#*://}"
userinfo=""
case "$rest" in *@*) userinfo="${rest%%@*}"; rest="${rest#*@}" ;; esac
hostport="${rest%%/*}"
DB_NAME="${rest#*/}"; DB_NAME="${DB_NAME%%\?*}"
PRIMARY_HOST="${hostport%%:*}"
PRIMARY_PORT=5432
case "$hostport" in *:*) PRIMARY_PORT="${hostport##*:}" ;; esac
PG_USER="${userinfo%%:*}"; PG_USER="${PG_USER:-postgres}"

find_pg_bin && [ -x "$PG_BIN/pg_basebackup" ] \
    || die "PostgreSQL server binaries (pg_basebackup, pg_ctl) not found: run scripts/services.sh first"

psql_replica() {
    "$(pg_tool psql)" -h 127.0.0.1 -p "$REPLICA_PORT" -U "$PG_USER" -X -q -tA -d postgres "$@"
}

url="postgres://$PG_USER@127.0.0.1:$REPLICA_PORT/$DB_NAME"

datadir="$(pg_data_dir replica "$REPLICA_PORT")"
SLOT="$(replica_slot "$REPLICA_PORT")"

if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$REPLICA_PORT"; then
    [ "$(psql_replica -c 'SELECT pg_is_in_recovery()')" = t ] \
        || die "a server on 127.0.0.1:$REPLICA_PORT is not a standby; pick another TRUONGSO_REPLICA_PORT"
    if [ "$(psql_replica -c 'SELECT count(*) FROM pg_stat_wal_receiver' 2>/dev/null || true)" = 1 ]; then
        say "Replica already running and streaming on 127.0.0.1:$REPLICA_PORT, reusing it"
        printf 'export DATABASE_REPLICA_URL=%q\n' "$url" >&3
        exit 0
    fi
    say "The replica on 127.0.0.1:$REPLICA_PORT does not stream (lost its WAL?): making it afresh"
    as_pg_owner "$PG_BIN/pg_ctl" -D "$datadir" -m fast -w stop >/dev/null 3>&- \
        || die "could not stop the replica in $datadir"
fi

"$PG_BIN/pg_isready" -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" \
    || die "the primary does not answer on $PRIMARY_HOST:$PRIMARY_PORT"
drop_replica_slot "$PRIMARY_HOST" "$PRIMARY_PORT" "$PG_USER" "$REPLICA_PORT"

# Whoever we are: prepare_data_dir refuses a symlink only as root.
[ -L "$datadir" ] && die "$datadir is a symlink; refusing to use it"
if [ -e "$datadir" ]; then
    say "Removing the stopped replica's old data directory $datadir"
    rm -rf "$datadir"
fi
prepare_data_dir "$datadir"

say "Copying the primary ($PRIMARY_HOST:$PRIMARY_PORT) into $datadir (pg_basebackup -R)"
as_pg_owner "$PG_BIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PG_USER" \
    -D "$datadir" -R -X stream -C -S "$SLOT" --checkpoint=fast -w \
    || die "pg_basebackup failed (the primary must allow replication connections from this host)"

say "Starting the replica on 127.0.0.1:$REPLICA_PORT (log: $datadir/log)"
# A copy of the primary's configuration came with the base backup; the command line wins.
# A hot standby accepts connections once it has a snapshot of the primary's running
# transactions: on a busy primary (long test transactions) that can take a minute or two.
start_pg "$datadir" "$REPLICA_PORT" 300 hot_standby=on fsync=off full_page_writes=off \
    || die "could not start the replica"
# pg_ctl -w returned once the standby accepts connections, so this asks at once; it checks
# that the copy came up as a standby (the -R's standby.signal), not a second primary.
[ "$(psql_replica -c 'SELECT pg_is_in_recovery()')" = t ] || die "the replica is not in recovery"
say "Replica ready: a hot standby of $PRIMARY_HOST:$PRIMARY_PORT on 127.0.0.1:$REPLICA_PORT"
printf 'export DATABASE_REPLICA_URL=%q\n' "$url" >&3
