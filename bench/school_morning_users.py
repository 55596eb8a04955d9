"""The people of bench/school_morning.py, as Locust users (this file is the locustfile; the
bench writes the plan it reads and reads back what it records). It imports nothing of the
project: it talks to the server over HTTP only, as the kiosks, parents and teachers do.

Environment: SCHOOL_MORNING_PLAN (the plan's JSON, written by the bench) and
SCHOOL_MORNING_OUT (where every request's timing and every write that answered success are
written when the run stops).

Each user waits an exponentially distributed time between its visits (arrivals at random, as
people come, at the mean rate the plan derived), and every visit of a parent or a teacher is a
new person signing in with a fresh cookie jar: the morning's sign-ins are part of its load.
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import random
import re
import time
import uuid
from pathlib import Path

from locust import HttpUser, events, task

PLAN = json.loads(Path(os.environ["SCHOOL_MORNING_PLAN"]).read_text(encoding="utf-8"))
RNG = random.Random(15)
VIETNAM = datetime.timezone(datetime.timedelta(hours=7))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOGIN = "/tai-khoan/dang-nhap/"

# What the run recorded: (action, milliseconds, ok) per request, and the writes that answered
# success, for the bench to count in the database afterwards.
SAMPLES: list[tuple[str, float, bool]] = []
WRITES: dict[str, list] = {"check_ins": [], "attendance": [], "scores": []}
ERRORS: list[str] = []


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    SAMPLES.append((name, response_time, exception is None))
    if exception is not None and len(ERRORS) < 20:
        ERRORS.append(f"{name}: {exception}"[:300])


@events.quitting.add_listener
def _dump(environment, **kwargs):
    with open(os.environ["SCHOOL_MORNING_OUT"], "w", encoding="utf-8") as out:
        json.dump({"samples": SAMPLES, "writes": WRITES, "errors": ERRORS}, out)


def poisson_wait(mean_seconds: float):
    """Locust wait_time: the gaps of a Poisson process of the given mean."""
    return lambda user: RNG.expovariate(1.0 / mean_seconds)


def _cycle(items):
    return itertools.cycle(items) if items else iter(())


KIOSKS = _cycle(PLAN["kiosks"])
GUARDIANS = _cycle(PLAN["guardians"])
HOMEROOMS = _cycle(PLAN["homerooms"])
GRADE_BOOKS = _cycle(PLAN["grade_books"])


class Person(HttpUser):
    """Signs in through the real login form, as a browser does (the CSRF cookie and token)."""

    abstract = True

    def on_start(self):
        self.wait()  # arrivals spread from the first second, not all at once

    def sign_in(self, phone: str, next_url: str) -> bool:
        self.client.cookies.clear()
        page = self.client.get(LOGIN, name="sign in: form")
        found = CSRF.search(page.text or "")
        if not found:
            return False
        with self.client.post(
            LOGIN, name="sign in: password",
            data={"csrfmiddlewaretoken": found.group(1), "username": phone,
                  "password": PLAN["password"], "next": next_url},
            headers={"Referer": self.host + LOGIN}, allow_redirects=False, catch_response=True,
        ) as answer:
            if answer.status_code != 302 or answer.headers.get("Location") != next_url:
                answer.failure(f"sign-in of {phone} answered {answer.status_code}")
                return False
        return True

    def page(self, url: str, name: str, **kwargs):
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True,
                             **kwargs) as answer:
            if answer.status_code != 200:
                answer.failure(f"{url} answered {answer.status_code}")
            return answer


class Kiosk(HttpUser):
    """A kiosk at a classroom door: sends each card tap as it happens (a batch of one; a
    kiosk that was briefly offline sends what it spooled). One upload in 20 is sent twice, as
    when the answer was lost on the way back: the second must answer duplicate."""

    fixed_count = PLAN["users"]["kiosk"]
    wait_time = poisson_wait(PLAN["waits"]["kiosk"])

    def on_start(self):
        kiosk = next(KIOSKS)
        self.token, self.class_cards, self.cards = kiosk["token"], kiosk["cards"], []
        self.client.headers.update({"Authorization": f"Bearer {self.token}"})
        self.wait()  # arrivals spread from the first second, not all at once

    @task
    def tap(self):
        taps = 1 if RNG.random() < 0.9 else RNG.randint(2, 8)  # 1 in 10: a small spooled batch
        batch = []
        for _ in range(taps if self.class_cards else 0):
            if not self.cards:  # the whole class came in (a scaled-up run): a second round
                self.cards = RNG.sample(self.class_cards, len(self.class_cards))
            batch.append({
                "event_id": str(uuid.uuid4()), "card_id": self.cards.pop(),
                "occurred_at": datetime.datetime.now(VIETNAM).isoformat(timespec="milliseconds"),
                "direction": "in",
            })
        if not batch:
            return
        self.upload(batch, "kiosk: check-ins")
        if RNG.random() < 0.05:
            self.upload(batch, "kiosk: check-ins resent", expect="duplicate")

    def upload(self, batch, name, expect="accepted"):
        with self.client.post("/api/devices/check-ins", json={"events": batch}, name=name,
                              catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"answered {answer.status_code}: {answer.text[:200]}")
                return
            results = answer.json()["results"]
            wrong = [r for r in results if r["status"] != expect]
            if wrong:
                answer.failure(f"expected {expect}, got {wrong[0]}")
            WRITES["check_ins"] += [r["event_id"] for r in results
                                    if r["status"] in ("accepted", "duplicate")]


class Parent(Person):
    """A guardian after the morning's message (an absence alert, or only the wish to see that
    the child arrived): signs in, lands on the child's attendance page the alert links to, then
    the portal home and the child's page."""

    fixed_count = PLAN["users"]["parent"]
    wait_time = poisson_wait(PLAN["waits"]["parent"])

    @task
    def after_the_alert(self):
        guardian = next(GUARDIANS)
        child = RNG.choice(guardian["children"])
        alert_link = f"/phu-huynh/hoc-sinh/{child}/chuyen-can/"
        if not self.sign_in(guardian["phone"], alert_link):
            return
        self.page(alert_link, "portal: child's attendance")
        self.page("/phu-huynh/", "portal: home")
        self.page(f"/phu-huynh/hoc-sinh/{child}/", "portal: child's page")


