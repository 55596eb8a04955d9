"""Production settings: DEBUG is off unless asked for, a weak secret key stops start-up, and
`manage.py check --deploy` is clean. Each runs the settings in a fresh interpreter, since
settings are read once at import."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LONG_KEY = "k3y-" + "x7Qp2Lm9Zr4Vt8Nw1Bs6Hd0Jf5Gc3Ya" * 2  # 68 characters, many different
# Not passed on: the caller's DEBUG and key, and the browser tests' async switch (set by
# tests/e2e/conftest.py when they run in the same session), which the deploy check rejects.
NOT_PASSED_ON = {"DEBUG", "DJANGO_SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def run_settings(code: str, **variables: str) -> subprocess.CompletedProcess:
    """Run `code` after django.setup() with the production settings module and `variables`
    (only those: the caller's DEBUG or secret key never leak in)."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED_ON}
    env.update({"DJANGO_SETTINGS_MODULE": "truongso.settings.base", **variables})
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env, capture_output=True, text=True, timeout=120, cwd=REPO,
    )


def test_production_without_a_secret_key_stops_with_a_clear_message():
    result = run_settings("", DEBUG="0", DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_asked_for():
    result = run_settings("from django.conf import settings; print(settings.DEBUG)",
                          DJANGO_SECRET_KEY=LONG_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    # ... so a production that forgets DEBUG gets no fixed key either
    assert "DJANGO_SECRET_KEY is not set" in run_settings("").stderr


def test_debug_1_runs_with_the_development_key():
    result = run_settings("from django.conf import settings; print(settings.DEBUG)", DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_production_refuses_a_short_key_and_the_development_key():
    short = run_settings("", DEBUG="0", DJANGO_SECRET_KEY="s3cret-but-only-thirty-chars!!")
    assert short.returncode != 0 and "at least 50 characters" in short.stderr
    fixed = run_settings("", DEBUG="0", DJANGO_SECRET_KEY="embedded-first-run-only-not-secret")
    assert fixed.returncode != 0 and "development key" in fixed.stderr


def test_check_deploy_is_clean_under_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED_ON}
    env.update({"DJANGO_SETTINGS_MODULE": "truongso.settings.base", "DEBUG": "0",
                "DJANGO_SECRET_KEY": LONG_KEY, "ALLOWED_HOSTS": "truongso.example.edu.vn"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120, cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_defaults_to_https_only_and_secure_cookies():
    code = ("from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, "
            "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY, s.SECURE_PROXY_SSL_HEADER)")
    result = run_settings(code, DEBUG="0", DJANGO_SECRET_KEY=LONG_KEY)
    assert result.stdout.split() == ["True", "31536000", "True", "True", "True", "True", "None"]
    behind_proxy = run_settings(code, DEBUG="0", DJANGO_SECRET_KEY=LONG_KEY,
                                SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
                                SECURE_HSTS_SECONDS="600")
    assert behind_proxy.stdout.split()[1] == "600"
    assert behind_proxy.stdout.endswith("('HTTP_X_FORWARDED_PROTO', 'https')\n")
