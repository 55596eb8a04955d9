#!/usr/bin/env bash
# The parent portal's home under load, against a bare Django view, in the same run.
#
#   bench/parent_portal.sh
#
# What it does:
#   1. PostgreSQL (and Redis) from scripts/services.sh; a throwaway database truongso_bench_<pid>
#      (dropped at the end), migrated, with the demo (`manage.py seed_demo`) and a realistic week
#      for the demo parent of two (bench/portal_data.py: published scores in every subject,
#      drafts, today's attendance, messages, this week's summary, unread notifications).
#   2. gunicorn, 2 sync workers, production-like settings (DEBUG=0, persistent database
#      connections DB_CONN_MAX_AGE=60, WhiteNoise, no access log, the cache in Redis and so
#      sessions in cached_db).
#   3. Logs in as the demo parent 0987000001 through the real login form and keeps the
#      session and CSRF cookies, which wrk sends back as a browser does.
#   4. wrk (Debian's package, installed when missing and root), 16 connections for 20 s, first
#      against /phu-huynh/ (the portal home, logged in) and then against /bench/bare/: a view
#      that returns "ok" through the whole middleware stack without a query or a template,
#      mounted only when TRUONGSO_BENCH_VIEWS=1 (contactbook/views/portal.py). Not /healthz:
#      that one pings the database and the broker, so it is not a bare baseline.
#      Then, for the record, /bench/logged-in/ (logged in, an empty base.html: session, user
#      and the navigation's query), the floor any logged-in page pays.
#   5. Prints requests/s and p99 latency of each, the ratio, and one RESULT line.
#
# Environment: DURATION (20s), CONNECTIONS (16), THREADS (wrk threads, 1), BENCH_PORT (8765),
# ROUNDS (1; N repeats the three runs and prints medians: for a machine others are using),
# KEEP_DB=1 to keep the database for a look afterwards.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
PY="$repo/.venv/bin/python"
GUNICORN="$repo/.venv/bin/gunicorn"
DURATION="${DURATION:-20s}"
CONNECTIONS="${CONNECTIONS:-16}"
ROUNDS="${ROUNDS:-1}"
THREADS="${THREADS:-1}"  # one wrk thread keeps 16 connections busy and leaves the 2nd core to the server
PORT="${BENCH_PORT:-8765}"
PARENT_PHONE="0987000001"
PASSWORD="truongso2026"
P99_TARGET_MS=100
RATIO_TARGET=0.15

say() { echo "==> $*" >&2; }
die() { echo "error: $*" >&2; exit 1; }

[ -x "$PY" ] || die "no virtual environment: run \`make venv\` (or \`make test\`) first"
[ -x "$GUNICORN" ] || die "gunicorn is not installed in .venv"

if ! command -v wrk >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        say "Installing Debian's wrk"
        (apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }) >&2
    else
        die "wrk is not installed; run as root or \`apt-get install wrk\`"
    fi
fi

eval "$(bash scripts/services.sh)"
base_url="${DATABASE_URL%/*}"
db="truongso_bench_$$"
work="$(mktemp -d "${TMPDIR:-/tmp}/truongso-bench.XXXXXX")"
gunicorn_pid=""

cleanup() {
    if [ -n "$gunicorn_pid" ] && kill -0 "$gunicorn_pid" 2>/dev/null; then
        kill "$gunicorn_pid" 2>/dev/null || true
        wait "$gunicorn_pid" 2>/dev/null || true
    fi
    if [ "${KEEP_DB:-0}" != 1 ]; then
        psql "$base_url/postgres" -X -q -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    else
        say "Kept database $db"
    fi
    rm -rf "$work"
}
trap cleanup EXIT

say "Creating the throwaway database $db"
psql "$base_url/postgres" -X -q -c "CREATE DATABASE $db" >/dev/null

export DATABASE_URL="$base_url/$db"
export DJANGO_SETTINGS_MODULE=truongso.settings.base
export DEBUG=0 DJANGO_SECRET_KEY="bench-only-$(date +%s)-not-secret-$(date +%s%N)-throwaway" ALLOWED_HOSTS=127.0.0.1,localhost
export SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 SECURE_SSL_REDIRECT=0  # plain http on loopback
export DB_CONN_MAX_AGE=60 LOG_LEVEL=WARNING TRUONGSO_BENCH_VIEWS=1
# The cache production runs with: Redis (db 4 of REDIS_URL), so sessions are cached_db.
# CACHE_URL=locmemcache:// in the environment benches the first run's settings instead.
if [ -n "${REDIS_URL:-}" ]; then
    export CACHE_URL="${CACHE_URL:-${REDIS_URL%/*}/4}"
fi
export CELERY_BROKER_URL=""  # the seeding's notifications are delivered eagerly
export STATIC_ROOT="$work/static" MEDIA_ROOT="$work/media" SMS_FILE_PATH="$work/sms.jsonl"
export EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend

say "Migrating, seeding the demo and a week of contact-book data"
"$PY" manage.py migrate --no-input -v 0 2>&1 | grep -v "have changes that are not yet reflected\|makemigrations" >&2 || true
"$PY" bench/ensure_tables.py
"$PY" manage.py seed_demo >&2
"$PY" bench/portal_data.py
"$PY" manage.py collectstatic --no-input -v 0

say "Starting gunicorn (2 workers) on 127.0.0.1:$PORT"
"$GUNICORN" truongso.wsgi -w 2 -b "127.0.0.1:$PORT" --log-level warning >"$work/gunicorn.log" 2>&1 &
gunicorn_pid=$!
for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$PORT/bench/bare/" 2>/dev/null && break
    kill -0 "$gunicorn_pid" 2>/dev/null || { cat "$work/gunicorn.log" >&2; die "gunicorn exited"; }
    sleep 0.2
