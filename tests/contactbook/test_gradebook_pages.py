"""The grade book's pages through their URLs: who may read and write each against the whole
cast, the grid's errors, closed terms, publishing, history, the homeroom sheet, the parent's
page, the term admin, and pinned query counts.

No assertion reads a translated label: the tests go by status codes, data, element names and
attributes (or English under translation.override)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from contactbook.gradebook.columns import column_by_key
from contactbook.gradebook.reads import grid
from contactbook.gradebook.writes import publish_column, save_grid, save_homeroom
from contactbook.models import ConductRating, Notification, Score, TermComment
from school.models import Subject, TermEvent
from school.terms import close_term
from tests import factories as f
from tests.conftest import as_user, assert_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def term(cast):
    return f.TermFactory(school_year=cast.class_a1.school_year)


@pytest.fixture
def maths(cast):
    return cast.class_a1.assignments.get().subject


@pytest.fixture
def literature_teacher(cast):
    """A teacher of Ngữ văn in 10A1: may open 10A1, but does not teach Toán."""
    teacher = f.UserFactory(full_name="Đặng Thị Văn")
    f.StaffMembershipFactory(user=teacher, school=cast.school_a)
    subject = f.SubjectFactory(school=cast.school_a, name="Ngữ văn")
    f.TeachingAssignmentFactory(teacher=teacher, class_group=cast.class_a1, subject=subject)
    return teacher


def book_url(cast, subject, term=None, name="contactbook:gradebook_term"):
    if term is None:
        return reverse("contactbook:gradebook", args=[cast.class_a1.pk, subject.pk])
    return reverse(name, args=[cast.class_a1.pk, subject.pk, term.pk])


def cell(student, key="regular-1"):
    return f"c-{student.pk}-{key}"


def grid_post(cast, values: dict, comments: dict | None = None) -> dict:
    """A whole grid as the form posts it: every cell of both pupils, the given values set."""
    data = {}
    for pupil in (cast.pupil_a1, cast.sibling_a1):
        for key in ["regular-1", "regular-2", "regular-3", "regular-4", "midterm-1", "final-1"]:
            data[cell(pupil, key)] = ""
        data[f"n-{pupil.pk}"] = ""
    data.update(values)
    data.update(comments or {})
    return data


# ---------------------------------------------------------------------------------------
# Who may read and write
# ---------------------------------------------------------------------------------------


def test_who_may_open_a_grade_book(cast, client, maths, term):
    def opens(user):
        response = as_user(client, user).get(book_url(cast, maths, term))
        assert response.status_code in (200, 302, 404), (user, response.status_code)
        return response.status_code == 200

    assert_cast(cast, opens, {"operator", "principal", "teacher_a1", "homeroom_a1"})


def test_only_the_subject_teacher_gets_inputs(cast, client, maths, term):
    def has_inputs(user):
        response = as_user(client, user).get(book_url(cast, maths, term))
        return (
            response.status_code == 200
            and f'name="{cell(cast.pupil_a1)}"' in response.content.decode()
        )

    assert_cast(cast, has_inputs, {"teacher_a1"})
    response = as_user(client, cast.homeroom_a1).get(book_url(cast, maths, term))
    assert response.status_code == 200 and "data-read-only" in response.content.decode()
    assert 'name="c-' not in response.content.decode()


def test_a_teacher_of_another_subject_reads_no_scores_of_this_one(
    cast, client, maths, term, literature_teacher
):
    """DESIGN: a teacher sees the subjects they are assigned. A Ngữ văn teacher of 10A1 may
    open the class but not its Toán grade book (unpublished scores, comments) or its history;
    the homeroom teacher, who writes conduct and comments from every subject, may."""
    history = reverse(
        "contactbook:gradebook_history",
        args=[cast.class_a1.pk, maths.pk, term.pk, cast.pupil_a1.pk],
    )
    for url in (book_url(cast, maths, term), book_url(cast, maths), history):
        response = as_user(client, literature_teacher).get(url)
        assert response.status_code == 404, url
    index = as_user(client, literature_teacher).get(reverse("contactbook:gradebook_index"))
    page = index.content.decode()
    assert book_url(cast, maths) not in page
    literature = Subject.objects.get(name="Ngữ văn", assignments__class_group=cast.class_a1)
    assert book_url(cast, literature) in page  # their own book is listed


def test_who_may_save_a_grade_book(cast, client, maths, term):
    outcomes = {}

    def saves(user):
        Score.objects.all().delete()
        response = as_user(client, user).post(
            book_url(cast, maths, term), grid_post(cast, {cell(cast.pupil_a1): "8"})
        )
        outcomes[getattr(user, "full_name", "anonymous")] = response.status_code
        return Score.objects.exists()

    assert_cast(cast, saves, {"teacher_a1"})
    assert outcomes[cast.principal.full_name] == 403
    assert outcomes[cast.homeroom_a1.full_name] == 403
    assert outcomes[cast.operator.full_name] == 403
    assert outcomes[cast.teacher_a2.full_name] == 404
    assert outcomes[cast.parent_a1.full_name] == 404
    assert outcomes["anonymous"] == 302


def test_a_teacher_of_another_subject_can_neither_save_nor_publish(
    cast, client, maths, term, literature_teacher
):
    response = as_user(client, literature_teacher).post(
        book_url(cast, maths, term), grid_post(cast, {cell(cast.pupil_a1): "8"})
    )
    assert response.status_code == 404 and not Score.objects.exists()
    publish = as_user(client, literature_teacher).post(
        book_url(cast, maths, term, "contactbook:gradebook_publish"), {"column": "regular-1"}
    )
    assert publish.status_code == 404


def test_a_subject_teacher_cannot_grade_another_subject(cast, client, term, literature_teacher):
    literature = Subject.objects.get(
        name="Ngữ văn", school=cast.school_a, assignments__class_group=cast.class_a1
    )
    response = as_user(client, cast.teacher_a1).post(
        book_url(cast, literature, term), {cell(cast.pupil_a1): "8"}
    )
    assert response.status_code == 404 and not Score.objects.exists()


def test_a_subject_not_taught_in_the_class_has_no_grade_book(cast, client, term):
    chemistry = f.SubjectFactory(school=cast.school_a, name="Hoá học")
    other_school = f.SubjectFactory(school=cast.school_b, name="Toán")
    for subject in (chemistry, other_school):
        response = as_user(client, cast.principal).get(book_url(cast, subject, term))
        assert response.status_code == 404


def test_a_term_of_another_year_is_not_found(cast, client, maths):
    other_year = f.SchoolYearFactory(
        school=cast.school_a,
        name="2025–2026",
        is_current=False,
        start_date=datetime.date(2025, 9, 5),
        end_date=datetime.date(2026, 5, 31),
    )
    old_term = f.TermFactory(school_year=other_year)
    assert as_user(client, cast.teacher_a1).get(book_url(cast, maths, old_term)).status_code == 404


def test_revoking_the_assignment_takes_effect_on_the_next_request(cast, client, maths, term):
    as_user(client, cast.teacher_a1)
    assert (
        client.post(
            book_url(cast, maths, term), grid_post(cast, {cell(cast.pupil_a1): "8"})
        ).status_code
        == 302
    )
    successor = f.UserFactory()
    f.StaffMembershipFactory(user=successor, school=cast.school_a)
    cast.class_a1.assignments.filter(subject=maths).update(teacher=successor)
    assert (
        client.post(
            book_url(cast, maths, term), grid_post(cast, {cell(cast.pupil_a1): "9"})
        ).status_code
        == 404
    )
    assert Score.objects.get().value == 8


# ---------------------------------------------------------------------------------------
# The grid
# ---------------------------------------------------------------------------------------


def test_the_default_url_opens_the_current_term(cast, client, maths):
    today = timezone.localdate()
    year = cast.class_a1.school_year
    f.TermFactory(
        school_year=year,
        number=1,
        start_date=today - datetime.timedelta(days=120),
        end_date=today - datetime.timedelta(days=2),
    )
    current = f.TermFactory(
        school_year=year,
        number=2,
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=100),
    )
    response = as_user(client, cast.teacher_a1).get(book_url(cast, maths))
    assert response.status_code == 200 and response.context["term"] == current
    assert f'action="{book_url(cast, maths, current)}"' in response.content.decode()


def test_a_year_without_terms_shows_a_notice(cast, client, maths):
    response = as_user(client, cast.teacher_a1).get(book_url(cast, maths))
    assert response.status_code == 200 and response.context["term"] is None


def test_saving_a_clean_grid_redirects_and_shows_decimal_commas(cast, client, maths, term):
    as_user(client, cast.teacher_a1)
    values = {
        cell(cast.pupil_a1, k): v
        for k, v in [
            ("regular-1", "7"),
            ("regular-2", "8"),
            ("regular-3", "9"),
            ("regular-4", "6.5"),
            ("midterm-1", "9"),
            ("final-1", "8"),
        ]
    }
    response = client.post(
        book_url(cast, maths, term), grid_post(cast, values, {f"n-{cast.pupil_a1.pk}": "Chăm"})
    )
    assert response.status_code == 302 and response["Location"] == book_url(cast, maths, term)
    assert Score.objects.count() == 6 and TermComment.objects.get().text == "Chăm"
    page = client.get(book_url(cast, maths, term)).content.decode()
    name = cell(cast.pupil_a1, "regular-4")
    assert f'name="{name}" id="{name}" value="6,5"' in page
    average = re.search(
        rf'<tr data-student="{cast.pupil_a1.pk}">.*?<td class="avg" data-average>(.*?)</td>',
        page,
        re.S,
    )
    assert (
        average.group(1) == "8,1"
    )  # (7 + 8 + 9 + 6.5 + 18 + 24) / 9 = 8.06, comma on a Vietnamese page


def test_bad_cells_come_back_with_every_typed_value_and_an_error_each(cast, client, maths, term):
    as_user(client, cast.teacher_a1)
    client.post(book_url(cast, maths, term), grid_post(cast, {cell(cast.pupil_a1): "5"}))
    typed = {
        cell(cast.pupil_a1, "regular-1"): "6",
        cell(cast.pupil_a1, "regular-2"): "11",
        cell(cast.pupil_a1, "regular-3"): "-1",
        cell(cast.pupil_a1, "regular-4"): "7.25",
        cell(cast.pupil_a1, "midterm-1"): "abc",
        cell(cast.pupil_a1, "final-1"): "Đ",
        cell(cast.sibling_a1, "regular-1"): "7,5",
        cell(cast.sibling_a1, "regular-2"): "10",
    }
    response = client.post(book_url(cast, maths, term), grid_post(cast, typed))
    assert response.status_code == 422
    page = response.content.decode()
    bad = ["regular-2", "regular-3", "regular-4", "midterm-1", "final-1"]
    for name, value in typed.items():
        assert f'id="{name}" value="{value}"' in page, name  # kept as typed
    for key in bad:
        name = cell(cast.pupil_a1, key)
        assert re.search(
            rf'name="{name}"[^>]*aria-invalid="true" aria-describedby="e-{name}"', page
        ), key
        assert f'<span class="cell-error" id="e-{name}">' in page
    assert page.count('aria-invalid="true"') == len(bad)
    assert 'id="grid-errors"' in page
    assert dict(Score.objects.values_list("index", "value")) == {1: 5}  # nothing saved half


def test_errors_are_given_in_vietnamese_on_a_vietnamese_page(cast, client, maths, term):
    """The message for each bad cell is a translated string: under the English locale it is
    the English msgid, so the page shows a message whatever the catalog holds."""
    as_user(client, cast.teacher_a1)
    with translation.override("en"):
        response = client.post(
            book_url(cast, maths, term),
            grid_post(cast, {cell(cast.pupil_a1): "11"}),
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert "A score is from 0 to 10." in response.content.decode()


def test_a_rated_subject_takes_d_and_cd(cast, client, term):
    music = f.SubjectFactory(
        school=cast.school_a,
        name="Âm nhạc",
        assessment=Subject.Assessment.RATED,
        periods_per_year=35,
    )
    f.TeachingAssignmentFactory(teacher=cast.teacher_a1, class_group=cast.class_a1, subject=music)
    as_user(client, cast.teacher_a1)
    url = book_url(cast, music, term)
    bad = client.post(url, {cell(cast.pupil_a1): "Đ", cell(cast.sibling_a1): "7"})
    assert bad.status_code == 422 and not Score.objects.exists()
    assert (
        client.post(url, {cell(cast.pupil_a1): "Đ", cell(cast.sibling_a1): "cđ"}).status_code == 302
    )
    assert dict(Score.objects.values_list("student_id", "passed")) == {
        cast.pupil_a1.pk: True,
        cast.sibling_a1.pk: False,
    }
    page = client.get(url).content.decode()
    assert 'value="CĐ"' in page and 'inputmode="text"' in page


def test_a_closed_term_is_read_only_and_a_post_is_refused(cast, client, maths, term):
    close_term(user=cast.principal, term=term)
    as_user(client, cast.teacher_a1)
    page = client.get(book_url(cast, maths, term))
    assert page.status_code == 200 and "data-term-closed" in page.content.decode()
    assert 'name="c-' not in page.content.decode()
    response = client.post(book_url(cast, maths, term), grid_post(cast, {cell(cast.pupil_a1): "8"}))
    assert response.status_code == 409 and "data-notice" in response.content.decode()
    published = client.post(
        book_url(cast, maths, term, "contactbook:gradebook_publish"), {"column": "regular-1"}
    )
    assert published.status_code == 409
    assert not Score.objects.exists()


def test_publish_buttons_appear_for_columns_with_unpublished_cells_and_notify(
    cast, client, maths, term
):
    as_user(client, cast.teacher_a1)
    client.post(
        book_url(cast, maths, term),
        grid_post(cast, {cell(cast.pupil_a1): "8", cell(cast.sibling_a1): "7"}),
    )
    page = client.get(book_url(cast, maths, term)).content.decode()
    assert re.findall(r'data-publish="([\w-]+)"', page) == ["regular-1"]

    response = client.post(
        book_url(cast, maths, term, "contactbook:gradebook_publish"), {"column": "regular-1"}
    )
    assert response.status_code == 302
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {
        cast.parent_a1.pk,
        cast.parent_of_two.pk,
    }
    page = client.get(book_url(cast, maths, term)).content.decode()
    assert "data-publish=" not in page
    assert re.search(r'<th class="col" data-column="regular-1"[^>]*>.*?data-published', page, re.S)
    assert page.count('class="cell pub"') == 2

    assert (
        client.post(
            book_url(cast, maths, term, "contactbook:gradebook_publish"), {"column": "nope"}
        ).status_code
        == 302
    )  # told to choose a column; nothing happens
    assert Notification.objects.count() == 2


def test_the_grid_runs_a_fixed_number_of_queries(cast, client, maths, term):
    as_user(client, cast.teacher_a1)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(book_url(cast, maths, term)).status_code == 200
        return len(ctx.captured_queries)

    f.enrol(f.StudentFactory(school=cast.school_a, given_name="Ba"), cast.class_a1)
    assert len(grid(cast.class_a1, maths, term)["rows"]) == 3
    small = queries()
    pupils = [f.StudentFactory(school=cast.school_a) for _ in range(27)]
    for pupil in pupils:
        f.enrol(pupil, cast.class_a1)
    everyone = list(cast.class_a1.enrolments.values_list("student", flat=True))
    everyone = [type(cast.pupil_a1)(pk=pk) for pk in everyone]
    keys = ["regular-1", "regular-2", "regular-3", "regular-4", "midterm-1", "final-1"]
    save_grid(
        teacher=cast.teacher_a1,
        class_group=cast.class_a1,
        subject=maths,
        term=term,
        cells={(p.pk, k): "7,5" for p in everyone for k in keys},
        comments={p.pk: "Tốt" for p in everyone},
    )
    assert len(everyone) == 30
    assert queries() == small
    # session, user, class (access), assignment with subject and teacher (access), terms,
    # pupils, scores, comments, and the navigation's manage check.
    assert small == 9


# ---------------------------------------------------------------------------------------
# History
# ---------------------------------------------------------------------------------------


def test_history_page_shows_who_when_old_and_new(cast, client, maths, term):
    as_user(client, cast.teacher_a1)
    for value in ("7", "8,5"):
        client.post(book_url(cast, maths, term), grid_post(cast, {cell(cast.pupil_a1): value}))
    url = reverse(
        "contactbook:gradebook_history",
        args=[cast.class_a1.pk, maths.pk, term.pk, cast.pupil_a1.pk],
    )
    page = client.get(url + "?cot=regular-1").content.decode()
    rows = re.findall(
        r'<tr data-key="regular-1">.*?class="who">(.*?)</td>'
        r'.*?class="old">(.*?)</td>.*?class="new">(.*?)</td>',
        page,
        re.S,
    )
    assert rows == [(cast.teacher_a1.full_name, "7", "8,5"), (cast.teacher_a1.full_name, "—", "7")]
    assert re.search(r'class="when">\d\d/\d\d/\d{4} \d\d:\d\d<', page)


def test_who_may_read_the_history(cast, client, maths, term):
    url = reverse(
        "contactbook:gradebook_history",
        args=[cast.class_a1.pk, maths.pk, term.pk, cast.pupil_a1.pk],
    )

    def reads(user):
        return as_user(client, user).get(url).status_code == 200

    assert_cast(cast, reads, {"operator", "principal", "teacher_a1", "homeroom_a1"})
    other = reverse(
        "contactbook:gradebook_history",
        args=[cast.class_a1.pk, maths.pk, term.pk, cast.pupil_a2.pk],
    )
    assert as_user(client, cast.principal).get(other).status_code == 404  # not in this class


# ---------------------------------------------------------------------------------------
# The homeroom teacher's page
# ---------------------------------------------------------------------------------------


def homeroom_url(class_group, term):
    return reverse("contactbook:homeroom_term", args=[class_group.pk, term.pk])


def test_who_may_open_and_save_the_homeroom_page(cast, client, term):
    def opens(user):
        return as_user(client, user).get(homeroom_url(cast.class_a1, term)).status_code == 200

    def saves(user):
        ConductRating.objects.all().delete()
        as_user(client, user).post(
            homeroom_url(cast.class_a1, term), {f"r-{cast.pupil_a1.pk}": "Tốt"}
        )
        return ConductRating.objects.exists()

    assert_cast(cast, opens, {"operator", "principal", "teacher_a1", "homeroom_a1"})
    assert_cast(cast, saves, {"homeroom_a1"})
    assert (
        as_user(client, cast.teacher_a1)
        .post(homeroom_url(cast.class_a1, term), {f"r-{cast.pupil_a1.pk}": "Tốt"})
        .status_code
        == 403
    )


def test_a_homeroom_teachers_powers_end_at_their_class(cast, client, term):
    as_user(client, cast.homeroom_a1)
    assert client.get(homeroom_url(cast.class_a2, term)).status_code == 404
    response = client.post(homeroom_url(cast.class_a2, term), {f"r-{cast.pupil_a2.pk}": "Tốt"})
    assert response.status_code == 404
    # A pupil of another class posted into the homeroom teacher's own class is ignored.
    client.post(homeroom_url(cast.class_a1, term), {f"r-{cast.pupil_a2.pk}": "Tốt"})
    assert not ConductRating.objects.exists()


def test_homeroom_sheet_saves_all_or_nothing_and_keeps_history(cast, client, term):
    as_user(client, cast.homeroom_a1)
    an, chau = cast.pupil_a1.pk, cast.sibling_a1.pk
    bad = client.post(
        homeroom_url(cast.class_a1, term),
        {f"r-{an}": "Tốt", f"r-{chau}": "Giỏi", f"n-{an}": "Ngoan, lễ phép"},
    )
    assert bad.status_code == 422
    page = bad.content.decode()
    assert re.search(rf'name="r-{chau}"[^>]*aria-invalid="true"', page)
    assert ">Ngoan, lễ phép</textarea>" in page
    assert not ConductRating.objects.exists() and not TermComment.objects.exists()

    ok = client.post(
        homeroom_url(cast.class_a1, term),
        {f"r-{an}": "Tốt", f"r-{chau}": "Khá", f"n-{an}": "Ngoan"},
    )
    assert ok.status_code == 302
    client.post(
        homeroom_url(cast.class_a1, term),
        {f"r-{an}": "Khá", f"r-{chau}": "Khá", f"n-{an}": "Ngoan"},
    )
    history = client.get(
        reverse("contactbook:homeroom_history", args=[cast.class_a1.pk, term.pk, an])
    ).content.decode()
    rows = re.findall(
        r'<tr data-key="conduct">.*?class="old">(.*?)</td>.*?class="new">(.*?)</td>', history, re.S
    )
    assert rows == [("Tốt", "Khá"), ("—", "Tốt")]


def test_the_homeroom_page_runs_a_fixed_number_of_queries(cast, client, term):
    as_user(client, cast.homeroom_a1)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(homeroom_url(cast.class_a1, term)).status_code == 200
        return len(ctx.captured_queries)

    small = queries()
    for _ in range(28):
        f.enrol(f.StudentFactory(school=cast.school_a), cast.class_a1)
    pupils = list(cast.class_a1.enrolments.values_list("student", flat=True))
    save_homeroom(
        teacher=cast.homeroom_a1,
        class_group=cast.class_a1,
        term=term,
        conduct={pk: "Tốt" for pk in pupils},
        comments={pk: "Ngoan" for pk in pupils},
    )
    assert queries() == small
    # session, user, class (access), terms, homeroom check, pupils, ratings, comments, the
    # class's grade books, and the navigation's manage check.
    assert small == 10


def test_homeroom_page_of_a_closed_term_refuses_a_post(cast, client, term):
    close_term(user=cast.principal, term=term)
    as_user(client, cast.homeroom_a1)
    assert "data-term-closed" in client.get(homeroom_url(cast.class_a1, term)).content.decode()
    response = client.post(homeroom_url(cast.class_a1, term), {f"r-{cast.pupil_a1.pk}": "Tốt"})
    assert response.status_code == 409 and not ConductRating.objects.exists()


# ---------------------------------------------------------------------------------------
# The list of grade books
# ---------------------------------------------------------------------------------------


def test_grade_book_list_shows_the_classes_one_may_open(cast, client, maths):
    def lists(user):
        response = as_user(client, user).get(reverse("contactbook:gradebook_index"))
        return response.status_code == 200 and book_url(cast, maths) in response.content.decode()

    assert_cast(cast, lists, {"operator", "principal", "teacher_a1", "homeroom_a1"})
    page = (
        as_user(client, cast.homeroom_a1)
        .get(reverse("contactbook:gradebook_index"))
        .content.decode()
    )
    assert reverse("contactbook:homeroom", args=[cast.class_a1.pk]) in page


# ---------------------------------------------------------------------------------------
# The parent's page
# ---------------------------------------------------------------------------------------


def grades_url(student):
    return reverse("contactbook:student_grades", args=[student.pk])


@pytest.fixture
def current_term(cast):
    today = timezone.localdate()
    return f.TermFactory(
        school_year=cast.class_a1.school_year,
        start_date=today - datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=30),
    )


def test_who_may_open_a_pupils_grades(cast, client, current_term):
    def opens(student):
        def check(user):
            response = as_user(client, user).get(grades_url(student))
            assert response.status_code in (200, 302, 404)
            return response.status_code == 200

        return check

    assert_cast(
        cast,
        opens(cast.pupil_a1),
        {"operator", "principal", "teacher_a1", "homeroom_a1", "parent_a1"},
    )
    assert_cast(cast, opens(cast.sibling_b), {"operator", "other_school_admin", "parent_of_two"})


def test_a_parent_sees_only_published_scores_and_an_average_only_when_complete(
    cast, client, maths, current_term
):
    an = cast.pupil_a1.pk
    full = {
        "regular-1": "7",
        "regular-2": "8",
        "regular-3": "9",
        "regular-4": "6,5",
        "midterm-1": "9",
        "final-1": "8",
    }
    save_grid(
        teacher=cast.teacher_a1,
        class_group=cast.class_a1,
        subject=maths,
        term=current_term,
        cells={(an, k): v for k, v in full.items()},
    )
    for key in ["regular-1", "regular-2", "regular-3", "regular-4", "midterm-1"]:
        publish_column(
            teacher=cast.teacher_a1,
            class_group=cast.class_a1,
            subject=maths,
            term=current_term,
            column=column_by_key(maths, key),
        )
    as_user(client, cast.parent_a1)

    def shown():
        page = client.get(grades_url(cast.pupil_a1)).content.decode()
        card = re.search(rf'data-subject="{maths.pk}">(.*?)</section>', page, re.S).group(1)
        cells = dict(re.findall(r'data-column="([\w-]+)">.*?<dd>(.*?)</dd>', card, re.S))
        average = re.search(r"data-average>.*?<dd>(.*?)</dd>", card, re.S).group(1)
        return cells, average

    cells, average = shown()
    assert cells == {
        "regular-1": "7",
        "regular-2": "8",
        "regular-3": "9",
        "regular-4": "6,5",
        "midterm-1": "9",
        "final-1": "–",
    }
    assert average == "–"  # the final is entered but not published: no average from it
    publish_column(
        teacher=cast.teacher_a1,
        class_group=cast.class_a1,
        subject=maths,
        term=current_term,
        column=column_by_key(maths, "final-1"),
    )
    cells, average = shown()
    assert cells["final-1"] == "8" and average == "8,1"


def test_a_parent_of_two_switches_between_children(cast, client, current_term):
    page = as_user(client, cast.parent_of_two).get(grades_url(cast.sibling_a1)).content.decode()
    assert grades_url(cast.sibling_b) in page and grades_url(cast.sibling_a1) in page
    assert as_user(client, cast.parent_of_two).get(grades_url(cast.pupil_a1)).status_code == 404


def test_unlinking_a_guardian_takes_effect_on_the_next_request(cast, client, current_term):
    as_user(client, cast.parent_a1)
    assert client.get(grades_url(cast.pupil_a1)).status_code == 200
    cast.pupil_a1.guardianships.all().delete()
    assert client.get(grades_url(cast.pupil_a1)).status_code == 404


def test_the_parent_page_runs_a_fixed_number_of_queries(cast, client, current_term):
    as_user(client, cast.parent_of_two)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(grades_url(cast.sibling_a1)).status_code == 200
        return len(ctx.captured_queries)

    small = queries()
    keys = ["regular-1", "regular-2", "regular-3", "regular-4", "midterm-1", "final-1"]
    for n in range(10):
        subject = f.SubjectFactory(school=cast.school_a, name=f"Môn {n}")
        f.TeachingAssignmentFactory(
            teacher=cast.teacher_a1, class_group=cast.class_a1, subject=subject
        )
        save_grid(
            teacher=cast.teacher_a1,
            class_group=cast.class_a1,
            subject=subject,
            term=current_term,
            cells={(cast.sibling_a1.pk, k): "8" for k in keys},
        )
        for key in keys:
            publish_column(
                teacher=cast.teacher_a1,
                class_group=cast.class_a1,
                subject=subject,
                term=current_term,
                column=column_by_key(subject, key),
            )
    assert queries() == small
    # session, user, pupil (access), enrolment, terms, published scores, subjects taught,
    # children for the switcher, and the navigation's manage check.
    assert small == 9


# ---------------------------------------------------------------------------------------
# Closing and reopening a term in the administration
# ---------------------------------------------------------------------------------------


def changelist():
    return reverse("admin:school_term_changelist")


def test_the_principal_closes_and_reopens_a_term_with_a_reason(cast, client, term):
    as_user(client, cast.principal)
    response = client.post(changelist(), {"action": "close_terms", "_selected_action": [term.pk]})
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.is_closed and term.closed_by == cast.principal

    asked = client.post(changelist(), {"action": "reopen_terms", "_selected_action": [term.pk]})
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    term.refresh_from_db()
    assert term.is_closed  # not without a reason

    done = client.post(
        changelist(),
        {"action": "reopen_terms", "_selected_action": [term.pk], "reason": "Sửa điểm nhập sai"},
    )
    assert done.status_code == 302
    term.refresh_from_db()
    assert not term.is_closed
    assert list(TermEvent.objects.values_list("action", "reason")) == [
        ("closed", ""),
        ("reopened", "Sửa điểm nhập sai"),
    ]
    page = client.get(reverse("admin:school_term_change", args=[term.pk])).content.decode()
    assert "Sửa điểm nhập sai" in page


def test_only_managers_of_the_school_may_close_its_terms(cast, client, term):
    def closes(user):
        type(term).objects.filter(pk=term.pk).update(closed_at=None, closed_by=None)
        as_user(client, user).post(
            changelist(), {"action": "close_terms", "_selected_action": [term.pk]}
        )
        term.refresh_from_db()
        return term.is_closed

    assert_cast(cast, closes, {"operator", "principal"})
