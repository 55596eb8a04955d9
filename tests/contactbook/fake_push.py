"""A push service on loopback for tests — the system's edge, not our code: a small HTTP server in a
thread that takes POSTs as a browser's push service does (RFC 8030), records each with its
headers and encrypted body, and answers 201 Created unless told to answer otherwise for an
address (e.g. 410 Gone, 429 Too Many Requests, then 201)."""

import threading
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    status: int  # what the fake answered


class FakePushService:
    def __init__(self):
        self.received: list[Received] = []
        self._answers: dict[str, deque[int]] = defaultdict(deque)
        self._lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # http.server calls do_<METHOD>
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status = service._next_answer(self.path)
                with service._lock:
                    service.received.append(Received(
                        self.path, {k.lower(): v for k, v in self.headers.items()}, body, status
                    ))
                self.send_response(status)
                if status == 201:
                    self.send_header("Location", f"/messages{self.path}")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def endpoint(self, name: str) -> str:
        return f"{self.origin}/push/{name}"

    def answer(self, endpoint: str, *statuses: int) -> None:
        """The next requests to `endpoint` get these statuses, in order; then 201 again."""
        path = endpoint.removeprefix(self.origin)
        with self._lock:
            self._answers[path].extend(statuses)

    def received_at(self, endpoint: str) -> list[Received]:
        path = endpoint.removeprefix(self.origin)
        with self._lock:
            return [r for r in self.received if r.path == path]

    def _next_answer(self, path: str) -> int:
        with self._lock:
            queue = self._answers[path]
            return queue.popleft() if queue else 201

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
