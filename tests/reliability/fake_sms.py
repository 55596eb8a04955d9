"""A fake brand-name SMS gateway for tests: a real HTTP server on loopback speaking the HTTP
gateway's protocol (contactbook.channels.HttpSmsGateway) — the system's edge, not our code.

It sends (records as delivered) each request id once, answering a repeat with the first
answer, as a gateway that honours a request id does. `hold_first` keeps the first request
waiting until `release()`: the moment a worker dies with the SMS handed over and no answer.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeSmsGateway:
    def __init__(self, *, token: str, hold_first: bool = False):
        self.token = token
        self.requests: list[dict] = []  # every request's body, in order
        self.delivered: dict[str, dict] = {}  # request id -> the SMS sent for it
        self.arrived, self._released = threading.Event(), threading.Event()
        if not hold_first:
            self._released.set()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/sms"

    def start(self) -> "FakeSmsGateway":
        self._thread.start()
        return self

    def release(self) -> None:
        self._released.set()

    def stop(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()

    def _receive(self, authorization: str, body: dict) -> tuple[int, dict]:
        if authorization != f"Bearer {self.token}":
            return 401, {"error": "bad key"}
        request_id = str(body.get("request_id") or "")
        with self._lock:
            self.requests.append(body)
            first = request_id not in self.delivered
            if first:
                self.delivered[request_id] = body
            number = list(self.delivered).index(request_id) + 1
        self.arrived.set()
        self._released.wait(timeout=120)
        return 200, {"id": f"sms-{number}"}

    def _handler(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                status, answer = gateway._receive(self.headers.get("Authorization", ""), body)
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the caller died waiting
                    pass

            def log_message(self, *args):
                pass

        return Handler
