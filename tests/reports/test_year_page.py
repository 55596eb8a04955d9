"""The year card laid out as the học bạ's year page (grades 6–12, Circular 22): learning and
conduct of term I, term II and the year, the total of sessions absent, the decision in the
official words, Khen thưởng, "Phê duyệt của Hiệu trưởng (Ký, ghi rõ họ tên và đóng dấu)", the
note naming the subject behind Article 9.3's adjustment, and who signs: the principal or, a
run's setting, a vice-principal "KT. HIỆU TRƯỞNG / PHÓ HIỆU TRƯỞNG". Read back from the PDF as
a parent reads it.

The cast's 10A1 has six scored subjects and one rated one (tests/reports/test_cards.py's
`subjects`), each cell 9 unless a test says otherwise.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from contactbook.models import Score, TermComment
from reports import pdf, runs
from reports.cards.selectors import cards_for, year_cards
from reports.models import Award, ReportCard, ReportRun
from school.exceptions import DomainError
from school.models import StaffMembership
from tests import factories as f
from tests.conftest import as_user
from tests.reports import test_cards
from tests.reports.test_cards import PE, card_of, grade_all, rate

pytestmark = pytest.mark.django_db

DEPUTY = "Đỗ Thị Phó"
# test_cards' fixtures: 10A1's subjects (six scored, Giáo dục thể chất rated) and two terms.
subjects, term1, term2 = test_cards.subjects, test_cards.term1, test_cards.term2


@pytest.fixture(autouse=True)
def reports_root(settings, tmp_path):
    settings.REPORTS_ROOT = tmp_path / "reports"
    return settings.REPORTS_ROOT


@pytest.fixture
def deputy(cast) -> StaffMembership:
    return f.StaffMembershipFactory(
        user=f.UserFactory(full_name=DEPUTY), school=cast.school_a,
        role=StaffMembership.Role.VICE_PRINCIPAL,
    )


def text_of(data: bytes) -> str:
    """The PDF's text with its line breaks and runs of spaces as single spaces."""
    pages = PdfReader(io.BytesIO(bytes(data))).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def render(card) -> str:
    [rendered] = pdf.render_cards([(card, "HOCBA2345A")])
    return text_of(rendered.pdf)


def _adjusted_year(cast, pupil, subjects, term1, term2):
    """Term I: every cell 9 and PE Đ → Tốt. Term II the same but PE CĐ: by Art. 9's table
    "at most one CĐ" is Đạt, two levels below the Tốt the pupil would have with PE Đ, so
    Art. 9.3 raises it to Khá because of PE alone. The year's PE is term II's (CĐ), so the
    year is Đạt by the table and Khá after the adjustment, too. Conduct Tốt then Khá: the
    year's is Khá (II Khá and I at least Đạt)."""
    grade_all(cast, pupil, subjects, term1, 9)
    grade_all(cast, pupil, subjects, term2, 9, **{PE: [False] * 4})
    rate(cast, pupil, term1, "Tốt")
    rate(cast, pupil, term2, "Khá")


def test_the_year_card_prints_the_hoc_ba_year_page(cast, subjects, term1, term2):
    pupil = cast.pupil_a1
    _adjusted_year(cast, pupil, subjects, term1, term2)
    f.attendance_mark(pupil, datetime.date(2026, 11, 2), status="excused", by=cast.homeroom_a1)
    f.attendance_mark(pupil, datetime.date(2026, 11, 3), status="excused", by=cast.homeroom_a1)
    f.attendance_mark(pupil, datetime.date(2027, 3, 2), status="unexcused", by=cast.homeroom_a1)
    TermComment.objects.create(
        student=pupil, term=term2, subject=None, text="Em chăm ngoan, tiến bộ.",
        author=cast.homeroom_a1,
    )
    Award.objects.create(
        student=pupil, school_year=cast.class_a1.school_year, kind=Award.Kind.ACHIEVEMENT,
        text="Giải Ba học sinh giỏi cấp tỉnh môn Toán", recorded_by=cast.principal,
        confirmed_by=cast.principal, confirmed_at=timezone.now(),
    )

    card = card_of(year_cards(cast.class_a1, cast.class_a1.school_year), pupil)

    assert (card.term1_learning, card.term2_learning, card.learning) == ("Tốt", "Khá", "Khá")
    assert (card.term1_conduct, card.term2_conduct, card.conduct) == ("Tốt", "Khá", "Khá")
    assert (card.learning_table_result, card.learning_adjusted_for) == ("Đạt", PE)
    assert card.promotion == "Được lên lớp"
    text = render(card)
    for expected in (
        "PHIẾU BÁO KẾT QUẢ HỌC TẬP CẢ NĂM",
        "Học kỳ I Học kỳ II Cả năm",
        "Kết quả học tập Tốt Khá Khá",
        "Kết quả rèn luyện Tốt Khá Khá",
        (
            "Kết quả học tập cả năm được điều chỉnh lên mức liền kề (khoản 3 Điều 9 Thông tư "
            f"22/2021/TT-BGDĐT): từ Đạt lên Khá, do kết quả đánh giá của môn {PE}."
        ),
        "Tổng số buổi nghỉ học: 3 (có phép 2, không phép 1)",
        "Kết quả xét lên lớp: Được lên lớp",
        "Khen thưởng: Giải Ba học sinh giỏi cấp tỉnh môn Toán",
        "Nhận xét của giáo viên chủ nhiệm: Em chăm ngoan, tiến bộ.",
        "Phê duyệt của Hiệu trưởng", "(Ký, ghi rõ họ tên và đóng dấu)", "Phạm Thị Hiệu",
    ):
        assert expected in text, expected
    assert "KT. HIỆU TRƯỞNG" not in text  # the principal signs: no "ký thay"


