"""A guardian downloads everything held about their child: every kind of data in it, nothing
of another child, other guardians' contacts left out, drafts left out, a fixed number of
queries, a readable Vietnamese PDF, the download recorded, and only the child's guardians let
in."""

import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from contactbook.models import ConductRating, TermComment
from privacy.export import build_export
from school.models import DataAccess, StaffMembership
from tests import factories as f
from tests.conftest import as_user, assert_cast
from tests.privacy.conftest import fill

pytestmark = pytest.mark.django_db


def page_url(student):
    return reverse("privacy:child_data", args=[student.pk])


def json_url(student):
    return reverse("privacy:child_data_json", args=[student.pk])


def pdf_url(student):
    return reverse("privacy:child_data_pdf", args=[student.pk])


def download_json(client, student) -> dict:
    response = client.get(json_url(student))
    assert response.status_code == 200, response.status_code
    return json.loads(b"".join(response.streaming_content) if response.streaming else response.content)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_export_holds_every_kind_of_data_about_the_child(cast, client, rich, other):
    data = download_json(as_user(client, cast.parent_a1), cast.pupil_a1)
    text = json.dumps(data, ensure_ascii=False)

    assert data["pupil"]["student_code"] == cast.pupil_a1.student_code
    assert data["pupil"]["date_of_birth"] == cast.pupil_a1.date_of_birth.isoformat()
    assert [e["class"] for e in data["enrolments"]] == ["10A1"]
    assert [s["value"] for s in data["scores"]] == [rich.score]
    assert [c["conduct"] for c in data["conduct"]] == ["Tốt"]
    assert [c["text"] for c in data["term_comments"]] == [rich.term_comment]
    assert len(data["attendance"]) == 1 and "Khám bệnh AnMot" in data["attendance"][0]["note"]
    assert [c["text"] for c in data["daily_comments"]] == [rich.daily_comment]
    assert [(m["text"], m["attachments"]) for m in data["messages"]] == [(rich.message, [rich.attachment])]
    assert rich.notification in [n["title"] for n in data["notifications"]]
    assert [r["reason"] for r in data["leave_requests"]] == [rich.leave_reason]
    assert [w["content"] for w in data["weekly_summaries"]] == [{"note": rich.summary}]
    card = data["report_cards"][0]
    assert card["code"].startswith(rich.card_code) and card["sha256"] == "b" * 64
    assert card["verify"] == f"/verify/{card['code']}/"
    opened = [a for a in data["data_accesses"] if a["what"] and a["who"] == cast.principal.full_name]
    assert opened and opened[0]["role"] == StaffMembership.Role.PRINCIPAL.label
    # nothing of the other child of the class
    for tag in ("BinhHai", cast.pupil_a2.full_name, cast.parent_a2.full_name):
        assert tag not in text


def test_a_year_comment_is_exported_as_the_whole_years(cast, client, rich):
    term2 = f.TermFactory(
        school_year=cast.class_a1.school_year, number=2,
        start_date=datetime.date(2027, 1, 18), end_date=datetime.date(2027, 5, 25),
        closed_at=timezone.now(), closed_by=cast.principal,
    )
    for whole_year, text in ((False, "Học kỳ II tiến bộ."), (True, "Cả năm chăm chỉ.")):
        TermComment.objects.create(student=cast.pupil_a1, term=term2, subject=cast.math,
                                   whole_year=whole_year, text=text, author=cast.teacher_a1)

    data = download_json(as_user(client, cast.parent_a1), cast.pupil_a1)

    assert [(c["term"], c["subject"], c["text"]) for c in data["term_comments"]] == [
        ("Học kỳ I", "", rich.term_comment),
        ("Học kỳ II", cast.math.name, "Học kỳ II tiến bộ."),
        ("Cả năm", cast.math.name, "Cả năm chăm chỉ."),
    ]


def test_other_guardians_are_named_without_their_contacts(cast, client, rich):
    father = f.UserFactory(full_name="Trần Văn Cha", phone="0912345678", email="cha@example.vn")
    f.link_guardian(father, cast.pupil_a1, relationship="father")
    data = download_json(as_user(client, cast.parent_a1), cast.pupil_a1)

    guardians = {g["name"]: g for g in data["guardians"]}
    assert set(guardians["Trần Văn Cha"]) == {"name", "relationship", "is_you"}
    assert guardians[cast.parent_a1.full_name]["phone"] == cast.parent_a1.phone
    assert "0912345678" not in json.dumps(data) and "cha@example.vn" not in json.dumps(data)


