"""Gunicorn's settings (`gunicorn -c python:truongso.gunicorn truongso.wsgi`), read from the
environment like Django's: BIND (127.0.0.1:8000), WEB_CONCURRENCY (worker processes, 2),
GUNICORN_TIMEOUT (seconds a request may take before its worker is replaced, 60),
GUNICORN_CONTROL_SOCKET (the `gunicornc` control socket; off when unset, since its default path
in the home directory would be shared by every gunicorn of the host).

Access and error logs go to stdout; with LOG_FORMAT=json both are truongso.logs' JSON lines
(an access line carries method, path, status, bytes and duration_ms as fields), the same
format as the app's own logs, so one collector reads the whole stack.
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
accesslog = "-"
errorlog = "-"
# The path without its query string (%(U)s): a query may carry a sign-in or pairing code.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'

if os.environ.get("LOG_FORMAT") == "json":
    _stdout = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}
    logconfig_dict = {
        "formatters": {"json": {"()": "truongso.logs.JsonFormatter"}},
        "handlers": {"console": dict(_stdout), "error_console": dict(_stdout)},
        # Not propagated: the root logger's handler would print each line a second time.
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }
