"""Seeding and removing the whole demo: the schools' structure (demo/school.py), then their
lessons (demo/lessons.py), grade books (demo/grades.py; THPT Hạ Long's past years in
demo/last_year.py), last year's cards (demo/cards.py), the
smart classrooms (demo/devices.py) and a contact book in use (demo/contactbook.py).
`manage.py seed_demo` calls these inside one transaction."""

from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Lower

from accounts.models import User
from contactbook.models import MessageAttachment, Score
from demo.cards import issue_last_year_cards
from demo.contactbook import seed_contact_book
from demo.devices import seed_devices
from demo.grades import remove_grades, seed_grades, seed_last_year
from demo.last_year import seed_upper_past_years
from demo.summer import record_last_summer
from demo.lessons import remove_lessons, seed_lessons
from demo.school import (
    DEMO_PASSWORD,
    DEPARTMENT_CODE,
    DEPARTMENT_NAME,
    LOGINS,
    OPERATOR_EMAIL,
    SCHOOL_CODES,
    Build,
    DemoConflict,
    Registry,
    build_primary,
    build_upper,
    build_upper_past,
    format_count,
)
from reports.models import ReportCard, ReportRun
from school.models import (
    ClassGroup,
    Department,
    DepartmentMembership,
    Guardian,
    Guardianship,
    School,
    StaffMembership,
    Student,
    TimetableSlot,
)


def demo_state() -> str:
    """"present" (department and both schools), "absent" (neither school) or "partial"."""
    schools = School.objects.filter(code__in=SCHOOL_CODES).count()
    department = Department.objects.filter(code=DEPARTMENT_CODE).exists()
    if schools == len(SCHOOL_CODES) and department:
        return "present"
    return "absent" if schools == 0 else "partial"


def demo_user_ids() -> set[int]:
    """The demo's accounts: staff of the demo schools, guardians of their pupils and the
    demo logins; except anyone who also belongs to another school or family."""
    schools = School.objects.filter(code__in=SCHOOL_CODES)
    staff = StaffMembership.objects.filter(school__in=schools).values_list("user_id", flat=True)
    parents = Guardianship.objects.filter(student__school__in=schools).values_list(
        "guardian__user_id", flat=True
    )
    logins = User.objects.filter(
        Q(phone__in=[login.phone for login in LOGINS.values()]) | Q(email__iexact=OPERATOR_EMAIL)
    ).values_list("id", flat=True)
    ids = set(staff) | set(parents) | set(logins)
    other_staff = StaffMembership.objects.filter(user_id__in=ids).exclude(school__in=schools)
    other_children = Guardianship.objects.filter(guardian__user_id__in=ids).exclude(
        student__school__in=schools
    )
    elsewhere = set(other_staff.values_list("user_id", flat=True)) | set(
        other_children.values_list("guardian__user_id", flat=True)
    )
    return ids - elsewhere


def remove_demo() -> dict[str, int]:
    """Delete the two demo schools with everything under them, and the demo's accounts. The
    department stays: real schools may sit under it."""
    user_ids = demo_user_ids()
    # Lessons and materials (lms) first: their pages, groups and workflows refer to the schools.
    remove_lessons(SCHOOL_CODES)
    schools = School.objects.filter(code__in=SCHOOL_CODES)
    pupils = Student.objects.filter(school__in=schools)
    counts = {"schools": schools.count(), "students": pupils.count()}
    # Report cards and runs, then the grade book in one DELETE per table (a cascade from the
    # pupils would write a history row per score).
    for attachment in MessageAttachment.objects.filter(message__thread__student__school__in=schools):
        attachment.file.delete(save=False)
    ReportCard.objects.filter(student__school__in=schools).delete()
    ReportRun.objects.filter(school__in=schools).delete()
    remove_grades(SCHOOL_CODES)
    # Student.school is PROTECT (a pupil's record outlives a careless delete), so pupils first;
    # schools before users, because a closed term PROTECTs the user who closed it.
    pupils.delete()
    schools.delete()
    counts["users"] = User.objects.filter(pk__in=user_ids).delete()[1].get(User._meta.label, 0)
    return counts


def _plan(department: Department, password: str, registry: Registry) -> Build:
    build = Build(department, registry, password)
    build.login("operator", is_superuser=True, is_staff=True)
    build.add(DepartmentMembership(user=build.login("officer"), department=department))
    build_upper(build)
    build_primary(build)
    build_upper_past(build)
    build.guardianships()
    return build


