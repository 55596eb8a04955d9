"""Report cards of grades 1–5 (Circular 27/2020; reports/cards/, the PDF, the runs): each
subject's rating in words and its written tests, comments, the qualities and competencies, no
average and no rank; the year result and whether the grade is completed, blank with the reason
while something is missing; published cells only; pinned query counts; a real PDF read back;
a run for a primary class.

The cast's 3A (grade 3 of the primary school B, pupil Dũng) gets Tiếng Việt and Toán (both
with end-of-term tests) and Đạo đức (no test), taught by its class teacher.
"""

import datetime
import hashlib
import io
import json
from dataclasses import asdict, replace

import pytest
from pypdf import PdfReader

from contactbook import qualities
from contactbook.models import AttendanceMark, QualityRating, Score, TermComment
from reports import pdf, runs
from reports.cards.model import Card, QualityGroup, QualityLine, SubjectLine
from reports.cards.primary import _ITEM_NAMES, QUALITY_GROUPS
from reports.cards.selectors import cards_for, term_cards, year_cards
from reports.models import ReportCard, ReportFile, ReportRun
from school.models import StaffMembership, Subject
from tests import factories as f

pytestmark = pytest.mark.django_db

PRIMARY = Subject.Assessment.PRIMARY
MID, END, MIDTEST, ENDTEST = (
    Score.Kind.MIDTERM, Score.Kind.FINAL, Score.Kind.MIDTERM_TEST, Score.Kind.FINAL_TEST,
)
TESTED = ("Tiếng Việt", "Toán")
IN_ORDER = ["Tiếng Việt", "Toán", "Đạo đức"]  # the programme's order (grades 1–5)


@pytest.fixture
def term1(cast):
    return f.TermFactory(
        school_year=cast.class_b.school_year, number=1,
        start_date=datetime.date(2026, 9, 5), end_date=datetime.date(2027, 1, 15),
    )


@pytest.fixture
def term2(cast, term1):
    return f.TermFactory(
        school_year=cast.class_b.school_year, number=2,
        start_date=datetime.date(2027, 1, 18), end_date=datetime.date(2027, 5, 25),
    )


@pytest.fixture
def teacher(cast):
    """3A's class teacher (giáo viên chủ nhiệm), who teaches its subjects; and the school's
    principal, who signs."""
    teacher = f.UserFactory(full_name="Lương Thị Lớp Ba")
    f.StaffMembershipFactory(user=teacher, school=cast.school_b, role=StaffMembership.Role.TEACHER)
    cast.class_b.homeroom_teacher = teacher
    cast.class_b.save()
    principal = f.UserFactory(full_name="Đinh Văn Hiệu")
    f.StaffMembershipFactory(
        user=principal, school=cast.school_b, role=StaffMembership.Role.PRINCIPAL
    )
    return teacher


def _subject(cast, teacher, class_group, name, *, test, periods=70):
    subject = f.SubjectFactory(
        school=cast.school_b, name=name, assessment=PRIMARY, periods_per_year=periods,
        has_primary_test=test,
    )
    f.TeachingAssignmentFactory(teacher=teacher, class_group=class_group, subject=subject)
    return subject


@pytest.fixture
def subjects(cast, teacher) -> dict[str, Subject]:
    return {
        name: _subject(cast, teacher, cast.class_b, name, test=name in TESTED)
        for name in ("Tiếng Việt", "Toán", "Đạo đức")
    }


def cell(pupil, subject, term, kind, *, rating=None, value=None, published=True, by=None):
    return f.score(
        pupil, subject, term, kind=kind, value=None if value is None else str(value),
        rating=rating, published=published, by=by,
    )


def rate_qualities(pupil, term, by, rating="T", period=QualityRating.Period.FINAL):
    """Every quality and competency rated `rating` ("T", "Đ" or "C") by the class teacher."""
    QualityRating.objects.bulk_create(
        QualityRating(
            student=pupil, term=term, period=period, item=item, rating=rating, updated_by=by
        )
        for item in qualities.ITEMS
    )


