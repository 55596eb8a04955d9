"""Anonymising a pupil who has left: refused while enrolled, for another school's manager and
before the retention period; afterwards the school record is intact and the rest is gone
(messages and their files, contacts, guardian links), the record written; all or nothing."""

import datetime
import io
import pathlib

import pytest
from django.core.management import call_command
from django.db import DataError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from contactbook.models import (
    AttendanceMark,
    ConductRating,
    DailyComment,
    LeaveRequest,
    Message,
    MessageAttachment,
    Notification,
    Score,
    TermComment,
    WeeklySummary,
)
from privacy import anonymise
from privacy.models import AnonymisationRecord, CorrectionRequest
from reports.models import ReportCard
from school.models import DataAccess, Enrolment, Guardian, Guardianship, Student
from tests import factories as f
from tests.conftest import as_user

pytestmark = pytest.mark.django_db

RETENTION = 30


@pytest.fixture(autouse=True)
def retention(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = RETENTION


def leave_school(student, days_ago: int) -> datetime.date:
    on = timezone.localdate() - datetime.timedelta(days=days_ago)
    Enrolment.objects.get(student=student).end(on=on, status=Enrolment.Status.LEFT)
    return on


def stored_files(root: pathlib.Path) -> list[pathlib.Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def left(cast, rich, other):
    """pupil_a1, with data of every kind, left the school long enough ago; pupil_a2 (other)
    stays."""
    cast.pupil_a1.card_id = "CARD-AN"
    cast.pupil_a1.save()
    CorrectionRequest.objects.create(student=cast.pupil_a1, requested_by=cast.parent_a1, data="Tên", text="Sửa tên")
    leave_school(cast.pupil_a1, RETENTION + 1)
    return cast.pupil_a1


def test_refused_while_the_pupil_is_enrolled(cast, rich):
    with pytest.raises(anonymise.CannotAnonymise, match="enrolled|theo học"):
        anonymise.anonymise(cast.pupil_a1, by=cast.principal)
    assert not AnonymisationRecord.objects.exists()
    assert Message.objects.filter(thread__student=cast.pupil_a1).exists()


def test_refused_while_enrolled_in_any_year(cast, rich):
    """Last year's enrolment still active (nothing ends one when a year is over): the school has
    not recorded the leaving, so there is no date to count from."""
    leave_school(cast.pupil_a1, RETENTION + 1)
    old_year = f.SchoolYearFactory(school=cast.school_a, name="2025–2026", is_current=False,
                                   start_date=datetime.date(2025, 9, 5), end_date=datetime.date(2026, 5, 31))
    f.enrol(cast.pupil_a1, f.ClassGroupFactory(school_year=old_year, name="9A1", grade=9),
            start_date=datetime.date(2025, 9, 5))
    assert anonymise.problem(cast.pupil_a1, cast.principal) is not None
    with pytest.raises(anonymise.CannotAnonymise):
        anonymise.anonymise(cast.pupil_a1, by=cast.principal)


def test_refused_for_anyone_but_the_pupils_schools_managers(cast, left):
    for name in ("other_school_admin", "teacher_a1", "homeroom_a1", "parent_a1", "stranger"):
        with pytest.raises(anonymise.CannotAnonymise):
            anonymise.anonymise(left, by=cast.users[name])
    assert not AnonymisationRecord.objects.exists()


def test_refused_before_the_retention_period(cast, rich):
    on = leave_school(cast.pupil_a1, RETENTION - 1)
    with pytest.raises(anonymise.CannotAnonymise) as refusal:
        anonymise.anonymise(cast.pupil_a1, by=cast.principal)
    assert f"{on + datetime.timedelta(days=RETENTION):%d/%m/%Y}" in str(refusal.value.message)
    assert not AnonymisationRecord.objects.exists()


def test_after_it_the_record_is_kept_and_the_rest_is_gone(cast, left, attachments_root, django_capture_on_commit_callbacks):
    pupil = left
    kept = {
        "scores": Score.objects.filter(student=pupil).count(),
        "conduct": ConductRating.objects.filter(student=pupil).count(),
        "term_comments": TermComment.objects.filter(student=pupil).count(),
        "attendance": AttendanceMark.objects.filter(student=pupil).count(),
        "cards": list(ReportCard.objects.filter(student=pupil).values_list("code", "fingerprint")),
        "leave": LeaveRequest.objects.filter(student=pupil).count(),
        "accesses": DataAccess.objects.filter(student=pupil).count(),
    }
    assert len(stored_files(attachments_root)) == 2  # this pupil's and the other's
    parent_phone = cast.parent_a1.phone

    with django_capture_on_commit_callbacks(execute=True):
        record = anonymise.anonymise(pupil, by=cast.principal, ip_address="203.0.113.7")

    # the school record
    pupil.refresh_from_db()
    assert (pupil.full_name, pupil.student_code, pupil.date_of_birth) == (
        cast.pupil_a1.full_name, cast.pupil_a1.student_code, cast.pupil_a1.date_of_birth)
    assert Score.objects.filter(student=pupil).count() == kept["scores"] > 0
    assert ConductRating.objects.filter(student=pupil).count() == kept["conduct"] > 0
    assert TermComment.objects.filter(student=pupil).count() == kept["term_comments"] > 0
    assert AttendanceMark.objects.filter(student=pupil).count() == kept["attendance"] > 0
    assert list(ReportCard.objects.filter(student=pupil).values_list("code", "fingerprint")) == kept["cards"]
    assert LeaveRequest.objects.filter(student=pupil).count() == kept["leave"]
    assert DataAccess.objects.filter(student=pupil).count() == kept["accesses"]
    # the rest
    assert pupil.card_id == ""
    assert not Message.objects.filter(thread__student=pupil).exists()
    assert not MessageAttachment.objects.filter(message__thread__student=pupil).exists()
    assert len(stored_files(attachments_root)) == 1  # the other pupil's file is still there
    assert not DailyComment.objects.filter(student=pupil).exists()
    assert not WeeklySummary.objects.filter(student=pupil).exists()
    assert not Notification.objects.filter(url__startswith=f"/phu-huynh/hoc-sinh/{pupil.pk}/").exists()
    assert not Notification.objects.filter(url__startswith=f"/giao-vien/tin-nhan/hoc-sinh/{pupil.pk}/").exists()
    assert set(LeaveRequest.objects.filter(student=pupil).values_list("reason", flat=True)) == {""}
    assert set(AttendanceMark.objects.filter(student=pupil).values_list("note", flat=True)) == {""}
    assert set(AttendanceMark.history.filter(student_id=pupil.pk).values_list("note", flat=True)) == {""}
    assert not CorrectionRequest.objects.filter(student=pupil).exists()
    assert not Guardianship.objects.filter(student=pupil).exists()
    # the guardian with no other child: closed
    parent = User.objects.get(pk=cast.parent_a1.pk)
    assert not parent.is_active and parent.phone is None and parent.email.endswith(".invalid")
    assert not parent.has_usable_password() and parent.full_name == anonymise.ANONYMOUS_NAME
    assert not User.objects.filter(phone=parent_phone).exists()
    assert not Guardian.objects.filter(user=parent).exists()
    # the other pupil untouched
    assert Message.objects.filter(thread__student=cast.pupil_a2).exists()
    assert User.objects.get(pk=cast.parent_a2.pk).is_active
    # the record
    assert (record.by, record.ip_address, record.student_code) == (cast.principal, "203.0.113.7", pupil.student_code)
    assert record.left_on == Enrolment.objects.get(student=pupil).end_date
    assert record.removed["messages"] == 1 and record.removed["attachments"] == 1
    assert record.removed["guardian_links"] == 1 and record.removed["guardian_accounts_closed"] == 1
    assert record.removed["daily_comments"] == 1 and record.removed["card_id"] == 1
    # and once is enough
    with pytest.raises(anonymise.CannotAnonymise):
        anonymise.anonymise(pupil, by=cast.principal)


def test_a_guardian_with_another_child_keeps_the_account(cast, rich, closed_term):
    """parent_of_two keeps their account (sibling_b), only the link to sibling_a1 goes."""
    leave_school(cast.sibling_a1, RETENTION + 1)
    anonymise.anonymise(cast.sibling_a1, by=cast.principal)
    parent = User.objects.get(pk=cast.parent_of_two.pk)
    assert parent.is_active and parent.phone == cast.parent_of_two.phone
    assert list(Guardianship.objects.filter(guardian__user=parent).values_list("student", flat=True)) == [cast.sibling_b.pk]


def test_a_failure_leaves_nothing_half_done(cast, left, attachments_root, django_capture_on_commit_callbacks):
    """The record is written last; an address the database refuses makes it fail after every
    removal, and every removal is rolled back."""
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DataError):
        anonymise.anonymise(left, by=cast.principal, ip_address="not-an-address")

    assert not AnonymisationRecord.objects.exists()
    assert Message.objects.filter(thread__student=left).count() == 1
    assert len(stored_files(attachments_root)) == 2
    assert Guardianship.objects.filter(student=left).exists()
    assert User.objects.get(pk=cast.parent_a1.pk).is_active
    assert Student.objects.get(pk=left.pk).card_id == "CARD-AN"
    assert DailyComment.objects.filter(student=left).exists()


def test_the_administration_asks_for_confirmation_then_anonymises(cast, client, left, django_capture_on_commit_callbacks):
    as_user(client, cast.principal)
    changelist = reverse("admin:privacy_leftpupil_changelist")
    listing = client.get(changelist)
    assert listing.status_code == 200 and left.student_code in listing.content.decode()
    assert cast.pupil_a2.student_code not in listing.content.decode()  # still enrolled

    confirm = client.post(changelist, {"action": "anonymise_pupils", "_selected_action": [left.pk]})
    assert confirm.status_code == 200 and f'data-pupil="{left.pk}"' in confirm.content.decode()
    assert not AnonymisationRecord.objects.exists()  # asked, not done

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(changelist, {"action": "anonymise_pupils", "_selected_action": [left.pk],
                                        "confirm_page": "1", "confirm": "on"})
    assert done.status_code == 302
    record = AnonymisationRecord.objects.get()
    assert record.by == cast.principal and record.ip_address == "127.0.0.1"
    assert client.get(reverse("admin:privacy_anonymisationrecord_change", args=[record.pk])).status_code == 200


def test_another_schools_manager_does_not_see_the_left_pupil(cast, client, left):
    as_user(client, cast.other_school_admin)
    changelist = reverse("admin:privacy_leftpupil_changelist")
    assert left.student_code not in client.get(changelist).content.decode()
    client.post(changelist, {"action": "anonymise_pupils", "_selected_action": [left.pk],
                             "confirm_page": "1", "confirm": "on"})
    assert not AnonymisationRecord.objects.exists()


def test_the_command_lists_the_pupils_due(cast, left):
    leave_school(cast.pupil_a2, RETENTION - 1)  # not yet due
    out = io.StringIO()
    call_command("privacy_due", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split("\t")[1] == left.student_code
    assert cast.pupil_a2.student_code not in out.getvalue()
    assert left.full_name not in out.getvalue()
    assert "1 pupil(s)" in lines[-1]
