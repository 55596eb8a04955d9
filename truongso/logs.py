"""Structured logs: one JSON object a line on stdout, for a host's log collector (journald,
Docker, Vector, Loki …) to read without a parser of ours. `LOG_FORMAT=json` turns it on
(`make serve` does); the default stays the plain text a developer reads.

Each line has `time` (UTC, ISO 8601 with milliseconds), `level`, `logger`, `message`, `service`
(SERVICE_NAME: which process of the stack wrote it, e.g. `web`, `worker-reports`, `beat`) and
`pid`; an exception adds `exception` (the traceback as text). Gunicorn's access log passes its
fields as a dict: those become `method`, `path`, `status`, `bytes`, `duration_ms` and
`remote`, so requests can be counted and timed from the logs alone. A message is never a
pupil's data by design: our code logs ids, not names.

What a library prints rather than logs (Celery's "worker: Warm shutdown", Python's warnings on
stderr) is wrapped the same way by `python -m truongso.logs SERVICE`, which `make serve` pipes
each service's output through: its JSON lines pass unchanged, any other line becomes one.
"""

import datetime
import json
import logging
import os
import sys

# Gunicorn's access-log atoms (gunicorn.glogging.Logger.atoms) kept, under our names.
_ACCESS_FIELDS = {"m": "method", "U": "path", "s": "status", "B": "bytes", "h": "remote"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": os.environ.get("SERVICE_NAME", ""),
            "pid": record.process,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            atoms = record.args
            for atom, name in _ACCESS_FIELDS.items():
                if atoms[atom] not in (None, "-"):  # gunicorn's SafeAtoms: "-" when missing
                    line[name] = atoms[atom]
            for name in ("status", "bytes"):
                if str(line.get(name, "")).isdigit():
                    line[name] = int(line[name])
            if str(atoms["M"]).isdigit():  # the request's duration in milliseconds
                line["duration_ms"] = int(atoms["M"])
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def wrap(lines, out, service: str) -> None:
    """Copy `lines` to `out`, each a JSON object: ours unchanged, any other text wrapped."""
    for line in lines:
        text = line.rstrip("\n")
        if not text.strip():
            continue
        if not text.startswith("{"):
            text = json.dumps({
                "time": datetime.datetime.now(datetime.UTC)
                .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "level": "INFO", "logger": "output", "message": text, "service": service,
            }, ensure_ascii=False)
        out.write(text + "\n")
        out.flush()


if __name__ == "__main__":
    wrap(sys.stdin, sys.stdout, sys.argv[1] if len(sys.argv) > 1 else "")
