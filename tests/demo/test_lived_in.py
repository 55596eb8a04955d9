"""The demo a newcomer opens looks lived in: the parent of two has messages, a weekly summary
and last year's card to open; the verification page verifies a demo card; the smart
classrooms have boards and kiosks, and the kiosk token seed_demo prints works against the
check-in API. Seeding again changes no row count.

Seeded once for the module in a transaction rolled back at the end, as test_seed_demo.py does.
"""

import io
import re
import uuid

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from contactbook.models import (
    Announcement,
    AnnouncementRead,
    LeaveRequest,
    MessageAttachment,
    Notification,
    SummaryAcknowledgement,
    WeeklySummary,
)
from reports.models import Award, ReportCard
from school.models import ClassroomDevice, Room, Student
from tests.clients import Client

pytestmark = pytest.mark.django_db

UPPER, PRIMARY = "thpt-ha-long", "th-tran-hung-dao"
PARENT_OF_TWO, PARENT_10A2, HOMEROOM_10A1 = "0987000001", "0987000002", "0901000011"
TOKEN_LINE = re.compile(r"^\s+([A-Za-z0-9_-]{43})$", re.MULTILINE)


def run_seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Every table of our apps (and Wagtail's pages), by model."""
    labels = {"accounts", "school", "lms", "contactbook", "devices", "reports", "wagtailcore"}
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in labels and not model._meta.proxy
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield {"output": run_seed()}
        transaction.set_rollback(True)


def client_of(phone: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(phone=phone))
    return client


def child(parent_phone: str, school_code: str) -> Student:
    return Student.objects.get(
        guardianships__guardian__user__phone=parent_phone, school__code=school_code
    )


def test_the_parent_of_two_has_messages_news_and_a_summary(seeded):
    client = client_of(PARENT_OF_TWO)
    home = client.get(reverse("contactbook:portal_home")).content.decode()
    assert "Chúc Khôi mau khỏe!" in home  # the latest message, from his homeroom teacher
    khoi = child(PARENT_OF_TWO, UPPER)
    thread = client.get(reverse("contactbook:parent_messages", args=[khoi.pk]))
    assert thread.status_code == 200
    attachment = MessageAttachment.objects.get(message__thread__student=khoi)
    assert attachment.original_name in thread.content.decode()
    assert attachment.content_type == "application/pdf"
    mother = User.objects.get(phone=PARENT_OF_TWO)
    assert Notification.objects.filter(recipient=mother, read_at=None).count() >= 5
    summaries = WeeklySummary.objects.filter(student=khoi).order_by("week_start")
    older, latest = summaries
    assert SummaryAcknowledgement.objects.filter(summary=older, user=mother).exists()
    assert not SummaryAcknowledgement.objects.filter(summary=latest).exists()
    page = client.get(reverse("contactbook:summary_detail", args=[latest.pk]))
    assert page.status_code == 200


def test_the_teacher_has_leave_requests_in_every_state_and_read_receipts(seeded):
    statuses = set(
        LeaveRequest.objects.filter(student__school__code__in=(UPPER, PRIMARY))
        .values_list("status", flat=True)
    )
    assert statuses == set(LeaveRequest.Status.values)
    khoi = child(PARENT_OF_TWO, UPPER)
    assert LeaveRequest.objects.get(student=khoi).status == LeaveRequest.Status.PENDING
    for announcement in Announcement.objects.filter(school__code__in=(UPPER, PRIMARY)):
        readers = AnnouncementRead.objects.filter(announcement=announcement).exclude(
            user=announcement.author
        )
        assert readers.count() > 10, announcement.title
    client = client_of(HOMEROOM_10A1)
    page = client.get(reverse("contactbook:teacher_thread", args=[khoi.pk]))
    assert page.status_code == 200 and "giấy khám" in page.content.decode()


def test_the_parent_opens_last_years_card_of_her_daughter(seeded):
    ngoc = child(PARENT_OF_TWO, PRIMARY)
    client = client_of(PARENT_OF_TWO)
    cards = client.get(reverse("reports:student_cards", args=[ngoc.pk]))
    assert cards.status_code == 200 and "2025–2026" in cards.content.decode()
    card = ReportCard.objects.get(student=ngoc, term=None, superseded_at=None)
    assert card.run_id is not None and not card.class_group.school_year.is_current
    url = reverse("reports:student_year_card", args=[ngoc.pk])
    pdf = client.get(url, {"nam-hoc": card.school_year_id})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert ReportCard.objects.filter(student=ngoc, term=None).count() == 1  # the issued one


def test_last_years_cards_carry_the_class_s_awards(seeded):
    """Khen thưởng in the demo: a confirmed Học sinh Tiêu biểu and an award for an
    achievement, printed on the issued year cards."""
    from reports.cards.selectors import year_cards

    last_year = Award.objects.filter(student__school__code=PRIMARY)
    assert {a.kind for a in last_year if a.confirmed} == {Award.Kind.TIEU_BIEU,
                                                          Award.Kind.ACHIEVEMENT}
    group = ReportCard.objects.filter(student__school__code=PRIMARY, term=None).first().class_group
    cards = year_cards(group, group.school_year)
    assert any(c.award.startswith("Học sinh Tiêu biểu") for c in cards)
    assert any(c.awards == ("Giải Nhì Hội thi Viết chữ đẹp cấp phường",) for c in cards)


def test_the_verification_page_verifies_a_demo_card(seeded):
    card = ReportCard.objects.filter(student__school__code=PRIMARY).first()
    page = Client().get(reverse("reports:verify", args=[card.code]))
    assert page.status_code == 200
    assert card.fingerprint in page.content.decode()


def test_the_smart_rooms_have_boards_and_the_printed_kiosk_token_works(seeded):
    smart = Room.objects.filter(school__code__in=(UPPER, PRIMARY), is_smart=True)
    boards = ClassroomDevice.objects.filter(kind=ClassroomDevice.Kind.BOARD)
    assert set(boards.values_list("room_id", flat=True)) == set(smart.values_list("pk", flat=True))
    assert ClassroomDevice.objects.filter(kind=ClassroomDevice.Kind.KIOSK).count() >= 5
    (token,) = TOKEN_LINE.findall(seeded["output"])
    khoi = child(PARENT_OF_TWO, UPPER)
    answer = _check_in(token, khoi.card_id)
    assert answer.status_code == 200, answer.content
    assert answer.json()["accepted"] == 1


def _check_in(token: str, card_id: str):
    event = {"event_id": str(uuid.uuid4()), "card_id": card_id,
             "occurred_at": timezone.localtime().isoformat()}
    return Client().post(
        "/api/devices/check-ins", {"events": [event]}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_demo_kiosk_token_issues_a_fresh_token_and_retires_the_printed_one(seeded):
    (printed,) = TOKEN_LINE.findall(seeded["output"])
    out = io.StringIO()
    call_command("demo_kiosk_token", stdout=out)
    fresh = out.getvalue().strip()
    card = child(PARENT_OF_TWO, UPPER).card_id
    assert _check_in(fresh, card).status_code == 200
    assert _check_in(printed, card).status_code == 401


def test_seeding_twice_changes_no_row_count(seeded):
    before = row_counts()
    assert "Dữ liệu mẫu đã có — không thay đổi gì." in run_seed()
    assert row_counts() == before


def test_reset_starts_the_lived_in_demo_afresh(seeded):
    before = row_counts()
    output = run_seed("--reset")
    assert "Đã xoá dữ liệu mẫu cũ" in output and len(TOKEN_LINE.findall(output)) == 1
    after = row_counts()
    # The demo's own rows come back as they were. Left out: the outbox's deliveries (sent or
    # waiting depends on the hour: SMS go out 7:00–22:00) and the audit logs that outlive what
    # they record (Wagtail's page log, history rows).
    kept = ("contactbook.Delivery", "wagtailcore.PageLogEntry", "wagtailcore.ModelLogEntry")
    same = {k for k in before if not k.startswith(kept) and ".Historical" not in k}
    assert {k: after[k] for k in same} == {k: before[k] for k in same}
