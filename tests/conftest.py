"""The named test cast used by permission tests, and the helper that checks one permission
against all of it.

School A (upper secondary, Hạ Long) has classes 10A1 and 10A2; school B (primary) is another
school of the same department, whose officer is `officer`; `other_officer` is another
department's.
"""

from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from core.db import forget as forget_prepared_statements
from school.models import DepartmentMembership, StaffMembership
from tests import factories as f
from tests.celery_workers import workers  # noqa: F401 (a fixture: real Celery workers)
from tests.clients import Client


@pytest.fixture
def client() -> Client:
    """pytest-django's client, whose force_login includes the second factor (tests/clients.py)."""
    return Client()


@dataclass
class Cast:
    school_a: object
    school_b: object
    class_a1: object
    class_a2: object
    class_b: object
    pupil_a1: object  # in 10A1, child of parent_a1
    pupil_a2: object  # in 10A2, child of parent_a2
    sibling_a1: object  # in 10A1, child of parent_of_two
    sibling_b: object  # in school B, child of parent_of_two
    device: object  # a board in school A's room P201, where 10A1 has its lessons
    device_b: object  # a kiosk of school B
    users: dict = field(default_factory=dict)
    math: object = None  # school A's Toán, in the Toán – Tin subject group; taught by teacher_a1
    math_group: object = None  # Toán – Tin, headed by group_head (tổ trưởng, no classes)

    def __getattr__(self, name):
        try:
            return self.__dict__["users"][name]
        except KeyError:
            raise AttributeError(name) from None


def build_cast() -> Cast:
    year_a = f.SchoolYearFactory(school=f.SchoolFactory(name="Trường THPT Hạ Long", code="thpt-ha-long"))
    school_a = year_a.school
    school_b = f.SchoolFactory(
        name="Trường Tiểu học Hồng Hà", code="th-hong-ha", level="primary",
        authority_name="UBND phường Hồng Hà",
    )
    year_b = f.SchoolYearFactory(school=school_b)
    room_a1 = f.RoomFactory(school=school_a, name="P201")
    class_a1 = f.ClassGroupFactory(school_year=year_a, name="10A1", room=room_a1)
    class_a2 = f.ClassGroupFactory(school_year=year_a, name="10A2")
    class_b = f.ClassGroupFactory(school_year=year_b, name="3A", grade=3)
    math_group = f.SubjectGroupFactory(school=school_a, name="Toán – Tin")
    math = f.SubjectFactory(school=school_a, name="Toán", group=math_group)

    def staff(name, school, role=StaffMembership.Role.TEACHER):
        user = f.UserFactory(full_name=name)
        f.StaffMembershipFactory(user=user, school=school, role=role)
        return user

    users = {
        "operator": f.UserFactory(full_name="Vận Hành Hệ Thống", is_superuser=True, is_staff=True),
        "principal": staff("Phạm Thị Hiệu", school_a, StaffMembership.Role.PRINCIPAL),
        "teacher_a1": staff("Lê Văn Toán", school_a),
        "teacher_a2": staff("Đỗ Thị Văn", school_a),
        "homeroom_a1": staff("Vũ Thị Chủ Nhiệm", school_a),
        "group_head": f.UserFactory(full_name="Trần Văn Tổ Trưởng"),
        "other_school_admin": staff("Hoàng Văn Khác", school_b, StaffMembership.Role.ADMIN),
        "parent_a1": f.UserFactory(full_name="Trần Văn Bố"),
        "parent_a2": f.UserFactory(full_name="Ngô Thị Mẹ"),
        "parent_of_two": f.UserFactory(full_name="Bùi Thị Hai Con"),
        "stranger": f.UserFactory(full_name="Người Ngoài"),
        # Officers of the department of both schools (Sở GD&ĐT Quảng Ninh) and of another
        # one: aggregates only, no school page, class or pupil.
        "officer": f.UserFactory(full_name="Đinh Văn Cán Bộ Sở"),
        "other_officer": f.UserFactory(full_name="Lý Thị Sở Khác"),
        "anonymous": AnonymousUser(),
    }
    DepartmentMembership.objects.create(user=users["officer"], department=school_a.department)
    DepartmentMembership.objects.create(
        user=users["other_officer"],
        department=f.DepartmentFactory(
            name="Sở Giáo dục và Đào tạo Hải Phòng", province="Hải Phòng", code="so-gddt-hai-phong"
        ),
    )
    f.StaffMembershipFactory(
        user=users["group_head"], school=school_a, subject_group=math_group, is_group_head=True
    )
    class_a1.homeroom_teacher = users["homeroom_a1"]
    class_a1.save()
    f.TeachingAssignmentFactory(teacher=users["teacher_a1"], class_group=class_a1, subject=math)
    f.TeachingAssignmentFactory(
        teacher=users["teacher_a2"], class_group=class_a2,
        subject=f.SubjectFactory(school=school_a, name="Ngữ văn"),
    )

    def pupil(school, class_group, given, parent):
        student = f.StudentFactory(school=school, given_name=given)
        f.enrol(student, class_group)
        f.link_guardian(parent, student)
        return student

    return Cast(
        school_a=school_a,
        school_b=school_b,
        class_a1=class_a1,
        class_a2=class_a2,
        class_b=class_b,
        pupil_a1=pupil(school_a, class_a1, "An", users["parent_a1"]),
        pupil_a2=pupil(school_a, class_a2, "Bình", users["parent_a2"]),
        sibling_a1=pupil(school_a, class_a1, "Châu", users["parent_of_two"]),
        sibling_b=pupil(school_b, class_b, "Dũng", users["parent_of_two"]),
        device=f.DeviceFactory(room=room_a1),
        device_b=f.DeviceFactory(room=f.RoomFactory(school=school_b, name="Cổng"), kind="kiosk"),
        users=users,
        math=math,
        math_group=math_group,
    )


@pytest.fixture
def cast(db) -> Cast:
    return build_cast()


@pytest.fixture
def persistent_connections(monkeypatch):
    """Connections kept between requests (DB_CONN_MAX_AGE > 0, as in production), where the
    busiest queries run as statements prepared once per connection (core.db); none
    prepared yet."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    forget_prepared_statements()
    yield
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    forget_prepared_statements()


def who_may(cast: Cast, check) -> set[str]:
    """The names of the cast members for whom `check(user)` is true."""
    return {name for name, user in cast.users.items() if check(user)}


def assert_cast(cast: Cast, check, allowed: set[str]) -> None:
    """Run one permission check against the whole cast and compare with who should pass."""
    got = who_may(cast, check)
    assert got == allowed, f"allowed {sorted(got)}, expected {sorted(allowed)}"


def as_user(client, user):
    """`client` logged in as `user` (logged out for an anonymous user), for asking a page as
    each member of the cast in turn."""
    client.logout()
    if user.is_authenticated:
        client.force_login(user)
    return client
