"""Every field one person types and another reads, with every payload of the battery, checked
on the page the reader opens: no element, handler or URL the payload tried to make, and the
payload there as text. Typed through the door where there is one (a form post), stored
directly where the door is another person's admin work (names, term comments)."""

# ruff: noqa: F811 (pytest fixtures imported from sibling test modules are parameters here)

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contactbook import summaries
from contactbook.models import DailyComment, LeaveRequest, Message, TermComment, WeeklySummary
from reports import pdf
from reports.cards.selectors import term_cards
from school import imports
from school.models import Student
from tests import factories as f
from tests.contactbook.attendance_support import TODAY, now_fixture, term_one  # noqa: F401
from tests.security.payloads import NUL, PAYLOADS, live_markup, text_of

pytestmark = pytest.mark.django_db


def assert_all_text(html: str, payloads=PAYLOADS, *, visible=True) -> None:
    """No live markup in `html`, and each payload's visible part there as text."""
    assert live_markup(html) == []
    if visible:
        shown = text_of(html)
        missing = [
            p.name for p in payloads if p.visible and " ".join(p.visible.split()) not in shown
        ]
        assert missing == []


def name_parts(text: str) -> dict:
    """`text` as family, middle and given names (at most 50, 80 and 50 characters): the
    payload a pupil's name can hold, cut where the parts meet."""
    n = len(text)
    if n <= 50:
        family, middle, given = "Trần", "", text
    elif n <= 100:
        family, middle, given = text[:50], "", text[50:]
    else:
        family, middle, given = text[:50], text[50:n - 50], text[n - 50:]
    return {"family_name": family, "middle_name": middle, "given_name": given}


# --- names ----------------------------------------------------------------------------------


@pytest.fixture
def named(cast):
    """A pupil of 10A1 and a guardian per payload, both named with it."""
    pairs = []
    for payload in PAYLOADS:
        student = f.StudentFactory(school=cast.school_a, **name_parts(payload.text))
        f.enrol(student, cast.class_a1)
        guardian = f.UserFactory(full_name=payload.text)
        f.link_guardian(guardian, student)
        pairs.append((payload, student, guardian))
    return pairs


def test_pupils_and_guardians_names_are_text_on_the_class_page(cast, named, client):
    client.force_login(cast.homeroom_a1)  # the homeroom teacher sees the guardians too
    page = client.get(reverse("school:class_detail", args=[cast.class_a1.pk])).content.decode()
    assert_all_text(page, visible=False)
    shown = text_of(page)
    for payload, student, guardian in named:
        assert student.full_name in shown and " ".join(guardian.full_name.split()) in shown


def test_a_childs_name_is_text_on_the_parents_portal(cast, named, client):
    for payload, student, guardian in named:
        client.force_login(guardian)
        response = client.get(reverse("contactbook:portal_child", args=[student.pk]))
        assert response.status_code == 200
        assert live_markup(response.content.decode()) == [], payload.name
        assert student.given_name in text_of(response.content.decode()), payload.name


# --- messages, both ways --------------------------------------------------------------------


@pytest.fixture
def attachments(settings, tmp_path):
    settings.MESSAGE_ATTACHMENTS_ROOT = tmp_path / "attachments"


def test_messages_are_text_in_the_thread_both_ways(cast, client, attachments):
    parent_url = reverse("contactbook:parent_messages", args=[cast.pupil_a1.pk])
    teacher_url = reverse("contactbook:teacher_thread", args=[cast.pupil_a1.pk])
    for payload in PAYLOADS:
        client.force_login(cast.parent_a1)
        assert client.post(parent_url, {"body": payload.text}).status_code == 302, payload.name
        client.force_login(cast.teacher_a1)
        assert client.post(teacher_url, {"body": payload.text}).status_code == 302, payload.name
    assert Message.objects.count() == 2 * len(PAYLOADS)
    client.force_login(cast.teacher_a1)
    assert_all_text(client.get(teacher_url).content.decode())
    lists = (reverse("contactbook:teacher_messages"), reverse("contactbook:notification_inbox"))
    for url in lists:
        assert_all_text(client.get(url).content.decode(), visible=False)
    client.force_login(cast.parent_a1)
    assert_all_text(client.get(parent_url).content.decode())
    inbox = client.get(reverse("contactbook:notification_inbox"))
    assert_all_text(inbox.content.decode(), visible=False)