def _in_use(build: Build) -> tuple[set[str], set[str], set[str]]:
    """The build's phones, student codes and e-mails that the database already holds."""
    users = build.rows[User]
    phones = {u.phone for u in users if u.phone}
    emails = {u.email.lower() for u in users if u.email}
    codes = {s.student_code for s in build.rows[Student]}
    return (
        set(User.objects.filter(phone__in=phones).values_list("phone", flat=True)),
        set(Student.objects.filter(student_code__in=codes).values_list("student_code", flat=True)),
        set(
            User.objects.annotate(e=Lower("email")).filter(e__in=emails).values_list("e", flat=True)
        ),
    )


def _check_logins_free() -> None:
    """Left by a half-removed demo, or kept by --reset because the account also belongs to
    another school or family: never take over someone else's account."""
    fixed = [login.phone for login in LOGINS.values()]
    taken = User.objects.filter(Q(phone__in=fixed) | Q(email__iexact=OPERATOR_EMAIL))
    if taken.exists():
        raise DemoConflict(
            "Số điện thoại hoặc e-mail của tài khoản mẫu đã thuộc một tài khoản khác: "
            + ", ".join(sorted(u.phone or u.email for u in taken))
            + ". Đổi hoặc xoá các tài khoản đó rồi chạy lại (với --reset nếu còn dữ liệu mẫu cũ)."
        )


def seed_demo(log: Callable[[str], None] = lambda message: None) -> dict:
    """Build and write the demo; the caller holds the transaction and has checked that the
    demo schools are absent. Returns row counts by model name, plus "outside_periods" (timetable
    periods that had to go outside a class's usual half-days; 0 expected) and "kiosk_token" (the
demo kiosk's token, shown this once)."""
    _check_logins_free()
    department, _ = Department.objects.get_or_create(
        code=DEPARTMENT_CODE, defaults={"name": DEPARTMENT_NAME, "province": "Quảng Ninh"}
    )
    log(f"Sở: {department.name}")
    password = make_password(DEMO_PASSWORD)  # once: hashing per user would take minutes
    in_use: tuple[set, set, set] = (set(), set(), set())  # phones, student codes, e-mails
    for _ in range(6):
        build = _plan(department, password, Registry(*in_use))
        clashes = _in_use(build)
        if not any(clashes):
            break
        # Accounts or pupils outside the demo hold some generated numbers: draw around them.
        in_use = tuple(a | b for a, b in zip(in_use, clashes))
    else:
        raise DemoConflict("Không tìm được số điện thoại và mã học sinh chưa dùng cho dữ liệu mẫu.")
    _log_plan(build, log)
    counts = build.write()
    counts["outside_periods"] = build.outside_periods
    _analyze(Build.WRITE_ORDER)
    # Lessons and materials (lms): courses, lessons, materials and quizzes of THPT Hạ Long.
    counts["lessons"] = seed_lessons(log)
    # Term I's grade book (reports): every cell, conduct, comments and a few absences.
    counts["scores"] = seed_grades(log)
    _analyze((Score,))
    # Last year (both schools', closed; at THPT Hạ Long the graduates' two earlier years too):
    # the grade books, then last year's cards issued.
    counts["last_year_scores"] = seed_last_year(log)
    counts["past_year_scores"] = seed_upper_past_years(log)
    # THPT Hạ Long's summer of 2026 (re-assessed conduct, re-tests), closed, before the cards.
    counts["summer_results"] = record_last_summer(log)
    counts["cards"] = issue_last_year_cards(log)
    # The smart classrooms (devices) and a contact book in use (contactbook's services).
    counts["kiosk_token"] = seed_devices(log)
    counts["notifications"] = seed_contact_book(log)
    return counts


def _analyze(models) -> None:
    """Planner statistics for the tables just filled in this transaction (PostgreSQL's ANALYZE
    sees the transaction's own rows). Without them the services that follow (announcements'
    audiences, summaries) got plans that ran for minutes on a fresh database."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


def _log_plan(build: Build, log: Callable[[str], None]) -> None:
    for school in build.rows[School]:
        classes = sum(1 for c in build.rows[ClassGroup] if c.school is school)
        pupils = sum(1 for s in build.rows[Student] if s.school is school)
        staff = sum(1 for m in build.rows[StaffMembership] if m.school is school)
        log(
            f"{school.name}: {classes} lớp, {format_count(pupils)} học sinh, "
            f"{staff} cán bộ, giáo viên"
        )
    log(
        f"Phụ huynh: {format_count(len(build.rows[Guardian]))}; "
        f"thời khoá biểu: {format_count(len(build.rows[TimetableSlot]))} tiết mỗi tuần"
    )
    log("Đang ghi vào cơ sở dữ liệu…")