def test_the_adjustment_is_named_only_when_it_changed_the_result(cast, subjects, term1, term2):
    adjusted, plain = cast.pupil_a1, cast.sibling_a1
    _adjusted_year(cast, adjusted, subjects, term1, term2)
    # Every cell 8 and PE Đ: Tốt by the table itself.
    for term in (term1, term2):
        grade_all(cast, plain, subjects, term, 8)
        rate(cast, plain, term, "Tốt")

    found = year_cards(cast.class_a1, cast.class_a1.school_year)

    card = card_of(found, plain)
    assert (card.learning, card.learning_table_result, card.learning_adjusted_for) == ("Tốt", "", "")
    assert "điều chỉnh" not in render(card)
    assert f"do kết quả đánh giá của môn {PE}" in render(card_of(found, adjusted))


def test_a_year_card_before_the_years_end_prints_no_term_results(cast, subjects, term1, term2):
    # Term I complete, term II not graded: the year has no result, and the card keeps what it
    # printed before the year page existed (the terms are on their term cards), so its hash too.
    grade_all(cast, cast.pupil_a1, subjects, term1, 9)
    rate(cast, cast.pupil_a1, term1, "Tốt")

    card = card_of(year_cards(cast.class_a1, cast.class_a1.school_year), cast.pupil_a1)

    assert (card.learning, card.conduct) == ("", "")
    assert (card.term1_learning, card.term1_conduct, card.learning_adjusted_for) == ("", "", "")


def test_the_deputy_signs_for_the_principal_on_every_card_of_the_run(
    cast, client, subjects, term1, term2, deputy
):
    _adjusted_year(cast, cast.pupil_a1, subjects, term1, term2)
    as_user(client, cast.principal)
    response = client.post(reverse("reports:home"), {
        "truong": cast.school_a.pk, "period": f"{cast.class_a1.school_year_id}:ca-nam",
        "scope": "class", "class_group": cast.class_a1.pk, "grade": "", "deputy": deputy.pk,
    })
    run = ReportRun.objects.get()
    assert response.status_code == 302 and run.deputy == deputy
    assert run.status == ReportRun.Status.DONE

    stored = ReportCard.objects.get(student=cast.pupil_a1, term=None, superseded_at=None)
    text = text_of(stored.pdf)
    assert "Phê duyệt của Hiệu trưởng KT. HIỆU TRƯỞNG PHÓ HIỆU TRƯỞNG" in text
    assert DEPUTY in text and "Phạm Thị Hiệu" not in text
    # The family opening the card gets that card, not one re-issued under the principal.
    opened = runs.ensure_card(cast.pupil_a1, cast.class_a1, cast.class_a1.school_year, None)
    assert opened.pk == stored.pk
    # The run's page starts it again with the same signer.
    page = client.get(reverse("reports:run", args=[run.pk])).content.decode()
    assert f'name="deputy" value="{deputy.pk}"' in page


