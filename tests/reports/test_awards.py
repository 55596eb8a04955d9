"""Khen thưởng (reports.awards, reports.models.Award): Circular 27 Art. 13's titles on primary
cards, the class's Tiêu biểu proposal and the principal's confirmation, awards for
achievements on every year card, the class summary and the statistics; an optional subject's
test (Art. 7.1.b) not deciding a grade-1 pupil's year result; bad input refused with a
Vietnamese message and nothing written.

The cast's 3A (grade 3 of the primary school B, pupil Dũng) gets Tiếng Việt, Toán (tested) and
Đạo đức, taught by its homeroom teacher; school B has a principal."""

import datetime

import pytest
from django.urls import reverse

from contactbook import qualities
from contactbook.models import QualityRating, Score
from reports import awards, pdf, statistics
from reports.cards.selectors import year_cards
from reports.models import Award
from school.models import StaffMembership, Subject
from tests import factories as f

pytestmark = pytest.mark.django_db

PRIMARY = Subject.Assessment.PRIMARY
END, ENDTEST = Score.Kind.FINAL, Score.Kind.FINAL_TEST
TIEU_BIEU = "Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện"


@pytest.fixture
def term2(cast):
    year = cast.class_b.school_year
    f.TermFactory(school_year=year, number=1, start_date=datetime.date(2026, 9, 5),
                  end_date=datetime.date(2027, 1, 15))
    return f.TermFactory(school_year=year, number=2, start_date=datetime.date(2027, 1, 18),
                         end_date=datetime.date(2027, 5, 25))


@pytest.fixture
def teacher(cast):
    teacher = f.UserFactory(full_name="Lương Thị Lớp Ba")
    f.StaffMembershipFactory(user=teacher, school=cast.school_b, role=StaffMembership.Role.TEACHER)
    cast.class_b.homeroom_teacher = teacher
    cast.class_b.save()
    return teacher


@pytest.fixture
def principal_b(cast):
    user = f.UserFactory(full_name="Đinh Văn Hiệu")
    f.StaffMembershipFactory(user=user, school=cast.school_b, role=StaffMembership.Role.PRINCIPAL)
    return user


def _subject(cast, teacher, class_group, name, *, test):
    subject = f.SubjectFactory(school=cast.school_b, name=name, assessment=PRIMARY,
                               periods_per_year=70, has_primary_test=test)
    f.TeachingAssignmentFactory(teacher=teacher, class_group=class_group, subject=subject)
    return subject


def complete(pupil, subjects, term, by, tests):
    """Every subject T at the end of the year, `tests` ({name: score}), every quality T."""
    for subject in subjects:
        f.score(pupil, subject, term, kind=END, value=None, rating="T", by=by)
        if subject.name in tests:
            f.score(pupil, subject, term, kind=ENDTEST, value=str(tests[subject.name]), by=by)
    QualityRating.objects.bulk_create(
        QualityRating(student=pupil, term=term, period=QualityRating.Period.FINAL, item=item,
                      rating="T", updated_by=by)
        for item in qualities.ITEMS
    )


@pytest.fixture
def grade3(cast, teacher):
    return [_subject(cast, teacher, cast.class_b, name, test=name != "Đạo đức")
            for name in ("Tiếng Việt", "Toán", "Đạo đức")]


def year_card(cast, pupil=None):
    pupil = pupil or cast.sibling_b
    (card,) = year_cards(cast.class_b, cast.class_b.school_year, student_ids=[pupil.pk])
    return card


def url(class_group):
    return reverse("reports:class_awards", args=[class_group.pk])


# ---------------------------------------------------------------------------------------
# Art. 7.1.b: an optional subject's test does not decide the year (grade 1, Tiếng Anh)
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("english", [4, None])
def test_a_grade_one_pupils_english_test_does_not_decide_the_year(cast, teacher, term2, english):
    class_1 = f.ClassGroupFactory(school_year=cast.class_b.school_year, name="1A", grade=1)
    pupil = f.StudentFactory(school=cast.school_b, given_name="Lan")
    f.enrol(pupil, class_1)
    subjects = [_subject(cast, teacher, class_1, name, test=True)
                for name in ("Tiếng Việt", "Toán", "Tiếng Anh")]
    tests = {"Tiếng Việt": 10, "Toán": 9} | ({} if english is None else {"Tiếng Anh": english})
    complete(pupil, subjects, term2, teacher, tests)

    (card,) = year_cards(class_1, class_1.school_year)

    # Tiếng Anh is optional in grades 1–2: its 4 is printed, but the compulsory tests decide.
    assert (card.learning, card.missing) == ("Hoàn thành xuất sắc", ())
    english_line = next(line for line in card.subjects if line.subject == "Tiếng Anh")
    assert english_line.final_test == ("" if english is None else "4")
    assert card.award == "Học sinh Xuất sắc"


