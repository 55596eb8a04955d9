"""Subjects come in the national programme's order (school/programme.py), the order the
Ministry's forms list them in (the 2018 programme, Circular 32/2018, and Circular 13/2022 for
grades 10–12; the học bạ of Circulars 22/2021 and 27/2020 follow it): on cards, class
summaries and in the grade book, not alphabetically. Ties and unknown subjects by name."""

import pytest

from contactbook.gradebook.columns import subject_sort_key
from school.models import School, Subject
from school.programme import default_programme_order
from tests import factories as f

UPPER = School.Level.UPPER_SECONDARY
LOWER = School.Level.LOWER_SECONDARY
PRIMARY = School.Level.PRIMARY


@pytest.mark.parametrize(
    ("level", "names"),
    [
        # Grades 10–12: the compulsory subjects, the electives, then the local content and
        # the experiential activities.
        (UPPER, ["Ngữ văn", "Toán", "Tiếng Anh", "Lịch sử", "Giáo dục thể chất",
                 "Giáo dục quốc phòng và an ninh", "Địa lí", "Giáo dục kinh tế và pháp luật",
                 "Vật lí", "Hoá học", "Sinh học", "Công nghệ", "Tin học", "Âm nhạc", "Mĩ thuật",
                 "Nội dung giáo dục địa phương", "Hoạt động trải nghiệm, hướng nghiệp"]),
        # Grades 6–9.
        (LOWER, ["Ngữ văn", "Toán", "Ngoại ngữ 1", "Giáo dục công dân", "Lịch sử và Địa lí",
                 "Khoa học tự nhiên", "Công nghệ", "Tin học", "Giáo dục thể chất", "Âm nhạc",
                 "Mỹ thuật", "Nội dung giáo dục của địa phương",
                 "Hoạt động trải nghiệm, hướng nghiệp"]),
        # Grades 1–5.
        (PRIMARY, ["Tiếng Việt", "Toán", "Tiếng Anh", "Đạo đức", "Tự nhiên và Xã hội",
                   "Lịch sử và Địa lí", "Khoa học", "Tin học và Công nghệ",
                   "Giáo dục thể chất", "Âm nhạc", "Mĩ thuật", "Hoạt động trải nghiệm"]),
    ],
)
def test_the_programme_order_of_each_level(level, names):
    orders = [default_programme_order(name, level) for name in names]
    assert None not in orders
    assert orders == sorted(orders) and len(set(orders)) == len(orders)


def test_a_subject_the_programme_does_not_know_has_no_place():
    assert default_programme_order("Cờ vua", UPPER) is None
    assert default_programme_order("hoa hoc", UPPER) == default_programme_order("Hóa học", UPPER)


def test_unknown_subjects_come_last_by_name_and_ties_by_name():
    math = Subject(name="Toán", programme_order=20)
    chess, art = Subject(name="Cờ vua"), Subject(name="Âm nhạc ngoại khoá")
    twin = Subject(name="Toán chuyên", programme_order=20)
    ordered = sorted([chess, twin, art, math], key=subject_sort_key)
    assert [s.name for s in ordered] == ["Toán", "Toán chuyên", "Âm nhạc ngoại khoá", "Cờ vua"]


@pytest.mark.django_db
def test_a_saved_subject_gets_its_place_from_its_name_and_the_school_level():
    school = f.SchoolFactory(level=UPPER)
    defence = f.SubjectFactory(school=school, name="Giáo dục quốc phòng và an ninh")
    literature = f.SubjectFactory(school=school, name="Ngữ văn")
    own = f.SubjectFactory(school=school, name="Ngữ văn", programme_order=5)
    assert (defence.programme_order, literature.programme_order, own.programme_order) == (
        60, 10, 5
    )
    # The model's default order is the programme's too (admin lists, any queryset).
    assert list(Subject.objects.filter(school=school)) == [own, literature, defence]