done

say "Logging in as the demo parent $PARENT_PHONE"
jar="$work/cookies"
login="http://127.0.0.1:$PORT/tai-khoan/dang-nhap/"
token="$(curl -fsS -c "$jar" "$login" | sed -n 's/.*name="csrfmiddlewaretoken" value="\([^"]*\)".*/\1/p' | head -n 1)"
[ -n "$token" ] || die "no CSRF token on the login page"
curl -fsS -b "$jar" -c "$jar" -o /dev/null -H "Referer: $login" \
    --data-urlencode "csrfmiddlewaretoken=$token" --data-urlencode "username=$PARENT_PHONE" \
    --data-urlencode "password=$PASSWORD" --data-urlencode "next=/phu-huynh/" "$login"
session="$(awk '$6 == "sessionid" {print $7}' "$jar")"
[ -n "$session" ] || die "login failed: no session cookie"
# What a browser sends back: the session and the CSRF cookie it was given at login (without it
# every page would mint a new CSRF secret and set the cookie again).
csrf_cookie="$(awk '$6 == "csrftoken" {print $7}' "$jar")"
cookies="sessionid=$session${csrf_cookie:+; csrftoken=$csrf_cookie}"
portal="http://127.0.0.1:$PORT/phu-huynh/"
status="$(curl -sS -o "$work/portal.html" -w '%{http_code}' -H "Cookie: $cookies" "$portal")"
[ "$status" = 200 ] || die "the portal answered $status, not 200"
grep -q 'class="score-value"' "$work/portal.html" || die "the portal shows no scores: the data step failed"

# Counts every answer that is not 200 (a lost session would otherwise bench the login redirect).
cat >"$work/count.lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("bad") end
  io.write(string.format("NON200 %d\n", total))
end
LUA

run_wrk() {  # url, label, extra wrk args... -> "rps p99_ms"
    local url="$1" label="$2" out
    shift 2
    wrk -t "$THREADS" -c "$CONNECTIONS" -d 3s "$@" "$url" >/dev/null  # warm-up
    out="$(wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency -s "$work/count.lua" "$@" "$url")"
    echo "$out" | sed "s/^/[$label] /" >&2
    local bad rps p99
    bad="$(echo "$out" | awk '/^NON200/ {print $2}')"
    [ "${bad:-0}" = 0 ] || die "$label: $bad answers were not 200"
    rps="$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')"
    p99="$(echo "$out" | awk '$1 == "99%" {print $2}' | python3 -c '
import re, sys
text = sys.stdin.read().strip()
value, unit = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text).groups()
print(round(float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit], 2))')"
    echo "$rps $p99"
}

# Other work on the machine skews every figure: say how busy it was.
say "CPUs: $(nproc); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
say "cache: ${CACHE_URL:-locmemcache:// (per process; sessions in the database)}"
results=()
for round in $(seq 1 "$ROUNDS"); do
    [ "$ROUNDS" = 1 ] || say "round $round of $ROUNDS"
    say "wrk: $CONNECTIONS connections, $DURATION, against the portal home (logged in)"
    portal_result="$(run_wrk "$portal" portal -H "Cookie: $cookies")"
    say "wrk: the same against the bare view"
    bare_result="$(run_wrk "http://127.0.0.1:$PORT/bench/bare/" bare)"
    say "wrk: the same against the floor of any logged-in page (session, user, empty base.html)"
    floor_result="$(run_wrk "http://127.0.0.1:$PORT/bench/logged-in/" floor -H "Cookie: $cookies")"
    results+=("$portal_result $bare_result $floor_result")
done

say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$P99_TARGET_MS" "$RATIO_TARGET" "${results[@]}" <<'PY'
import statistics
import sys

p99_target, ratio_target = map(float, sys.argv[1:3])
rounds = [list(map(float, r.split())) for r in sys.argv[3:]]
# Each round: portal rps, p99, bare rps, p99, floor rps, p99. Several rounds: the medians, and
# the ratio of each round (portal and bare measured back to back) before its median.
portal_rps, portal_p99, bare_rps, bare_p99, floor_rps, floor_p99 = (
    statistics.median(column) for column in zip(*rounds)
)
ratio = statistics.median(r[0] / r[2] for r in rounds)
if len(rounds) > 1:
    print(f"medians of {len(rounds)} rounds; ratio per round: "
          + ", ".join(f"{r[0] / r[2]:.3f}" for r in rounds))
print(f"portal home  /phu-huynh/       : {portal_rps:9.1f} requests/s   p99 {portal_p99:7.2f} ms")
print(f"bare view    /bench/bare/      : {bare_rps:9.1f} requests/s   p99 {bare_p99:7.2f} ms")
print(f"logged-in floor /bench/logged-in/: {floor_rps:7.1f} requests/s   p99 {floor_p99:7.2f} ms"
      f"   (floor / bare {floor_rps / bare_rps:.3f}; portal / floor {portal_rps / floor_rps:.3f})")
print(f"ratio (portal / bare)          : {ratio:.3f}   (target >= {ratio_target})")
print(
    f"RESULT portal_rps={portal_rps:.1f} portal_p99_ms={portal_p99:.2f} bare_rps={bare_rps:.1f} "
    f"ratio={ratio:.3f} p99_target_ms={p99_target:g} ratio_target={ratio_target:g} "
    f"p99_vs_target={'pass' if portal_p99 < p99_target else 'fail'} "
    f"ratio_vs_target={'pass' if ratio >= ratio_target else 'fail'}"
)
PY