def test_a_grade_three_pupils_english_test_counts(cast, teacher, term2, grade3):
    english = _subject(cast, teacher, cast.class_b, "Tiếng Anh", test=True)
    complete(cast.sibling_b, [*grade3, english], term2, teacher,
             {"Tiếng Việt": 10, "Toán": 9, "Tiếng Anh": 4})
    # Compulsory from grade 3: 4 is below 5.
    assert year_card(cast).learning == "Chưa hoàn thành"


# ---------------------------------------------------------------------------------------
# Titles on the primary year card (Art. 13.1.a)
# ---------------------------------------------------------------------------------------


def test_the_class_proposes_the_principal_confirms_and_the_card_prints_the_title(
    client, cast, teacher, principal_b, term2, grade3
):
    complete(cast.sibling_b, grade3, term2, teacher, {"Tiếng Việt": 9, "Toán": 7})
    assert (year_card(cast).learning, year_card(cast).award) == ("Hoàn thành tốt", "")

    client.force_login(teacher)
    page = client.get(url(cast.class_b))
    assert page.status_code == 200 and "Hoàn thành tốt" in page.content.decode()
    response = client.post(url(cast.class_b), {
        "action": "propose", "student": cast.sibling_b.pk,
        "text": "  Thành tích xuất sắc   môn Toán ",
    })
    assert response.status_code == 302
    award = Award.objects.get()
    assert (award.kind, award.text, award.recorded_by, award.confirmed) == (
        Award.Kind.TIEU_BIEU, "Thành tích xuất sắc môn Toán", teacher, False
    )
    # Not printed until the principal confirms; the teacher cannot confirm.
    assert year_card(cast).award == ""
    assert client.post(url(cast.class_b), {"action": "confirm", "award": award.pk}).status_code == 403

    client.force_login(principal_b)
    assert client.post(url(cast.class_b), {"action": "confirm", "award": award.pk}).status_code == 302
    card = year_card(cast)
    assert (card.award, card.award_code) == (TIEU_BIEU, "tieu_bieu")
    award.refresh_from_db()
    assert award.confirmed_by == principal_b and award.history.count() == 2  # who and when

    [rendered] = pdf.render_cards([(card, "AWARD0001")])
    assert f"Khen thưởng: {TIEU_BIEU}" in pdf_text(rendered.pdf)


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize(
    ("tests", "message"),
    [
        # Hoàn thành (a test of 6): not Hoàn thành tốt.
        ({"Tiếng Việt": 9, "Toán": 6}, "Hoàn thành tốt"),
        # Hoàn thành xuất sắc has its own title.
        ({"Tiếng Việt": 9, "Toán": 10}, "Hoàn thành xuất sắc"),
        # No year result yet (no Toán test).
        ({"Tiếng Việt": 9}, "chưa đầy đủ"),
    ],
)
def test_a_proposal_for_a_pupil_who_does_not_qualify_is_refused(
    client, cast, teacher, term2, grade3, tests, message
):
    complete(cast.sibling_b, grade3, term2, teacher, tests)
    client.force_login(teacher)

    response = client.post(url(cast.class_b), {
        "action": "propose", "student": cast.sibling_b.pk, "text": "Tiến bộ rõ rệt: Trung thực",
    })

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Award.objects.exists()


def test_a_proposal_needs_what_it_is_for_and_is_made_once(client, cast, teacher, term2, grade3):
    complete(cast.sibling_b, grade3, term2, teacher, {"Tiếng Việt": 9, "Toán": 7})
    client.force_login(teacher)
    empty = client.post(url(cast.class_b), {"action": "propose", "student": cast.sibling_b.pk,
                                            "text": "   "})
    assert empty.status_code == 422 and "Ghi rõ" in empty.content.decode()
    assert not Award.objects.exists()
    ok = {"action": "propose", "student": cast.sibling_b.pk, "text": "Môn Toán"}
    assert client.post(url(cast.class_b), ok).status_code == 302
    again = client.post(url(cast.class_b), ok)
    assert again.status_code == 422 and Award.objects.count() == 1
    # Withdrawn before confirmation: gone.
    award = Award.objects.get()
    assert client.post(url(cast.class_b), {"action": "withdraw", "award": award.pk}).status_code == 302
    assert not Award.objects.exists()


