"""Factories for the object graph. Names are Vietnamese so sorting and NFC bugs show up."""

import datetime

import factory
from factory.django import DjangoModelFactory

from accounts.models import User
from school import models

TEST_PASSWORD = "mat-khau-thu-nghiem"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User

    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {n}")
    phone = factory.Sequence(lambda n: f"09{n:08d}")
    password = factory.django.Password(TEST_PASSWORD)


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = models.Department
        django_get_or_create = ["code"]

    name = "Sở Giáo dục và Đào tạo Quảng Ninh"
    province = "Quảng Ninh"
    code = "so-gddt-quang-ninh"


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = models.School

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"Trường THPT Thử Nghiệm {n}")
    code = factory.Sequence(lambda n: f"truong-{n}")
    level = models.School.Level.UPPER_SECONDARY
    authority_name = "Sở Giáo dục và Đào tạo Quảng Ninh"
    place_name = "Hạ Long"


class SchoolYearFactory(DjangoModelFactory):
    class Meta:
        model = models.SchoolYear

    school = factory.SubFactory(SchoolFactory)
    name = "2026–2027"
    start_date = datetime.date(2026, 9, 5)
    end_date = datetime.date(2027, 5, 31)
    is_current = True


class TermFactory(DjangoModelFactory):
    class Meta:
        model = models.Term

    school_year = factory.SubFactory(SchoolYearFactory)
    number = 1
    start_date = datetime.date(2026, 9, 5)
    end_date = datetime.date(2027, 1, 15)


class SubjectGroupFactory(DjangoModelFactory):
    class Meta:
        model = models.SubjectGroup

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Tổ chuyên môn {n}")


class SubjectFactory(DjangoModelFactory):
    class Meta:
        model = models.Subject

    school = factory.SubFactory(SchoolFactory)
    code = factory.Sequence(lambda n: f"mon-{n}")
    name = "Toán"
    assessment = models.Subject.Assessment.SCORED
    periods_per_year = 105


class RoomFactory(DjangoModelFactory):
    class Meta:
        model = models.Room

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"P{100 + n}")


class ClassGroupFactory(DjangoModelFactory):
    class Meta:
        model = models.ClassGroup

    school_year = factory.SubFactory(SchoolYearFactory)
    school = factory.SelfAttribute("school_year.school")
    grade = 10
    name = factory.Sequence(lambda n: f"10A{n}")


class StudentFactory(DjangoModelFactory):
    class Meta:
        model = models.Student

    school = factory.SubFactory(SchoolFactory)
    student_code = factory.Sequence(lambda n: f"22{n:08d}")
    family_name = "Trần"
    middle_name = "Thị"
    given_name = factory.Sequence(lambda n: f"Hoa{n}")
    date_of_birth = datetime.date(2010, 3, 14)
    sex = models.Student.Sex.FEMALE


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = models.Enrolment

    student = factory.SubFactory(StudentFactory)
    class_group = factory.SubFactory(ClassGroupFactory)
    start_date = datetime.date(2026, 9, 5)


class GuardianFactory(DjangoModelFactory):
    class Meta:
        model = models.Guardian

    user = factory.SubFactory(UserFactory)


class StaffMembershipFactory(DjangoModelFactory):
    class Meta:
        model = models.StaffMembership

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    role = models.StaffMembership.Role.TEACHER


class TeachingAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = models.TeachingAssignment

    teacher = factory.SubFactory(UserFactory)
    class_group = factory.SubFactory(ClassGroupFactory)
    subject = factory.SubFactory(SubjectFactory, school=factory.SelfAttribute("..class_group.school"))


class DeviceFactory(DjangoModelFactory):
    class Meta:
        model = models.ClassroomDevice

    room = factory.SubFactory(RoomFactory)
    school = factory.SelfAttribute("room.school")
    kind = models.ClassroomDevice.Kind.BOARD
    name = factory.Sequence(lambda n: f"Bảng tương tác {n}")


def enrol(student, class_group, **kwargs):
    return EnrolmentFactory(student=student, class_group=class_group, **kwargs)


def link_guardian(user, student, relationship="mother"):
    guardian, _ = models.Guardian.objects.get_or_create(user=user)
    models.Guardianship.objects.create(guardian=guardian, student=student, relationship=relationship)
    return guardian


# -- contact book: scores, attendance marks and messages (portal, messages, weekly summary) --


def score(student, subject, term, *, value="8", kind="regular", index=1, published=True, by=None, **kwargs):
    """A grade-book cell; published now unless `published=False` (or a datetime)."""
    import decimal

    from django.utils import timezone

    from contactbook.models import Score

    class_group = kwargs.pop("class_group", None) or models.ClassGroup.objects.filter(
        enrolments__student=student, enrolments__status="active"
    ).first()
    published_at = timezone.now() if published is True else (published or None)
    return Score.objects.create(
        student=student, subject=subject, term=term, class_group=class_group, kind=kind, index=index,
        value=None if value is None else decimal.Decimal(value), published_at=published_at,
        updated_by=by or UserFactory(), **kwargs,
    )


def attendance_mark(student, day, *, status="present", session="morning", by=None, **kwargs):
    from contactbook.models import AttendanceMark

    class_group = kwargs.pop("class_group", None) or models.ClassGroup.objects.filter(
        enrolments__student=student, enrolments__status="active"
    ).first()
    return AttendanceMark.objects.create(
        student=student, class_group=class_group, date=day, session=session, status=status,
        recorded_by=by or UserFactory(), **kwargs,
    )


def second_factor(user):
    """Turn on `user`'s second factor: an authenticator app (a confirmed TOTP device)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def totp_code(key_hex: str, *, after_step: int = -1) -> str:
    """The code an authenticator app with `key_hex` shows now, or for the step after
    `after_step` when that one is used already (a device accepts each step once)."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(bytes.fromhex(key_hex))
    totp.time = time.time()
    if totp.t() <= after_step:
        totp.time += (after_step + 1 - totp.t()) * totp.step
    return f"{totp.token():06d}"


def code_for(device) -> str:
    """The next code `device` accepts (its app's code now, or the next step's)."""
    device.refresh_from_db()
    return totp_code(device.key, after_step=device.last_t)
