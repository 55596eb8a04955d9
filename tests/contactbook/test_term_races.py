"""A register saved, or a leave approved, while a manager closes the term: nothing is written
into the term that was just closed. Two real PostgreSQL connections (threads): one holds the
close's transaction open, the other writes; the writer must either wait and be refused, or
have written before the close began.

Synchronised by events and by reading pg_stat_activity (the writer is either finished or
waiting on the term's row lock), never by sleeping and hoping."""

import threading
import time

import pytest
from django.db import connection, transaction

from contactbook import attendance
from contactbook import leave as leave_requests
from contactbook.models import AttendanceMark, LeaveRequest
from school.exceptions import TermClosed
from school.models import Student, Term
from school.terms import close_term
from tests.contactbook.attendance_support import (  # noqa: F401 (the *_fixture names are fixtures)
    TODAY,
    now_fixture,
    term_one,
)

pytestmark = pytest.mark.django_db(transaction=True)  # PostgreSQL: the tests' database

Status = AttendanceMark.Status
WAIT = 30  # seconds; only reached when something is broken


class HeldClose(threading.Thread):
    """Closes the term inside a transaction that stays open until `commit` is set."""

    def __init__(self, user, term_id: int):
        super().__init__(daemon=True)
        self.user, self.term_id = user, term_id
        self.closed, self.commit = threading.Event(), threading.Event()
        self.error: BaseException | None = None

    def run(self):
        try:
            with transaction.atomic():
                assert close_term(user=self.user, term=Term.objects.get(pk=self.term_id))
                self.closed.set()
                if not self.commit.wait(WAIT):
                    raise RuntimeError("never told to commit")
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            self.closed.set()
            connection.close()


class Writer(threading.Thread):
    """Runs `write` on its own connection, noting its backend pid first."""

    def __init__(self, write):
        super().__init__(daemon=True)
        self.write = write
        self.started, self.done = threading.Event(), threading.Event()
        self.pid: int | None = None
        self.error: BaseException | None = None

    def run(self):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.started.set()
            self.write()
        except BaseException as exc:  # TermClosed is the expected refusal
            self.error = exc
        finally:
            self.started.set()
            self.done.set()
            connection.close()


def wait_until_done_or_blocked(writer: Writer) -> None:
    """Return once `writer` has finished or waits on a lock (the term row, held by the close)."""
    deadline = time.monotonic() + WAIT
    while not writer.done.is_set():
        with connection.cursor() as cursor:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [writer.pid])
            row = cursor.fetchone()
        if row is not None and row[0] == "Lock":
            return
        assert time.monotonic() < deadline, "the writer neither finished nor waited on a lock"
        writer.done.wait(0.01)


def race(manager, term: Term, write) -> Writer:
    """Hold a close of `term` open, run `write` meanwhile, then commit the close."""
    closer = HeldClose(manager, term.pk)
    closer.start()
    assert closer.closed.wait(WAIT) and closer.error is None, closer.error
    writer = Writer(write)
    writer.start()
    assert writer.started.wait(WAIT)
    wait_until_done_or_blocked(writer)
    closer.commit.set()
    closer.join(WAIT)
    writer.join(WAIT)
    assert not closer.is_alive() and not writer.is_alive()
    assert closer.error is None, closer.error
    assert Term.objects.get(pk=term.pk).is_closed
    return writer


def test_a_register_saved_while_the_term_closes_writes_nothing_into_it(cast, now):
    term = term_one(cast.class_a1.school_year)
    entries = {p.pk: ("present", "") for p in Student.objects.in_class(cast.class_a1)}

    def save_register():
        attendance.record_attendance(
            user=cast.homeroom_a1,
            class_group=cast.class_a1,
            day=TODAY,
            session="morning",
            entries=entries,
        )

    writer = race(cast.principal, term, save_register)
    assert isinstance(writer.error, TermClosed), writer.error
    assert not AttendanceMark.objects.filter(date=TODAY).exists()


def test_a_leave_approved_while_the_term_closes_excuses_no_mark_in_it(cast, now):
    term = term_one(cast.class_a1.school_year)
    mark = AttendanceMark.objects.create(
        student=cast.pupil_a1,
        class_group=cast.class_a1,
        date=TODAY,
        session="morning",
        status=Status.UNEXCUSED,
        recorded_by=cast.homeroom_a1,
    )
    leave = LeaveRequest.objects.create(
        student=cast.pupil_a1,
        requested_by=cast.parent_a1,
        start_date=TODAY,
        end_date=TODAY,
        sessions="both",
        reason="ốm",
    )

    def approve():
        leave_requests.decide_leave(
            user=cast.homeroom_a1, leave=LeaveRequest.objects.get(pk=leave.pk), approve=True
        )

    writer = race(cast.principal, term, approve)
    assert writer.error is None, writer.error
    mark.refresh_from_db()
    assert mark.status == Status.UNEXCUSED  # the closed term's mark is left alone
    leave.refresh_from_db()
    assert leave.status == LeaveRequest.Status.APPROVED  # the answer itself is not term data
