"""Who sees a lesson, its materials and its search hits: the whole cast, through the public
doors (the lesson's URL, the document URL, search, the pupil's week), not only the querysets."""

import pytest
from django.urls import reverse

from lms import access
from lms.models import LessonPage, Material
from tests.conftest import assert_cast
from tests.lms.conftest import LESSON_DAY, log_in

pytestmark = pytest.mark.django_db

STAFF_A = {"operator", "principal", "teacher_a1", "teacher_a2", "homeroom_a1", "group_head"}
# A lesson given to 10A1: the school's staff, and the parents of 10A1's pupils.
SEES_10A1_LESSON = STAFF_A | {"parent_a1", "parent_of_two"}


def opens(client, url):
    def check(user):
        response = log_in(client, user).get(url)
        assert response.status_code in (200, 302, 404), (user, response.status_code)
        return response.status_code == 200

    return check


def test_who_opens_a_lesson_given_to_10a1(cast, library, client):
    assert_cast(cast, opens(client, library.lesson.url), SEES_10A1_LESSON)


def test_who_may_load_the_lesson_by_id(cast, library):
    def loads(user):
        try:
            access.get_lesson_for_user(user, library.lesson.pk)
            return True
        except Exception:
            return False

    assert_cast(cast, loads, SEES_10A1_LESSON)


def test_who_downloads_the_lessons_material(cast, library, client):
    assert_cast(cast, opens(client, library.material.url), SEES_10A1_LESSON)


def test_a_material_in_no_given_lesson_is_for_the_schools_staff(cast, library, client):
    from tests.lms.conftest import pdf
    from lms import services

    spare = services.add_material(school=cast.school_a, title="Đề cương ôn tập", file=pdf("de-cuong.pdf"))
    assert_cast(cast, opens(client, spare.url), STAFF_A)


def test_who_finds_the_lesson_in_search(cast, library, client):
    url = reverse("lms:search") + "?q=ham so bac hai"

    def finds(user):
        response = log_in(client, user).get(url)
        if response.status_code != 200:
            return False
        return library.lesson.title in response.content.decode()

    assert_cast(cast, finds, SEES_10A1_LESSON)


def test_a_lesson_not_given_to_any_class_is_for_the_schools_staff(cast, library, client):
    from lms.services import create_lesson
    from tests.lms.conftest import lesson_body, publish

    lesson = publish(create_lesson(parent=library.unit, title="Bài 17. Dấu của tam thức bậc hai",
                                   body=lesson_body(), user=cast.teacher_a1))
    assert_cast(cast, opens(client, lesson.url), STAFF_A)


def test_a_draft_is_served_to_nobody(cast, library, client):
    from lms.services import create_lesson

    draft = create_lesson(parent=library.unit, title="Bản nháp", user=cast.teacher_a1)
    assert_cast(cast, opens(client, draft.url), set())


def test_course_and_unit_pages_are_for_the_schools_staff(cast, library, client):
    assert_cast(cast, opens(client, library.course.url), STAFF_A)
    assert_cast(cast, opens(client, library.unit.url), STAFF_A)


def test_anonymous_visitors_are_sent_to_log_in_for_any_address(cast, library, client):
    for url in (library.lesson.url, "/hoc-lieu/khong-co/", library.material.url, "/tai-lieu/999999/x.pdf"):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"], url


def test_the_pupils_week_shows_the_lesson_to_their_parents_only(cast, library, client):
    url = reverse("lms:student_lessons", args=[cast.pupil_a1.pk]) + f"?tuan={LESSON_DAY}"

    def sees(user):
        response = log_in(client, user).get(url)
        return response.status_code == 200 and library.lesson.title in response.content.decode()

    # Staff who may see the pupil (school.access) and the pupil's parent.
    assert_cast(cast, sees, {"operator", "principal", "teacher_a1", "homeroom_a1", "parent_a1"})


def test_moving_the_pupil_to_10a2_takes_the_lesson_away_at_once(cast, library, client):
    enrolment = cast.pupil_a1.enrolments.get(status="active")
    enrolment.end(on=enrolment.start_date, status="transferred")
    from tests import factories as f

    f.enrol(cast.pupil_a1, cast.class_a2)
    assert not opens(client, library.lesson.url)(cast.parent_a1)
    assert opens(client, library.lesson.url)(cast.parent_of_two)  # still has a child in 10A1


def test_unpublishing_hides_the_lesson_and_its_material_from_parents(cast, library, client):
    library.lesson.unpublish()
    assert not opens(client, library.lesson.url)(cast.parent_a1)
    assert not opens(client, library.material.url)(cast.parent_a1)
    assert opens(client, library.material.url)(cast.teacher_a2)  # the library stays the staff's


def test_the_answer_key_is_shown_to_staff_not_to_parents(cast, library, client):
    staff_page = log_in(client, cast.teacher_a2).get(library.lesson.url).content.decode()
    parent_page = log_in(client, cast.parent_a1).get(library.lesson.url).content.decode()
    assert "answer-key" in staff_page and "Đường parabol" in staff_page
    assert "answer-key" not in parent_page and "Đường parabol" in parent_page
    assert 'class="choice correct"' not in parent_page


def test_querysets_agree_with_the_pages(cast, library):
    assert_cast(cast, lambda u: LessonPage.objects.visible_to(u).filter(pk=library.lesson.pk).exists(), SEES_10A1_LESSON)
    assert_cast(cast, lambda u: Material.objects.visible_to(u).filter(pk=library.material.pk).exists(), SEES_10A1_LESSON)
