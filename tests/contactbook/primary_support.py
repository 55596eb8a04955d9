"""Shared fixtures for the primary (Circular 27) grade book and class teacher's sheet tests: the
test cast's primary class 3A (school B) with a running term and a class teacher. Test modules
import the fixtures they use (pytest finds imported fixtures by their `name`)."""

import datetime

import pytest
from django.utils import timezone

from school.models import StaffMembership
from tests import factories as f


@pytest.fixture(name="term")
def primary_term(cast):
    """Term I of school B's year: it began a month ago, and today is in its first half."""
    today = timezone.localdate()
    return f.TermFactory(
        school_year=cast.class_b.school_year,
        start_date=today - datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=90),
    )


@pytest.fixture(name="class_teacher")
def primary_class_teacher(cast):
    """3A's class teacher (giáo viên chủ nhiệm), on school B's staff; in the cast's users as
    "class_teacher", so permission checks run against it too."""
    teacher = f.UserFactory(full_name="Lương Thị Lớp Ba")
    f.StaffMembershipFactory(user=teacher, school=cast.school_b, role=StaffMembership.Role.TEACHER)
    cast.class_b.homeroom_teacher = teacher
    cast.class_b.save()
    cast.users["class_teacher"] = teacher
    return teacher
