import os
import subprocess
import sys


def test_production_without_a_secret_key_stops_with_a_clear_message():
    env = {**os.environ, "DEBUG": "0", "DJANGO_SECRET_KEY": "", "DJANGO_SETTINGS_MODULE": "truongso.settings.base"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
