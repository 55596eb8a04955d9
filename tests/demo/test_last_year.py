"""THPT Hạ Long's past years (demo/last_year.py, written by `manage.py seed_demo`): closed,
complete, and last year's pupils in the situations the year's end needs, as the real year
cards (reports.cards) compute them.

The demo is seeded once for the module inside a transaction rolled back at the end (as
tests/demo/test_seed_demo.py does); each test runs in a savepoint of it.
"""

import datetime
import hashlib
import io
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import User
from contactbook.gradebook.columns import columns_for
from contactbook.models import (
    AttendanceMark,
    ConductRating,
    RetestResult,
    Score,
    Summer,
    SummerConduct,
    TermComment,
)
from demo import grades, last_year
from demo import summer as demo_summer
from reports import summer
from reports.cards.selectors import year_cards
from reports.models import ReportCard, ReportRun
from school.models import ClassGroup, Enrolment, Term
from tests.clients import Client

pytestmark = pytest.mark.django_db

UPPER = "thpt-ha-long"
LAST = "2025–2026"
PRINCIPAL = "0901000001"
GRADUATING = "Được công nhận hoàn thành chương trình THPT"
# (class, pupil) -> (promotion code, award code, printed decision, learning, conduct): every
# pupil of last year with a summer action or a title. All others: moved up, no title.
SITUATIONS = {
    ("10A1", "Vũ Khánh Quân"): (
        "kiem_tra_lai", None, "Kiểm tra lại: Toán, Hoá học, Sinh học", "Chưa đạt", None,
    ),
    ("10A1", "Lê Văn Anh"): (
        "kiem_tra_lai", None,
        "Kiểm tra lại: Giáo dục thể chất, Nội dung giáo dục địa phương", "Chưa đạt", None,
    ),
    ("10A1", "Nguyễn Thị Quỳnh"): ("len_lop", "gioi", "Được lên lớp", "Tốt", "Tốt"),
    ("10A1", "Nguyễn Ngọc Thu"): ("len_lop", "gioi", "Được lên lớp", "Tốt", "Tốt"),
    ("10A1", "Nguyễn Thùy Vân"): ("len_lop", "gioi", "Được lên lớp", "Tốt", "Tốt"),
    ("11A1", "Vũ Thành Khôi"): (
        "ren_luyen_he", None, "Rèn luyện trong kì nghỉ hè", "Chưa đạt", "Chưa đạt",
    ),
    ("11A1", "Nguyễn Xuân Phúc"): (
        "ren_luyen_he", None, "Rèn luyện trong kì nghỉ hè", "Khá", "Chưa đạt",
    ),
    ("11A1", "Trần Ngọc An"): ("len_lop", "gioi", "Được lên lớp", "Tốt", "Tốt"),
    ("11A1", "Đỗ Minh Giang"): ("len_lop", "gioi", "Được lên lớp", "Tốt", "Tốt"),
    ("11A1", "Phạm Thùy My"): ("len_lop", "gioi", "Được lên lớp", "Tốt", "Tốt"),
    ("12A1", "Lê Hữu Đức"): ("len_lop", "xuat_sac", GRADUATING, "Tốt", "Tốt"),
    ("12A1", "Phạm Thị Thư"): (
        "kiem_tra_lai", None, "Kiểm tra lại: Ngữ văn, Lịch sử", "Chưa đạt", None,
    ),
    ("12A1", "Đỗ Quốc Huy"): ("len_lop", "gioi", GRADUATING, "Tốt", "Tốt"),
    ("12A1", "Nguyễn Đình Khôi"): ("len_lop", "gioi", GRADUATING, "Tốt", "Tốt"),
    ("12A1", "Hoàng Văn Trí"): ("len_lop", "gioi", GRADUATING, "Tốt", "Tốt"),
}
TRANSFER_IN = ("10A1", "Đặng Đức Tiến")
# (class, pupil) -> (conduct after the summer training, learning and decision after the
# summer, printed): every pupil of last year with a summer, as recorded by demo/summer.py.
AFTER_SUMMER = {
    ("10A1", "Vũ Khánh Quân"): ("Đạt", "Được lên lớp"),
    ("10A1", "Lê Văn Anh"): ("Đạt", "Được lên lớp"),
    ("11A1", "Vũ Thành Khôi"): ("Đạt", "Được lên lớp"),
    ("11A1", "Nguyễn Xuân Phúc"): ("Khá", "Được lên lớp"),
    ("12A1", "Phạm Thị Thư"): ("Chưa đạt", "Không được công nhận hoàn thành chương trình THPT"),
}
TRAINED = {("11A1", "Vũ Thành Khôi"), ("11A1", "Nguyễn Xuân Phúc")}
PARENT_AFTER_SUMMER = "0987000003"
TERM_TWO = datetime.date(2026, 1, 19)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        yield {"output": out.getvalue()}
        transaction.set_rollback(True)