def complete(pupil, subjects, term, by, *, rating="T", tests=(9, 9), quality="T", **overrides):
    """Every subject's end-of-term rating, every test and every quality, all published:
    `rating` in each subject unless `overrides` names it ({"Toán": "H"}), `tests` for Tiếng
    Việt and Toán in that order."""
    scores = dict(zip(TESTED, tests))
    for name, subject in subjects.items():
        cell(pupil, subject, term, END, rating=overrides.get(name, rating), by=by)
        if name in scores:
            cell(pupil, subject, term, ENDTEST, value=scores[name], by=by)
    rate_qualities(pupil, term, by, quality)


def card_of(card_list, pupil):
    return next(c for c in card_list if c.student_id == pupil.pk)


def line(card, name):
    return next(s for s in card.subjects if s.subject == name)


def printed(card) -> str:
    return json.dumps(asdict(card), ensure_ascii=False, default=str)


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


# ---------------------------------------------------------------------------------------
# Term cards
# ---------------------------------------------------------------------------------------


def test_a_term_card_shows_ratings_in_words_tests_comments_and_qualities(
    cast, subjects, term1, teacher
):
    pupil = cast.sibling_b
    complete(pupil, subjects, term1, teacher, tests=(9, 7), **{"Toán": "H"})
    cell(pupil, subjects["Tiếng Việt"], term1, MID, rating="H", by=teacher)
    QualityRating.objects.filter(student=pupil, item="trung-thuc").update(rating="Đ")
    QualityRating.objects.filter(student=pupil, item="the-chat").update(rating="C")
    rate_qualities(pupil, term1, teacher, "C", period=QualityRating.Period.MIDTERM)  # not shown
    TermComment.objects.create(
        student=pupil, term=term1, subject=subjects["Tiếng Việt"], text="Đọc to, rõ ràng.",
        author=teacher,
    )
    TermComment.objects.create(
        student=pupil, term=term1, subject=None, text="Em ngoan, chăm học.", author=teacher
    )
    f.attendance_mark(pupil, datetime.date(2026, 10, 1), status="excused", by=teacher)
    f.attendance_mark(pupil, datetime.date(2026, 10, 2), status="unexcused", by=teacher)
    f.attendance_mark(pupil, datetime.date(2027, 2, 2), status="unexcused", by=teacher)  # term II

    card = card_of(cards_for(cast.class_b, cast.class_b.school_year, term1), pupil)

    assert card.primary is True
    assert [s.subject for s in card.subjects] == IN_ORDER
    assert all(s.primary and not s.rated and s.regular == () for s in card.subjects)
    tv = line(card, "Tiếng Việt")
    assert (tv.midterm, tv.final, tv.final_test, tv.comment) == (
        "Hoàn thành", "Hoàn thành tốt", "9", "Đọc to, rõ ràng.",
    )
    assert tv.midterm_test == ""  # grade 3 sits no mid-term test
    assert (line(card, "Toán").final, line(card, "Toán").final_test) == ("Hoàn thành", "7")
    ethics = line(card, "Đạo đức")
    assert (ethics.final, ethics.final_test, ethics.comment) == ("Hoàn thành tốt", "", "")

    assert [g.name for g in card.qualities] == [
        "Phẩm chất chủ yếu", "Năng lực chung", "Năng lực đặc thù",
    ]
    assert [len(g.lines) for g in card.qualities] == [5, 3, 7]
    rated = {q.name: q.rating for g in card.qualities for q in g.lines}
    assert rated["Yêu nước"] == "Tốt" and rated["Trung thực"] == "Đạt"
    assert rated["Thể chất"] == "Cần cố gắng" and rated["Giao tiếp và hợp tác"] == "Tốt"

    # No result for a term (Circular 27 sums up at the end of the year), no conduct, no title.
    assert (card.learning, card.conduct, card.award, card.promotion) == ("", "", "", "")
    assert card.regular_columns == 0
    assert (card.absent_with_leave, card.absent_without_leave) == (1, 1)
    assert card.homeroom_comment == "Em ngoan, chăm học."
    assert card.missing == ()
    assert card.title == "PHIẾU BÁO KẾT QUẢ HỌC TẬP HỌC KỲ I"
    assert (card.authority, card.school) == ("UBND PHƯỜNG HỒNG HÀ", "TRƯỜNG TIỂU HỌC HỒNG HÀ")
    assert (card.class_name, card.homeroom_teacher, card.principal) == (
        "3A", "Lương Thị Lớp Ba", "Đinh Văn Hiệu",
    )
    assert card.dated == "Hạ Long, ngày 15 tháng 01 năm 2027"


