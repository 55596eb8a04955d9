"""The primary grade book (Circular 27): its columns by grade and subject, ratings (T/H/C) and
whole-number written tests typed in every way teachers write them, all-or-nothing saves,
publishing, history, closed terms, who may open and write it (the whole cast), and what a
guardian sees: the rating in words, never an average."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from contactbook.gradebook import reads
from contactbook.gradebook.columns import Column, column_by_key, columns_for, parse_cell
from contactbook.gradebook.reads import cell_history
from contactbook.gradebook.writes import GridErrors, publish_column, save_grid
from contactbook.models import Notification, Score
from school.exceptions import TermClosed
from school.models import Subject
from school.terms import close_term
from tests import factories as f
from tests.conftest import as_user, assert_cast
from tests.contactbook.primary_support import primary_class_teacher, primary_term  # noqa: F401

pytestmark = pytest.mark.django_db

PRIMARY = Subject.Assessment.PRIMARY


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English: the Vietnamese catalog may not be compiled."""
    with translation.override("en"):
        yield


@pytest.fixture
def vietnamese(cast, class_teacher):
    subject = f.SubjectFactory(
        school=cast.school_b, name="Tiếng Việt", assessment=PRIMARY, periods_per_year=245,
        has_primary_test=True,
    )
    f.TeachingAssignmentFactory(teacher=class_teacher, class_group=cast.class_b, subject=subject)
    return subject


def primary_subject(name, test=False):
    return Subject(name=name, assessment=PRIMARY, periods_per_year=70, has_primary_test=test)


def book_url(cast, subject, term, name="contactbook:gradebook_term"):
    return reverse(name, args=[cast.class_b.pk, subject.pk, term.pk])


def save(cast, teacher, subject, term, cells):
    return save_grid(
        teacher=teacher, class_group=cast.class_b, subject=subject, term=term, cells=cells
    )


# ---------------------------------------------------------------------------------------
# Columns and typed cells
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, test, grade, keys",
    [
        ("Tiếng Việt", True, 3, ["midterm-1", "final-1", "finaltest-1"]),
        ("Tiếng Việt", True, 4, ["midterm-1", "final-1", "midtest-1", "finaltest-1"]),
        ("Toán", True, 5, ["midterm-1", "final-1", "midtest-1", "finaltest-1"]),
        ("Khoa học", True, 5, ["midterm-1", "final-1", "finaltest-1"]),
        ("Đạo đức", False, 4, ["midterm-1", "final-1"]),
        ("Toán", True, 1, ["midterm-1", "final-1", "finaltest-1"]),
    ],
)
def test_columns_follow_circular_27(name, test, grade, keys):
    columns = columns_for(primary_subject(name, test), grade)
    assert [c.key for c in columns] == keys
    assert [c.is_test for c in columns] == [k.endswith("test-1") for k in keys]


@pytest.mark.parametrize(
    "typed, rating",
    [
        ("T", "T"), ("t", "T"), ("HTT", "T"), ("Hoàn thành tốt", "T"), ("hoan thanh tot", "T"),
        ("H", "H"), ("ht", "H"), ("  Hoàn   thành ", "H"),
        ("C", "C"), ("CHT", "C"), ("Chưa hoàn thành", "C"), ("chua hoan thanh", "C"),
    ],
)
def test_a_rating_is_read_however_a_teacher_writes_it(typed, rating):
    column = Column(Score.Kind.MIDTERM, 1)
    assert parse_cell(typed, primary_subject("Tiếng Việt"), column) == (None, None, rating)


@pytest.mark.parametrize(
    "typed, message",
    [
        ("Đ", "Enter T (Hoàn thành tốt), H (Hoàn thành) or C (Chưa hoàn thành)."),
        ("8", "Enter T (Hoàn thành tốt), H (Hoàn thành) or C (Chưa hoàn thành)."),
        ("Tốt", "Enter T (Hoàn thành tốt), H (Hoàn thành) or C (Chưa hoàn thành)."),
    ],
)
def test_a_rating_cell_refuses_anything_else(typed, message):
    column = Column(Score.Kind.FINAL, 1)
    with pytest.raises(ValueError) as error:
        parse_cell(typed, primary_subject("Tiếng Việt"), column)
    assert str(error.value) == message


@pytest.mark.parametrize("typed, value", [("0", 0), ("8", 8), (" 10 ", 10), ("07", 7)])
def test_a_written_test_is_a_whole_number(typed, value):
    column = Column(Score.Kind.FINAL_TEST, 1)
    assert parse_cell(typed, primary_subject("Toán", True), column) == (
        Decimal(value), None, None
    )