def test_drafts_and_others_notifications_are_left_out(cast, client, rich, closed_term):
    f.score(cast.pupil_a1, cast.math, closed_term, value="2", index=9, published=False)
    open_term = f.TermFactory(school_year=cast.class_a1.school_year, number=2,
                              start_date=datetime.date(2026, 11, 20), end_date=datetime.date(2027, 5, 25))
    ConductRating.objects.create(student=cast.pupil_a1, term=open_term, rating="Khá", updated_by=cast.homeroom_a1)
    data = download_json(as_user(client, cast.parent_a1), cast.pupil_a1)

    assert [s["value"] for s in data["scores"]] == [rich.score]
    assert [c["conduct"] for c in data["conduct"]] == ["Tốt"]


def test_the_export_runs_a_fixed_number_of_queries(cast, closed_term, django_assert_num_queries):
    fill(cast, cast.pupil_a1, cast.parent_a1, "Mot", closed_term)
    student = cast.pupil_a1
    with django_assert_num_queries(17):
        small = build_export(student, cast.parent_a1)
    fill(cast, cast.pupil_a2, cast.parent_a2, "Nhieu", closed_term, extra=6)
    with django_assert_num_queries(17):
        big = build_export(cast.pupil_a2, cast.parent_a2)
    assert len(big.data["messages"]) == 7 and len(small.data["messages"]) == 1


def test_the_download_pages_run_a_fixed_number_of_queries(cast, client, rich, django_assert_num_queries):
    as_user(client, cast.parent_a1)
    client.get(json_url(cast.pupil_a1))  # warm the session
    # session, user, the door, the access record, and the export's 17
    with django_assert_num_queries(21):
        assert client.get(json_url(cast.pupil_a1)).status_code == 200
    with django_assert_num_queries(5):  # session, user, the door, the requests, the navigation
        assert client.get(page_url(cast.pupil_a1)).status_code == 200


def test_the_pdf_is_readable_vietnamese(cast, client, rich):
    response = as_user(client, cast.parent_a1).get(pdf_url(cast.pupil_a1))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "DỮ LIỆU CÁ NHÂN CỦA HỌC SINH" in text
    assert cast.pupil_a1.full_name in text
    assert rich.daily_comment in text and rich.attachment in text
    assert "Ai đã xem hoặc xuất dữ liệu của học sinh" in text


def test_downloads_are_private_attachments_with_an_ascii_name_and_recorded(cast, client, rich):
    as_user(client, cast.parent_a1)
    before = timezone.now()
    for url, extension in ((json_url(cast.pupil_a1), "json"), (pdf_url(cast.pupil_a1), "pdf")):
        response = client.get(url)
        assert response["Cache-Control"] == "private, no-store"
        disposition = response["Content-Disposition"]
        assert disposition.startswith('attachment; filename="du-lieu-ca-nhan-')
        assert disposition.endswith(f'.{extension}"') and disposition.isascii()
    records = DataAccess.objects.filter(action="personal_data", student=cast.pupil_a1, at__gte=before)
    assert sorted(records.values_list("detail", flat=True)) == ["json", "pdf"]
    assert {r.user_id for r in records} == {cast.parent_a1.pk}
    # the next export lists those downloads, by the guardian, among the accesses
    data = download_json(client, cast.pupil_a1)
    with translation.override("vi"):
        role = str(gettext("Parent or guardian"))
    assert {"who": cast.parent_a1.full_name, "role": role}.items() <= data["data_accesses"][-1].items()
    assert as_user(client, cast.parent_a1).get(page_url(cast.pupil_a1))["Cache-Control"] == "private, no-store"


def test_only_the_childs_guardians_may_open_the_page_and_the_files(cast, client):
    def opens(user):
        as_user(client, user)
        statuses = {client.get(url(cast.pupil_a1)).status_code for url in (page_url, json_url, pdf_url)}
        assert statuses <= {200, 302, 404}, statuses
        return statuses == {200}

    assert_cast(cast, opens, {"parent_a1"})


def test_a_parent_of_two_downloads_each_child_but_no_other(cast, client):
    as_user(client, cast.parent_of_two)
    assert client.get(json_url(cast.sibling_a1)).status_code == 200
    assert client.get(json_url(cast.sibling_b)).status_code == 200  # another school: still theirs
    assert client.get(json_url(cast.pupil_a1)).status_code == 404
    assert not DataAccess.objects.filter(student=cast.pupil_a1).exists()


def test_the_portal_links_to_the_page(cast, client):
    response = as_user(client, cast.parent_a1).get(reverse("contactbook:portal_child", args=[cast.pupil_a1.pk]))
    assert page_url(cast.pupil_a1).encode() in response.content
