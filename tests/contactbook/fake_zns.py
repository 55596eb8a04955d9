"""A fake Zalo Notification Service for tests: a real HTTP server on loopback, answering the
template-message endpoint as ZNS does — the system's edge, not our code.

It checks the `access_token` header (-124), the phone's form, 84 and 9–10 digits (-108), and
the template id (-109 for one it does not know); answers `{"error": 0, "message": "Success",
"data": {"msg_id": ...}}` otherwise. `answers[phone]` scripts what that phone gets, one item per
request (then success): a negative ZNS code, or an HTTP status ≥ 500. It records every request.
"""

import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PATH = "/message/template"
_PHONE = re.compile(r"84\d{9,10}")
_MESSAGES = {
    -108: "Phone number invalid",
    -109: "Template ID invalid",
    -118: "Zalo account not existed",
    -119: "Account can not receive ZNS",
    -124: "Access token invalid",
    -144: "OA has exceeded the daily quota",
    -100: "Unknown error",
}


class FakeZns:
    def __init__(self, *, token: str, templates: set[str]):
        self.token, self.templates = token, set(templates)
        self.answers: dict[str, list[int]] = {}
        self.received: list[dict] = []  # {"token_ok": bool, "body": dict}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{PATH}"

    def start(self) -> "FakeZns":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def sent(self) -> list[dict]:
        """The bodies of the requests that succeeded."""
        return [r["body"] for r in self.received if r["answer"] == 0]

    def _answer(self, token: str, body: dict) -> tuple[int, dict]:
        with self._lock:
            scripted = self.answers.get(str(body.get("phone")), [])
            code = scripted.pop(0) if scripted else 0
            if token != self.token:
                code = -124
            elif not _PHONE.fullmatch(str(body.get("phone", ""))):
                code = -108
            elif str(body.get("template_id")) not in self.templates:
                code = -109
            self.received.append({"token_ok": token == self.token, "body": body, "answer": code})
        if code >= 500:
            return code, {"error": -1, "message": "Internal error"}
        if code:
            return 200, {"error": code, "message": _MESSAGES.get(code, "Error")}
        return 200, {"error": 0, "message": "Success",
                     "data": {"msg_id": uuid.uuid4().hex, "sent_time": "1764662400000"}}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                if self.path != PATH:
                    return self._reply(404, {"error": -106, "message": "Method unsupported"})
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    return self._reply(200, {"error": -122, "message": "Body format invalid"})
                self._reply(*fake._answer(self.headers.get("access_token", ""), body))

            def _reply(self, status: int, answer: dict):
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # quiet: the test output is for the tests
                pass

        return Handler
