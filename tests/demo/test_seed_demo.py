"""`manage.py seed_demo`: the demo the README promises, built the same way every time.

The demo is seeded once for the module inside a transaction that is rolled back at the end
(`seeded`), so the other test modules never see it; each test runs in a savepoint of it, so a
test that re-runs or resets the seed leaves the next test the first run's rows.
"""

import hashlib
import io
import re
import unicodedata
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F

from accounts.models import User
from accounts.phones import normalize_phone
from contactbook.models import AttendanceMark, ConductRating, Score, TermComment
from reports.models import ReportRun
from school import names
from school.models import (
    ClassGroup,
    Department,
    Enrolment,
    Guardian,
    Guardianship,
    PeriodTime,
    Room,
    School,
    SchoolYear,
    StaffMembership,
    Student,
    Subject,
    SubjectGroup,
    TeachingAssignment,
    Term,
    TimetableSlot,
)
from tests import factories as f
from tests.accounts.test_login import login_request

pytestmark = pytest.mark.django_db

PASSWORD = "truongso2026"
UPPER, PRIMARY = "thpt-ha-long", "th-tran-hung-dao"
SO_QUANG_NINH = "Sở Giáo dục và Đào tạo Quảng Ninh"
# The README's table of demo logins.
LOGINS = {
    "operator": "0900000001",
    "principal": "0901000001",
    "clerk": "0901000002",
    "math_teacher": "0901000010",
    "homeroom_10a1": "0901000011",
    "math_head": "0901000012",
    "parent_of_two": "0987000001",
    "parent_10a2": "0987000002",
    "parent_after_summer": "0987000003",
    "primary_principal": "0902000001",
    "officer": "0903000001",
}
COMPULSORY = {"ngu-van", "toan", "tieng-anh", "lich-su", "gdtc", "gdqp-an", "hdtn-hn", "gddp"}
COUNTED = (
    User, Department, School, SchoolYear, Term, SubjectGroup, Subject, Room, PeriodTime,
    StaffMembership, ClassGroup, Student, Enrolment, Guardian, Guardianship, TeachingAssignment,
    TimetableSlot, Score, ConductRating, TermComment, AttendanceMark,
)


def run_seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def _rows(model, order: tuple, fields: tuple):
    return model.objects.order_by(*order).values_list(*fields)


