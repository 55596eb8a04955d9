# The PostgreSQL helpers of scripts/services.sh, replica.sh and stop-services.sh, so that the
# three agree on where a cluster lives, who owns it and how it is started. Definitions only:
#
#   source "$repo/scripts/pg-lib.sh"
#
# The caller sets `repo` (the checkout) and defines `say` and `die` (prepare_data_dir dies).
# Sets TMP_BASE and PG_BIN.

TMP_BASE="${TMPDIR:-/tmp}"
TMP_BASE="${TMP_BASE%/}"
[ -n "$TMP_BASE" ] || TMP_BASE=/tmp

is_root() { [ "$(id -u)" -eq 0 ]; }

# Set PG_BIN to the server's bindir (initdb and pg_ctl); fail if there is none.
PG_BIN=""
find_pg_bin() {
    local dir cand
    if command -v pg_config >/dev/null 2>&1; then
        dir="$(pg_config --bindir 2>/dev/null || true)"
        if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            PG_BIN="$dir"; return 0
        fi
    fi
    cand="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -n "$cand" ] && [ -x "$cand/initdb" ] && [ -x "$cand/pg_ctl" ]; then
        PG_BIN="$cand"; return 0
    fi
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        PG_BIN="$(dirname "$(command -v initdb)")"; return 0
    fi
    return 1
}

# Print the client tool TOOL from the server's bindir, else from PATH; fail if neither has it.
pg_tool() {
    if [ -n "$PG_BIN" ] && [ -x "$PG_BIN/$1" ]; then
        echo "$PG_BIN/$1"
    else
        command -v "$1" 2>/dev/null
    fi
}

# Run a command as the cluster owner (postgres when we are root).
as_pg_owner() {
    if is_root; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# Where the durable servers (TRUONGSO_DURABLE=1) keep their data.
durable_dir() { echo "${TRUONGSO_DURABLE_DIR:-$repo/var/durable}"; }

# pg_data_dir KIND PORT: the data directory of the KIND (pg, replica or durable) cluster on
# PORT. A test cluster (pg, replica) belongs to postgres when we are root, so it then lives in
# TMP_BASE, or in /tmp when postgres cannot write there (a private TMPDIR); otherwise in
# var/KIND of the checkout. A durable one lives in durable_dir, whoever we are, and keeps
# its place when its port changes.
pg_data_dir() {
    local kind="$1" port="$2" base="$TMP_BASE"
    if [ "$kind" = durable ]; then
        echo "$(durable_dir)/pg"
    elif is_root; then
        if ! runuser -u postgres -- test -d "$base" -a -w "$base" -a -x "$base" 2>/dev/null; then
            base=/tmp
        fi
        echo "$base/truongso-$kind-$port"
    else
        echo "$repo/var/$kind"
    fi
}

# Create the data directory (empty, owned by the cluster owner, mode 700).
prepare_data_dir() {
    local datadir="$1"
    if is_root; then
        if [ -L "$datadir" ]; then
            die "$datadir is a symlink; refusing to use it"
        fi
        if [ -e "$datadir" ] && [ "$(stat -c %U "$datadir")" != postgres ]; then
            die "$datadir exists and is not owned by postgres; remove it and retry"
        fi
        install -d -o postgres -g postgres -m 700 "$datadir"
        if ! runuser -u postgres -- test -x "$datadir" -a -w "$datadir"; then
            die "the postgres user cannot reach $datadir (a parent directory closed to it?)"
        fi
    else
        mkdir -p "$datadir"
        chmod 700 "$datadir"
    fi
}

# start_pg DATADIR PORT TIMEOUT [SETTING...]: start the cluster in DATADIR on 127.0.0.1:PORT,
# each SETTING (name=value) on its command line, and wait up to TIMEOUT seconds until it
# accepts connections (a hot standby: until it does so read-only). On failure, show the end of
# its log and fail.
start_pg() {
    local datadir="$1" port="$2" timeout="$3" sockdir opts setting
    shift 3
    # Unix socket paths are limited to ~107 bytes.
    sockdir="$datadir"
    if [ ${#sockdir} -gt 80 ]; then
        sockdir="$TMP_BASE"
    fi
    opts="-h 127.0.0.1 -p $port -k '$sockdir'"
    for setting in "$@"; do
        opts="$opts -c $setting"
    done
    # fd 3 closed: a daemon keeping it would hold the caller's $(...) open for ever.
    if ! as_pg_owner "$PG_BIN/pg_ctl" -D "$datadir" -l "$datadir/log" -o "$opts" \
        -w -t "$timeout" start >/dev/null 3>&-; then
        tail -n 20 "$datadir/log" >&2 || true
        return 1
    fi
}

# The primary's physical replication slot for the replica on PORT.
replica_slot() { echo "truongso_replica_$1"; }

# drop_replica_slot HOST PORT USER REPLICA_PORT: drop the slot of the replica on REPLICA_PORT
# from the primary at HOST:PORT, unless a replica streams through it.
drop_replica_slot() {
    "$(pg_tool psql)" -h "$1" -p "$2" -U "$3" -X -q -tA -d postgres \
        -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
            WHERE slot_name = '$(replica_slot "$4")' AND NOT active" >/dev/null
}