def test_a_deputy_signed_card_keeps_its_signer_each_time_it_is_opened_after_a_change(
    cast, subjects, term1, term2, deputy
):
    # A card re-rendered when opened has no run; the signer is the card's own, so the second
    # change is signed by the deputy as the first was.
    _adjusted_year(cast, cast.pupil_a1, subjects, term1, term2)
    run, _created = runs.start_run(
        user=cast.principal, school=cast.school_a, school_year=cast.class_a1.school_year,
        term=None, scope=ReportRun.Scope.CLASS, class_group=cast.class_a1, deputy=deputy,
    )
    year = cast.class_a1.school_year
    for value in ("8", "7"):
        Score.objects.filter(student=cast.pupil_a1, term=term2, value__isnull=False).update(
            value=Decimal(value)
        )
        opened = runs.ensure_card(cast.pupil_a1, cast.class_a1, year, None)
        assert opened.run_id is None and opened.deputy == deputy
        text = text_of(opened.pdf)
        assert "KT. HIỆU TRƯỞNG PHÓ HIỆU TRƯỞNG" in text and DEPUTY in text
    assert ReportCard.objects.filter(student=cast.pupil_a1, term=None).count() == 3


def test_a_deputy_signed_term_card_prints_kt_hieu_truong(cast, subjects, term1, deputy):
    grade_all(cast, cast.pupil_a1, subjects, term1, 9)

    card = card_of(
        cards_for(cast.class_a1, cast.class_a1.school_year, term1, deputy=DEPUTY), cast.pupil_a1
    )

    assert (card.principal, card.principal_signs_as) == (DEPUTY, "KT. HIỆU TRƯỞNG\nPHÓ HIỆU TRƯỞNG")
    text = render(card)
    assert "KT. HIỆU TRƯỞNG PHÓ HIỆU TRƯỞNG (Ký tên, đóng dấu)" in text  # the term card's form
    assert "Phê duyệt" not in text


@pytest.mark.parametrize("who", ["teacher", "other_school", "inactive"])
def test_a_signer_who_is_not_a_vice_principal_of_the_school_is_refused(
    cast, client, term1, deputy, who
):
    if who == "teacher":
        signer = StaffMembership.objects.get(user=cast.teacher_a1, school=cast.school_a)
    elif who == "other_school":
        signer = f.StaffMembershipFactory(
            school=cast.school_b, role=StaffMembership.Role.VICE_PRINCIPAL
        )
    else:
        signer = deputy
        StaffMembership.objects.filter(pk=deputy.pk).update(is_active=False)
    as_user(client, cast.principal)

    with translation.override("vi"):
        response = client.post(reverse("reports:home"), {
            "truong": cast.school_a.pk, "period": f"{term1.school_year_id}:1", "scope": "class",
            "class_group": cast.class_a1.pk, "grade": "", "deputy": signer.pk,
        }, HTTP_ACCEPT_LANGUAGE="vi")

    assert response.status_code == 400
    assert "Hãy chọn Hiệu trưởng hoặc một Phó Hiệu trưởng của trường." in response.content.decode()
    assert not ReportRun.objects.exists()
    # The service refuses it too, whoever calls it.
    signer.refresh_from_db()
    with translation.override("vi"), pytest.raises(DomainError) as refused:
        runs.start_run(
            user=cast.principal, school=cast.school_a, school_year=term1.school_year, term=term1,
            scope=ReportRun.Scope.CLASS, class_group=cast.class_a1, deputy=signer,
        )
    assert refused.value.field == "deputy"
    assert str(refused.value.message) == "Người ký thay Hiệu trưởng phải là Phó Hiệu trưởng của trường."
    assert not ReportRun.objects.exists()


def test_a_run_under_way_is_not_taken_over_by_another_signer(cast, term1, deputy):
    ReportRun.objects.create(
        school=cast.school_a, school_year=term1.school_year, term=term1,
        scope=ReportRun.Scope.CLASS, class_group=cast.class_a1, requested_by=cast.principal,
        status=ReportRun.Status.RUNNING,
    )

    with pytest.raises(DomainError) as refused:
        runs.start_run(
            user=cast.principal, school=cast.school_a, school_year=term1.school_year, term=term1,
            scope=ReportRun.Scope.CLASS, class_group=cast.class_a1, deputy=deputy,
        )

    assert refused.value.field == "deputy"
    assert ReportRun.objects.get().deputy is None


def test_who_signs_costs_no_query(cast, subjects, term1, term2, django_assert_num_queries):
    for pupil in (cast.pupil_a1, cast.sibling_a1):
        _adjusted_year(cast, pupil, subjects, term1, term2)
    year = cast.class_a1.school_year

    with django_assert_num_queries(15):  # as tests/reports/test_cards.py pins it
        signed = year_cards(cast.class_a1, year, deputy=DEPUTY)
    with django_assert_num_queries(9):
        cards_for(cast.class_a1, year, term1, deputy=DEPUTY)

    assert {c.principal for c in signed} == {DEPUTY}
    assert all(c.learning_adjusted_for == PE for c in signed)

