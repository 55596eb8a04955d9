#!/usr/bin/env python3
"""Reference attendance kiosk for the Trường Số device API: what a vendor's firmware should do.

    python tools/kiosk_simulator.py --base-url http://127.0.0.1:8000 --token TOKEN \\
        --spool kiosk-spool.jsonl --cards CARD1,CARD2 --events 50 --offline-seconds 10

The rules it follows, so that a dropped link or a crash loses nothing and a resend is harmless:

1. Every card read becomes an event with an id the kiosk makes (uuid4) and the local time with
   its UTC offset (+07:00), and is appended to the spool file (one JSON object per line,
   flushed to disk) BEFORE any attempt to send it.
2. The spool is uploaded in batches to `POST /api/devices/check-ins`. An event leaves the spool
   only when the server has answered it: accepted, duplicate, conflict or rejected are all
   final. If the kiosk dies between the server's answer and the spool rewrite, the events are
   sent again and come back as duplicates: nothing is stored twice.
3. Server unreachable (refused, timeout, reset) or 5xx: keep the spool, wait (exponential
   backoff with jitter, at most a minute) and retry. 429: wait for Retry-After. 413: halve the
   batch. 401: stop and say so (the token was revoked or rotated); the spool is kept.
4. 422 names the bad fields (`events.3.occurred_at`): those events are moved to
   `<spool>.bad.jsonl` for a person to look at, and the rest are sent again.

Standard library only (urllib), so it runs anywhere Python 3.11 does.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

VIETNAM = datetime.timezone(datetime.timedelta(hours=7))
UPLOAD_PATH = "/api/devices/check-ins"
FINAL = ("accepted", "duplicate", "conflict", "rejected")
MAX_BACKOFF_SECONDS = 60.0
_BAD_EVENT = re.compile(r"^events\.(\d+)(\.|$)")


class KioskStopped(Exception):
    """The kiosk cannot go on by itself; the spool is kept."""


class Unauthorized(KioskStopped):
    pass


class LinkDown(KioskStopped):
    """The server stayed unreachable (or busy) for the attempts allowed: flush(max_attempts=…).
    `wait` is how long to leave it before trying again; `summary` what was settled before."""

    def __init__(self, message: str, wait: float, summary: Summary | None = None) -> None:
        super().__init__(message)
        self.wait = wait
        self.summary = summary or Summary()


@dataclass
class Summary:
    accepted: int = 0
    duplicate: int = 0
    conflict: int = 0
    rejected: int = 0
    unknown_cards: int = 0  # accepted, but no pupil has that card yet
    quarantined: int = 0  # refused as malformed (422), moved to <spool>.bad.jsonl
    batches: int = 0
    retries: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def add(self, other: Summary) -> None:
        for name in ("accepted", "duplicate", "conflict", "rejected", "unknown_cards",
                     "quarantined", "batches", "retries"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for reason, count in other.reasons.items():
            self.reasons[reason] = self.reasons.get(reason, 0) + count

    def line(self) -> str:
        return (f"accepted {self.accepted} (unknown card {self.unknown_cards}), "
                f"duplicate {self.duplicate}, conflict {self.conflict}, rejected {self.rejected}")


class Spool:
    """Events not yet answered by the server, one JSON object per line. Lines that are not an
    event (torn by a power cut in the middle of a write) are moved to `<spool>.bad.jsonl` at
    the next rewrite, for a person to look at."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.bad_path = self.path.with_name(self.path.name + ".bad.jsonl")

    def append(self, event: dict) -> None:
        line = (json.dumps(event, ensure_ascii=False) + "\n").encode("utf-8")
        with self.path.open("ab+") as spool:
            if spool.seek(0, os.SEEK_END):
                spool.seek(-1, os.SEEK_END)
                if spool.read(1) != b"\n":  # end a line torn by a crash, or this one is lost too
                    line = b"\n" + line
            spool.write(line)
            spool.flush()
            os.fsync(spool.fileno())  # on disk before we try the network

    def read(self) -> list[dict]:
        return [event for _, event in self._lines() if event is not None]

    def remove(self, event_ids: set[str]) -> None:
        """Rewrite the spool without these events (write a copy, then rename: a crash leaves
        either the old spool or the new one, never half of one)."""
        keep, damaged = [], []
        for line, event in self._lines():
            if event is None:
                damaged.append(line)
            elif event.get("event_id") not in event_ids:
                keep.append(event)
        if damaged:
            self._append_bad([line.rstrip("\n") for line in damaged])
        self._write(keep)

    def move_to_bad(self, events: list[dict]) -> None:
        self._append_bad([json.dumps(event, ensure_ascii=False) for event in events])
        self.remove({event.get("event_id") for event in events})

    def __len__(self) -> int:
        return len(self.read())

    def _lines(self) -> list[tuple[str, dict | None]]:
        if not self.path.exists():
            return []
        lines = []
        with self.path.open(encoding="utf-8", errors="replace") as spool:
            for line in spool:
                try:
                    event = json.loads(line)
                except json.JSONDecodeError:
                    event = None
                lines.append((line, event if isinstance(event, dict) else None))
        return lines

    def _append_bad(self, lines: list[str]) -> None:
        with self.bad_path.open("a", encoding="utf-8") as out:
            out.writelines(line + "\n" for line in lines)
            out.flush()
            os.fsync(out.fileno())

    def _write(self, events: list[dict]) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        with temporary.open("w", encoding="utf-8") as out:
            for event in events:
                out.write(json.dumps(event, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)


@dataclass
class Answer:
    status: int  # 0 when the server could not be reached
    body: dict | None
    retry_after: float | None = None
    error: str = ""


class Kiosk:
    """A card reader at a school gate. `read_card()` records an event; `flush()` uploads the
    spool until it is empty (or raises KioskStopped, keeping the spool)."""

    def __init__(self, base_url: str, token: str, spool: str | os.PathLike, *,
                 batch_size: int = 100, timeout: float = 10.0,
                 sleep: Callable[[float], None] = time.sleep,
                 log: Callable[[str], None] = print) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.spool = Spool(spool)
        self.batch_size = batch_size
        self.timeout = timeout
        self.sleep = sleep
        self.log = log
        self.failures = 0  # tries in a row that found no server: the backoff grows with it

    # --- reading cards ------------------------------------------------------------------

    def read_card(self, card_id: str, direction: str = "in",
                  at: datetime.datetime | None = None) -> dict:
        """A card was read: make the event and put it in the spool (nothing is sent yet)."""
        when = (at or datetime.datetime.now(VIETNAM)).astimezone(VIETNAM)
        event = {
            "event_id": str(uuid.uuid4()),
            "card_id": card_id,
            "occurred_at": when.isoformat(timespec="milliseconds"),
            "direction": direction,
        }
        self.spool.append(event)
        return event

    # --- uploading ----------------------------------------------------------------------

    def flush(self, max_attempts: int | None = None) -> Summary:
        """Upload the spool in batches until it is empty. Unreachable server, 5xx and 429 are
        retried (at most `max_attempts` tries per batch; None = until it works, as a kiosk
        does). Returns what the server answered; raises Unauthorized on 401 and LinkDown when
        the attempts run out, the spool kept either way."""
        total = Summary()
        while pending := self.spool.read():
            batch_size = self.batch_size
            try:
                total.add(self._send_until_answered(pending[:batch_size], max_attempts))
            except LinkDown as down:
                total.add(down.summary)
                down.summary = total
                raise
            if len(self.spool) >= len(pending) and self.batch_size >= batch_size:
                # nothing left the spool and the batches did not shrink: do not loop for ever
                stuck = pending[0]["event_id"]
                raise KioskStopped(f"The server answered without settling event {stuck}.")
        return total

    def _send_until_answered(self, batch: list[dict], max_attempts: int | None) -> Summary:
        summary = Summary()
        attempt = 0
        while True:
            attempt += 1
            answer = self._post(batch)
            if answer.status == 200:
                self.failures = 0
                summary.add(self._settle(batch, answer.body))
                return summary
            if answer.status == 401:
                raise Unauthorized(
                    f"The server refused the token (401): it was revoked or replaced. Register "
                    f"the kiosk again and restart with the new --token. {len(self.spool)} events "
                    f"are kept in {self.spool.path}."
                )
            if answer.status == 413 and len(batch) > 1:
                self.batch_size = max(1, len(batch) // 2)
                self.log(f"413 body too large: batches of {self.batch_size} from now on")
                return summary
            if answer.status == 422:
                summary.add(self._quarantine(batch, answer.body))
                return summary
            if answer.status and answer.status != 429 and answer.status < 500:
                raise KioskStopped(f"Unexpected answer {answer.status}: {answer.error}")
            # Unreachable, 5xx or 429: keep everything and try again later.
            self.failures += 1
            wait = answer.retry_after if answer.retry_after is not None else _backoff(self.failures)
            if max_attempts is not None and attempt >= max_attempts:
                kept = f"{len(self.spool)} events kept in {self.spool.path}"
                raise LinkDown(f"{answer.error}; {kept}", wait, summary)
            self.log(f"{answer.error}; {len(self.spool)} events kept, retrying in {wait:.1f} s")
            summary.retries += 1
            self.sleep(wait)

    def _post(self, batch: list[dict]) -> Answer:
        request = urllib.request.Request(
            self.base_url + UPLOAD_PATH,
            data=json.dumps({"events": batch}, ensure_ascii=False).encode("utf-8"),
            method="POST",
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = _json_or_none(response.read())
        except urllib.error.HTTPError as error:
            body = _json_or_none(error.read())
            message = body["error"].get("message") if _is_error(body) else error.reason
            return Answer(error.code, body, _seconds(error.headers.get("Retry-After")),
                          f"server answered {error.code} ({message})")
        except (urllib.error.URLError, OSError) as error:  # refused, timeout, reset, DNS
            return Answer(0, None, None, f"server unreachable ({getattr(error, 'reason', error)})")
        if not (isinstance(body, dict) and isinstance(body.get("results"), list)):
            # e.g. a captive portal's login page: we did not reach our server
            return Answer(0, None, None, "the answer was not the API's (proxy, captive portal?)")
        return Answer(200, body)

    def _settle(self, batch: list[dict], body: dict) -> Summary:
        """Every event the server answered is final: take it out of the spool."""
        summary = Summary(batches=1)
        answered = set()
        for result in body["results"]:
            status = result["status"]
            if status not in FINAL:
                continue
            answered.add(result["event_id"])
            setattr(summary, status, getattr(summary, status) + 1)
            if status == "accepted" and result.get("pupil_known") is False:
                summary.unknown_cards += 1
            if status in ("rejected", "conflict") and result.get("reason"):
                summary.reasons[result["reason"]] = summary.reasons.get(result["reason"], 0) + 1
        self.spool.remove(answered)
        self.log(f"batch of {len(batch)}: {summary.line()}")
        for reason, count in summary.reasons.items():
            self.log(f"  {count} × {reason}")
        return summary

    def _quarantine(self, batch: list[dict], body: dict | None) -> Summary:
        """422: the server named the malformed events; set them aside and send the rest."""
        fields = ((body or {}).get("error") or {}).get("fields") or []
        bad = {int(m.group(1)) for f in fields if (m := _BAD_EVENT.match(str(f.get("field", ""))))}
        bad_events = [batch[i] for i in sorted(bad) if i < len(batch)]
        if not bad_events:  # the batch as a whole (e.g. too many events): send smaller ones
            if len(batch) == 1:
                bad_events = batch
            else:
                self.batch_size = max(1, len(batch) // 2)
                self.log(f"422 on the whole batch: batches of {self.batch_size} from now on")
                return Summary()
        self.spool.move_to_bad(bad_events)
        message = ((body or {}).get("error") or {}).get("message", "")
        self.log(f"422: {len(bad_events)} malformed events moved aside ({message})")
        return Summary(quarantined=len(bad_events))


def _json_or_none(raw: bytes):
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _seconds(retry_after: str | None) -> float | None:
    try:
        return max(0.0, float(retry_after)) if retry_after else None
    except ValueError:  # an HTTP date: rare from our API, the backoff will do
        return None


def _is_error(body) -> bool:
    return isinstance(body, dict) and isinstance(body.get("error"), dict)


def _backoff(attempt: int) -> float:
    """1, 2, 4, … seconds, at most a minute, with jitter so a school's kiosks that lost the
    link together do not all come back in the same second."""
    return min(MAX_BACKOFF_SECONDS, 2.0 ** (attempt - 1)) * random.uniform(0.5, 1.0)


# --- command line ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--token", default=os.environ.get("KIOSK_TOKEN"),
                        help="the device token (or KIOSK_TOKEN in the environment)")
    parser.add_argument("--spool", default="kiosk-spool.jsonl")
    parser.add_argument("--cards", default="",
                        help="comma-separated card ids to read at random (default: made-up cards)")
    parser.add_argument("--events", type=int, default=50, help="how many card reads to make")
    parser.add_argument("--offline-seconds", type=float, default=0,
                        help="the link is down this long: reads are only spooled meanwhile")
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between card reads")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per HTTP request")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("--token (or KIOSK_TOKEN) is required")

    cards = [c.strip() for c in args.cards.split(",") if c.strip()] or [
        f"DEMO-{n:04d}" for n in range(1, 6)
    ]
    kiosk = Kiosk(args.base_url, args.token, args.spool, batch_size=args.batch_size,
                  timeout=args.timeout)
    left_over = len(kiosk.spool)
    if left_over:
        print(f"{left_over} events left in {args.spool} from before: they go first")
    link_up_at = time.monotonic() + args.offline_seconds
    next_try_at = link_up_at  # while reading cards, a failed upload waits without blocking reads
    total = Summary()
    try:
        for _ in range(args.events):
            direction = random.choice(["in", "in", "in", "out"])
            kiosk.read_card(random.choice(cards), direction=direction)
            if time.monotonic() >= next_try_at and len(kiosk.spool) >= args.batch_size:
                try:
                    total.add(kiosk.flush(max_attempts=1))
                except LinkDown as down:  # keep reading cards; try again later
                    total.add(down.summary)
                    total.retries += 1
                    kiosk.log(f"{down}; reading on, next try in {down.wait:.1f} s")
                    next_try_at = time.monotonic() + down.wait
            time.sleep(args.interval)
        if time.monotonic() < link_up_at:
            print(f"link down: {len(kiosk.spool)} events spooled, waiting for it to come back")
            time.sleep(link_up_at - time.monotonic())
        total.add(kiosk.flush())
    except KioskStopped as stopped:
        print(f"stopped: {stopped}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\ninterrupted: {len(kiosk.spool)} events kept in {args.spool}", file=sys.stderr)
        return 130
    print(f"done: {total.batches} batches, {total.retries} retries; {total.line()}; "
          f"malformed {total.quarantined}; spool now holds {len(kiosk.spool)} events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