def test_a_message_with_nul_is_refused_and_stores_nothing(cast, client, attachments):
    client.force_login(cast.parent_a1)
    url = reverse("contactbook:parent_messages", args=[cast.pupil_a1.pk])
    response = client.post(url, {"body": NUL.text})
    assert response.status_code == 400 and response.context["form"].errors["body"]
    assert not Message.objects.exists() and live_markup(response.content.decode()) == []


# --- daily comments, announcements, leave ---------------------------------------------------


def test_a_teachers_daily_comments_are_text_on_the_parents_pages(cast, client, now):
    client.force_login(cast.teacher_a1)
    url = reverse("contactbook:class_comments", args=[cast.class_a1.pk])
    for payload in PAYLOADS:
        data = {"students": [cast.pupil_a1.pk], "kind": "praise", "text": payload.text}
        assert client.post(url, data).status_code == 302, payload.name
    assert DailyComment.objects.count() == len(PAYLOADS)
    client.force_login(cast.parent_a1)
    pupil = cast.pupil_a1.pk
    comments = client.get(reverse("contactbook:pupil_comments", args=[pupil]))
    assert_all_text(comments.content.decode())
    portal = client.get(reverse("contactbook:portal_child", args=[pupil]))
    assert_all_text(portal.content.decode(), visible=False)
    # The week's summary that carries them.
    summaries.create_weekly_summaries(
        school_id=cast.school_a.pk, start=summaries.week_start(TODAY), student_ids=[pupil]
    )
    summary = WeeklySummary.objects.get(student_id=pupil)
    page = client.get(reverse("contactbook:summary_detail", args=[summary.pk]))
    assert page.status_code == 200
    assert_all_text(page.content.decode())


def test_announcements_title_and_body_are_text_for_parents(cast, client, now):
    client.force_login(cast.homeroom_a1)
    for payload in PAYLOADS:
        response = client.post(reverse("contactbook:new_announcement"), {
            "target": f"class-{cast.class_a1.pk}", "title": payload.text, "body": payload.text,
        })
        assert response.status_code == 302, payload.name
    client.force_login(cast.parent_a1)
    listed = client.get(reverse("contactbook:announcements"))
    assert_all_text(listed.content.decode(), visible=False)
    for item in listed.context["announcements"]:
        page = client.get(reverse("contactbook:announcement", args=[item.pk])).content.decode()
        assert live_markup(page) == []
        assert item.title in text_of(page) and item.body in text_of(page)
    assert len(listed.context["announcements"]) == len(PAYLOADS)


def test_leave_reasons_and_answers_are_text_for_the_other_side(cast, client, now):
    term_one(cast.class_a1.school_year)
    client.force_login(cast.parent_a1)
    ask_url = reverse("contactbook:pupil_leave", args=[cast.pupil_a1.pk])
    for number, payload in enumerate(PAYLOADS):
        day = (TODAY + datetime.timedelta(days=number)).isoformat()
        data = {"start_date": day, "end_date": day, "sessions": "both", "reason": payload.text}
        assert client.post(ask_url, data).status_code == 302, payload.name
    client.force_login(cast.homeroom_a1)
    class_leave = client.get(reverse("contactbook:class_leave", args=[cast.class_a1.pk]))
    assert_all_text(class_leave.content.decode())
    for leave, payload in zip(LeaveRequest.objects.order_by("start_date"), PAYLOADS):
        answer = {"action": "approve", "note": payload.text}
        client.post(reverse("contactbook:decide_leave", args=[leave.pk]), answer)
    assert LeaveRequest.objects.filter(status="approved").count() == len(PAYLOADS)
    client.force_login(cast.parent_a1)
    assert_all_text(client.get(ask_url).content.decode())


