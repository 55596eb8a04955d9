"""A province's topology on one machine (issue 14), every part a real server on loopback:

    HAProxy ──┬── app1 (gunicorn) ──┐
              └── app2 (gunicorn) ──┴── PgBouncer (transaction mode) ── PostgreSQL primary
    worker1, worker2 (Celery: default, notifications, reports) ── the same PgBouncer
    reports' and statistics' reads ── the streaming replica (scripts/replica.sh), when given
    Redis: the broker and the shared cache of all four

Each process gets its own port and nothing else of its own: sessions, cache and queued work
live in Redis and PostgreSQL, as they would on separate hosts. Run it by hand with

    eval "$(TRUONGSO_REPLICA=1 bash scripts/services.sh)"     # PostgreSQL, its replica, Redis
    .venv/bin/python -m tools.multihost    # prints the load balancer's address; Ctrl+C stops it

(the database must be migrated); tests/truongso/test_multihost.py runs it against the test
database. HAProxy and PgBouncer are Debian's packages (scripts/system-deps.sh).
"""

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
APPS = ("app1", "app2")
WORKERS = ("worker1", "worker2")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_db(url: str, db: int) -> str:
    return f"{url.rsplit('/', 1)[0]}/{db}"


@dataclass
class Stack:
    database_url: str  # the primary, direct (postgres://user@host:port/name)
    broker_url: str  # Redis: the Celery broker
    cache_url: str  # Redis: the shared cache (another database than the broker's)
    replica_url: str = ""  # the streaming replica, direct (core/replica.py decides who reads it)
    extra_env: dict = field(default_factory=dict)  # further settings for every process
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="truongso-multihost-")))
    processes: dict = field(default_factory=dict)  # name -> Popen
    ports: dict = field(default_factory=dict)  # name -> port

    @property
    def url(self) -> str:
        """The load balancer: what browsers, parents' phones and kiosks talk to."""
        return f"http://127.0.0.1:{self.ports['haproxy']}"

    @property
    def pooled_database_url(self) -> str:
        parts = urlsplit(self.database_url)
        return f"postgres://{parts.username or 'postgres'}@127.0.0.1:{self.ports['pgbouncer']}{parts.path}"

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # ------------------------------------------------------------------ starting

    def start(self, timeout: float = 120) -> Self:
        self.workdir.chmod(0o755)  # PgBouncer runs as postgres when we are root
        for name in ("pgbouncer", "haproxy", *APPS):
            self.ports[name] = free_port()
        self._start_pgbouncer()
        env = self._app_env()
        self._collect_static(env)
        for name in APPS:
            self._spawn(name, [
                sys.executable, "-m", "gunicorn", "-c", "python:truongso.gunicorn", "truongso.wsgi",
            ], {**env, "BIND": f"127.0.0.1:{self.ports[name]}", "WEB_CONCURRENCY": "2"})
        for name in WORKERS:
            self._spawn(name, [
                sys.executable, "-m", "celery", "-A", "truongso", "worker",
                "-Q", "default,notifications,reports", "-n", f"{name}@%h", "--concurrency", "1",
                "--loglevel", "INFO", "--without-gossip", "--without-mingle",
            ], env)
        self._start_haproxy()
        self._wait_until_up(timeout)
        return self

    def _collect_static(self, env: dict) -> None:
        """Production's manifest storage needs collectstatic's manifest (without it every page
        with a {% static %} fails). Collected once into var/ for each state of the static files
        and the pinned packages: compressing them costs about 40 s of a core."""
        sources = hashlib.sha256((ROOT / "requirements.lock").read_bytes())
        for path in sorted((ROOT / "static").rglob("*")):
            if path.is_file():
                sources.update(f"{path.relative_to(ROOT)}:{path.stat().st_size}:{path.stat().st_mtime_ns}".encode())
        root = ROOT / "var" / f"static-{sources.hexdigest()[:12]}"
        env["STATIC_ROOT"] = str(root)
        if not (root / "staticfiles.json").exists():
            subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
                           cwd=ROOT, env=env, check=True)

    def _spawn(self, name: str, command: list, env: dict) -> None:
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env={**env, "SERVICE_NAME": name}, stdout=log,
            stderr=subprocess.STDOUT,
        )

    def _app_env(self) -> dict:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("DJANGO_", "CELERY_", "CACHE_", "DATABASE_"))}
        env.update({
            "DJANGO_SETTINGS_MODULE": "truongso.settings.base",
            "DEBUG": "0",
            "DJANGO_SECRET_KEY": "multihost-" + "not-a-production-key-" * 3,
            "DATABASE_URL": self.pooled_database_url,
            "DB_CONN_MAX_AGE": "60",  # persistent connections to the pooler, as in production
            "DB_DISABLE_SERVER_SIDE_CURSORS": "1",
            "DATABASE_REPLICA_URL": self.replica_url,
            "CELERY_BROKER_URL": self.broker_url,
            "CACHE_URL": self.cache_url,
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "WARNING",
            **self.extra_env,
        })
        return env

    def _start_pgbouncer(self) -> None:
        binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        primary = urlsplit(self.database_url)
        user = primary.username or "postgres"
        (self.workdir / "userlist.txt").write_text(f'"{user}" ""\n')
        ini = self.workdir / "pgbouncer.ini"
        ini.write_text(
            "[databases]\n"
            f"* = host={primary.hostname} port={primary.port or 5432}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.ports['pgbouncer']}\n"
            "unix_socket_dir =\n"
            "auth_type = trust\n"
            f"auth_file = {self.workdir / 'userlist.txt'}\n"
            "pool_mode = transaction\n"
            "max_client_conn = 200\ndefault_pool_size = 8\n"
            # libpq sends PGOPTIONS as `options`; Django's psycopg sets extra_float_digits.
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"admin_users = {user}\nstats_users = {user}\n"
        )
        as_postgres = ["-u", "postgres"] if os.geteuid() == 0 else []
        self._spawn("pgbouncer", [binary, *as_postgres, str(ini)], dict(os.environ))

    def _start_haproxy(self) -> None:
        binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
        servers = "".join(
            f"  server {name} 127.0.0.1:{self.ports[name]} check inter 1s fall 2 rise 1\n" for name in APPS
        )
        cfg = self.workdir / "haproxy.cfg"
        cfg.write_text(
            "global\n  maxconn 512\n"
            "defaults\n  mode http\n  timeout connect 5s\n  timeout client 120s\n  timeout server 120s\n"
            f"frontend web\n  bind 127.0.0.1:{self.ports['haproxy']}\n  default_backend apps\n"
            "backend apps\n  balance roundrobin\n"
            "  option httpchk\n  http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1\n"
            "  http-check expect status 200\n"
            # Which app server answered, for the test; a real deployment would leave it out.
            "  http-response set-header X-App-Server %[srv_name]\n"
            f"{servers}"
        )
        self._spawn("haproxy", [binary, "-db", "-f", str(cfg)], dict(os.environ))

    def _wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = set(APPS)
        while pending and time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} stopped:\n{self.log(name)[-3000:]}")
            for name in list(pending):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{self.ports[name]}/healthz", timeout=10):
                        pending.discard(name)
                except OSError:
                    pass
            time.sleep(0.3)
        if pending:
            raise RuntimeError(f"{', '.join(sorted(pending))} did not answer within {timeout:.0f} s")
        # HAProxy marks a server up after its first good check (inter 1s).
        time.sleep(1.5)

    # ------------------------------------------------------------------ stopping

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main() -> None:
    database_url, redis_url = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    if not (database_url and redis_url):
        sys.exit('Set DATABASE_URL and REDIS_URL first: eval "$(bash scripts/services.sh)"')
    stack = Stack(database_url=database_url, broker_url=redis_url, cache_url=_redis_db(redis_url, 1),
                  replica_url=os.environ.get("DATABASE_REPLICA_URL", ""))
    with stack:
        print(f"==> Load balancer on {stack.url}; app servers on ports "
              f"{stack.ports['app1']} and {stack.ports['app2']}; PgBouncer on "
              f"{stack.ports['pgbouncer']}; replica {stack.replica_url or 'none'}; logs in "
              f"{stack.workdir}. Ctrl+C stops.", flush=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
