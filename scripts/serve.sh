#!/usr/bin/env bash
# The production stack on one machine (`make serve`): PostgreSQL and Redis on loopback (started
# by services.sh in its durable mode, or the ones DATABASE_URL / REDIS_URL name), then the
# database migrated and the static files collected, then
#
#   web                   gunicorn (truongso/gunicorn.py: BIND, WEB_CONCURRENCY)
#   worker-default        a Celery worker on the `default` queue
#   worker-notifications  one on `notifications` (SMS, Zalo, push, e-mail deliveries)
#   worker-reports        one on `reports` (PDF rendering, recycled by CELERY_WORKER_MAX_*)
#   beat                  the periodic tasks (due notifications, weekly summaries, …)
#
# with production settings (DEBUG=0) and structured logs: every line on stdout is one JSON
# object (truongso/logs.py) whose "service" says which of the five wrote it. If any of them
# stops, the others are stopped and the script fails; Ctrl+C (or SIGTERM) stops them all.
#
# Plain HTTP on loopback: HTTPS redirects, HSTS and secure-only cookies are off here, since
# nothing terminates TLS in front of it. Behind a TLS proxy, leave them at their defaults and
# set SECURE_PROXY_SSL_HEADER (README, "Configuration").
#
# Environment: BIND (127.0.0.1:8000), WEB_CONCURRENCY (2), CELERY_CONCURRENCY (1 a worker),
# SERVE_VAR (var/serve: the generated secret key and beat's schedule), and any setting of
# truongso/settings/base.py. The Celery broker is REDIS_URL's database, the cache the next one.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
PY="${PY:-$repo/.venv/bin/python}"
BIN="$(dirname "$PY")"
say() { echo "==> $*" >&2; }

# Durable: PostgreSQL with fsync, Redis with its append-only file, both under var/durable, on
# ports (54331, 63801) of their own, never the tests' throwaway servers. Stopped with
# TRUONGSO_DURABLE=1 scripts/stop-services.sh.
eval "$(TRUONGSO_DURABLE=1 bash scripts/services.sh)"

var="${SERVE_VAR:-$repo/var/serve}"
mkdir -p "$var"
if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
    # Generated once for this machine and kept out of the repository (var/ is ignored).
    if [ ! -s "$var/secret_key" ]; then
        (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(64))' > "$var/secret_key")
    fi
    DJANGO_SECRET_KEY="$(cat "$var/secret_key")"
fi

redis_base="${REDIS_URL%/*}"
redis_db="${REDIS_URL##*/}"
# PYTHONUNBUFFERED: each log line leaves when it is written, not when a pipe's buffer fills.
export DEBUG=0 DJANGO_SECRET_KEY LOG_FORMAT=json PYTHONUNBUFFERED=1 LOG_LEVEL="${LOG_LEVEL:-INFO}" \
    DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-truongso.settings.base}" \
    CELERY_BROKER_URL="${CELERY_BROKER_URL:-$REDIS_URL}" \
    CACHE_URL="${CACHE_URL:-$redis_base/$((redis_db + 1))}" \
    DB_CONN_MAX_AGE="${DB_CONN_MAX_AGE:-60}" \
    SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 \
    BIND="${BIND:-127.0.0.1:8000}"

say "Migrating the database"
"$PY" manage.py migrate --no-input -v 0
say "Collecting the static files"
"$PY" manage.py collectstatic --no-input -v 0

pids=()
names=()
start() {  # start NAME COMMAND...: one service, its SERVICE_NAME in the environment, its
    # output (stderr too) through truongso.logs so that whatever it prints is a JSON line
    local name="$1"
    shift
    SERVICE_NAME="$name" "$@" 3>&- > >("$PY" -m truongso.logs "$name") 2>&1 &
    pids+=("$!")
    names+=("$name")
}
stop_all() {
    trap - INT TERM
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait "${pids[@]}" 2>/dev/null || true
}
trap 'say "Stopping"; stop_all; exit 0' INT TERM

concurrency="${CELERY_CONCURRENCY:-1}"
start web "$BIN/gunicorn" -c python:truongso.gunicorn truongso.wsgi
for queue in default notifications reports; do
    start "worker-$queue" "$BIN/celery" -A truongso --quiet worker -l "$LOG_LEVEL" -Q "$queue" \
        -n "$queue@%h" --concurrency "$concurrency" --without-gossip --without-mingle
done
start beat "$BIN/celery" -A truongso --quiet beat -l "$LOG_LEVEL" -s "$var/celerybeat-schedule" \
    --pidfile "$var/celerybeat.pid"
say "Serving on http://$BIND/ (Ctrl+C stops every service)"

# Whichever service stops first (a crash, a bad setting) stops the stack: a half-running
# production stack that looks up is worse than one that is plainly down.
set +e
wait -n "${pids[@]}"
status=$?
for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then say "${names[$i]} stopped (exit $status)"; fi
done
stop_all
exit $((status == 0 ? 1 : status))