# --- an imported pupil file ------------------------------------------------------------------


def test_names_from_an_imported_file_are_text_on_the_class_page(cast, client):
    header = ["Mã học sinh", "Họ", "Tên đệm", "Tên", "Ngày sinh", "Giới tính", "Lớp",
              "Họ tên phụ huynh", "SĐT phụ huynh", "Quan hệ"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for number, payload in enumerate(PAYLOADS):
        parts = name_parts(payload.text)
        writer.writerow([f"07700000{number:02d}", parts["family_name"], parts["middle_name"],
                         parts["given_name"], "14/03/2010", "Nữ", "10A2", payload.text,
                         f"0977 000 {number:03d}", "Mẹ"])
    upload = SimpleUploadedFile("hoc-sinh.csv", out.getvalue().encode("utf-8-sig"), "text/csv")
    outcome = imports.run_import(
        school=cast.school_a, uploaded_file=upload, user=cast.principal, dry_run=False
    )
    assert outcome.errors == []
    client.force_login(cast.principal)
    page = client.get(reverse("school:class_detail", args=[cast.class_a2.pk])).content.decode()
    assert_all_text(page, visible=False)
    shown = text_of(page)
    imported = Student.objects.filter(student_code__startswith="07700000")
    assert imported.count() == len(PAYLOADS)
    # Stored as typed (the import drops invisible characters such as U+200B), shown as text.
    for student in imported.prefetch_related("guardianships__guardian__user"):
        assert student.full_name in shown
        assert all(g.guardian.user.full_name in shown for g in student.guardianships.all())
    assert sum("<script>" in s.full_name for s in imported) >= 3


# --- the report card (WeasyPrint) -------------------------------------------------------------


def test_report_card_comments_and_names_are_text_in_what_weasyprint_reads(cast):
    term = term_one(cast.class_a1.school_year)
    pupils = []
    for payload in PAYLOADS:
        pupil = f.StudentFactory(school=cast.school_a, **name_parts(payload.text))
        f.enrol(pupil, cast.class_a1)
        TermComment.objects.create(student=pupil, term=term, subject=cast.math, text=payload.text,
                                   author=cast.teacher_a1)
        TermComment.objects.create(student=pupil, term=term, subject=None, text=payload.text,
                                   author=cast.homeroom_a1)
        f.score(pupil, cast.math, term, value="8", kind="regular", index=1, by=cast.teacher_a1)
        pupils.append((payload, pupil))
    by_id = {card.student_id: card for card in term_cards(cast.class_a1, term)}
    for payload, pupil in pupils:
        card = by_id[pupil.pk]
        assert card.homeroom_comment == payload.text
        html = pdf.card_html([(card, "MA-KIEM-TRA")])
        assert live_markup(html) == [], payload.name
        shown = text_of(html)
        assert pupil.given_name in shown, payload.name
        assert payload.visible is None or payload.visible in shown, payload.name


def test_a_printed_card_shows_a_payload_as_its_letters(cast):
    from pypdf import PdfReader

    term = term_one(cast.class_a1.school_year)
    payload = PAYLOADS[0]  # <script>alert('XSS')</script>
    TermComment.objects.create(student=cast.pupil_a1, term=term, subject=None, text=payload.text,
                               author=cast.homeroom_a1)
    card = next(
        c for c in term_cards(cast.class_a1, term) if c.student_id == cast.pupil_a1.pk
    )
    rendered = pdf.render_cards([(card, "MA-KIEM-TRA")])[0]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(rendered.pdf)).pages)
    assert payload.text in "".join(text.split())  # the letters, on the paper