class HomeroomTeacher(Person):
    """A homeroom teacher (GVCN) in the first period: opens the register, marks the session
    (most present, a few late, one or two absent without leave, which alerts their guardians)
    and saves it."""

    fixed_count = PLAN["users"]["homeroom"]
    wait_time = poisson_wait(PLAN["waits"]["homeroom"])

    @task
    def take_the_register(self):
        sheet = next(HOMEROOMS)
        url = f"/giao-vien/lop/{sheet['class_id']}/diem-danh/"
        query = f"?ngay={PLAN['day']}&buoi=morning"
        if not self.sign_in(sheet["phone"], url):
            return
        form = self.page(url + query, "teacher: open register")
        found = CSRF.search(form.text or "")
        if not found:
            return
        statuses = {}
        for pupil in sheet["pupils"]:
            roll = RNG.random()
            statuses[pupil] = ("unexcused" if roll < 0.02 else "excused" if roll < 0.04
                               else "late" if roll < 0.08 else "present")
        data = {"csrfmiddlewaretoken": found.group(1), "ngay": PLAN["day"], "buoi": "morning"}
        data |= {f"status-{pupil}": status for pupil, status in statuses.items()}
        data |= {f"note-{pupil}": "" for pupil in statuses}
        with self.client.post(url, data=data, name="teacher: save register", allow_redirects=False,
                              headers={"Referer": self.host + url}, catch_response=True) as answer:
            if answer.status_code != 302:
                answer.failure(f"register of class {sheet['class_id']} answered {answer.status_code}")
                return
        WRITES["attendance"].append({"class_id": sheet["class_id"], "day": PLAN["day"],
                                     "session": "morning", "statuses": statuses,
                                     "at": time.time()})
        self.page(answer.headers["Location"], "teacher: register after save")


class SubjectTeacher(Person):
    """A subject teacher in a free period: opens a class's grade book and saves one regular
    assessment column (ĐĐGtx) for the whole class."""

    fixed_count = PLAN["users"]["subject"]
    wait_time = poisson_wait(PLAN["waits"]["subject"])

    @task
    def save_a_column(self):
        book = next(GRADE_BOOKS)
        url = book["url"]
        if not self.sign_in(book["phone"], url):
            return
        form = self.page(url, "teacher: open grade book")
        found = CSRF.search(form.text or "")
        if not found:
            return
        halves = {pupil: RNG.randint(10, 20) for pupil in book["pupils"]}  # 5,0 … 10,0
        values = {pupil: f"{n // 2},{5 * (n % 2)}" for pupil, n in halves.items()}
        data = {"csrfmiddlewaretoken": found.group(1)}
        data |= {f"c-{pupil}-{book['column']}": value for pupil, value in values.items()}
        with self.client.post(url, data=data, name="teacher: save grade column",
                              allow_redirects=False, headers={"Referer": self.host + url},
                              catch_response=True) as answer:
            if answer.status_code != 302:
                answer.failure(f"grade book {url} answered {answer.status_code}")
                return
        WRITES["scores"].append({"class_id": book["class_id"], "subject_id": book["subject_id"],
                                 "term_id": book["term_id"], "column": book["column"],
                                 "values": values, "at": time.time()})
        self.page(answer.headers["Location"], "teacher: grade book after save")