def test_grades_four_and_five_show_the_mid_term_test(cast, teacher, term1):
    class_4 = f.ClassGroupFactory(school_year=cast.class_b.school_year, name="4A", grade=4)
    pupil = f.StudentFactory(school=cast.school_b, given_name="Lan")
    f.enrol(pupil, class_4)
    maths = _subject(cast, teacher, class_4, "Toán", test=True)
    cell(pupil, maths, term1, MIDTEST, value=8, by=teacher)

    (card,) = term_cards(class_4, term1)

    assert line(card, "Toán").midterm_test == "8"
    view = pdf._card_view(card, "ABCDEFGH23", 1)
    assert view["midterm_tests"] is True and list(view["columns"]) == []


def test_an_unpublished_cell_never_reaches_the_card(cast, subjects, term1, teacher):
    pupil = cast.sibling_b
    complete(pupil, subjects, term1, teacher)
    Score.objects.filter(student=pupil, subject=subjects["Toán"]).update(published_at=None)
    hidden = cell(pupil, subjects["Đạo đức"], term1, MID, rating="C", published=False, by=teacher)

    card = card_of(term_cards(cast.class_b, term1), pupil)

    maths = line(card, "Toán")
    assert (maths.final, maths.final_test, maths.average) == ("", "", "")
    assert line(card, "Đạo đức").midterm == ""
    assert "Chưa hoàn thành" not in printed(card)
    assert card.missing == (
        "Toán: chưa đánh giá cuối học kỳ I", "Toán: chưa có điểm kiểm tra cuối học kỳ I",
    )

    Score.objects.filter(student=pupil).update(published_at=hidden.updated_at)
    card = card_of(term_cards(cast.class_b, term1), pupil)
    assert line(card, "Toán").final_test == "9"
    assert line(card, "Đạo đức").midterm == "Chưa hoàn thành"
    assert card.missing == ()


def test_a_term_two_card_names_the_end_of_the_year_and_unrated_qualities(
    cast, subjects, term1, term2, teacher
):
    pupil = cast.sibling_b
    complete(pupil, subjects, term1, teacher)  # term I complete: not term II's

    card = card_of(term_cards(cast.class_b, term2), pupil)

    assert card.title == "PHIẾU BÁO KẾT QUẢ HỌC TẬP HỌC KỲ II"
    assert all(s.final == "" for s in card.subjects)
    assert "Tiếng Việt: chưa đánh giá cuối năm" in card.missing
    assert "Phẩm chất, năng lực: chưa đánh giá cuối năm" in card.missing
    assert all(q.rating == "" for g in card.qualities for q in g.lines)


# ---------------------------------------------------------------------------------------
# Year cards
# ---------------------------------------------------------------------------------------


def test_an_incomplete_year_card_leaves_the_result_blank_and_says_why(
    cast, subjects, term1, term2, teacher
):
    pupil = cast.sibling_b
    complete(pupil, subjects, term1, teacher)
    complete(pupil, subjects, term2, teacher)
    Score.objects.filter(student=pupil, term=term2, subject=subjects["Toán"], kind=ENDTEST).delete()
    QualityRating.objects.filter(
        student=pupil, term=term2, item__in=["trung-thuc", "tin-hoc"]
    ).delete()

    card = card_of(year_cards(cast.class_b, cast.class_b.school_year), pupil)

    assert (card.learning, card.promotion) == ("", "")
    assert card.missing == (
        "Toán: chưa có điểm kiểm tra cuối năm",
        "Phẩm chất, năng lực: chưa đánh giá cuối năm (Trung thực, Tin học)",
    )
    assert line(card, "Toán").year == "Hoàn thành tốt" and line(card, "Toán").final_test == ""
    assert "0" not in [s.final_test for s in card.subjects]  # missing is never a zero