def test_only_the_homeroom_teacher_and_the_managers_open_the_page(client, cast, teacher, term2):
    client.force_login(cast.teacher_a1)  # another school's teacher
    assert client.get(url(cast.class_b)).status_code == 404
    client.force_login(cast.parent_of_two)  # the pupil's own parent
    assert client.get(url(cast.class_b)).status_code == 404
    client.force_login(cast.other_school_admin)  # school B's administrator
    assert client.get(url(cast.class_b)).status_code == 200


# ---------------------------------------------------------------------------------------
# Awards for achievements: the school administration, every year card, summary, statistics
# ---------------------------------------------------------------------------------------

ADD = "/quan-tri/reports/award/add/"


def test_a_manager_records_an_achievement_printed_on_the_secondary_year_card(client, cast):
    year = cast.class_a1.school_year
    client.force_login(cast.principal)
    response = client.post(ADD, {"student": cast.pupil_a1.pk, "school_year": year.pk,
                                 "text": "Giải Nhì học sinh giỏi cấp tỉnh môn Toán"})
    assert response.status_code == 302, response.content.decode()[:2000]
    award = Award.objects.get()
    assert (award.kind, award.recorded_by, award.confirmed) == (
        Award.Kind.ACHIEVEMENT, cast.principal, True
    )

    (card,) = year_cards(cast.class_a1, year, student_ids=[cast.pupil_a1.pk])
    assert card.awards == ("Giải Nhì học sinh giỏi cấp tỉnh môn Toán",)
    summary = statistics.class_summary(cast.class_a1, year, None)
    row = next(r for r in summary.rows if r.full_name == cast.pupil_a1.full_name)
    assert row.khen_thuong == "Giải Nhì học sinh giỏi cấp tỉnh môn Toán"
    assert summary.tally.count(statistics.ACHIEVEMENT, "co") == 1
    school = statistics.school_statistics(cast.school_a, year, None)
    assert school.total.count(statistics.ACHIEVEMENT, "co") == 1
    # Term summaries have none.
    term = f.TermFactory(school_year=year)
    assert statistics.ACHIEVEMENT not in statistics.class_summary(cast.class_a1, year, term).columns.names


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"text": "   "}, "Ghi rõ"),
        ({"student": "other_school"}, "Chọn một học sinh của trường"),  # not offered at all
        ({"student": "left_before"}, "không học ở một lớp của trường"),
        ({"text": "Giải Ba   cấp trường"}, "đã được ghi"),  # the same award, typed differently
    ],
)
def test_bad_achievements_are_refused_and_nothing_is_written(client, cast, change, message):
    year = cast.class_a1.school_year
    Award.objects.create(student=cast.pupil_a1, school_year=year, kind=Award.Kind.ACHIEVEMENT,
                         text="Giải Ba cấp trường", recorded_by=cast.principal)
    # A pupil of school A with no class this year (enrolled in another year only).
    other_year = f.SchoolYearFactory(school=cast.school_a, name="2025–2026", is_current=False)
    left_before = f.StudentFactory(school=cast.school_a)
    f.enrol(left_before, f.ClassGroupFactory(school_year=other_year, name="9A", grade=9))
    pupils = {"other_school": cast.sibling_b.pk, "left_before": left_before.pk}
    data = {"student": cast.pupil_a1.pk, "school_year": year.pk, "text": "Giải Nhì"} | change
    data["student"] = pupils.get(data["student"], data["student"])
    client.force_login(cast.principal)

    response = client.post(ADD, data)

    assert response.status_code == 200 and message in response.content.decode()
    assert Award.objects.count() == 1


def test_the_awards_table_keeps_to_the_managed_schools(client, cast):
    year_b = cast.class_b.school_year
    Award.objects.create(student=cast.sibling_b, school_year=year_b, kind=Award.Kind.ACHIEVEMENT,
                         text="Giải BímậtB", recorded_by=cast.other_school_admin)
    client.force_login(cast.principal)
    page = client.get("/quan-tri/reports/award/")
    assert page.status_code == 200 and "BímậtB" not in page.content.decode()


@pytest.mark.parametrize(
    ("result", "allowed"),
    [("Hoàn thành tốt", True), ("Hoàn thành xuất sắc", False), ("", False),
     ("Tốt", False)],  # a secondary pupil's learning result is not Circular 27's
)
def test_who_the_page_offers_to_propose(result, allowed):
    assert awards.may_be_proposed(result) is allowed


def test_service_refuses_a_teacher_recording_an_achievement(cast):
    with pytest.raises(awards.NotAllowed):
        awards.record_achievement(cast.homeroom_a1, cast.pupil_a1, cast.class_a1.school_year, "X")
    assert not Award.objects.exists()
