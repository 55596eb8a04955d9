"""Classes in their natural order (school.names.class_sort_key, stored as ClassGroup.sort_key):
by grade, then the name with its numbers read as numbers, so 10A2 comes before 10A10 — in the
administration's class list, on the school statistics page and in a teacher's class list."""

import re

import pytest
from django.urls import reverse

from school import names
from school.models import ClassGroup
from tests import factories as f

pytestmark = pytest.mark.django_db

NATURAL = ["10A1", "10A2", "10A3", "10A10", "10A11"]


@pytest.fixture
def classes(cast):
    """School A's year has 10A1 and 10A2 (the cast's); add 10A10, 10A3 and 10A11 in an order
    where creation, id and plain text order all differ from the natural one. Ngữ văn's teacher
    of 10A2 (teacher_a2) teaches all three new ones too."""
    literature = cast.class_a2.assignments.get().subject
    for name in ("10A10", "10A3", "10A11"):
        group = f.ClassGroupFactory(school_year=cast.class_a1.school_year, name=name)
        f.TeachingAssignmentFactory(
            teacher=cast.teacher_a2, class_group=group, subject=literature
        )
    return cast


def in_page_order(html: str, wanted: list[str]) -> list[str]:
    """The wanted class names in the order they first appear as a whole word of the page."""
    found = re.findall(r"(?<![\w.])(" + "|".join(map(re.escape, wanted)) + r")(?![\w.])", html)
    return list(dict.fromkeys(found))


def test_the_key_reads_numbers_as_numbers_and_letters_the_vietnamese_way():
    typed = [(10, "10A10"), (12, "12.10"), (10, "10B1"), (6, "6A"), (10, "10 Văn"),
             (10, "10A2"), (12, "12.6"), (10, "10Đ1"), (10, "10D1"), (9, "9A3"), (10, "10Ă1")]
    ordered = [name for grade, name in sorted(typed, key=lambda c: names.class_sort_key(*c))]
    assert ordered == ["6A", "9A3", "10 Văn", "10A2", "10A10", "10Ă1", "10B1", "10D1", "10Đ1",
                       "12.6", "12.10"]


def test_the_key_is_kept_on_save_and_on_bulk_create(cast):
    year = cast.class_a1.school_year
    [made] = ClassGroup.objects.bulk_create(
        [ClassGroup(school=cast.school_a, school_year=year, grade=11, name="11A10")]
    )
    assert made.sort_key == names.class_sort_key(11, "11A10")
    made.name = "11A9"
    made.save(update_fields=["name"])
    made.refresh_from_db()
    assert made.sort_key == names.class_sort_key(11, "11A9")
    assert list(ClassGroup.objects.filter(school_year=year).values_list("name", flat=True)) == [
        "10A1", "10A2", "11A9"
    ]


def test_the_administrations_class_list_is_in_natural_order(client, classes):
    client.force_login(classes.principal)
    response = client.get(reverse("admin:school_classgroup_changelist"))
    assert response.status_code == 200
    assert [c.name for c in response.context["cl"].result_list] == NATURAL


def test_the_school_statistics_list_classes_in_natural_order(client, classes):
    client.force_login(classes.principal)
    response = client.get(reverse("reports:school_statistics", args=[classes.school_a.pk]))
    assert response.status_code == 200
    assert in_page_order(response.content.decode(), NATURAL) == NATURAL


def test_a_teachers_class_list_is_in_natural_order(client, classes):
    client.force_login(classes.teacher_a2)
    response = client.get(reverse("contactbook:gradebook_index"))
    assert response.status_code == 200
    assert in_page_order(response.content.decode(), NATURAL) == ["10A2", "10A3", "10A10", "10A11"]


def test_sorting_the_administrations_name_column_keeps_the_natural_order(client, classes):
    client.force_login(classes.principal)
    url = reverse("admin:school_classgroup_changelist")
    ascending = client.get(url, {"o": "1"}).context["cl"].result_list
    descending = client.get(url, {"o": "-1"}).context["cl"].result_list
    assert [c.name for c in ascending] == NATURAL
    assert [c.name for c in descending] == NATURAL[::-1]