@pytest.mark.parametrize(
    "typed, message",
    [
        ("8,5", "A test score is a whole number, without decimals."),
        ("7.5", "A test score is a whole number, without decimals."),
        ("11", "A test score is a whole number from 0 to 10."),
        ("-1", "A test score is a whole number from 0 to 10."),
        ("T", "A test score is a whole number from 0 to 10."),
        ("tám", "A test score is a whole number from 0 to 10."),
    ],
)
def test_a_written_test_refuses_decimals_and_words(typed, message):
    column = Column(Score.Kind.MIDTERM_TEST, 1)
    with pytest.raises(ValueError) as error:
        parse_cell(typed, primary_subject("Toán", True), column)
    assert str(error.value) == message


# ---------------------------------------------------------------------------------------
# Saving, publishing, history, closed terms
# ---------------------------------------------------------------------------------------


def test_one_bad_cell_saves_nothing_and_good_cells_save_ratings_and_tests(
    cast, class_teacher, vietnamese, term
):
    pupil = cast.sibling_b
    with pytest.raises(GridErrors) as error:
        save(cast, class_teacher, vietnamese, term,
             {(pupil.pk, "midterm-1"): "T", (pupil.pk, "finaltest-1"): "9,5"})
    assert set(error.value.errors) == {(pupil.pk, "finaltest-1")}
    assert not Score.objects.exists()
    # grade 3 has no mid-term test: that cell is not in the grade book
    with pytest.raises(GridErrors) as error:
        save(cast, class_teacher, vietnamese, term, {(pupil.pk, "midtest-1"): "8"})
    assert error.value.errors == {(pupil.pk, "midtest-1"): "This cell is not in the grade book."}

    assert save(cast, class_teacher, vietnamese, term,
                {(pupil.pk, "midterm-1"): "htt", (pupil.pk, "finaltest-1"): "9"}) == 2
    cells = {s.kind: s for s in Score.objects.filter(student=pupil)}
    assert (cells["midterm"].rating, cells["midterm"].value, cells["midterm"].passed) == ("T", None, None)
    assert (cells["finaltest"].value, cells["finaltest"].rating) == (Decimal(9), None)
    # the same again changes nothing; a new rating is one change with its history
    assert save(cast, class_teacher, vietnamese, term, {(pupil.pk, "midterm-1"): "T"}) == 0
    assert save(cast, class_teacher, vietnamese, term, {(pupil.pk, "midterm-1"): "H"}) == 1
    changes = cell_history(pupil, vietnamese, term, key="midterm-1")
    assert [(c.old, c.new) for c in changes] == [("T", "H"), ("", "T")]
    assert changes[0].who == class_teacher


def test_publishing_a_rating_column_tells_the_guardians_once(cast, class_teacher, vietnamese, term):
    pupil = cast.sibling_b
    save(cast, class_teacher, vietnamese, term, {(pupil.pk, "midterm-1"): "T"})
    grid = reads.grid(cast.class_b, vietnamese, term)
    assert [c.key for c in grid["columns"] if c.publishable] == ["midterm-1"]
    count = publish_column(
        teacher=class_teacher, class_group=cast.class_b, subject=vietnamese, term=term,
        column=column_by_key(vietnamese, "midterm-1", cast.class_b.grade),
    )
    assert count == 1
    assert list(Notification.objects.values_list("recipient", flat=True)) == [cast.parent_of_two.pk]
    row = reads.grid(cast.class_b, vietnamese, term)["rows"][0]
    assert (row.average, row.result) == (None, None)  # no average in primary


def test_a_closed_term_takes_no_rating(cast, class_teacher, vietnamese, term):
    close_term(user=cast.other_school_admin, term=term)
    term.refresh_from_db()
    with pytest.raises(TermClosed):
        save(cast, class_teacher, vietnamese, term, {(cast.sibling_b.pk, "midterm-1"): "T"})
    assert not Score.objects.exists()


# ---------------------------------------------------------------------------------------
# The pages
# ---------------------------------------------------------------------------------------


def test_who_may_open_and_save_a_primary_grade_book(cast, client, class_teacher, vietnamese, term):
    def opens(user):
        response = as_user(client, user).get(book_url(cast, vietnamese, term))
        assert response.status_code in (200, 302, 404), (user, response.status_code)
        return response.status_code == 200

    def saves(user):
        Score.objects.all().delete()
        as_user(client, user).post(
            book_url(cast, vietnamese, term), {f"c-{cast.sibling_b.pk}-midterm-1": "T"}
        )
        return Score.objects.exists()

    assert_cast(cast, opens, {"operator", "other_school_admin", "class_teacher"})
    assert_cast(cast, saves, {"class_teacher"})
    assert Score.objects.get().rating == "T"


