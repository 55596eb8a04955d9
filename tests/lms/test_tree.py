"""The page tree: each page type in its place, one course per subject, grade and year, and
the fields a page copies from its course."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Page

from lms import services
from lms.models import CoursePage, LessonPage, LibraryIndexPage, SchoolLibraryPage, UnitPage
from tests.lms.conftest import lesson_body

pytestmark = pytest.mark.django_db


def allowed_parents(model):
    return set(model.allowed_parent_page_models())


def test_each_page_type_declares_its_place():
    assert allowed_parents(LibraryIndexPage) == {Page}
    assert allowed_parents(SchoolLibraryPage) == {LibraryIndexPage}
    assert allowed_parents(CoursePage) == {SchoolLibraryPage}
    assert allowed_parents(UnitPage) == {CoursePage}
    assert allowed_parents(LessonPage) == {CoursePage, UnitPage}
    assert set(LessonPage.allowed_subpage_models()) == set()
    assert set(CoursePage.allowed_subpage_models()) == {UnitPage, LessonPage}


def test_pages_can_be_created_only_where_they_belong(cast, library):
    school_library = library.course.get_parent().specific
    assert LessonPage.can_create_at(library.unit) and LessonPage.can_create_at(library.course)
    assert not LessonPage.can_create_at(school_library)
    assert not UnitPage.can_create_at(library.unit)
    assert CoursePage.can_create_at(school_library) and not CoursePage.can_create_at(library.course)
    # A school's library is made by lms.services, never in the admin; there is one index.
    assert not SchoolLibraryPage.can_create_at(school_library.get_parent())
    assert not LibraryIndexPage.can_create_at(Page.get_first_root_node())


def test_one_course_per_subject_grade_and_year(cast, library):
    with pytest.raises(ValidationError):
        services.create_course(school_year=library.course.school_year, subject=cast.math, grade=10,
                               title="Toán 10 lần hai")


def test_a_lesson_copies_school_subject_year_and_grade_from_its_course(cast, library):
    lesson = services.create_lesson(parent=library.unit, title="Bài 18", body=lesson_body(), user=cast.teacher_a1)
    assert (lesson.course_id, lesson.school_id, lesson.subject_id, lesson.school_year_id, lesson.grade) == (
        library.course.pk, cast.school_a.pk, cast.math.pk, library.course.school_year_id, 10
    )
    assert lesson.has_quiz and str(lesson.homework_due) == "2026-09-16"
    assert "ham so bac hai" in lesson.search_text


def test_the_library_is_served_under_hoc_lieu(cast, library):
    assert library.lesson.url.startswith("/hoc-lieu/thpt-ha-long/")
    assert library.lesson.url == (
        "/hoc-lieu/thpt-ha-long/toan-10-2026/chuong-vi-ham-so-do-thi-va-ung-dung/bai-16-ham-so-bac-hai/"
    )


def test_each_school_gets_its_own_library_and_collection(cast, library):
    other = services.ensure_school_library(cast.school_b)
    mine = SchoolLibraryPage.objects.get(school=cast.school_a)
    assert other.collection_id != mine.collection_id
    assert services.ensure_school_library(cast.school_b).pk == other.pk  # idempotent