def past_classes():
    return ClassGroup.objects.filter(
        school__code=UPPER, school_year__is_current=False
    ).select_related("school_year").order_by("school_year__start_date", "name")


def last_years_class(name: str) -> ClassGroup:
    return ClassGroup.objects.get(school__code=UPPER, school_year__name=LAST, name=name)


def cards_of(name: str, year: str = LAST) -> dict[str, object]:
    group = ClassGroup.objects.get(school__code=UPPER, school_year__name=year, name=name)
    return {card.full_name: card for card in year_cards(group, group.school_year)}


def test_the_past_years_are_closed_and_their_grade_books_complete_and_published(seeded):
    assert [(g.school_year.name, g.name) for g in past_classes()] == [
        ("2023–2024", "10A1"), ("2024–2025", "11A1"),
        ("2025–2026", "10A1"), ("2025–2026", "11A1"), ("2025–2026", "12A1"),
    ]
    for group in past_classes():
        terms = {t.number: t for t in Term.objects.filter(school_year=group.school_year)}
        assert all(t.is_closed for t in terms.values()), group
        enrolments = list(Enrolment.objects.filter(class_group=group, status="active"))
        assert 38 <= len(enrolments) <= 42, group
        for term in terms.values():
            pupils = {e.student_id for e in enrolments if e.start_date <= term.start_date}
            for a in group.assignments.select_related("subject"):
                cells = Score.objects.filter(term=term, subject=a.subject, class_group=group)
                columns = len(columns_for(a.subject))
                assert cells.count() == columns * len(pupils), (group, term, a.subject.code)
                assert set(cells.values_list("student_id", flat=True)) == pupils
                assert set(cells.values_list("updated_by", flat=True)) == {a.teacher_id}
                assert not cells.filter(published_at=None).exists()
                assert not cells.filter(published_at__gt=term.closed_at).exists()
            ratings = ConductRating.objects.filter(term=term, student__in=pupils)
            assert set(ratings.values_list("updated_by", flat=True)) == {group.homeroom_teacher_id}
            assert ratings.count() == len(pupils)
            comments = TermComment.objects.filter(term=term, student__in=pupils, subject=None)
            assert comments.count() == len(pupils)
        marks = AttendanceMark.objects.filter(class_group=group)
        assert marks.exists() and not marks.exclude(recorded_by=group.homeroom_teacher).exists()
        assert not marks.filter(date__gt=terms[2].end_date).exists()
        assert not marks.exclude(session="morning").exists()


def test_subject_teachers_wrote_year_comments_that_the_year_cards_print(seeded):
    """The học bạ's year page has the subject teacher's year comment: written on term II by
    the subject's teacher, and what the year card prints in its comment column."""
    group = last_years_class("10A1")
    year_comments = TermComment.objects.filter(
        whole_year=True, student__enrolments__class_group=group
    ).select_related("term")
    assert year_comments.count() >= 20  # one subject in six or so, of 40 pupils' dozen subjects
    assert {c.term.number for c in year_comments} == {2}
    teachers = {a.subject_id: a.teacher_id for a in group.assignments.all()}
    assert all(c.author_id == teachers[c.subject_id] for c in year_comments)
    printed = Counter(
        line.comment for card in cards_of("10A1").values() for line in card.subjects if line.comment
    )
    assert printed == Counter(c.text for c in year_comments)