def test_a_year_card_without_term_two_or_any_subject_still_comes_out_blank(cast, teacher):
    # The year's terms are not set up, and 3A has no subject yet: nothing raises.
    card = card_of(year_cards(cast.class_b, cast.class_b.school_year), cast.sibling_b)
    assert (card.learning, card.promotion, card.subjects) == ("", "", ())
    assert card.missing == ("Phẩm chất, năng lực: chưa đánh giá cuối năm",)
    assert card.dated == "Hạ Long, ngày 31 tháng 05 năm 2027"  # the school year's end

    # Every subject and quality rated, but no subject has a test: the rules say what lacks.
    ethics = _subject(cast, teacher, cast.class_b, "Đạo đức", test=False)
    term2 = f.TermFactory(school_year=cast.class_b.school_year, number=2)
    complete(cast.sibling_b, {"Đạo đức": ethics}, term2, teacher)
    card = year_cards(cast.class_b, cast.class_b.school_year)[0]
    assert card.learning == ""
    assert card.missing == (
        "Kết quả giáo dục: Thiếu dữ liệu: điểm bài kiểm tra định kì cuối năm",
    )


# The codes beside the printed words, by result.
RESULT_CODES = {
    "Hoàn thành xuất sắc": ("hoan_thanh_xuat_sac", "hoan_thanh_chuong_trinh"),
    "Hoàn thành tốt": ("hoan_thanh_tot", "hoan_thanh_chuong_trinh"),
    "Hoàn thành": ("hoan_thanh", "hoan_thanh_chuong_trinh"),
    "Chưa hoàn thành": ("chua_hoan_thanh", "chua_hoan_thanh_chuong_trinh"),
}


@pytest.mark.parametrize(
    "ratings, tests, quality, result, promotion",
    [
        ({}, (9, 10), "T", "Hoàn thành xuất sắc", "Hoàn thành chương trình lớp học"),
        ({}, (9, 7), "T", "Hoàn thành tốt", "Hoàn thành chương trình lớp học"),
        ({"Đạo đức": "H"}, (10, 10), "T", "Hoàn thành", "Hoàn thành chương trình lớp học"),
        ({}, (10, 10), "Đ", "Hoàn thành", "Hoàn thành chương trình lớp học"),
        ({}, (9, 4), "T", "Chưa hoàn thành", "Chưa hoàn thành chương trình lớp học"),
        ({"Toán": "C"}, (9, 9), "T", "Chưa hoàn thành", "Chưa hoàn thành chương trình lớp học"),
    ],
)
def test_a_complete_year_card_gives_the_circular_27_result_and_the_promotion_line(
    cast, subjects, term1, term2, teacher, ratings, tests, quality, result, promotion
):
    pupil = cast.sibling_b
    # Term I's weak results do not count: the year is the end of term II (Circular 27).
    complete(pupil, subjects, term1, teacher, rating="C", tests=(2, 3), quality="C")
    complete(pupil, subjects, term2, teacher, tests=tests, quality=quality, **ratings)
    TermComment.objects.create(
        student=pupil, term=term2, subject=None, text="Hoàn thành tốt năm học.", author=teacher
    )

    card = card_of(cards_for(cast.class_b, cast.class_b.school_year), pupil)

    assert (card.learning, card.promotion, card.missing) == (result, promotion, ())
    assert (card.learning_code, card.promotion_code) == RESULT_CODES[result]
    # Art. 13.1.a: Hoàn thành xuất sắc is Học sinh Xuất sắc; no one else has a title unproposed.
    title = "Học sinh Xuất sắc" if result == "Hoàn thành xuất sắc" else ""
    assert (card.conduct_code, card.award, card.award_code) == (
        None, title, "xuat_sac" if title else None
    )
    assert card.term_id is None and card.title == "PHIẾU BÁO KẾT QUẢ HỌC TẬP CẢ NĂM"
    assert line(card, "Tiếng Việt").final_test == str(tests[0])
    ethics = {"H": "Hoàn thành"}.get(ratings.get("Đạo đức"), "Hoàn thành tốt")
    assert line(card, "Đạo đức").year == ethics
    words = {"T": "Tốt", "Đ": "Đạt"}[quality]
    assert all(q.rating == words for g in card.qualities for q in g.lines)
    assert card.conduct == ""
    assert card.homeroom_comment == "Hoàn thành tốt năm học."
    assert card.dated == "Hạ Long, ngày 25 tháng 05 năm 2027"


