"""The demo department that `manage.py seed_demo` builds: the Sở GD&ĐT Quảng Ninh with an
upper-secondary school (Trường THPT Hạ Long: 30 classes, about 1,200 pupils and their parents,
about 60 teachers, a weekly timetable, this year and last) and a small primary school (Trường
Tiểu học Trần Hưng Đạo), plus the demo logins the README lists.

Every random choice comes from a generator seeded per part ("seed_demo/thpt-ha-long", …), so
every run writes the same rows; only primary keys differ. Rows are written with bulk_create,
which skips Model.save(): the names' NFC form, their sort and search keys and the enrolment's
school year are therefore set here, and the demo password is hashed once for every account.
"""

import datetime
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo


from accounts.models import User
from demo.names import FAMILY, MOBILE_PREFIXES, _pick, adult_name, child_name
from demo.timetable import (
    AFTERNOON,
    MORNING,
    Lesson,
    assign_teachers,
    bell_schedule,
    build_timetable,
    slot_order,
    week_first_and_last,
)
from school import names
from school.models import (
    ClassGroup,
    Department,
    DepartmentMembership,
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
from school.programme import default_programme_order

DEMO_PASSWORD = "truongso2026"
DEPARTMENT_CODE = "so-gddt-quang-ninh"
DEPARTMENT_NAME = "Sở Giáo dục và Đào tạo Quảng Ninh"
UPPER_CODE = "thpt-ha-long"
PRIMARY_CODE = "th-tran-hung-dao"
SCHOOL_CODES = (UPPER_CODE, PRIMARY_CODE)
OPERATOR_EMAIL = "admin@truongso.vn"

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
# A fixed join date keeps every run's rows identical (the default would be "now").
JOINED = datetime.datetime(2026, 8, 15, 8, 0, tzinfo=ICT)

SCORED = Subject.Assessment.SCORED
RATED = Subject.Assessment.RATED
PRIMARY = Subject.Assessment.PRIMARY
Role = StaffMembership.Role


class DemoConflict(Exception):
    """The database holds something the demo needs for itself (a demo phone number, half a
    demo); the message says what and suggests --reset."""


@dataclass(frozen=True)
class Login:
    full_name: str
    phone: str
    email: str | None = None


# The README's demo logins: keep the two in step.
LOGINS = {
    "operator": Login("Quản Trị Hệ Thống", "0900000001", OPERATOR_EMAIL),
    "principal": Login("Phạm Thị Thu Hằng", "0901000001"),
    "clerk": Login("Đoàn Thị Lan", "0901000002"),
    "math_teacher": Login("Lê Văn Hùng", "0901000010"),
    "homeroom_10a1": Login("Nguyễn Thị Mai", "0901000011"),
    "math_head": Login("Trần Quốc Bảo", "0901000012"),
    "parent_of_two": Login("Vũ Thị Hồng Nhung", "0987000001"),
    "parent_10a2": Login("Hoàng Văn Long", "0987000002"),
    # Given to a generated guardian of last year's re-test pupil by demo/summer.py.
    "parent_after_summer": Login("Trịnh Thị Thanh Hà", "0987000003"),
    "primary_principal": Login("Bùi Thị Thanh Hương", "0902000001"),
    # An officer of the Sở (DepartmentMembership): the department's dashboard, nothing else.
    "officer": Login("Đặng Minh Tuấn", "0903000001"),
}

# ------------------------------------------------------------------------- identities


class Registry:
    """The phones, student codes, card numbers and e-mails handed out so far (plus those the
    database already holds), so that no two rows share one."""

    def __init__(self, phones=(), codes=(), emails=()):
        self.phones = set(phones) | {login.phone for login in LOGINS.values()}
        self.codes = set(codes)
        self.emails = {e.lower() for e in emails} | {OPERATOR_EMAIL}
        self.cards: set[str] = set()

    def phone(self, rng: random.Random) -> str:
        while True:
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def student_code(self, rng: random.Random) -> str:
        """10 digits, starting with Quảng Ninh's province code 22 as the Ministry's IDs do."""
        while True:
            code = f"22{rng.randrange(10**8):08d}"
            if code not in self.codes:
                self.codes.add(code)
                return code

    def card_id(self, rng: random.Random) -> str:
        """The 10-digit number printed on an EM-Marine card, as the kiosks read it."""
        while True:
            card = f"{rng.randrange(10**8, 4 * 10**9):010d}"
            if card not in self.cards:
                self.cards.add(card)
                return card

    def email(self, rng: random.Random, full_name: str) -> str:
        """example.com, reserved for examples: a demo e-mail can never reach a real person."""
        family, _, given = names.split_full_name(full_name)
        local = f"{names.fold(given)}.{names.fold(family)}".replace(" ", "")
        for attempt in range(10**6):
            # Two digits like a birth year, more once the common names have used them up.
            suffix = rng.randrange(60, 100) if attempt < 20 else rng.randrange(100, 10**4)
            email = f"{local}{suffix}@example.com"
            if email not in self.emails:
                self.emails.add(email)
                return email
        raise RuntimeError(f"no e-mail left for {full_name}")


# ----------------------------------------------------------------------------- curriculum

UPPER_GROUPS = (
    "Toán – Tin",
    "Ngữ văn",
    "Ngoại ngữ",
    "Khoa học tự nhiên",
    "Khoa học xã hội",
    "Thể dục – QP – Nghệ thuật",
)
# code, name, subject group, assessment, periods a year (the 2018 programme, DOMAIN.md).
UPPER_SUBJECTS = (
    ("ngu-van", "Ngữ văn", "Ngữ văn", SCORED, 105),
    ("toan", "Toán", "Toán – Tin", SCORED, 105),
    ("tieng-anh", "Tiếng Anh", "Ngoại ngữ", SCORED, 105),
    ("lich-su", "Lịch sử", "Khoa học xã hội", SCORED, 52),
    ("gdtc", "Giáo dục thể chất", "Thể dục – QP – Nghệ thuật", RATED, 70),
    ("gdqp-an", "Giáo dục quốc phòng và an ninh", "Thể dục – QP – Nghệ thuật", SCORED, 35),
    # Taught by each class's homeroom teacher, whatever their group: no group of its own.
    ("hdtn-hn", "Hoạt động trải nghiệm, hướng nghiệp", None, RATED, 105),
    ("gddp", "Nội dung giáo dục địa phương", "Khoa học xã hội", RATED, 35),
    ("dia-li", "Địa lí", "Khoa học xã hội", SCORED, 70),
    ("gdktpl", "Giáo dục kinh tế và pháp luật", "Khoa học xã hội", SCORED, 70),
    ("vat-li", "Vật lí", "Khoa học tự nhiên", SCORED, 70),
    ("hoa-hoc", "Hoá học", "Khoa học tự nhiên", SCORED, 70),
    ("sinh-hoc", "Sinh học", "Khoa học tự nhiên", SCORED, 70),
    ("cong-nghe", "Công nghệ", "Khoa học tự nhiên", SCORED, 70),
    ("tin-hoc", "Tin học", "Toán – Tin", SCORED, 70),
    ("am-nhac", "Âm nhạc", "Thể dục – QP – Nghệ thuật", RATED, 70),
    ("mi-thuat", "Mĩ thuật", "Thể dục – QP – Nghệ thuật", RATED, 70),
)
UPPER_PERIODS = {code: periods for code, *_, periods in UPPER_SUBJECTS}
COMPULSORY = ("ngu-van", "toan", "tieng-anh", "lich-su", "gdtc", "gdqp-an", "hdtn-hn", "gddp")
# The elective combinations (tổ hợp) the school offers; class A1…A10 of every grade takes
# ELECTIVES_OF_CLASS[i - 1], so a cohort keeps its combination from grade 10 to 12.
COMBINATIONS = (
    ("vat-li", "hoa-hoc", "sinh-hoc", "tin-hoc"),
    ("vat-li", "hoa-hoc", "tin-hoc", "gdktpl"),
    ("vat-li", "hoa-hoc", "sinh-hoc", "cong-nghe"),
    ("dia-li", "gdktpl", "vat-li", "tin-hoc"),
    ("dia-li", "gdktpl", "hoa-hoc", "sinh-hoc"),
    ("dia-li", "gdktpl", "tin-hoc", "cong-nghe"),
    ("dia-li", "gdktpl", "tin-hoc", "mi-thuat"),
    ("dia-li", "gdktpl", "cong-nghe", "am-nhac"),
)
ELECTIVES_OF_CLASS = (0, 0, 1, 2, 3, 4, 5, 5, 6, 7)
# Teachers per main subject: 60, none above 18 periods a week (the norm is 17).
UPPER_TEACHERS = {
    "ngu-van": 8, "toan": 8, "tieng-anh": 8, "lich-su": 4, "dia-li": 4, "gdktpl": 3,
    "vat-li": 3, "hoa-hoc": 3, "sinh-hoc": 3, "cong-nghe": 3, "tin-hoc": 4, "gdtc": 5,
    "gdqp-an": 2, "am-nhac": 1, "mi-thuat": 1,
}
MOSTLY_MEN = {"gdtc", "gdqp-an"}
# Who may also teach a subject that has no teachers of its own.
SHARED_POOLS = {"gddp": ("dia-li", "lich-su")}
MAX_WEEKLY_PERIODS = 18
TEACHING_WEEKS = 35


def periods_per_week(periods_per_year: int) -> int:
    """Rounded up, so the year's periods fit: Lịch sử's 52 become 2 a week, as schools teach it
    in term I (and 1 a week in term II)."""
    return -(-periods_per_year // TEACHING_WEEKS)


PRIMARY_GROUPS = ("Tổ khối 1–2–3", "Tổ khối 4–5", "Tổ chuyên biệt")
# code, name, group, periods a year (grades 3–5: one figure per school, see PRIMARY_WEEK),
# written tests (Circular 27/2020).
PRIMARY_SUBJECTS = (
    ("tieng-viet", "Tiếng Việt", None, 245, True),
    ("toan", "Toán", None, 175, True),
    ("tieng-anh", "Tiếng Anh", "Tổ chuyên biệt", 140, True),
    ("dao-duc", "Đạo đức", None, 35, False),
    ("tnxh", "Tự nhiên và Xã hội", None, 70, False),
    ("ls-dl", "Lịch sử và Địa lí", None, 70, True),
    ("khoa-hoc", "Khoa học", None, 70, True),
    ("tin-hoc-cn", "Tin học và Công nghệ", "Tổ chuyên biệt", 70, True),
    ("gdtc", "Giáo dục thể chất", "Tổ chuyên biệt", 70, False),
    ("am-nhac", "Âm nhạc", "Tổ chuyên biệt", 35, False),
    ("mi-thuat", "Mĩ thuật", "Tổ chuyên biệt", 35, False),
    ("hdtn", "Hoạt động trải nghiệm", None, 105, False),
)
_ARTS = {"gdtc": 2, "am-nhac": 1, "mi-thuat": 1, "hdtn": 3, "dao-duc": 1}
_UPPER_PRIMARY = {"tieng-viet": 7, "toan": 5, "tieng-anh": 4, "tin-hoc-cn": 2}
# Periods a week per grade (the 2018 programme); Subject holds one periods_per_year per school.
PRIMARY_WEEK = {
    1: {"tieng-viet": 12, "toan": 3, "tnxh": 2, **_ARTS},
    2: {"tieng-viet": 10, "toan": 5, "tnxh": 2, **_ARTS},
    3: {**_UPPER_PRIMARY, "tnxh": 2, **_ARTS},
    4: {**_UPPER_PRIMARY, "ls-dl": 2, "khoa-hoc": 2, **_ARTS},
    5: {**_UPPER_PRIMARY, "ls-dl": 2, "khoa-hoc": 2, **_ARTS},
}
# Specialist teachers: the subjects each teaches in every class; the rest is the class teacher's.
PRIMARY_SPECIALISTS = (("tieng-anh",), ("tin-hoc-cn",), ("gdtc",), ("am-nhac", "mi-thuat"))
HDTN = ("hdtn-hn", "hdtn")  # taught by the homeroom teacher, with fixed periods

# ---------------------------------------------------------------------------------- build


@dataclass
class Family:
    """A pupil's family: the children's family name and the guardians (user, relationship)."""

    family_name: str
    guardians: list[tuple[User, str]]
    children: list[Student] = field(default_factory=list)
    grades: set[int] = field(default_factory=set)
    closed: bool = False  # the demo logins' families: no random sibling joins them


@dataclass
class ClassPlan:
    group: ClassGroup
    subjects: dict[str, int]  # subject code -> periods a week
    homeroom: str  # the homeroom teacher's phone


class Build:
    """Collects the demo's rows (unsaved model instances that point at each other), then
    writes them with one bulk_create per model, in an order where every row's foreign keys
    are already saved."""

    WRITE_ORDER = (
        User, DepartmentMembership, School, SchoolYear, Term, SubjectGroup, Subject, Room,
        PeriodTime, StaffMembership, ClassGroup, Student, Enrolment, Guardian, Guardianship,
        TeachingAssignment, TimetableSlot,
    )

    def __init__(self, department: Department, registry: Registry, password: str):
        self.department = department
        self.registry = registry
        self.password = password
        self.rows: dict[type, list] = defaultdict(list)
        self.families: list[Family] = []
        self.family_of_two: Family | None = None
        self.outside_periods = 0

    def add(self, obj):
        self.rows[type(obj)].append(obj)
        return obj

    def write(self) -> dict[str, int]:
        counts = {}
        for model in self.WRITE_ORDER:
            model.objects.bulk_create(self.rows[model], batch_size=1000)
            counts[model.__name__] = len(self.rows[model])
        return counts

    # ---------------------------------------------------------------- people, structure

    def user(self, full_name: str, phone: str | None, email: str | None = None, **extra) -> User:
        return self.add(
            User(
                full_name=names.nfc(full_name), phone=phone, email=email,
                password=self.password, date_joined=JOINED, **extra,
            )
        )

    def login(self, key: str, **extra) -> User:
        login = LOGINS[key]
        return self.user(login.full_name, login.phone, login.email, **extra)

    def staff(self, user: User, school: School, role: str, group=None, head=False) -> User:
        self.add(
            StaffMembership(
                user=user, school=school, role=role, subject_group=group, is_group_head=head
            )
        )
        return user

    def new_staff(self, rng: random.Random, male: bool) -> User:
        """A staff account with an adult name no other account has yet."""
        taken = {u.full_name for u in self.rows[User]}
        while (name := adult_name(rng, male)) in taken:
            pass
        return self.user(name, self.registry.phone(rng))

    def year(self, school, name, terms, *, current, closed_by=None) -> SchoolYear:
        """A school year from its terms: [(first day, last day, closed at or None), …]."""
        year = self.add(
            SchoolYear(
                school=school, name=name, start_date=terms[0][0], end_date=terms[-1][1],
                is_current=current,
            )
        )
        for number, (first, last, closed_at) in enumerate(terms, start=1):
            self.add(
                Term(
                    school_year=year, number=number, start_date=first, end_date=last,
                    closed_at=closed_at, closed_by=closed_by if closed_at else None,
                )
            )
        return year

    def bells(self, school: School, session: str, times: list[tuple]) -> None:
        for period, (starts, ends) in enumerate(times, start=1):
            self.add(
                PeriodTime(
                    school=school, session=session, period=period, starts_at=starts, ends_at=ends
                )
            )

    # -------------------------------------------------------------------- pupils, families

    def family(self, rng: random.Random, family_name: str | None = None) -> Family:
        """A new family with 1 or 2 guardians: both parents (60 %), the mother (28 %), the
        father (9 %) or a grandparent as guardian (3 %). The father shares the children's
        family name; the mother keeps her own."""
        family_name = family_name or _pick(rng, FAMILY)
        r = rng.random()
        kinds = (
            ("father", "mother") if r < 0.60
            else ("mother",) if r < 0.88
            else ("father",) if r < 0.97
            else ("guardian",)
        )
        guardians = []
        for kind in kinds:
            if kind == "mother":
                name = adult_name(rng, False)
            else:  # a father, or a grandparent on the father's side
                name = adult_name(rng, kind == "father" or rng.random() < 0.4, family_name)
            guardians.append((self.parent(rng, name), kind))
        return self.add_family(Family(family_name, guardians))

    def add_family(self, family: Family) -> Family:
        self.families.append(family)
        return family

    def parent(self, rng: random.Random, full_name: str) -> User:
        """A guardian's account: a mobile number, and an e-mail for about one in sixteen."""
        email = self.registry.email(rng, full_name) if rng.random() < 0.06 else None
        return self.user(full_name, self.registry.phone(rng), email)

    def sibling_family(self, rng: random.Random, grade: int, level: str) -> Family | None:
        """Now and then (3 % of upper-secondary pupils, 6 % of primary pupils) an existing
        family with one child in another grade gets a second one."""
        chance = 0.03 if level == School.Level.UPPER_SECONDARY else 0.06
        if rng.random() >= chance:
            return None
        candidates = [
            f for f in self.families
            if not f.closed and len(f.children) == 1 and grade not in f.grades
        ]
        return rng.choice(candidates) if candidates else None

    def pupil(
        self, rng: random.Random, plan: ClassPlan, *, sex: str, family: Family | None = None,
        name: tuple[str, str, str] | None = None, born: datetime.date | None = None,
    ) -> Student:
        """A pupil enrolled in the plan's class from the first day of the year. bulk_create
        skips Student.save(), so the NFC names and both keys are set here."""
        group, school = plan.group, plan.group.school
        family = family or self.family(rng, name[0] if name else None)
        family_name, middle, given = (
            names.nfc(part) for part in (name or child_name(rng, sex, family.family_name))
        )
        if born is None:
            year = group.school_year.start_date.year - 5 - group.grade
            born = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
        student = self.add(
            Student(
                school=school, student_code=self.registry.student_code(rng),
                family_name=family_name, middle_name=middle, given_name=given,
                date_of_birth=born, sex=sex, card_id=self.registry.card_id(rng),
                sort_key=names.sort_key(family_name, middle, given, school.name_order),
                search_name=names.fold(f"{family_name} {middle} {given}"),
            )
        )
        self.add(
            Enrolment(
                student=student, class_group=group, school_year=group.school_year,
                start_date=group.school_year.start_date,
            )
        )
        family.children.append(student)
        family.grades.add(group.grade)
        return student

    def fill_class(self, rng: random.Random, plan: ClassPlan, size: int) -> None:
        """Random pupils up to `size`, some of them siblings of pupils enrolled before."""
        current = sum(1 for e in self.rows[Enrolment] if e.class_group is plan.group)
        for _ in range(size - current):
            sex = Student.Sex.MALE if rng.random() < 0.5 else Student.Sex.FEMALE
            family = self.sibling_family(rng, plan.group.grade, plan.group.school.level)
            self.pupil(rng, plan, sex=sex, family=family)

    def guardianships(self) -> None:
        """One Guardian per guardian account, linked to every child of their family."""
        guardian_of: dict[int, Guardian] = {}
        for family in self.families:
            for user, relationship in family.guardians:
                guardian = guardian_of.get(id(user))
                if guardian is None:
                    guardian = guardian_of[id(user)] = self.add(Guardian(user=user))
                for child in family.children:
                    self.add(
                        Guardianship(guardian=guardian, student=child, relationship=relationship)
                    )

    # -------------------------------------------------------------------------- teaching

    def teaching(
        self, plans: list[ClassPlan], chosen: dict[tuple[str, str], str],
        subjects: dict[str, Subject], teachers: dict[str, User], rng: random.Random, *,
        days: int, sessions: list, extra_sessions: list,
    ) -> None:
        """Teaching assignments and the weekly timetable of `plans` (see Timetabler): each
        class fills the first periods of `sessions`; `extra_sessions` only if a lesson fits
        nowhere else. The room of every period is the class's home room."""
        lessons, anchors, shapes = [], [], {}
        order = slot_order(days, sessions)
        for plan in plans:
            name = plan.group.name
            shapes[name] = order[: sum(plan.subjects.values())]
            for code, periods in plan.subjects.items():
                teacher = chosen[(name, code)]
                self.add(
                    TeachingAssignment(
                        teacher=teachers[teacher], class_group=plan.group, subject=subjects[code]
                    )
                )
                units = [Lesson(name, code, teacher) for _ in range(periods)]
                if code in HDTN:
                    fixed = week_first_and_last(shapes[name])
                    anchors += list(zip(units, fixed))
                    units = units[len(fixed):]
                lessons += units
        extra = order + slot_order(days, extra_sessions)
        table = build_timetable(lessons, anchors, shapes, extra, rng)
        self.outside_periods += table.outside
        group_of = {plan.group.name: plan.group for plan in plans}
        for lesson in sorted(table.lessons, key=lambda x: (x.klass, x.slot)):
            group = group_of[lesson.klass]
            weekday, session, period = lesson.slot
            self.add(
                TimetableSlot(
                    class_group=group, weekday=weekday, session=session, period=period,
                    subject=subjects[lesson.subject], teacher=teachers[lesson.teacher],
                    room=group.room,
                )
            )


def _terms(*dates) -> list[tuple]:
    """("2026-09-05", "2027-01-16", …) -> [(first, last, None), …]: open terms."""
    days = [datetime.date.fromisoformat(d) for d in dates]
    return [(days[i], days[i + 1], None) for i in range(0, len(days), 2)]


# --------------------------------------------------------------------- upper secondary


def build_upper(b: Build) -> None:
    rng = random.Random("seed_demo/thpt-ha-long")
    school = b.add(
        School(
            department=b.department, name="Trường THPT Hạ Long", code=UPPER_CODE,
            level=School.Level.UPPER_SECONDARY, authority_name=DEPARTMENT_NAME,
            place_name="Hạ Long", address="Đường Cao Thắng, phường Cao Xanh, Hạ Long, Quảng Ninh",
            # The demo's two schools are both in Hạ Long: the department's dashboard groups
            # them by ward, so its filter by area has two to choose from.
            area="Cao Xanh",
        )
    )
    principal = b.staff(b.login("principal"), school, Role.PRINCIPAL)
    b.staff(b.login("clerk"), school, Role.ADMIN)
    for _ in range(2):
        b.staff(b.new_staff(rng, rng.random() < 0.5), school, Role.VICE_PRINCIPAL)
    # Last year, closed by the principal: term I in January, term II at the start of June
    # (its grade books and cards: demo/last_year.py, demo/cards.py).
    b.year(school, "2025–2026", UPPER_PAST_YEARS["2025–2026"], current=False, closed_by=principal)
    year = b.year(
        school, "2026–2027", _terms("2026-09-05", "2027-01-16", "2027-01-18", "2027-05-29"),
        current=True,
    )
    groups = {name: b.add(SubjectGroup(school=school, name=name)) for name in UPPER_GROUPS}
    subjects = {
        code: b.add(
            Subject(
                school=school, group=groups.get(group), code=code, name=name, assessment=kind,
                periods_per_year=periods,
                programme_order=default_programme_order(name, school.level),
            )
        )
        for code, name, group, kind, periods in UPPER_SUBJECTS
    }
    b.bells(school, MORNING, bell_schedule("07:00", 5, 45, 15))
    b.bells(school, AFTERNOON, bell_schedule("13:30", 4, 45, 15))
    rooms = _upper_rooms(b, school)
    teachers, main_subject = _upper_teachers(b, school, groups, rng)
    plans = _upper_classes(b, school, year, rooms, teachers, main_subject)
    _upper_teaching(b, plans, subjects, teachers, main_subject, rng)
    _upper_pupils(b, plans, rng)


def _upper_rooms(b: Build, school: School) -> dict[str, Room]:
    """P101–P110, P201–P210, P301–P310 (three a floor are smart classrooms) and the labs."""
    rooms = {}
    for floor in (1, 2, 3):
        for number in range(1, 11):
            name = f"P{floor}{number:02d}"
            smart = number in (1, 4, 7)
            rooms[name] = b.add(Room(school=school, name=name, building="Nhà A", is_smart=smart))
    labs = (
        ("Phòng thí nghiệm Vật lí", False), ("Phòng thí nghiệm Hoá – Sinh", False),
        ("Phòng Tin học 1", True), ("Phòng Tin học 2", True),
    )
    for name, smart in labs:
        rooms[name] = b.add(
            Room(school=school, name=name, building="Nhà thực hành", is_smart=smart)
        )
    return rooms


def _upper_teachers(b: Build, school: School, groups: dict, rng) -> tuple[dict, dict]:
    """60 teachers by main subject, each in their subject's group; the fixed demo teachers
    first, the first teacher of each group its head (Trần Quốc Bảo for Toán – Tin).
    Returns ({phone: user}, {phone: main subject code})."""
    fixed = {"toan": ["math_head", "math_teacher"], "ngu-van": ["homeroom_10a1"]}
    group_of = {code: group for code, _, group, _, _ in UPPER_SUBJECTS}
    teachers, main_subject, heads = {}, {}, set()
    for code, count in UPPER_TEACHERS.items():
        group = groups[group_of[code]]
        for i in range(count):
            logins = fixed.get(code, [])
            if i < len(logins):
                user = b.login(logins[i])
            else:
                user = b.new_staff(rng, rng.random() < (0.8 if code in MOSTLY_MEN else 0.3))
            b.staff(user, school, Role.TEACHER, group, head=group.name not in heads)
            heads.add(group.name)
            teachers[user.phone] = user
            main_subject[user.phone] = code
    return teachers, main_subject


def _homeroom_candidates(main_subject: dict[str, str]) -> list[str]:
    """Teachers who may lead a class, taken in turn from each subject: not those of Lịch sử
    and Địa lí (busy with local content), GDTC, GDQP or the arts, nor the head of Toán – Tin,
    the demo's subject teacher (who leads none) or the 10A1 homeroom teacher (already placed)."""
    busy = {"lich-su", "dia-li", "gdtc", "gdqp-an", "am-nhac", "mi-thuat"}
    excluded = {LOGINS[k].phone for k in ("math_teacher", "math_head", "homeroom_10a1")}
    by_subject = defaultdict(list)
    for phone, code in main_subject.items():
        if code not in busy and phone not in excluded:
            by_subject[code].append(phone)
    longest = max(len(pool) for pool in by_subject.values())
    return [pool[i] for i in range(longest) for pool in by_subject.values() if i < len(pool)]


def _upper_classes(b: Build, school, year, rooms, teachers, main_subject) -> list[ClassPlan]:
    """10A1–12A10 with their subjects and homeroom teachers: Nguyễn Thị Mai leads 10A1, each
    other class a candidate who teaches a subject the class has."""
    candidates = _homeroom_candidates(main_subject)
    plans = []
    for grade in (10, 11, 12):
        for number in range(1, 11):
            name = f"{grade}A{number}"
            codes = COMPULSORY + COMBINATIONS[ELECTIVES_OF_CLASS[number - 1]]
            if name == "10A1":
                homeroom = LOGINS["homeroom_10a1"].phone
            else:
                homeroom = next(c for c in candidates if main_subject[c] in codes)
                candidates.remove(homeroom)
            group = b.add(
                ClassGroup(
                    school=school, school_year=year, grade=grade, name=name,
                    homeroom_teacher=teachers[homeroom], room=rooms[f"P{grade - 9}{number:02d}"],
                )
            )
            subjects = {code: periods_per_week(UPPER_PERIODS[code]) for code in codes}
            plans.append(ClassPlan(group, subjects, homeroom))
    return plans


def _upper_teaching(b: Build, plans, subjects, teachers, main_subject, rng) -> None:
    """Homeroom teachers take HĐTN-HN and their own subject in their class; Lê Văn Hùng takes
    Toán in 10A1; the rest goes to the least-loaded teacher of each subject."""
    pools = defaultdict(list)
    for phone, code in main_subject.items():
        pools[code].append(phone)
    for code, sources in SHARED_POOLS.items():
        pools[code] = [t for source in sources for t in pools[source]]
    preferred = {(p.group.name, "hdtn-hn"): p.homeroom for p in plans}
    preferred |= {(p.group.name, main_subject[p.homeroom]): p.homeroom for p in plans}
    preferred[("10A1", "toan")] = LOGINS["math_teacher"].phone
    # Subjects with shared pools last, so they go to whoever has room left.
    demand = sorted(
        ((p.group.name, code, n) for p in plans for code, n in p.subjects.items()),
        key=lambda x: x[1] in SHARED_POOLS,
    )
    chosen = assign_teachers(demand, pools, preferred=preferred, cap=MAX_WEEKLY_PERIODS)
    b.teaching(
        plans, chosen, subjects, teachers, rng,
        days=6, sessions=[(MORNING, 5)], extra_sessions=[(AFTERNOON, 4)],
    )


# Pupils of 10A1 whose names test the Vietnamese order: Anh < Ánh, Dung < Dũng < Dương < Đức,
# u < ư (Uông < Ưng), the same given name three times (tie broken by middle, then family name).
CURATED_10A1 = (
    ("Nguyễn", "Ngọc", "Anh", "F"), ("Phạm", "Minh", "Anh", "M"),
    ("Lê", "Thị Ngọc", "Ánh", "F"), ("Hoàng", "Thùy", "Dung", "F"),
    ("Trần", "Tiến", "Dũng", "M"), ("Nguyễn", "Thị Ánh", "Dương", "F"),
    ("Đỗ", "Minh", "Đức", "M"), ("Nguyễn", "Thị", "Thu", "F"),
    ("Uông", "Thị", "Thu", "F"), ("Ưng", "Thị", "Thu", "F"),
    ("Lê", "Anh", "Thư", "F"), ("Đinh", "Thị Thu", "Uyên", "F"),
)


def _upper_pupils(b: Build, plans: list[ClassPlan], rng) -> None:
    """38–42 pupils a class; 10A1 holds the curated names and the elder child of the parent
    of two, 10A2 the child of the parent of one."""
    plan = {p.group.name: p for p in plans}
    mother, father = b.login("parent_of_two"), b.parent(rng, "Đặng Văn Tuấn")
    b.family_of_two = b.add_family(
        Family("Đặng", [(mother, "mother"), (father, "father")], closed=True)
    )
    b.pupil(rng, plan["10A1"], sex="M", family=b.family_of_two, name=("Đặng", "Minh", "Khôi"),
            born=datetime.date(2011, 3, 12))
    father, mother = b.login("parent_10a2"), b.parent(rng, "Nguyễn Thị Thanh Tâm")
    one = b.add_family(Family("Hoàng", [(father, "father"), (mother, "mother")], closed=True))
    b.pupil(rng, plan["10A2"], sex="M", family=one, name=("Hoàng", "Gia", "Bảo"),
            born=datetime.date(2011, 10, 2))
    for family_name, middle, given, sex in CURATED_10A1:
        b.pupil(rng, plan["10A1"], sex=sex, name=(family_name, middle, given))
    for p in plans:
        b.fill_class(rng, p, rng.randint(38, 42))


# ------------------------------------------------------------- upper secondary, past years


def _closed(*terms: tuple[str, str, str]) -> list[tuple]:
    """(first day, last day, closed on) per term -> Build.year's terms, closed at 16:30."""
    return [
        (
            datetime.date.fromisoformat(first), datetime.date.fromisoformat(last),
            datetime.datetime.combine(
                datetime.date.fromisoformat(closed), datetime.time(16, 30), tzinfo=ICT
            ),
        )
        for first, last, closed in terms
    ]


# The school's three past years, every term closed by the principal a few days after its end.
UPPER_PAST_YEARS = {
    "2023–2024": _closed(
        ("2023-09-05", "2024-01-13", "2024-01-16"), ("2024-01-15", "2024-05-25", "2024-05-29")
    ),
    "2024–2025": _closed(
        ("2024-09-05", "2025-01-18", "2025-01-21"), ("2025-01-20", "2025-05-31", "2025-06-03")
    ),
    "2025–2026": _closed(
        ("2025-09-05", "2026-01-17", "2026-01-20"), ("2026-01-19", "2026-05-30", "2026-06-02")
    ),
}
# Last year's classes, each taught by the cohort's teachers: (year, class, the class of this
# year whose homeroom teacher and subject teachers it had). A cohort keeps its homeroom
# teacher from grade 10 to 12, who then takes a new grade 10: Nguyễn Thị Mai led the class
# that graduated in 2026 (10A1 in 2023–2024, 11A1, 12A1) and leads this year's 10A1.
UPPER_PAST_CLASSES = (
    ("2025–2026", "10A1", "11A1"),
    ("2025–2026", "11A1", "12A1"),
    ("2025–2026", "12A1", "10A1"),
    ("2024–2025", "11A1", "10A1"),
    ("2023–2024", "10A1", "10A1"),
)


def build_upper_past(b: Build) -> None:
    """THPT Hạ Long's past years for demo/last_year.py: 2025–2026's 10A1 (this year's 11A1
    a year younger), 11A1 (this year's 12A1) and 12A1, a class that graduated in 2026, whose
    pupils were 10A1 in 2023–2024 and 11A1 in 2024–2025. One pupil of this year's 11A1 joined
    last year's 10A1 in term II (a transfer-in: no term I here). Called after the primary
    school is built, so its own draws (siblings among the families so far) stay as they were;
    the graduates are new pupils with their families."""
    rng = random.Random("seed_demo/thpt-ha-long/past-years")
    school = next(s for s in b.rows[School] if s.code == UPPER_CODE)
    principal = next(u for u in b.rows[User] if u.phone == LOGINS["principal"].phone)
    years = {y.name: y for y in b.rows[SchoolYear] if y.school is school}
    for name, terms in UPPER_PAST_YEARS.items():
        if name not in years:
            years[name] = b.year(school, name, terms, current=False, closed_by=principal)
    now = {
        c.name: c for c in b.rows[ClassGroup] if c.school is school and c.school_year.is_current
    }
    taught = defaultdict(list)
    for a in b.rows[TeachingAssignment]:
        if a.class_group.school is school:
            taught[a.class_group.name].append(a)
    pupils_now = defaultdict(list)
    for e in b.rows[Enrolment]:
        if e.class_group.school is school:
            pupils_now[e.class_group.name].append(e.student)
    past = {}
    for year_name, name, cohort in UPPER_PAST_CLASSES:
        source, year = now[cohort], years[year_name]
        group = past[(year_name, name)] = b.add(
            ClassGroup(
                school=school, school_year=year, grade=int(name[:2]), name=name,
                homeroom_teacher=source.homeroom_teacher, room=now[name].room,
            )
        )
        for a in taught[cohort]:
            b.add(TeachingAssignment(teacher=a.teacher, class_group=group, subject=a.subject))
    last = years["2025–2026"]
    # Last year's 10A1 and 11A1: this year's 11A1 and 12A1; the transfer-in (the 11A1 pupil
    # with the highest student code) from the first day of term II.
    joined_in_term_two = UPPER_PAST_YEARS["2025–2026"][1][0]
    transfer = max(pupils_now["11A1"], key=lambda s: s.student_code)
    for name, cohort in (("10A1", "11A1"), ("11A1", "12A1")):
        for student in pupils_now[cohort]:
            start = joined_in_term_two if student is transfer else last.start_date
            b.add(Enrolment(student=student, class_group=past[("2025–2026", name)],
                            school_year=last, start_date=start))
    # The class of 2026: 12A1 last year, and the same pupils in their grades 10 and 11.
    twelve = ClassPlan(past[("2025–2026", "12A1")], {}, now["10A1"].homeroom_teacher.phone)
    b.fill_class(rng, twelve, 40)
    graduates = [e.student for e in b.rows[Enrolment] if e.class_group is twelve.group]
    for key in (("2024–2025", "11A1"), ("2023–2024", "10A1")):
        group = past[key]
        for student in graduates:
            b.add(Enrolment(student=student, class_group=group, school_year=group.school_year,
                            start_date=group.school_year.start_date))


# ---------------------------------------------------------------------------------- primary


def build_primary(b: Build) -> None:
    rng = random.Random("seed_demo/th-tran-hung-dao")
    school = b.add(
        School(
            department=b.department, name="Trường Tiểu học Trần Hưng Đạo", code=PRIMARY_CODE,
            level=School.Level.PRIMARY, authority_name="Ủy ban nhân dân phường Hồng Gai",
            place_name="Hạ Long",
            address="Phố Lê Thánh Tông, phường Hồng Gai, Hạ Long, Quảng Ninh",
            area="Hồng Gai",
        )
    )
    principal = b.staff(b.login("primary_principal"), school, Role.PRINCIPAL)
    year = b.year(
        school, "2026–2027", _terms("2026-09-05", "2027-01-16", "2027-01-18", "2027-05-29"),
        current=True,
    )
    groups = {name: b.add(SubjectGroup(school=school, name=name)) for name in PRIMARY_GROUPS}
    subjects = {
        code: b.add(
            Subject(
                school=school, group=groups.get(group), code=code, name=name,
                assessment=PRIMARY, periods_per_year=periods, has_primary_test=test,
                programme_order=default_programme_order(name, school.level),
            )
        )
        for code, name, group, periods, test in PRIMARY_SUBJECTS
    }
    # Two sessions a day (dạy học 2 buổi/ngày), 35-minute periods.
    b.bells(school, MORNING, bell_schedule("07:30", 4, 35, 25))
    b.bells(school, AFTERNOON, bell_schedule("14:00", 3, 35, 15))
    teachers, plans, chosen = _primary_classes(b, school, year, groups, rng)
    b.teaching(
        plans, chosen, subjects, teachers, rng,
        days=5, sessions=[(MORNING, 4), (AFTERNOON, 3)], extra_sessions=[],
    )
    _primary_pupils(b, plans, rng)
    _primary_last_year(b, school, principal, plans, chosen, teachers)


# Last year, closed: term I by the principal in January, term II at the start of June.
PRIMARY_LAST_YEAR = [
    (datetime.date(2025, 9, 5), datetime.date(2026, 1, 17),
     datetime.datetime(2026, 1, 20, 16, 30, tzinfo=ICT)),
    (datetime.date(2026, 1, 19), datetime.date(2026, 5, 29),
     datetime.datetime(2026, 6, 2, 16, 30, tzinfo=ICT)),
]


def _primary_last_year(b: Build, school, principal, plans, chosen, teachers) -> None:
    """2025–2026, both terms closed, with one class: 2A, today's 3A a year younger (the parent
    of two's daughter among them), taught by the same class teacher and this year's grade-2
    specialists. Its grade book and cards come later (demo/grades.py, demo/cards.py)."""
    year = b.year(school, "2025–2026", PRIMARY_LAST_YEAR, current=False, closed_by=principal)
    plan = {p.group.name: p for p in plans}
    now_3a, now_2a = plan["3A"], plan["2A"]
    group = b.add(
        ClassGroup(
            school=school, school_year=year, grade=2, name="2A",
            homeroom_teacher=now_3a.group.homeroom_teacher, room=now_2a.group.room,
        )
    )
    subjects = {s.code: s for s in b.rows[Subject] if s.school is school}
    for code in PRIMARY_WEEK[2]:
        teacher = chosen[("2A", code)]
        if teacher == now_2a.homeroom:  # the class teacher's subjects: last year's teacher
            teacher = now_3a.homeroom
        b.add(TeachingAssignment(teacher=teachers[teacher], class_group=group, subject=subjects[code]))
    for enrolment in [e for e in b.rows[Enrolment] if e.class_group is now_3a.group]:
        b.add(
            Enrolment(
                student=enrolment.student, class_group=group, school_year=year,
                start_date=year.start_date,
            )
        )


def _primary_classes(b: Build, school, year, groups, rng) -> tuple[dict, list, dict]:
    """1A–5A, each with its class teacher (who teaches most subjects) and home room, and four
    specialist teachers. Returns ({phone: user}, class plans, {(class, subject): phone})."""
    rooms = {
        n: b.add(Room(school=school, name=f"P10{n}", capacity=35, is_smart=n in (3, 5)))
        for n in range(1, 6)
    }
    b.add(Room(school=school, name="Phòng Tin học", capacity=35, is_smart=True))
    teachers, plans, chosen = {}, [], {}
    for grade in range(1, 6):
        group = groups["Tổ khối 1–2–3" if grade <= 3 else "Tổ khối 4–5"]
        user = b.staff(b.new_staff(rng, rng.random() < 0.1), school, Role.TEACHER, group,
                       head=grade in (1, 4))
        teachers[user.phone] = user
        class_group = b.add(
            ClassGroup(
                school=school, school_year=year, grade=grade, name=f"{grade}A",
                homeroom_teacher=user, room=rooms[grade],
            )
        )
        plans.append(ClassPlan(class_group, PRIMARY_WEEK[grade], user.phone))
        chosen |= {(class_group.name, code): user.phone for code in PRIMARY_WEEK[grade]}
    for i, codes in enumerate(PRIMARY_SPECIALISTS):
        user = b.staff(b.new_staff(rng, rng.random() < 0.3), school, Role.TEACHER,
                       groups["Tổ chuyên biệt"], head=i == 0)
        teachers[user.phone] = user
        chosen |= {
            (p.group.name, code): user.phone for p in plans for code in codes if code in p.subjects
        }
    return teachers, plans, chosen


def _primary_pupils(b: Build, plans: list[ClassPlan], rng) -> None:
    """26–30 pupils a class; 3A holds the younger child of the parent of two."""
    plan_3a = next(p for p in plans if p.group.name == "3A")
    b.pupil(rng, plan_3a, sex="F", family=b.family_of_two, name=("Đặng", "Bảo", "Ngọc"),
            born=datetime.date(2018, 7, 21))
    for plan in plans:
        b.fill_class(rng, plan, rng.randint(26, 30))


def format_count(number: int) -> str:
    """1234 -> "1.234", the Vietnamese thousands separator."""
    return f"{number:,}".replace(",", ".")