def test_the_grid_page_shows_rating_and_test_inputs_and_no_average(
    cast, client, class_teacher, vietnamese, term
):
    save(cast, class_teacher, vietnamese, term, {(cast.sibling_b.pk, "midterm-1"): "C"})
    page = as_user(client, class_teacher).get(book_url(cast, vietnamese, term)).content.decode()
    assert f'name="c-{cast.sibling_b.pk}-midterm-1" id="c-{cast.sibling_b.pk}-midterm-1" value="C"' in page
    assert f'name="c-{cast.sibling_b.pk}-finaltest-1"' in page
    assert 'inputmode="numeric"' in page and "data-average" not in page


def test_a_bad_cell_on_the_page_is_named_in_vietnamese_and_nothing_is_saved(
    cast, client, class_teacher, vietnamese, term
):
    pupil = cast.sibling_b
    with translation.override("vi"):
        response = as_user(client, class_teacher).post(
            book_url(cast, vietnamese, term),
            {f"c-{pupil.pk}-midterm-1": "T", f"c-{pupil.pk}-finaltest-1": "8,5"},
            HTTP_ACCEPT_LANGUAGE="vi",
        )
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Score.objects.exists()


def test_a_subject_of_the_other_circular_has_no_grade_book(cast, client, class_teacher, term):
    scored = f.SubjectFactory(school=cast.school_b, name="Toán", assessment=Subject.Assessment.SCORED)
    f.TeachingAssignmentFactory(teacher=class_teacher, class_group=cast.class_b, subject=scored)
    assert as_user(client, class_teacher).get(book_url(cast, scored, term)).status_code == 404
    # and a primary subject in an upper-secondary class
    primary_in_10 = f.SubjectFactory(school=cast.school_a, name="Tiếng Việt", assessment=PRIMARY)
    f.TeachingAssignmentFactory(teacher=cast.teacher_a1, class_group=cast.class_a1, subject=primary_in_10)
    upper_term = f.TermFactory(school_year=cast.class_a1.school_year)
    url = reverse("contactbook:gradebook_term", args=[cast.class_a1.pk, primary_in_10.pk, upper_term.pk])
    assert as_user(client, cast.teacher_a1).get(url).status_code == 404


def test_the_index_lists_the_primary_class_for_its_teacher(cast, client, class_teacher, vietnamese, term):
    page = as_user(client, class_teacher).get(reverse("contactbook:gradebook_index")).content.decode()
    assert reverse("contactbook:gradebook", args=[cast.class_b.pk, vietnamese.pk]) in page


def test_the_primary_grid_runs_a_fixed_number_of_queries(cast, client, class_teacher, vietnamese, term):
    as_user(client, class_teacher)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(book_url(cast, vietnamese, term)).status_code == 200
        return len(ctx.captured_queries)

    small = queries()
    pupils = [f.StudentFactory(school=cast.school_b) for _ in range(20)]
    for pupil in pupils:
        f.enrol(pupil, cast.class_b)
    save(cast, class_teacher, vietnamese, term, {(p.pk, "midterm-1"): "H" for p in pupils})
    assert queries() == small


def test_a_guardian_sees_published_ratings_in_words_and_no_average(
    cast, client, class_teacher, vietnamese, term
):
    pupil = cast.sibling_b
    save(cast, class_teacher, vietnamese, term,
         {(pupil.pk, "midterm-1"): "T", (pupil.pk, "finaltest-1"): "9"})
    grades = reverse("contactbook:student_grades", args=[pupil.pk])
    portal = reverse("contactbook:portal_child", args=[pupil.pk])
    as_user(client, cast.parent_of_two)
    assert "Hoàn thành tốt" not in client.get(grades).content.decode()  # not published yet
    publish_column(
        teacher=class_teacher, class_group=cast.class_b, subject=vietnamese, term=term,
        column=column_by_key(vietnamese, "midterm-1", cast.class_b.grade),
    )
    page = client.get(grades).content.decode()
    assert "Hoàn thành tốt" in page and "data-average" not in page
    assert ">9<" not in page  # the test's column is still a draft
    home = client.get(portal).content.decode()
    assert "Hoàn thành tốt" in home