def test_no_rank_or_comparison_anywhere(cast, subjects, term1, term2, teacher):
    other = f.StudentFactory(school=cast.school_b, given_name="An")
    f.enrol(other, cast.class_b)
    for pupil, tests in ((cast.sibling_b, (10, 10)), (other, (7, 8))):
        complete(pupil, subjects, term1, teacher, tests=tests)
        complete(pupil, subjects, term2, teacher, tests=tests)

    everyone = term_cards(cast.class_b, term1) + year_cards(
        cast.class_b, cast.class_b.school_year
    )

    for card in everyone:
        names = {name.lower() for name in card.__dataclass_fields__}
        assert not {n for n in names if "rank" in n or "position" in n}
        text = printed(card).lower()
        assert "hạng" not in text and "xếp" not in text and "trung bình" not in text
        assert all(s.term1 == s.term2 == "" for s in card.subjects)  # no per-term averages
    [rendered] = pdf.render_cards([(everyone[-1], "NORANK2345")])
    _, text = pdf_text(rendered.pdf)
    assert "hạng" not in text.lower() and "TBM" not in text and "rèn luyện" not in text


def _busy_pupil(cast, subjects, term1, term2, teacher, given):
    pupil = f.StudentFactory(school=cast.school_b, given_name=given)
    f.enrol(pupil, cast.class_b)
    for term in (term1, term2):
        complete(pupil, subjects, term, teacher)
        cell(pupil, subjects["Toán"], term, MID, rating="T", by=teacher)
        TermComment.objects.create(
            student=pupil, term=term, subject=None, text="Tốt.", author=teacher
        )
        TermComment.objects.create(
            student=pupil, term=term, subject=subjects["Toán"], text="Tính nhanh.", author=teacher
        )
    f.attendance_mark(pupil, term1.start_date, status=AttendanceMark.Status.EXCUSED, by=teacher)
    return pupil


@pytest.mark.parametrize("pupils", [2, 6])
def test_a_primary_class_s_cards_take_a_fixed_number_of_queries(
    cast, subjects, term1, term2, teacher, pupils, django_assert_num_queries
):
    cast.class_b.enrolments.get().end(on=datetime.date(2026, 9, 6), status="transferred")
    for n in range(pupils):
        _busy_pupil(cast, subjects, term1, term2, teacher, f"Lan{n}")
    class_group, year = cast.class_b, cast.class_b.school_year

    # class, pupils, subjects, cells, comments, quality ratings (instead of conduct),
    # absences, principal: one fewer than a secondary class's (no exemptions: Circular 22)
    with django_assert_num_queries(8):
        term_list = term_cards(class_group, term1)
    # …and the year's terms, the terms copied from a previous school, the personal plans,
    # the awards (Khen thưởng)
    with django_assert_num_queries(12):
        year_list = year_cards(class_group, year)

    assert len(term_list) == len(year_list) == pupils
    assert all(c.primary and c.missing == () for c in term_list + year_list)
    assert all(c.learning == "Hoàn thành xuất sắc" for c in year_list)


# ---------------------------------------------------------------------------------------
# The content hash
# ---------------------------------------------------------------------------------------

NEW_FIELDS = {"primary", "midterm_test", "final_test", "qualities",
              # the graduating years and exemptions (issue 13), default on this card
              "exemption", "year_average", "graduation_years", "three_year_average",
              "exemption_notes",
              "term1_copied", "copied_note", "personal_plan",  # transfers, plans
              "awards",
              # the summer's (Circular 22 Art. 12–14)
              "retest", "summer_learning", "summer_conduct", "summer_promotion",
              # the học bạ's year page: the terms' results and Art. 9.3's adjustment
              "term1_learning", "term2_learning", "term1_conduct", "term2_conduct",
              "learning_table_result", "learning_adjusted_for"}
