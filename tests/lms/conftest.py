"""The cast's school A with a library: Toán 10 (taught by teacher_a1, whose head is
group_head), a unit, a published lesson with a material, a quiz and homework, given to 10A1;
and Ngữ văn 10 (teacher_a2; no subject group, so the school's managers approve)."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile

from lms import services
from lms.models import CoursePage, LessonPage, Material, UnitPage

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
LESSON_DAY = datetime.date(2026, 9, 14)  # a Monday of the cast's school year


def pdf(name="phieu-hoc-tap.pdf", content=PDF):
    return ContentFile(content, name=name)


def lesson_body(material: Material | None = None, due="2026-09-16") -> list:
    body = [
        ("heading", {"text": "Định nghĩa", "level": "h2"}),
        ("paragraph", "<p>Hàm số bậc hai là hàm số cho bởi công thức y = ax² + bx + c.</p>"),
        ("formula", {"latex": r"x = \frac{-b \pm \sqrt{\Delta}}{2a}", "display": True}),
        ("quiz", {
            "title": "Kiểm tra nhanh",
            "questions": [
                {"prompt": "Đồ thị của hàm số bậc hai là đường gì?", "explanation": "",
                 "choices": [{"text": "Đường thẳng", "correct": False},
                             {"text": "Đường parabol", "correct": True},
                             {"text": "Đường tròn", "correct": False}]},
                {"prompt": "Hệ số a của y = 2x² − 3x + 1 là?", "explanation": "",
                 "choices": [{"text": "2", "correct": True}, {"text": "−3", "correct": False}]},
            ],
        }),
        ("homework", {"instructions": "<p>Làm bài 6.7 và 6.8 trang 24.</p>", "due_date": due}),
    ]
    if material is not None:
        body.insert(2, ("material", {"document": material, "note": "In ra trước giờ học"}))
    return body


def publish(page):
    page.get_latest_revision_as_object().save_revision().publish()
    return page.specific_class.objects.get(pk=page.pk)


@dataclass
class Library:
    course: CoursePage
    unit: UnitPage
    lesson: LessonPage  # published, with `material`, given to 10A1 on LESSON_DAY
    material: Material
    literature: CoursePage  # Ngữ văn 10, teacher_a2's


@pytest.fixture
def library(cast) -> Library:
    year = cast.class_a1.school_year
    course = services.create_course(school_year=year, subject=cast.math, grade=10, title="Toán 10")
    unit = services.create_unit(course=course, title="Chương VI. Hàm số, đồ thị và ứng dụng")
    material = services.add_material(school=cast.school_a, title="Phiếu học tập bài 16", file=pdf())
    lesson = services.create_lesson(
        parent=unit, title="Bài 16. Hàm số bậc hai", intro="Khái niệm, đồ thị, sự biến thiên.",
        body=lesson_body(material), user=cast.teacher_a1,
    )
    lesson = publish(lesson)
    services.assign_lesson(lesson=lesson, class_groups=[cast.class_a1], on=LESSON_DAY, user=cast.teacher_a1)
    literature_subject = cast.class_a2.assignments.get().subject
    literature = services.create_course(
        school_year=year, subject=literature_subject, grade=10, title="Ngữ văn 10"
    )
    return Library(course=course, unit=unit, lesson=lesson, material=material, literature=literature)


def log_in(client, user):
    client.logout()
    if user.is_authenticated:
        client.force_login(user)
    return client