def fingerprint() -> str:
    """sha256 over the demo's content in a fixed order, by natural keys (never primary keys,
    which differ after --reset)."""
    school = ("school__code",)
    klass = ("class_group__school__code", "class_group__school_year__name", "class_group__name")
    queries = [
        _rows(Student, ("student_code",), (
            "student_code", "school__code", "family_name", "middle_name", "given_name",
            "date_of_birth", "sex", "card_id", "sort_key", "search_name",
        )),
        _rows(Enrolment, ("student__student_code", "school_year__name"), (
            "student__student_code", "class_group__name", "school_year__name", "start_date",
            "status",
        )),
        _rows(ClassGroup, (*school, "school_year__name", "name"), (
            *school, "school_year__name", "grade", "name", "homeroom_teacher__phone", "room__name",
        )),
        _rows(Guardianship, ("student__student_code", "guardian__user__phone"), (
            "student__student_code", "guardian__user__phone", "guardian__user__email",
            "guardian__user__full_name", "relationship",
        )),
        _rows(StaffMembership, (*school, "user__phone"), (
            *school, "user__phone", "user__full_name", "role", "subject_group__name",
            "is_group_head",
        )),
        _rows(TeachingAssignment, (*klass, "subject__code"), (
            *klass, "subject__code", "teacher__phone",
        )),
        _rows(TimetableSlot, (*klass, "weekday", "session", "period"), (
            *klass, "weekday", "session", "period", "subject__code", "teacher__phone", "room__name",
        )),
        _rows(Subject, (*school, "code"), (
            *school, "code", "name", "assessment", "periods_per_year", "has_primary_test",
            "group__name",
        )),
        _rows(Term, ("school_year__school__code", "school_year__name", "number"), (
            "school_year__school__code", "school_year__name", "number", "start_date", "end_date",
            "closed_at",
        )),
        _rows(Room, (*school, "name"), (*school, "name", "is_smart")),
        _rows(PeriodTime, (*school, "session", "period"), (
            *school, "session", "period", "starts_at", "ends_at",
        )),
    ]
    digest = hashlib.sha256()
    for query in queries:
        for row in query:
            digest.update(repr(row).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo seeded once; rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        mail.outbox = []
        output = run_seed()
        yield {
            "output": output, "counts": row_counts(), "fingerprint": fingerprint(),
            "emails": len(mail.outbox),
        }
        transaction.set_rollback(True)


def login(key: str) -> User:
    return User.objects.get(phone=LOGINS[key])


def demo_schools():
    return School.objects.filter(code__in=(UPPER, PRIMARY))


def test_the_demo_department_and_its_two_schools(seeded):
    assert "Xong trong" in seeded["output"]
    department = Department.objects.get(code="so-gddt-quang-ninh")
    assert (department.name, department.province) == (SO_QUANG_NINH, "Quảng Ninh")
    upper, primary = School.objects.get(code=UPPER), School.objects.get(code=PRIMARY)
    assert upper.department == primary.department == department
    assert (upper.name, upper.level, upper.authority_name, upper.place_name) == (
        "Trường THPT Hạ Long", "upper_secondary", SO_QUANG_NINH, "Hạ Long"
    )
    assert "Hạ Long" in upper.address
    assert (upper.area, primary.area) == ("Cao Xanh", "Hồng Gai")  # the dashboard's filter
    assert (primary.name, primary.level, primary.authority_name, primary.place_name) == (
        "Trường Tiểu học Trần Hưng Đạo", "primary", "Ủy ban nhân dân phường Hồng Gai", "Hạ Long"
    )
    # The Sở's officer sees the department on its dashboard, and holds no place in a school.
    officer = login("officer")
    assert list(Department.objects.visible_to(officer)) == [department]
    assert not StaffMembership.objects.filter(user=officer).exists()


def test_classes_pupils_rooms_and_staff_have_the_promised_sizes(seeded):
    upper_classes = ClassGroup.objects.filter(
        school__code=UPPER, school_year__is_current=True
    ).select_related("room")
    assert sorted(c.name for c in upper_classes) == sorted(
        f"{g}A{n}" for g in (10, 11, 12) for n in range(1, 11)
    )
    primary_classes = ClassGroup.objects.filter(school__code=PRIMARY, school_year__is_current=True)
    assert sorted(primary_classes.values_list("name", flat=True)) == ["1A", "2A", "3A", "4A", "5A"]
    sizes = Counter(
        Enrolment.objects.filter(status="active", school_year__is_current=True).values_list(
            "class_group__school__code", "class_group__name"
        )
    )
    assert all(38 <= n <= 42 for (code, _), n in sizes.items() if code == UPPER)
    assert all(25 <= n <= 31 for (code, _), n in sizes.items() if code == PRIMARY)
    assert 1100 <= Student.objects.filter(school__code=UPPER).count() <= 1300
    assert all(c.homeroom_teacher_id and c.room.name.startswith("P") for c in upper_classes)
    assert Room.objects.filter(school__code=UPPER, is_smart=True).count() in range(8, 13)
    assert Room.objects.filter(school__code=UPPER, name__startswith="Phòng").count() >= 2

    teachers = StaffMembership.objects.filter(school__code=UPPER, role="teacher")
    assert 55 <= teachers.count() <= 65
    assert not teachers.filter(subject_group=None).exists()
    heads = Counter(
        teachers.filter(is_group_head=True).values_list("subject_group__name", flat=True)
    )
    groups = SubjectGroup.objects.filter(school__code=UPPER).values_list("name", flat=True)
    assert len(groups) == 6 and heads == {name: 1 for name in groups}
    staff = StaffMembership.objects.filter(school__code=UPPER)
    roles = Counter(staff.values_list("role", flat=True))
    assert (roles["principal"], roles["admin"]) == (1, 1)
    primary_teachers = StaffMembership.objects.filter(school__code=PRIMARY, role="teacher")
    assert 7 <= primary_teachers.count() <= 10


def test_years_terms_subjects_and_bells(seeded):
    years = {y.name: y for y in SchoolYear.objects.filter(school__code=UPPER)}
    assert set(years) == {"2023–2024", "2024–2025", "2025–2026", "2026–2027"}
    assert [name for name, y in years.items() if y.is_current] == ["2026–2027"]
    for name in ("2023–2024", "2024–2025", "2025–2026"):  # closed, by the principal
        terms = years[name].terms.order_by("number")
        assert [t.is_closed for t in terms] == [True, True], name
        assert {t.closed_by.phone for t in terms} == {LOGINS["principal"]}
        assert all(t.closed_at.date() > t.end_date for t in terms)
    terms = [
        (t.start_date.isoformat(), t.end_date.isoformat(), t.is_closed)
        for t in years["2026–2027"].terms.order_by("number")
    ]
    assert terms == [("2026-09-05", "2027-01-16", False), ("2027-01-18", "2027-05-29", False)]
    assert SchoolYear.objects.get(school__code=PRIMARY, is_current=True).terms.count() == 2
    primary_last = SchoolYear.objects.get(school__code=PRIMARY, is_current=False)
    assert primary_last.name == "2025–2026"
    assert [t.is_closed for t in primary_last.terms.order_by("number")] == [True, True]

    subjects = {s.name: s for s in Subject.objects.filter(school__code=UPPER)}
    assert {name for name, s in subjects.items() if s.assessment == "rated"} == {
        "Giáo dục thể chất", "Âm nhạc", "Mĩ thuật", "Nội dung giáo dục địa phương",
        "Hoạt động trải nghiệm, hướng nghiệp",
    }
    periods = {"Ngữ văn": 105, "Toán": 105, "Lịch sử": 52, "Giáo dục quốc phòng và an ninh": 35,
               "Vật lí": 70, "Giáo dục thể chất": 70}
    assert {name: subjects[name].periods_per_year for name in periods} == periods
    primary_subjects = Subject.objects.filter(school__code=PRIMARY)
    assert set(primary_subjects.values_list("assessment", flat=True)) == {"primary"}
    tested = primary_subjects.filter(has_primary_test=True).values_list("name", flat=True)
    assert {"Tiếng Việt", "Toán"} <= set(tested)

    bells = {
        (p.session, p.period): (f"{p.starts_at:%H:%M}", f"{p.ends_at:%H:%M}")
        for p in PeriodTime.objects.filter(school__code=UPPER)
    }
    assert [bells[("morning", n)] for n in range(1, 6)] == [
        ("07:00", "07:45"), ("07:50", "08:35"), ("08:50", "09:35"), ("09:40", "10:25"),
        ("10:30", "11:15"),
    ]
    assert bells[("afternoon", 1)] == ("13:30", "14:15") and ("afternoon", 4) in bells


def test_every_pupil_has_one_active_enrolment_and_one_or_two_guardians(seeded):
    students = Student.objects.filter(school__in=demo_schools())
    this_year = Enrolment.objects.filter(school_year__is_current=True)
    active = Counter(this_year.filter(status="active").values_list("student_id", flat=True))
    # Every pupil but the class of 2026 (12A1 last year, graduated) has a class this year.
    graduates = set(
        Enrolment.objects.filter(
            class_group__school__code=UPPER, school_year__name="2025–2026",
            class_group__name="12A1",
        ).values_list("student_id", flat=True)
    )
    assert 35 <= len(graduates) <= 42 and not graduates & set(active)
    assert set(active) | graduates == set(students.values_list("id", flat=True))
    assert set(active.values()) == {1}
    assert not Enrolment.objects.exclude(school_year=F("class_group__school_year")).exists()
    assert not this_year.exclude(start_date="2026-09-05").exists()

    def pupils(school, year, name):
        return set(Enrolment.objects.filter(
            class_group__school__code=school, school_year__name=year, class_group__name=name,
            status="active",
        ).values_list("student_id", flat=True))

    # Last year at the primary school: its 2A, today's 3A a year younger.
    last_year = Enrolment.objects.filter(school_year__is_current=False)
    assert set(last_year.values_list("class_group__name", flat=True)) == {
        "2A", "10A1", "11A1", "12A1"
    }
    assert pupils(PRIMARY, "2025–2026", "2A") == pupils(PRIMARY, "2026–2027", "3A")
    # At THPT Hạ Long: last year's 10A1 and 11A1 are this year's 11A1 and 12A1, one of them
    # joining in term II; the class of 2026 was 10A1 and 11A1 in the two years before.
    assert pupils(UPPER, "2025–2026", "10A1") == pupils(UPPER, "2026–2027", "11A1")
    assert pupils(UPPER, "2025–2026", "11A1") == pupils(UPPER, "2026–2027", "12A1")
    late = last_year.filter(class_group__school__code=UPPER).exclude(
        start_date=F("school_year__start_date")
    )
    assert [(e.class_group.name, str(e.start_date)) for e in late] == [("10A1", "2026-01-19")]
    assert pupils(UPPER, "2024–2025", "11A1") == pupils(UPPER, "2023–2024", "10A1") == graduates
    guardians = Counter(students.annotate(n=Count("guardianships")).values_list("n", flat=True))
    assert set(guardians) == {1, 2}
    assert guardians[2] > guardians[1] / 2  # both parents for many pupils, not a token few
    # Some families have two children in the schools.
    assert Guardian.objects.annotate(n=Count("guardianships")).filter(n=2).count() >= 10
    for grade, born in ((10, 2011), (11, 2010), (12, 2009), (1, 2020), (3, 2018)):
        years = Student.objects.filter(
            enrolments__class_group__grade=grade,
            enrolments__class_group__school_year__is_current=True,
        ).values_list(
            "date_of_birth__year", flat=True
        )
        assert set(years) == {born}, grade


def test_codes_names_and_phones_are_well_formed(seeded):
    students = list(Student.objects.select_related("school"))
    assert all(re.fullmatch(r"\d{10}", s.student_code) for s in students)
    assert len({(s.school_id, s.card_id) for s in students if s.card_id}) == len(students)
    for s in students:
        for part in (s.family_name, s.middle_name, s.given_name):
            assert part == unicodedata.normalize("NFC", part) and part.strip() == part
        assert s.sort_key == s.compute_sort_key()
        assert s.search_name == names.fold(s.full_name)
    families = Counter(s.family_name for s in students)
    assert families.most_common(1)[0][0] == "Nguyễn"
    assert {"Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ"} <= set(families)
    parents = User.objects.filter(guardian__isnull=False)
    phones = list(parents.values_list("phone", flat=True))
    assert all(re.fullmatch(r"0[398]\d{8}", p) and normalize_phone(p) == p for p in phones)
    assert 0 < parents.exclude(email=None).count() < len(phones) / 5
    # One hash for every demo account: the seed hashed the password once.
    assert User.objects.values("password").distinct().count() == 1


def test_timetables_double_book_no_class_and_no_teacher(seeded):
    slots = TimetableSlot.objects.filter(class_group__school__in=demo_schools())
    for key in ("teacher", "class_group"):
        clashes = slots.values(key, "weekday", "session", "period").annotate(n=Count("id"))
        assert not clashes.filter(n__gt=1).exists(), key
    upper = slots.filter(class_group__school__code=UPPER)
    assert max(Counter(upper.values_list("teacher_id", flat=True)).values()) <= 18
    assert not upper.exclude(room=F("class_group__room")).exists()
    assert set(upper.values_list("weekday", flat=True)) == {1, 2, 3, 4, 5, 6}
    assert not upper.filter(session="afternoon").exists()
    assigned = TeachingAssignment.objects.filter(class_group__school_year__is_current=True).values_list(
        "class_group_id", "subject_id", "teacher_id"
    )
    assert set(slots.values_list("class_group_id", "subject_id", "teacher_id")) == set(assigned)

    combinations = set()
    for group in ClassGroup.objects.filter(school__code=UPPER, school_year__is_current=True):
        codes = set(group.assignments.values_list("subject__code", flat=True))
        assert group.assignments.count() == 12 and len(codes - COMPULSORY) == 4, group.name
        combinations.add(frozenset(codes))
        per_subject = Counter(group.timetable.values_list("subject__periods_per_year", flat=True))
        week = Counter(group.timetable.values_list("subject__code", "subject__periods_per_year"))
        assert all(n == -(-ppy // 35) for (_, ppy), n in week.items()), group.name
        assert sum(per_subject.values()) == 26
        chao_co = group.timetable.get(weekday=1, session="morning", period=1)
        assert chao_co.subject.code == "hdtn-hn" and chao_co.teacher == group.homeroom_teacher
    assert len(combinations) >= 5


def test_every_demo_login_authenticates(seeded):
    for key, phone in LOGINS.items():
        user = authenticate(login_request(), username=phone, password=PASSWORD)
        assert user is not None and user.phone == phone, key
    assert authenticate(login_request(), username="0901 000 001", password=PASSWORD) == login("principal")
    operator = authenticate(login_request(), username="admin@truongso.vn", password=PASSWORD)
    assert operator == login("operator") and operator.is_superuser and operator.is_staff
    assert authenticate(login_request(), username=LOGINS["principal"], password="sai-mat-khau") is None
    logins = User.objects.filter(phone__in=LOGINS.values())
    full_names = dict(logins.values_list("phone", "full_name"))
    assert full_names == {
        "0900000001": "Quản Trị Hệ Thống", "0901000001": "Phạm Thị Thu Hằng",
        "0901000002": "Đoàn Thị Lan", "0901000010": "Lê Văn Hùng", "0901000011": "Nguyễn Thị Mai",
        "0901000012": "Trần Quốc Bảo", "0987000001": "Vũ Thị Hồng Nhung",
        "0987000002": "Hoàng Văn Long", "0902000001": "Bùi Thị Thanh Hương",
        "0987000003": "Trịnh Thị Thanh Hà", "0903000001": "Đặng Minh Tuấn",
    }


def test_demo_logins_have_the_roles_the_readme_describes(seeded):
    def membership(key, school=UPPER):
        return StaffMembership.objects.get(user=login(key), school__code=school)

    assert membership("principal").role == "principal"
    assert membership("clerk").role == "admin"
    assert membership("primary_principal", PRIMARY).role == "principal"
    head = membership("math_head")
    assert head.is_group_head and head.subject_group.name == "Toán – Tin"

    hung = login("math_teacher")
    taught = TeachingAssignment.objects.filter(teacher=hung).values_list(
        "class_group__name", "subject__code"
    )
    assert ("10A1", "toan") in set(taught) and len(taught) >= 2
    assert not ClassGroup.objects.filter(homeroom_teacher=hung).exists()

    mai = login("homeroom_10a1")
    this_year = ClassGroup.objects.filter(school__code=UPPER, school_year__is_current=True)
    assert this_year.get(name="10A1").homeroom_teacher == mai
    assert TeachingAssignment.objects.filter(
        teacher=mai, class_group__name="10A1", subject__code="ngu-van"
    ).exists()


def test_the_parents_see_exactly_their_children(seeded):
    children = Student.objects.visible_to(login("parent_of_two")).select_related("school")
    assert sorted((s.school.code, s.enrolments.get(school_year__is_current=True).class_group.name)
                  for s in children) == [
        (PRIMARY, "3A"), (UPPER, "10A1")
    ]
    child = Student.objects.visible_to(login("parent_10a2")).get()
    assert child.enrolments.get(school_year__is_current=True).class_group.name == "10A2"


def test_class_lists_come_out_of_the_database_in_vietnamese_order(seeded):
    for group in ClassGroup.objects.filter(school__in=demo_schools()).select_related("school"):
        listed = list(Student.objects.in_class(group))
        order = group.school.name_order

        def vietnamese(s, order=order):
            return names.sort_key(s.family_name, s.middle_name, s.given_name, order), s.id

        expected = sorted(listed, key=vietnamese)
        assert [s.id for s in listed] == [s.id for s in expected], group.name
    class_10a1 = ClassGroup.objects.get(school__code=UPPER, name="10A1", school_year__is_current=True)
    roster = [s.full_name for s in Student.objects.in_class(class_10a1)]
    curated = [
        "Phạm Minh Anh", "Nguyễn Ngọc Anh", "Lê Thị Ngọc Ánh", "Hoàng Thùy Dung", "Trần Tiến Dũng",
        "Nguyễn Thị Ánh Dương", "Đỗ Minh Đức", "Nguyễn Thị Thu", "Uông Thị Thu", "Ưng Thị Thu",
        "Lê Anh Thư", "Đinh Thị Thu Uyên",
    ]
    assert [name for name in roster if name in curated] == curated
    assert max(Counter(name.split()[-1] for name in roster).values()) >= 3


def test_seeding_sends_no_email(seeded):
    """Wagtail's moderation notices for the demo's lessons (and the contact book's e-mails)
    would go to invented addresses, and to the console on a first run."""
    assert seeded["emails"] == 0


def test_running_it_again_changes_nothing(seeded):
    assert "Dữ liệu mẫu đã có — không thay đổi gì." in run_seed()
    assert row_counts() == seeded["counts"]
    assert fingerprint() == seeded["fingerprint"]


def test_reset_rebuilds_exactly_the_same_demo(seeded):
    output = run_seed("--reset")
    assert "Đã xoá dữ liệu mẫu cũ" in output and "Xong trong" in output
    assert row_counts() == seeded["counts"]
    assert fingerprint() == seeded["fingerprint"]
    # The grade book went in one DELETE per table: no history row for the removed grades.
    assert not Score.history.exists() and not ConductRating.history.exists()


def test_reset_keeps_other_schools_and_people_who_belong_elsewhere_too(seeded):
    other = f.SchoolFactory(department=Department.objects.get(code="so-gddt-quang-ninh"))
    outsider = f.UserFactory(full_name="Người Ngoài Demo")
    teacher = (
        StaffMembership.objects.filter(school__code=UPPER, role="teacher")
        .exclude(user__phone__in=LOGINS.values())
        .first()
        .user
    )
    f.StaffMembershipFactory(user=teacher, school=other)
    parent = (
        Guardianship.objects.filter(student__school__code=UPPER)
        .exclude(guardian__user__phone__in=LOGINS.values())
        .first()
        .guardian.user
    )
    f.link_guardian(parent, f.StudentFactory(school=other))

    run_seed("--reset")

    assert School.objects.filter(pk=other.pk).exists()
    assert User.objects.filter(pk__in=[outsider.pk, teacher.pk, parent.pk]).count() == 3
    assert not StaffMembership.objects.filter(user=teacher, school__code=UPPER).exists()
    # The new demo drew other numbers around the kept accounts.
    assert StaffMembership.objects.filter(school__code=UPPER, role="teacher").count() == 60


def test_reset_refuses_to_take_over_a_demo_login_that_belongs_elsewhere(seeded):
    other = f.SchoolFactory(department=Department.objects.get(code="so-gddt-quang-ninh"))
    f.StaffMembershipFactory(user=login("math_teacher"), school=other)
    with pytest.raises(CommandError, match=LOGINS["math_teacher"]):
        run_seed("--reset")


def test_half_a_demo_is_refused_without_reset(seeded):
    primary = School.objects.get(code=PRIMARY)
    Student.objects.filter(school=primary).delete()
    ReportRun.objects.filter(school=primary).delete()  # last year's card run keeps its year
    primary.delete()
    with pytest.raises(CommandError, match="--reset"):
        run_seed()