# Added later still, and never printed: codes and numbers beside the text.
TYPED_FIELDS = {
    "average_value", "term1_value", "term2_value", "year_value",
    "learning_code", "conduct_code", "award_code", "promotion_code", "promotion_proposal",
    "year_average_value", "three_year_average_value",
    "retest_value", "subject_id", "summer_stage", "summer_learning_code", "summer_conduct_code",
    "summer_promotion_code", "retake_subject_ids",
}


def _legacy(value):
    """The hash input as it was before primary cards: every field but the new ones (and the
    typed ones, which no hash ever held)."""
    if hasattr(value, "__dataclass_fields__"):
        names = [n for n in value.__dataclass_fields__ if n not in NEW_FIELDS | TYPED_FIELDS]
        return [_legacy(getattr(value, n)) for n in names]
    if isinstance(value, tuple):
        return [_legacy(v) for v in value]
    return value


def test_a_secondary_card_keeps_the_hash_it_had_before_primary_cards(cast):
    term = f.TermFactory(school_year=cast.class_a1.school_year)
    f.score(cast.pupil_a1, cast.math, term, value="8", by=cast.teacher_a1)
    card = card_of(term_cards(cast.class_a1, term), cast.pupil_a1)
    assert line(card, "Toán").regular[0] == "8" and card.primary is False

    legacy = json.dumps(_legacy(card), ensure_ascii=False, separators=(",", ":"))
    assert card.content_hash() == hashlib.sha256(legacy.encode()).hexdigest()


def test_a_primary_cards_hash_follows_what_it_prints(cast, subjects, term1, teacher):
    complete(cast.sibling_b, subjects, term1, teacher)
    card = term_cards(cast.class_b, term1)[0]
    tv = line(card, "Tiếng Việt")
    # The two tests hold the same text in different columns: different cards, different hashes.
    moved = replace(tv, midterm_test=tv.final_test, final_test="")
    other = replace(card, subjects=(moved, *card.subjects[1:]))
    assert other.content_hash() != card.content_hash()
    assert replace(card, qualities=card.qualities[:2]).content_hash() != card.content_hash()
    assert term_cards(cast.class_b, term1)[0].content_hash() == card.content_hash()


# ---------------------------------------------------------------------------------------
# The PDF
# ---------------------------------------------------------------------------------------


def test_a_primary_year_card_as_pdf_shows_the_result_and_the_qualities_on_one_page(
    cast, subjects, term1, term2, teacher
):
    pupil = cast.sibling_b
    complete(pupil, subjects, term2, teacher, tests=(9, 7))
    card = card_of(year_cards(cast.class_b, cast.class_b.school_year), pupil)

    [rendered] = pdf.render_cards([(card, "PRIM2345AB")])

    pages, text = pdf_text(rendered.pdf)
    assert pages == rendered.pages == 1
    for expected in (
        pupil.full_name, "PHIẾU BÁO KẾT QUẢ HỌC TẬP CẢ NĂM", "TRƯỜNG TIỂU HỌC HỒNG HÀ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "3A", "Hoàn thành tốt", "Trung thực",
        "Phẩm chất chủ yếu", "Năng lực đặc thù", "Giải quyết vấn đề",
        "Đánh giá kết quả giáo dục: Hoàn thành tốt",
        "Hoàn thành chương trình lớp học", "có phép 0, không phép 0", "PRIM2345AB", "Trang 1/1",
        "Lương Thị Lớp Ba", "Đinh Văn Hiệu",
    ):
        assert expected in text, expected
    assert "Kết quả rèn luyện" not in text and "Danh hiệu" not in text


