"""Tone-insensitive search, giving lessons to classes, the pupil's week in a fixed number of
queries, a lesson page in a fixed number of queries, copying into a new school year, and the
quiz as clickers will read it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms import selectors, services
from lms.models import LessonAssignment, LessonPage, UnitPage
from tests import factories as f
from tests.lms.conftest import LESSON_DAY, lesson_body, log_in, publish

pytestmark = pytest.mark.django_db


# ----------------------------------------------------------------------------- search


@pytest.mark.parametrize("query", [
    "phuong trinh bac hai", "PHƯƠNG TRÌNH bậc hai", "bac hai phuong", "Phuong trinh", "nghiem kep",
])
def test_search_ignores_tone_marks_case_and_word_order(cast, library, query):
    lesson = publish(services.create_lesson(
        parent=library.unit, title="Bài 18. Phương trình quy về phương trình bậc hai",
        body=[("paragraph", "<p>Khi Δ = 0, phương trình có nghiệm kép.</p>")], user=cast.teacher_a1,
    ))
    assert [l.pk for l in selectors.search_lessons(cast.principal, query)] == [lesson.pk]


def test_search_does_not_find_what_is_not_there_nor_the_answer_key(cast, library):
    assert selectors.search_lessons(cast.principal, "dao dong dieu hoa") == []
    assert selectors.search_lessons(cast.principal, "parabol") == []  # only in an answer
    assert selectors.search_lessons(cast.principal, "   ") == []


# ------------------------------------------------------------------------- assignments


def test_a_teacher_gives_a_lesson_to_their_own_classes_only(cast, library, client):
    url = reverse("lms:assign", args=[library.lesson.pk])
    page = log_in(client, cast.teacher_a1).get(url)
    assert [c.name for c in page.context["form"].fields["class_groups"].queryset] == ["10A1"]
    day = LESSON_DAY + datetime.timedelta(days=1)
    response = client.post(url, {"class_groups": [cast.class_a2.pk], "date": day})
    assert response.status_code == 200 and "class_groups" in response.context["form"].errors
    response = client.post(url, {"class_groups": [cast.class_a1.pk], "date": day, "homework_due": day})
    assert response.status_code == 302
    assignment = LessonAssignment.objects.get(lesson=library.lesson, date=day)
    assert assignment.homework_due == day and assignment.assigned_by == cast.teacher_a1
    # Again, the same day: updated, not duplicated.
    client.post(url, {"class_groups": [cast.class_a1.pk], "date": day})
    assert LessonAssignment.objects.filter(lesson=library.lesson, date=day).count() == 1


def test_who_may_open_the_give_to_classes_page(cast, library, client):
    url = reverse("lms:assign", args=[library.lesson.pk])
    for user, expected in [(cast.teacher_a1, 200), (cast.teacher_a2, 302), (cast.parent_a1, 302),
                           (cast.other_school_admin, 404)]:
        assert log_in(client, user).get(url).status_code == expected, user


def test_a_draft_cannot_be_given(cast, library):
    draft = services.create_lesson(parent=library.unit, title="Nháp", user=cast.teacher_a1)
    with pytest.raises(services.LessonNotAssignable):
        services.assign_lesson(lesson=draft, class_groups=[cast.class_a1], on=LESSON_DAY, user=cast.teacher_a1)


def test_the_period_comes_from_the_timetable(cast, library):
    from school.models import TimetableSlot

    TimetableSlot.objects.create(class_group=cast.class_a1, weekday=3, session="morning", period=2,
                                 subject=cast.math, teacher=cast.teacher_a1)
    wednesday = LESSON_DAY + datetime.timedelta(days=2)
    (assignment,) = services.assign_lesson(lesson=library.lesson, class_groups=[cast.class_a1],
                                           on=wednesday, user=cast.teacher_a1)
    assert (assignment.session, assignment.period) == ("morning", 2)
    assert assignment.homework_due == library.lesson.homework_due


# ---------------------------------------------------------------------- fixed queries


def week_queries(client, user, student) -> tuple[int, str]:
    url = reverse("lms:student_lessons", args=[student.pk]) + f"?tuan={LESSON_DAY}"
    client.get(url)  # warm Wagtail's cached site root paths
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries), response.content.decode()


WEEK_QUERIES = 8


def test_the_pupils_week_runs_a_fixed_number_of_queries(cast, library, client):
    log_in(client, cast.parent_a1)
    few, _ = week_queries(client, cast.parent_a1, cast.pupil_a1)
    for n in range(12):
        lesson = publish(services.create_lesson(parent=library.unit, title=f"Bài luyện tập {n}",
                                                body=lesson_body(library.material), user=cast.teacher_a1))
        services.assign_lesson(lesson=lesson, class_groups=[cast.class_a1],
                               on=LESSON_DAY + datetime.timedelta(days=n % 6), user=cast.teacher_a1)
    many, page = week_queries(client, cast.parent_a1, cast.pupil_a1)
    assert page.count('class="lesson-item"') == 13
    assert few == many == WEEK_QUERIES


LESSON_QUERIES = 21


def test_a_lesson_page_is_served_in_a_fixed_number_of_queries(cast, library, client):
    def served(lesson) -> int:
        client.get(lesson.url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(lesson.url).status_code == 200
        return len(queries.captured_queries)

    log_in(client, cast.parent_a1)
    small = served(library.lesson)
    material = library.material
    big_body = lesson_body(material) * 6 + [("material", {"document": material, "note": ""})] * 10
    big = publish(services.create_lesson(parent=library.unit, title="Bài ôn tập chương VI",
                                         body=big_body, user=cast.teacher_a1))
    services.assign_lesson(lesson=big, class_groups=[cast.class_a1], on=LESSON_DAY, user=cast.teacher_a1)
    assert small == served(big) == LESSON_QUERIES


# --------------------------------------------------------------------- a new school year


@pytest.fixture
def next_year(cast):
    return f.SchoolYearFactory(school=cast.school_a, name="2027–2028", is_current=False,
                               start_date=datetime.date(2027, 9, 5), end_date=datetime.date(2028, 5, 31))


def test_a_whole_course_is_copied_into_the_next_year(cast, library, next_year):
    course = services.copy_course_to_year(course=library.course, school_year=next_year, user=cast.principal)
    assert course.title == "Toán 10" or "2027–2028" in course.title
    assert (course.school_year, course.subject, course.grade, course.live) == (next_year, cast.math, 10, True)
    (unit,) = UnitPage.objects.child_of(course)
    assert unit.title == library.unit.title and unit.course_id == course.pk
    (lesson,) = LessonPage.objects.child_of(unit)
    assert not lesson.live and lesson.school_year == next_year and lesson.title == library.lesson.title
    draft = lesson.get_latest_revision_as_object()
    homework = next(b for b in draft.body if b.block_type == "homework")
    assert homework.value["due_date"] == datetime.date(2027, 9, 16)  # moved by a year
    # The quiz keeps its questions' ids (clickers), the lesson its material.
    assert [q["id"] for q in draft.quiz_questions(with_answers=False)] == [
        q["id"] for q in library.lesson.quiz_questions(with_answers=False)
    ]
    # The copy goes through approval again, with this year's teachers.
    assert lesson.permissions_for_user(cast.teacher_a1).can_edit()
    assert not lesson.permissions_for_user(cast.teacher_a1).can_publish()


def test_a_single_lesson_is_copied_into_this_years_course(cast, library, next_year):
    target = services.create_course(school_year=next_year, subject=cast.math, grade=10)
    copy = services.copy_lesson_to_year(lesson=library.lesson, target_course=target, user=cast.teacher_a1)
    assert copy.get_parent().specific.title == library.unit.title
    assert copy.course_id == target.pk and not copy.live
    with pytest.raises(Exception):
        services.copy_lesson_to_year(lesson=library.lesson, target_course=library.literature, user=cast.teacher_a1)


def test_a_teacher_of_another_subject_cannot_copy_into_the_course(cast, library, next_year):
    from django.core.exceptions import PermissionDenied

    target = services.create_course(school_year=next_year, subject=cast.math, grade=10)
    with pytest.raises(PermissionDenied):
        services.copy_lesson_to_year(lesson=library.lesson, target_course=target, user=cast.teacher_a2)


# --------------------------------------------------------------------------- blocks


def test_quiz_questions_have_stable_ids_and_hide_the_key_unless_asked(cast, library):
    questions = library.lesson.quiz_questions(with_answers=False)
    assert [q["prompt"] for q in questions][0] == "Đồ thị của hàm số bậc hai là đường gì?"
    assert all("answer" not in q for q in questions)
    assert [c["key"] for c in questions[0]["choices"]] == ["A", "B", "C"]
    again = LessonPage.objects.get(pk=library.lesson.pk).quiz_questions(with_answers=True)
    assert [q["id"] for q in again] == [q["id"] for q in questions]
    assert [q["answer"] for q in again] == ["B", "A"]


def test_a_quiz_question_needs_exactly_one_correct_answer():
    from django.core.exceptions import ValidationError

    from lms.blocks import QuestionBlock

    block = QuestionBlock()
    value = block.to_python({"prompt": "?", "explanation": "", "choices": [
        {"text": "a", "correct": True}, {"text": "b", "correct": True}]})
    with pytest.raises(ValidationError):
        block.clean(value)


def test_formulas_are_rendered_to_mathml_on_the_server(cast, library, client):
    page = log_in(client, cast.parent_a1).get(library.lesson.url).content.decode()
    assert "<math" in page and "<msqrt>" in page
    assert "cdn" not in page.lower() and "katex" not in page.lower()


def test_a_formula_that_cannot_be_read_is_refused():
    from django.core.exceptions import ValidationError

    from lms.blocks import FormulaBlock

    block = FormulaBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"latex": r"\frac{1}{", "display": True}))