def test_last_years_pupils_are_in_the_documented_situations(seeded):
    """The real year cards give each named pupil their decision and title; no one else has a
    summer action or a title; the transfer-in's card waits for term I."""
    found = {}
    for name in ("10A1", "11A1", "12A1"):
        for full_name, card in cards_of(name).items():
            if (name, full_name) == TRANSFER_IN:
                continue
            if (name, full_name) in SITUATIONS:
                found[(name, full_name)] = (
                    card.promotion_code, card.award_code, card.promotion, card.learning,
                    card.conduct if SITUATIONS[(name, full_name)][4] else None,
                )
            else:
                assert (card.promotion_code, card.award_code) == ("len_lop", None), full_name
                assert card.promotion == (GRADUATING if name == "12A1" else "Được lên lớp")
                assert not card.missing, full_name
    assert found == SITUATIONS
    # The re-test pupils' conduct is Đạt or better (else they would train first).
    for (name, full_name), (code, *_rest) in SITUATIONS.items():
        if code == "kiem_tra_lai":
            assert cards_of(name)[full_name].conduct in ("Tốt", "Khá", "Đạt")


def test_the_transfer_in_joined_in_term_two_and_has_no_term_one_results(seeded):
    name, full_name = TRANSFER_IN
    card = cards_of(name)[full_name]
    enrolment = Enrolment.objects.get(student_id=card.student_id, school_year__name=LAST)
    assert enrolment.start_date == TERM_TWO and enrolment.class_group.name == "10A1"
    term_one = Term.objects.get(school_year__school__code=UPPER, school_year__name=LAST, number=1)
    for model in (Score, ConductRating, TermComment):
        assert not model.objects.filter(student_id=card.student_id, term=term_one).exists()
    assert Score.objects.filter(student_id=card.student_id, term__number=2,
                                term__school_year__name=LAST).exists()
    # Blank with the reason until the previous school's term I results are entered.
    assert card.learning == "" and card.promotion == "" and card.promotion_code is None
    assert any("học kỳ I" in reason for reason in card.missing)
    # He is in this year's 11A1, from its first day.
    now = Enrolment.objects.current().get(student_id=card.student_id)
    assert now.class_group.name == "11A1"


def test_the_class_of_2026_has_three_years_for_its_three_year_average(seeded):
    """The same 40 pupils in 10A1, 11A1 and 12A1, each year complete with every scored
    subject's year average; all moved up; the Xuất sắc and Giỏi of 12A1 were so each year."""
    years = {"2023–2024": "10A1", "2024–2025": "11A1", LAST: "12A1"}
    cards = {year: cards_of(name, year) for year, name in years.items()}
    assert set(cards["2023–2024"]) == set(cards["2024–2025"]) == set(cards[LAST])
    titled = {full_name: code for (name, full_name), (_p, code, *_r) in SITUATIONS.items()
              if name == "12A1" and code}
    for year, by_name in cards.items():
        for full_name, card in by_name.items():
            assert card.learning and card.conduct and not card.missing, (year, full_name)
            scored = [line for line in card.subjects if not line.rated]
            assert len(scored) == 9 and all(line.year_value is not None for line in scored)
            if year != LAST:
                assert card.promotion_code == "len_lop" and card.promotion == "Được lên lớp"
                assert card.award_code == titled.get(full_name), (year, full_name)
    assert not Enrolment.objects.current().filter(
        student_id__in=[c.student_id for c in cards[LAST].values()]
    ).exists()