def test_a_grade_five_term_card_with_every_subject_and_comment_fits_one_page():
    names = [
        "Tiếng Việt", "Toán", "Tiếng Anh", "Đạo đức", "Lịch sử và Địa lí", "Khoa học",
        "Tin học và Công nghệ", "Giáo dục thể chất", "Âm nhạc", "Mĩ thuật", "Hoạt động trải nghiệm",
    ]
    comment = "Em tiếp thu bài tốt, tích cực phát biểu xây dựng bài; cần rèn chữ viết cẩn thận hơn."
    lines = tuple(
        SubjectLine(
            n, name, False, midterm="Hoàn thành tốt", final="Hoàn thành", average="Hoàn thành",
            comment=comment, primary=True, midterm_test="8" if n <= 2 else "",
            final_test="9" if n in (1, 2, 3, 5, 6, 7) else "",
        )
        for n, name in enumerate(names, 1)
    )
    groups = tuple(
        QualityGroup(
            group, tuple(QualityLine(_ITEM_NAMES[i], "Cần cố gắng") for i in items)
        )
        for group, (_label, items) in zip(QUALITY_GROUPS, qualities.GROUPS)
    )
    card = Card(
        student_id=1, class_group_id=1, school_year_id=1, term_id=1,
        authority="ỦY BAN NHÂN DÂN PHƯỜNG HỒNG GAI", school="TRƯỜNG TIỂU HỌC TRẦN HƯNG ĐẠO",
        title="PHIẾU BÁO KẾT QUẢ HỌC TẬP HỌC KỲ I", school_year="Năm học 2026–2027",
        full_name="Nguyễn Thị Ánh Dương", class_name="5A", date_of_birth="05/03/2016", sex="Nữ",
        student_code="3101234567", subjects=lines, regular_columns=0, learning="", conduct="",
        absent_with_leave=2, absent_without_leave=1,
        homeroom_comment="Em ngoan, lễ phép, tích cực tham gia các hoạt động của lớp, của trường.",
        homeroom_teacher="Trần Văn Bình", principal="Lê Thị Hồng", principal_signs_as="HIỆU TRƯỞNG",
        dated="Hạ Long, ngày 15 tháng 01 năm 2027", missing=("Khoa học: chưa có điểm kiểm tra",),
        primary=True, qualities=groups,
    )

    [rendered] = pdf.render_cards([(card, "FIVE2345AB")])

    pages, text = pdf_text(rendered.pdf)
    assert pages == rendered.pages == 1
    assert "Hoạt động trải nghiệm" in text and "Thể chất" in text and "Trang 1/1" in text
    assert "Giữa kỳ" in text  # the mid-term test column of grades 4–5


# ---------------------------------------------------------------------------------------
# Runs and the single card
# ---------------------------------------------------------------------------------------


def test_a_run_for_a_primary_class_gives_one_card_per_pupil_in_one_class_pdf(
    cast, subjects, term1, teacher, settings, tmp_path
):
    settings.REPORTS_ROOT = tmp_path / "reports"
    for given in ("An", "Bình"):
        pupil = f.StudentFactory(school=cast.school_b, family_name="Nguyễn", given_name=given)
        f.enrol(pupil, cast.class_b)
        complete(pupil, subjects, term1, teacher)

    run, created = runs.start_run(
        user=cast.other_school_admin, school=cast.school_b, school_year=cast.class_b.school_year,
        term=term1, scope=ReportRun.Scope.CLASS, class_group=cast.class_b,
    )

    run.refresh_from_db()
    assert created and (run.status, run.total, run.done, run.rendered) == ("done", 3, 3, 3)
    assert ReportCard.objects.filter(run=run).count() == 3
    (class_pdf,) = ReportFile.objects.filter(run=run)
    assert class_pdf.name == "phieu-bao-hk1-lop-3a.pdf"
    pages, text = pdf_text(runs.read_file(class_pdf))
    assert pages == class_pdf.pages == 3
    assert text.index("Nguyễn Thị An") < text.index("Nguyễn Thị Bình") < text.index("Dũng")
    assert "Hoàn thành tốt" in text and "Trung thực" in text


def test_a_school_run_of_a_primary_school_gives_its_zip(
    cast, subjects, term1, teacher, settings, tmp_path
):
    settings.REPORTS_ROOT = tmp_path / "reports"
    run, _ = runs.start_run(
        user=cast.other_school_admin, school=cast.school_b, school_year=cast.class_b.school_year,
        term=None, scope=ReportRun.Scope.SCHOOL,
    )
    run.refresh_from_db()
    assert run.status == "done" and run.total == 1
    assert set(ReportFile.objects.filter(run=run).values_list("kind", flat=True)) == {
        ReportFile.Kind.CLASS_PDF, ReportFile.Kind.ZIP,
    }


