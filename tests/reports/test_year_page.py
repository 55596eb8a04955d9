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

import pytest
from django.utils import timezone
from pypdf import PdfReader

from contactbook.models import TermComment
from reports import pdf
from reports.cards.selectors import year_cards
from reports.models import Award
from tests import factories as f
from tests.reports import test_cards
from tests.reports.test_cards import PE, card_of, grade_all, rate

pytestmark = pytest.mark.django_db

# test_cards' fixtures: 10A1's subjects (six scored, Giáo dục thể chất rated) and two terms.
subjects, term1, term2 = test_cards.subjects, test_cards.term1, test_cards.term2


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

