"""Shared fixtures and helpers for the attendance, leave, comment and announcement tests.
Test modules import the fixtures they use (pytest finds imported fixtures by their `name`)."""

import datetime
import json
import uuid

import pytest
from django.utils import timezone

from devices.models import CheckInEvent
from tests import factories as f
from tests.clients import Client

# A Wednesday of term I of the factories' 2026–2027 year, at 9:00 in Hạ Long: inside SMS hours.
TODAY = datetime.date(2026, 11, 25)
NOW = timezone.make_aware(datetime.datetime(2026, 11, 25, 9, 0))


@pytest.fixture(name="now")
def now_fixture(monkeypatch):
    """Pin 'now' (and so 'today') so the tests do not depend on when they run."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.fixture(name="sms_file")
def sms_file_fixture(settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    settings.SMS_GATEWAY = "contactbook.channels.FileSmsGateway"
    return settings.SMS_FILE_PATH


def sms_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def term_one(school_year, **kwargs):
    return f.TermFactory(
        school_year=school_year,
        number=1,
        start_date=datetime.date(2026, 9, 5),
        end_date=datetime.date(2027, 1, 15),
        **kwargs,
    )


def fetch(
    user, url: str, method: str = "get", data: dict | None = None, language: str | None = None
):
    """Request `url` as `user` (AnonymousUser: not logged in) in a fresh client; `language`
    ("en") asks for English pages so tests can read messages whatever the catalog holds."""
    client = Client(headers={"Accept-Language": language} if language else None)
    if user.is_authenticated:
        client.force_login(user)
    return getattr(client, method)(url, data or {})


def check_in(student, day: datetime.date, device, hour: int = 7):
    return CheckInEvent.objects.create(
        device=device,
        school=device.school,
        event_id=uuid.uuid4(),
        student=student,
        card_id=student.card_id,
        occurred_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour))),
        direction=CheckInEvent.Direction.IN,
        payload_hash="0" * 64,
    )


def big_class(size: int, *, school_year=None, with_guardians: bool = True):
    """A class of `size` pupils (each with a guardian), its homeroom teacher, and the year."""
    school_year = school_year or f.SchoolYearFactory()
    class_group = f.ClassGroupFactory(school_year=school_year)
    teacher = f.UserFactory()
    f.StaffMembershipFactory(user=teacher, school=school_year.school)
    class_group.homeroom_teacher = teacher
    class_group.save()
    pupils = []
    for _ in range(size):
        pupil = f.StudentFactory(school=school_year.school)
        f.enrol(pupil, class_group)
        if with_guardians:
            f.link_guardian(f.UserFactory(), pupil)
        pupils.append(pupil)
    return class_group, teacher, pupils