def test_last_years_cards_are_issued_and_the_principal_can_read_them(seeded):
    year_cards_issued = ReportCard.objects.filter(
        school_year__school__code=UPPER, school_year__name=LAST, term=None
    )
    pupils = Enrolment.objects.filter(
        class_group__school__code=UPPER, school_year__name=LAST, status="active"
    )
    assert year_cards_issued.count() == pupils.count() == 122
    runs = ReportRun.objects.filter(school_year__school__code=UPPER, school_year__name=LAST)
    assert runs.count() == 3 and set(runs.values_list("status", flat=True)) == {"done"}
    assert set(runs.values_list("requested_by__phone", flat=True)) == {PRINCIPAL}
    client = Client()
    client.force_login(User.objects.get(phone=PRINCIPAL))
    url = reverse("reports:class_summary", args=[last_years_class("11A1").pk])
    page = client.get(url, {"ky": "ca-nam"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Vũ Thành Khôi" in text and "Nguyễn Xuân Phúc" in text


def _past_fingerprint() -> str:
    code = "student__student_code"
    past = {"term__school_year__school__code": UPPER, "term__school_year__is_current": False}
    rows = list(Score.objects.filter(**past).values_list(
        code, "term__school_year__name", "term__number", "subject__code", "kind", "index",
        "value", "passed", "published_at", "updated_by__phone",
    ))
    rows += list(ConductRating.objects.filter(**past).values_list(
        code, "term__school_year__name", "term__number", "rating", "updated_by__phone"
    ))
    rows += list(TermComment.objects.filter(**past).values_list(
        code, "term__school_year__name", "term__number", "subject__code", "text"
    ))
    rows += list(AttendanceMark.objects.filter(
        class_group__school__code=UPPER, class_group__school_year__is_current=False
    ).values_list(code, "date", "session", "status", "note", "recorded_by__phone"))
    digest = hashlib.sha256()
    for row in sorted(rows, key=repr):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def test_removed_past_grade_books_are_seeded_again_the_same_once(seeded):
    before = _past_fingerprint()
    cells = Score.objects.filter(term__school_year__school__code=UPPER,
                                 term__school_year__is_current=False).count()
    assert last_year.seed_upper_past_years() == 0  # already there
    grades.remove_grades([UPPER])
    assert last_year.seed_upper_past_years() == cells
    assert _past_fingerprint() == before


@pytest.mark.parametrize(
    ("year", "name", "expected"),
    [
        # abilities a < b < c < d < e < f < g (g strongest); h joined in term II
        (LAST, "10A1", {"a": "re-test in scored subjects", "b": "re-test in rated subjects",
                        "h": "joined in term II", "g": "Học sinh Giỏi", "f": "Học sinh Giỏi",
                        "e": "Học sinh Giỏi", "c": "moves up", "d": "moves up"}),
        (LAST, "11A1", {"a": "conduct and learning Chưa đạt", "d": "summer conduct training",
                        "g": "Học sinh Giỏi", "f": "Học sinh Giỏi", "e": "Học sinh Giỏi",
                        "b": "moves up", "c": "moves up", "h": "joined in term II"}),
        (LAST, "12A1", {"g": "Học sinh Xuất sắc", "a": "re-test in scored subjects",
                        "f": "Học sinh Giỏi", "e": "Học sinh Giỏi", "d": "Học sinh Giỏi",
                        "b": "moves up", "c": "moves up", "h": "joined in term II"}),
        ("2024–2025", "11A1", {"g": "Học sinh Xuất sắc", "f": "Học sinh Giỏi", "a": "moves up",
                               "b": "moves up", "c": "moves up", "d": "moves up",
                               "e": "moves up", "h": "joined in term II"}),
    ],
)
def test_situations_go_to_pupils_by_their_rank_in_the_class(year, name, expected):
    abilities = {code: float(i) for i, code in enumerate("abcdefg")} | {"h": 5.0}
    carried = {"g": last_year.EXCELLENT, "f": last_year.GOOD}
    assert last_year.situations(year, name, abilities, {"h"}, carried) == expected


def test_a_pupil_years_plan_is_pure_and_gives_its_situation():
    specs = [
        grades.SubjectSpec("ngu-van", "Ngữ văn", False, 4),
        grades.SubjectSpec("toan", "Toán", False, 4),
        grades.SubjectSpec("tieng-anh", "Tiếng Anh", False, 4),
        grades.SubjectSpec("lich-su", "Lịch sử", False, 3),
        grades.SubjectSpec("gdtc", "Giáo dục thể chất", True, 2),
        grades.SubjectSpec("gdqp-an", "Giáo dục quốc phòng và an ninh", False, 2),
        grades.SubjectSpec("hdtn-hn", "Hoạt động trải nghiệm, hướng nghiệp", True, 2),
        grades.SubjectSpec("gddp", "Nội dung giáo dục địa phương", True, 2),
        grades.SubjectSpec("vat-li", "Vật lí", False, 3),
        grades.SubjectSpec("hoa-hoc", "Hoá học", False, 3),
        grades.SubjectSpec("sinh-hoc", "Sinh học", False, 3),
        grades.SubjectSpec("tin-hoc", "Tin học", False, 3),
    ]
    days = {1: [], 2: []}
    for situation, decision in (
        (last_year.RETEST_RATED, "kiểm tra lại"),
        (last_year.BOTH, "rèn luyện trong kì nghỉ hè"),
        (last_year.EXCELLENT, "lên lớp"),
    ):
        plan = last_year.plan_year("2299999999", LAST, "10A1", 6.5, specs, days, situation)
        again = last_year.plan_year("2299999999", LAST, "10A1", 6.5, specs, days, situation)
        assert plan == again and plan.outcome.promotion.decision == decision
    transfer = last_year.plan_year("2299999999", LAST, "10A1", 6.5, specs, days,
                                   last_year.TRANSFER_IN)
    assert set(transfer.terms) == {2} and transfer.outcome is None


def test_every_named_pupil_is_written_down_in_the_module_and_the_readme():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### In the demo", 1)[1].split("\n## ", 1)[0]
    docstring = " ".join(last_year.__doc__.split())
    for _name, full_name in [*SITUATIONS, TRANSFER_IN]:
        assert full_name in docstring and full_name in " ".join(section.split()), full_name


def test_last_summer_is_recorded_closed_and_on_the_issued_year_cards(seeded):
    """Khôi's and Phúc's conduct re-assessed Đạt, then Khôi's re-tests; Quân's and Anh's
    re-tests pass, Thư's fail: on the real year cards (the post-summer columns and decision
    in the official words), and on the cards issued, read by their content."""
    found = {}
    for name in ("10A1", "11A1", "12A1"):
        for full_name, card in cards_of(name).items():
            if (name, full_name) not in AFTER_SUMMER:
                assert not card.summer_promotion and not any(s.retest for s in card.subjects)
                continue
            assert card.summer_stage == "done", full_name
            found[(name, full_name)] = (card.summer_learning, card.summer_promotion)
            retested = [s for s in card.subjects if s.retest]
            assert {s.subject_id for s in retested} == set(card.retake_subject_ids)
            if (name, full_name) in TRAINED:
                assert card.summer_conduct == "Đạt"  # replaces the year's Chưa đạt
            else:
                assert card.summer_conduct == card.conduct  # the year's, not re-assessed
            assert bool(retested) == (full_name != "Nguyễn Xuân Phúc")
            # The year's own decision stays printed above the summer's.
            assert card.promotion == SITUATIONS[(name, full_name)][2]
    assert found == AFTER_SUMMER
    year = last_years_class("10A1").school_year
    assert summer.summer_state(year).is_closed
    assert Summer.objects.get(school_year=year).closed_by.phone == PRINCIPAL
    clerk = User.objects.get(phone="0901000002")
    for model, who in ((SummerConduct, "updated_by"), (RetestResult, "entered_by")):
        rows = model.objects.filter(school_year=year)
        assert rows.exists() and set(rows.values_list(who, flat=True)) == {clerk.pk}
        assert model.history.filter(school_year=year).count() == rows.count()
    # The issued cards were rendered after the summer: the run's cards carry it.
    thu = cards_of("12A1")["Phạm Thị Thư"]
    issued = ReportCard.objects.get(
        student_id=thu.student_id, school_year=year, term=None, superseded_at=None
    )
    text = pdf_text(bytes(issued.pdf))
    assert "Điểm hoặc mức đánh giá lại" in text
    assert AFTER_SUMMER[("12A1", "Phạm Thị Thư")][1] in text
    # Recording it again does nothing.
    assert demo_summer.record_last_summer() == 0


def test_a_parent_of_a_pupil_who_re_took_tests_reads_the_post_summer_card(seeded):
    parent = User.objects.get(phone=PARENT_AFTER_SUMMER)
    quan = cards_of("10A1")["Vũ Khánh Quân"]
    assert quan.student_id in set(parent.guardian.students.values_list("pk", flat=True))
    issued = ReportCard.objects.filter(student_id=quan.student_id, term=None).count()
    client = Client()
    client.force_login(parent)
    year = last_years_class("10A1").school_year
    url = reverse("reports:student_year_card", args=[quan.student_id])
    response = client.get(url, {"nam-hoc": year.pk})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Điểm hoặc mức đánh giá lại" in text and "Được lên lớp" in text
    # The card issued after the summer, not a new one rendered for the parent.
    assert ReportCard.objects.filter(student_id=quan.student_id, term=None).count() == issued


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