def test_ensure_card_renders_a_primary_pupils_card(cast, subjects, term1, teacher):
    complete(cast.sibling_b, subjects, term1, teacher)

    card = runs.ensure_card(cast.sibling_b, cast.class_b, cast.class_b.school_year, term1)

    _, text = pdf_text(bytes(card.pdf))
    assert "Hoàn thành tốt" in text and card.term_id == term1.pk
    again = runs.ensure_card(cast.sibling_b, cast.class_b, cast.class_b.school_year, term1)
    assert again.pk == card.pk  # unchanged: not rendered twice


# ---------------------------------------------------------------------------------------
# A primary class in the summaries: Circular 27's result and completion, no conduct or title
# ---------------------------------------------------------------------------------------


def test_a_primary_class_summary_counts_the_year_result_and_completion_only(
    cast, subjects, term1, term2, teacher
):
    from reports import statistics

    complete(cast.sibling_b, subjects, term2, teacher)
    summary = statistics.class_summary(cast.class_b, cast.class_b.school_year, None)
    assert summary.primary and summary.tally.pupils == 1
    measures = dict(summary.tally.measures)
    assert list(measures) == [  # no conduct; Art. 13's titles and the awards
        statistics.LEARNING, statistics.AWARD, statistics.PROMOTION, statistics.ACHIEVEMENT
    ]
    counted = {m: {c.category.label: c.count for c in counts if c.count} for m, counts in measures.items()}
    assert counted == {
        statistics.LEARNING: {"Hoàn thành xuất sắc": 1},  # all T, tests 9 and 9
        statistics.AWARD: {"Học sinh Xuất sắc": 1},
        statistics.PROMOTION: {"Hoàn thành chương trình lớp học": 1},
        statistics.ACHIEVEMENT: {"Không": 1},
    }
    # The primary titles only: no Học sinh Giỏi column.
    assert [c.category.label for c in measures[statistics.AWARD]] == [
        "Học sinh Xuất sắc", "Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện",
        "Không", "Chưa có kết quả",
    ]
    assert [title for title, _counts in summary.sections] == [
        "Kết quả học tập", "Danh hiệu", "Hoàn thành chương trình lớp học", "Khen thưởng đột xuất"
    ]
    term = statistics.class_summary(cast.class_b, cast.class_b.school_year, term1)
    assert [m for m, _counts in term.tally.measures] == [statistics.LEARNING]


def test_a_primary_class_summary_exports_without_conduct_with_the_title(
    cast, subjects, term1, term2, teacher
):
    from openpyxl import load_workbook

    from reports import exports, statistics

    complete(cast.sibling_b, subjects, term2, teacher)
    summary = statistics.class_summary(cast.class_b, cast.class_b.school_year, None)
    sheet = load_workbook(io.BytesIO(exports.class_summary_xlsx(summary))).active
    cells = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    assert "Hoàn thành chương trình lớp học" in cells and cast.sibling_b.full_name in cells
    assert "Kết quả rèn luyện" not in cells
    assert {"Khen thưởng", "Học sinh Xuất sắc"} <= cells  # Art. 13's title in its column


def test_a_grade_five_year_card_says_the_pupil_completes_primary_school(
    cast, subjects, term1, term2, teacher
):
    """Circular 27 Art. 11 clause 3: grade 5 records "Hoàn thành chương trình tiểu học"."""
    cast.class_b.grade = 5
    cast.class_b.save()
    pupil = cast.sibling_b
    complete(pupil, subjects, term2, teacher, tests=(9, 9))

    card = card_of(cards_for(cast.class_b, cast.class_b.school_year), pupil)

    assert card.learning == "Hoàn thành xuất sắc"
    assert card.promotion == "Hoàn thành chương trình tiểu học"
    assert card.promotion_code == "hoan_thanh_chuong_trinh"
