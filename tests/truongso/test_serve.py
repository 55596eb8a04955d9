"""`make serve` (scripts/serve.sh) brings up the production stack and takes it down again:
gunicorn answering with production settings, a Celery worker consuming each queue, beat, all
logging JSON lines on stdout, and nothing left running after SIGTERM.

The stack runs on the test database (already migrated, so its `migrate` has nothing to do) and
Redis databases of its own, so its workers take no other test's tasks."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading

import pytest
import redis
import requests
from celery import Celery
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.celery_workers import ROOT, database_url, wait_for

SERVICES = {"web", "worker-default", "worker-notifications", "worker-reports", "beat"}
BROKER_DB, CACHE_DB = 10, 11  # this test's own Redis databases (the serve script's db and db + 1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_url(db: int) -> str:
    base = settings.CELERY_BROKER_URL.rsplit("/", 1)[0]
    return f"{base}/{db}"


@pytest.fixture
def stack(tmp_path):
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if key not in ("DJANGO_SECRET_KEY", "DEBUG", "CACHE_URL", "CELERY_BROKER_URL")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "truongso.settings.base",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url(BROKER_DB),
        "BIND": f"127.0.0.1:{port}",
        "SERVE_VAR": str(tmp_path / "serve"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "PY": sys.executable,
    })
    process = subprocess.Popen(
        ["bash", "scripts/serve.sh"], cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.PIPE, stderr=open(tmp_path / "stderr.log", "w"), text=True,  # noqa: SIM115
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    try:
        yield process, f"http://127.0.0.1:{port}", lines, tmp_path
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def healthy(url: str) -> bool:
    try:
        response = requests.get(f"{url}/healthz", timeout=10)
    except (requests.ConnectionError, requests.Timeout):  # not listening, or still loading
        return False
    return response.status_code == 200 and response.json()["status"] == "ok"


def stopped(group: int) -> bool:
    """No process is left in the stack's process group (services and their log pipes)."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    return False


def queues_consumed(probe: Celery) -> dict:
    answer = probe.control.inspect(timeout=1).active_queues() or {}
    return {worker.split("@")[0]: sorted(q["name"] for q in queues) for worker, queues in answer.items()}


@pytest.mark.django_db(transaction=True)
def test_make_serve_runs_the_production_stack_and_stops_it_whole(stack):
    process, url, lines, tmp_path = stack
    stderr = tmp_path / "stderr.log"

    # collectstatic compresses ~1,400 files (about 40 s of one core) before the services start.
    assert wait_for(lambda: healthy(url) or process.poll() is not None, seconds=300, step=0.5)
    assert process.poll() is None, f"the stack stopped:\n{stderr.read_text()[-3000:]}"

    probe = Celery(broker=redis_url(BROKER_DB))
    want = {"default": ["default"], "notifications": ["notifications"], "reports": ["reports"]}
    assert wait_for(lambda: queues_consumed(probe) == want, seconds=60, step=1), queues_consumed(probe)

    # Production settings: no debug page for a missing page, and the generated key was kept
    # out of the repository, readable by its owner only.
    missing = requests.get(f"{url}/no-such-page", timeout=5)
    assert missing.status_code == 404 and "Traceback" not in missing.text
    key = tmp_path / "serve" / "secret_key"
    assert len(key.read_text().strip()) >= 50 and oct(key.stat().st_mode & 0o777) == "0o600"

    assert wait_for(lambda: any('"beat"' in line for line in lines), seconds=30)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0, stderr.read_text()[-3000:]
    assert wait_for(lambda: stopped(process.pid), seconds=10), "a service of the stack outlived it"

    records = [json.loads(line) for line in lines]  # every line of stdout is a JSON object
    assert {r["service"] for r in records} == SERVICES
    access = [r for r in records if r["logger"] == "gunicorn.access" and r.get("path") == "/healthz"]
    assert access and access[-1]["status"] == 200 and access[-1]["method"] == "GET"
    assert isinstance(access[-1]["duration_ms"], int)


def durable_services(tmp_path, redis_port: int) -> subprocess.CompletedProcess:
    """scripts/services.sh as serve.sh runs it, for Redis on `redis_port` alone: DATABASE_URL is
    given, so no PostgreSQL is started (its durable start is checked by hand: an initdb costs
    seconds) and this one is never opened."""
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update({"TRUONGSO_DURABLE": "1", "TRUONGSO_DURABLE_DIR": str(tmp_path / "durable"),
                "TRUONGSO_REDIS_PORT": str(redis_port),
                "DATABASE_URL": "postgres://unused@127.0.0.1:1/unused"})
    return subprocess.run(["bash", "scripts/services.sh"], check=False, cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def redis_on(port: int) -> redis.Redis:
    # No retries: redis-py's default retries a refused connection for seconds.
    return redis.Redis(port=port, socket_timeout=5, retry=Retry(NoBackoff(), 0))


def answers(port: int) -> bool:
    try:
        return redis_on(port).ping()
    except redis.ConnectionError:
        return False


def test_serve_stack_redis_keeps_its_data_in_its_own_directory(tmp_path):
    port = free_port()
    result = durable_services(tmp_path, port)
    server = redis_on(port)
    try:
        assert result.returncode == 0, result.stderr
        assert f"export REDIS_URL=redis://127.0.0.1:{port}/0" in result.stdout.splitlines()
        assert server.config_get("appendonly") == {"appendonly": "yes"}
        assert server.config_get("dir") == {"dir": str(tmp_path / "durable" / "redis")}
    finally:
        if answers(port):
            server.shutdown(nosave=True)


def test_serve_stack_refuses_a_throwaway_redis_on_its_port(tmp_path):
    port = free_port()
    throwaway = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: answers(port), seconds=10)
        result = durable_services(tmp_path, port)
        assert result.returncode == 1
        assert "does not run with appendonly yes" in result.stderr
        assert "REDIS_URL" not in result.stdout
    finally:
        throwaway.kill()
        throwaway.wait()
