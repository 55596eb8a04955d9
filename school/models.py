"""The school's structure: who belongs where, who teaches what, which room and device is where.

Every object belongs to a school (directly or through its class or year); the querysets'
`visible_to(user)` methods and school/access.py decide who may load which.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grading import absences
from grading import exemptions as exemption_rules
from grading.errors import RuleError
from school import names
from school.programme import default_programme_order
from school.managers import (
    ClassGroupQuerySet,
    DepartmentQuerySet,
    EnrolmentQuerySet,
    GuardianLinkRequestQuerySet,
    GuardianQuerySet,
    GuardianshipQuerySet,
    SchoolQuerySet,
    StudentQuerySet,
)


class Department(models.Model):
    """The provincial department of education (Sở GD&ĐT); a province's schools sit under it."""

    name = models.CharField(_("name"), max_length=200)
    province = models.CharField(_("province"), max_length=100)
    code = models.SlugField(_("code"), max_length=32, unique=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("department of education")
        verbose_name_plural = _("departments of education")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DepartmentMembership(models.Model):
    """An officer of a department (cán bộ Sở GD&ĐT), bound to it: they see the aggregates of
    its schools' results (reports/dashboard.py) and nothing else — no school page, class or
    pupil, since they hold no StaffMembership. Managed by the operator only (the Django
    admin's department page)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="department_memberships",
        verbose_name=_("person"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="memberships",
        verbose_name=_("department of education"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department officer")
        verbose_name_plural = _("department officers")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department"], name="department_membership_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.department}"


class School(models.Model):
    class Level(models.TextChoices):
        PRIMARY = "primary", _("Primary school (grades 1–5)")
        LOWER_SECONDARY = "lower_secondary", _("Lower-secondary school (grades 6–9)")
        UPPER_SECONDARY = "upper_secondary", _("Upper-secondary school (grades 10–12)")
        MULTI_LEVEL = "multi_level", _("Multi-level school")

    class NameOrder(models.TextChoices):
        MIDDLE_FAMILY = names.MIDDLE_FAMILY, _("Given name, then middle name, then family name")
        FAMILY_MIDDLE = names.FAMILY_MIDDLE, _("Given name, then family name, then middle name")

    class AbsencePlan(models.TextChoices):  # grading.absences.PLANS
        DAYS = absences.DISTINCT_DAYS, _("Days: a day with any session missed counts once")
        MORNING = absences.MORNING, _("The morning session carries the one-session plan")
        AFTERNOON = absences.AFTERNOON, _("The afternoon session carries the one-session plan")

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="schools", verbose_name=_("department")
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=32, unique=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    # Printed top left on report cards: the Sở for upper-secondary schools, the commune or ward
    # People's Committee for primary and lower-secondary ones since July 2025.
    authority_name = models.CharField(_("governing body"), max_length=200)
    place_name = models.CharField(
        _("place name on documents"), max_length=100, help_text=_("E.g. Hạ Long")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    area = models.CharField(
        _("area"), max_length=100, blank=True,
        help_text=_(
            "E.g. the former district or town (Hạ Long, Cẩm Phả, Vân Đồn) or a ward; the "
            "department uses it to group schools on its dashboard."
        ),
    )
    name_order = models.CharField(
        _("class list order"),
        max_length=20,
        choices=NameOrder.choices,
        default=NameOrder.MIDDLE_FAMILY,
        help_text=_("How pupils with the same given name are ordered."),
    )
    # Circular 22 Art. 12.1.c counts absences "theo kế hoạch giáo dục 01 buổi/ngày". Days by
    # default: a one-session school counts exactly as every session, and a two-session school
    # is right without knowing which session holds the curriculum.
    absence_plan = models.CharField(
        _("absences for promotion counted by"),
        max_length=10,
        choices=AbsencePlan.choices,
        default=AbsencePlan.DAYS,
        help_text=_(
            "Circular 22 Art. 12.1.c counts absences on a plan of one session a day. A school "
            "teaching two sessions a day may name the session that carries that plan; then "
            "absences from the other session do not count. Grades 1–5 always count days."
        ),
    )

    objects = SchoolQuerySet.as_manager()

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        previous = (
            School.objects.filter(pk=self.pk).values_list("name_order", flat=True).first()
            if self.pk
            else None
        )
        with transaction.atomic():
            super().save(*args, **kwargs)
            if previous is not None and previous != self.name_order:
                self.resort_students()

    def resort_students(self) -> None:
        """Recompute every pupil's stored sort key after the tie-break setting changed."""
        students = list(self.students.all())
        for student in students:
            student.sort_key = student.compute_sort_key(self.name_order)
        Student.objects.bulk_update(students, ["sort_key"], batch_size=500)

    def current_year(self) -> "SchoolYear | None":
        return self.years.filter(is_current=True).first()


class SchoolYear(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="years", verbose_name=_("school")
    )
    name = models.CharField(_("name"), max_length=20, help_text=_("E.g. 2025–2026"))
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    is_current = models.BooleanField(_("current year"), default=False)

    class Meta:
        verbose_name = _("school year")
        verbose_name_plural = _("school years")
        ordering = ["school", "-start_date"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="schoolyear_unique_name"),
            models.UniqueConstraint(
                fields=["school"], condition=Q(is_current=True), name="schoolyear_one_current"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")), name="schoolyear_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TermQuerySet(models.QuerySet):
    """The term queries every app asks: a year's terms, the terms a day falls in, the current
    term."""

    def of_year(self, school_year) -> "TermQuerySet":
        """The terms of a school year (a SchoolYear or its id), term I first."""
        return self.filter(school_year=school_year).order_by("number")

    def containing(self, day: datetime.date) -> "TermQuerySet":
        """The terms whose dates include `day` (none between terms)."""
        return self.filter(start_date__lte=day, end_date__gte=day)

    def current(self, today: datetime.date | None = None) -> "Term | None":
        """Of these terms, in their order, the one `today` falls in; between terms or after
        the year, the last one that has started; before the year, the first. Reads the terms
        once, and not at all when the queryset has been read already (its result cache)."""
        today = today or timezone.localdate()
        terms = list(self)
        for term in terms:
            if term.start_date <= today <= term.end_date:
                return term
        started = [t for t in terms if t.start_date <= today]
        return started[-1] if started else (terms[0] if terms else None)


class Term(models.Model):
    """Học kỳ I or II. A closed term's grade book is frozen until an admin reopens it."""

    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.CASCADE, related_name="terms", verbose_name=_("school year")
    )
    number = models.PositiveSmallIntegerField(_("term"), choices=[(1, _("Term I")), (2, _("Term II"))])
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    objects = TermQuerySet.as_manager()

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["school_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "number"], name="term_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.get_number_display()} {self.school_year}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class TermEvent(models.Model):
    """Closing or reopening a term's grade book: who, when and why."""

    class Action(models.TextChoices):
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        # Moved from the contact book without moving its table (migrations: state only).
        db_table = "contactbook_termevent"
        ordering = ["at"]


class SubjectGroup(models.Model):
    """A subject group (tổ chuyên môn), e.g. Tổ Toán – Tin; its head approves lessons."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="subject_groups", verbose_name=_("school")
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("subject group")
        verbose_name_plural = _("subject groups")
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="subjectgroup_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Subject(models.Model):
    class Assessment(models.TextChoices):
        SCORED = "scored", _("Scored 0–10 with a comment")
        RATED = "rated", _("Rated Đạt / Chưa đạt by comment")
        PRIMARY = "primary", _("Primary: Hoàn thành tốt / Hoàn thành / Chưa hoàn thành")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="subjects", verbose_name=_("school")
    )
    group = models.ForeignKey(
        SubjectGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subjects",
        verbose_name=_("subject group"),
    )
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    assessment = models.CharField(_("assessment"), max_length=10, choices=Assessment.choices)
    periods_per_year = models.PositiveSmallIntegerField(_("periods per year"))
    has_primary_test = models.BooleanField(
        _("has written tests (primary)"),
        default=False,
        help_text=_("Primary subjects with end-of-term written tests (Circular 27/2020)."),
    )
    # The forms list subjects in the national programme's order (school/programme.py), not
    # alphabetically; blank sorts after the numbered ones, by name.
    programme_order = models.PositiveSmallIntegerField(
        _("order in the programme"),
        null=True,
        blank=True,
        help_text=_(
            "Where the subject comes on report cards and summaries (10, 20, …, the national "
            "programme's order). Left blank, it is filled in from the subject's name."
        ),
    )

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["school", models.F("programme_order").asc(nulls_last=True), "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="subject_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if self.programme_order is None and self.school_id:
            self.programme_order = default_programme_order(self.name, self.school.level)
        super().save(*args, **kwargs)

    @property
    def regular_assessment_count(self) -> int:
        """Regular assessments (ĐĐGtx) per term, Circular 22/2021 Article 7."""
        if self.assessment != self.Assessment.SCORED or self.periods_per_year <= 35:
            return 2
        return 3 if self.periods_per_year <= 70 else 4


class StaffMembership(models.Model):
    """A person's place on a school's staff. Teaching itself is given by TeachingAssignment;
    the role says what the person may manage."""

    class Role(models.TextChoices):
        PRINCIPAL = "principal", _("Principal")
        VICE_PRINCIPAL = "vice_principal", _("Vice-principal")
        ADMIN = "admin", _("School administrator")
        TEACHER = "teacher", _("Teacher")

    MANAGING_ROLES = (Role.PRINCIPAL, Role.VICE_PRINCIPAL, Role.ADMIN)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("person"),
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("school")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.TEACHER)
    # RESTRICT: a group with members cannot be deleted on its own (its head would be left
    # heading nothing); deleting the whole school takes both.
    subject_group = models.ForeignKey(
        SubjectGroup,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("subject group"),
    )
    is_group_head = models.BooleanField(_("head of the subject group"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "school"], name="membership_unique_user_school"),
            models.CheckConstraint(
                condition=Q(is_group_head=False) | Q(subject_group__isnull=False),
                name="membership_group_head_has_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.school}"

    @property
    def manages_school(self) -> bool:
        return self.is_active and self.role in self.MANAGING_ROLES

    def clean(self) -> None:
        if self.subject_group_id and self.subject_group.school_id != self.school_id:
            raise ValidationError({"subject_group": _("This subject group belongs to another school.")})
        if self.is_group_head and not self.subject_group_id:
            raise ValidationError({"subject_group": _("A group head needs a subject group.")})


class Room(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("school")
    )
    name = models.CharField(_("name"), max_length=50)
    building = models.CharField(_("building"), max_length=50, blank=True)
    capacity = models.PositiveSmallIntegerField(_("seats"), default=45)
    is_smart = models.BooleanField(_("smart classroom"), default=False)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["school", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="room_unique_name")]

    def __str__(self) -> str:
        return self.name


def is_primary_grade(grade: int) -> bool:
    """Grades 1–5: assessed under Circular 27 (ratings, qualities and competencies); grades
    6–12 under Circular 22 (scores, conduct)."""
    return grade <= 5


class ClassGroup(models.Model):
    """A class (lớp) in one school year, e.g. 10A1, with its homeroom teacher (GVCN)."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="class_groups", verbose_name=_("school")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.CASCADE, related_name="class_groups", verbose_name=_("school year")
    )
    grade = models.PositiveSmallIntegerField(
        _("grade"), choices=[(g, str(g)) for g in range(1, 13)]
    )
    name = models.CharField(_("name"), max_length=30, help_text=_("E.g. 10A1, 12.6, 10 Toán"))
    homeroom_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="homeroom_classes",
        verbose_name=_("homeroom teacher (GVCN)"),
    )
    room = models.ForeignKey(
        Room,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="class_groups",
        verbose_name=_("home room"),
    )

    # The natural order, by grade and then the name with its numbers read as numbers (10A2
    # before 10A10): names.class_sort_key, kept by save() and bulk_create. Every list of
    # classes orders by it; no index, since a year has a few dozen classes at most.
    sort_key = models.CharField(max_length=200, editable=False, default="")

    objects = ClassGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["sort_key", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "name"], name="classgroup_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_primary(self) -> bool:
        return is_primary_grade(self.grade)

    def compute_sort_key(self) -> str:
        return names.class_sort_key(self.grade, self.name)

    def save(self, *args, **kwargs) -> None:
        self.sort_key = self.compute_sort_key()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "sort_key"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.school_year_id and self.school_year.school_id != self.school_id:
            raise ValidationError({"school_year": _("This school year belongs to another school.")})
        if self.room_id and self.room.school_id != self.school_id:
            raise ValidationError({"room": _("This room belongs to another school.")})


class Student(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="students", verbose_name=_("school")
    )
    # The Ministry's student ID (mã định danh, Circular 42/2021): given once, never changed.
    student_code = models.CharField(_("student code"), max_length=20, unique=True)
    family_name = models.CharField(_("family name"), max_length=50)
    middle_name = models.CharField(_("middle name"), max_length=80, blank=True)
    given_name = models.CharField(_("given name"), max_length=50)
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    card_id = models.CharField(
        _("card number"), max_length=40, blank=True, help_text=_("The card read by attendance kiosks.")
    )
    sort_key = models.CharField(max_length=600, editable=False, db_index=True)
    search_name = models.CharField(max_length=200, editable=False, db_index=True)

    objects = StudentQuerySet.as_manager()

    class Meta:
        verbose_name = _("pupil")
        verbose_name_plural = _("pupils")
        ordering = ["sort_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "card_id"], condition=~Q(card_id=""), name="student_unique_card"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.middle_name, self.given_name) if p)

    def compute_sort_key(self, name_order: str | None = None) -> str:
        order = name_order or self.school.name_order
        return names.sort_key(self.family_name, self.middle_name, self.given_name, order)

    def save(self, *args, **kwargs) -> None:
        """Names are stored in NFC with their sort and search keys beside them."""
        self.family_name = names.nfc(self.family_name)
        self.middle_name = names.nfc(self.middle_name)
        self.given_name = names.nfc(self.given_name)
        self.sort_key = self.compute_sort_key()
        self.search_name = names.fold(self.full_name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "sort_key", "search_name"}
        super().save(*args, **kwargs)


class Guardian(models.Model):
    """A pupil's parent or guardian: a login account (usually by phone) and how to reach them.
    A guardian may have children in several schools."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="guardian",
        verbose_name=_("account"),
    )
    students = models.ManyToManyField(
        Student, through="Guardianship", related_name="guardians", verbose_name=_("children")
    )

    objects = GuardianQuerySet.as_manager()

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")

    def __str__(self) -> str:
        return str(self.user)


class Guardianship(models.Model):
    class Relationship(models.TextChoices):
        FATHER = "father", _("Father")
        MOTHER = "mother", _("Mother")
        GUARDIAN = "guardian", _("Guardian")
        OTHER = "other", _("Other relative")

    guardian = models.ForeignKey(
        Guardian, on_delete=models.CASCADE, related_name="guardianships", verbose_name=_("guardian")
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="guardianships", verbose_name=_("pupil")
    )
    relationship = models.CharField(
        _("relationship"), max_length=10, choices=Relationship.choices, default=Relationship.GUARDIAN
    )

    objects = GuardianshipQuerySet.as_manager()

    class Meta:
        verbose_name = _("guardianship")
        verbose_name_plural = _("guardianships")
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="guardianship_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} – {self.student} ({self.get_relationship_display()})"


class GuardianLinkRequest(models.Model):
    """A school asks the holder of a phone number to become a pupil's guardian.

    Made instead of a Guardianship when the number's account is not the school's alone (a
    parent whose other child is at another school, an account no school knows): linking it
    directly would let this school's managers take an account that is not theirs to change,
    or show a pupil to whoever holds a mistyped number. The request grants nothing: no
    Guardianship exists until the holder, signed in, accepts it (school.services
    .accept_link_request, one transaction). The school sees the phone it typed and the
    state, never the account's name or e-mail.

    Declined: the request is kept, marked declined (decided_at set, accepted False) and
    nothing else changes. Kept so that importing the same file again asks no second time
    (one request per pupil and number: the unique constraint); the school sees "declined"
    and may delete the request to ask once more.
    """

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="link_requests", verbose_name=_("school")
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="link_requests", verbose_name=_("pupil")
    )
    phone = models.CharField(_("phone number"), max_length=16)  # national form, as typed
    # The account that held the number when the school asked: only it may answer, so an
    # account given the number later (a school may change its own accounts' phones) cannot.
    # Never shown to the school.
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", editable=False,
        verbose_name=_("account"),
    )
    relationship = models.CharField(
        _("relationship"), max_length=10, choices=Guardianship.Relationship.choices,
        default=Guardianship.Relationship.GUARDIAN,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    accepted = models.BooleanField(_("accepted"), null=True, blank=True)

    objects = GuardianLinkRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("guardian link request")
        verbose_name_plural = _("guardian link requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["student", "phone"], name="linkrequest_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.phone} – {self.student} ({self.state})"

    @property
    def state(self) -> str:
        if self.decided_at is None:
            return str(_("waiting for confirmation"))
        return str(_("accepted") if self.accepted else _("declined"))

    def decide(self, *, accepted: bool) -> None:
        self.decided_at = timezone.now()
        self.accepted = accepted
        self.save(update_fields=["decided_at", "accepted"])


class Enrolment(models.Model):
    """A pupil in a class for part or all of a school year. A transfer ends one enrolment and
    starts another, so the history of where a pupil was stays."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In the class")
        TRANSFERRED = "transferred", _("Moved to another class")
        LEFT = "left", _("Left the school")

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("pupil")
    )
    class_group = models.ForeignKey(
        ClassGroup, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("class")
    )
    # Copied from the class so that "one active class per pupil and year" is a constraint.
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.CASCADE, related_name="+", editable=False
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year"],
                condition=Q(status="active"),
                name="enrolment_one_active_per_year",
            ),
            models.CheckConstraint(
                condition=Q(status="active", end_date__isnull=True)
                | (~Q(status="active") & Q(end_date__isnull=False)),
                name="enrolment_end_date_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.class_group}"

    def save(self, *args, **kwargs) -> None:
        self.school_year_id = self.class_group.school_year_id
        super().save(*args, **kwargs)

    def end(self, *, on: datetime.date, status: str) -> None:
        self.status = status
        self.end_date = on
        self.save(update_fields=["status", "end_date"])


class TeachingAssignment(models.Model):
    """Who teaches a subject to a class this year (phân công giảng dạy)."""

    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="teaching_assignments",
        verbose_name=_("teacher"),
    )
    class_group = models.ForeignKey(
        ClassGroup, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("class")
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("subject")
    )

    class Meta:
        verbose_name = _("teaching assignment")
        verbose_name_plural = _("teaching assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["class_group", "subject"], name="assignment_one_teacher_per_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher} – {self.subject} – {self.class_group}"

    def clean(self) -> None:
        if self.subject_id and self.class_group_id:
            if self.subject.school_id != self.class_group.school_id:
                raise ValidationError({"subject": _("This subject belongs to another school.")})


class PeriodTime(models.Model):
    """When a period starts and ends at a school (the bell schedule)."""

    class Session(models.TextChoices):
        MORNING = "morning", _("Morning")
        AFTERNOON = "afternoon", _("Afternoon")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="period_times", verbose_name=_("school")
    )
    session = models.CharField(_("session"), max_length=10, choices=Session.choices)
    period = models.PositiveSmallIntegerField(_("period"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))

    class Meta:
        verbose_name = _("period time")
        verbose_name_plural = _("period times")
        ordering = ["school", "session", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "session", "period"], name="periodtime_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_session_display()} {self.period}: {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class TimetableSlot(models.Model):
    """One period of a class's weekly timetable (thời khoá biểu)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 1, _("Monday")
        TUESDAY = 2, _("Tuesday")
        WEDNESDAY = 3, _("Wednesday")
        THURSDAY = 4, _("Thursday")
        FRIDAY = 5, _("Friday")
        SATURDAY = 6, _("Saturday")

    class_group = models.ForeignKey(
        ClassGroup, on_delete=models.CASCADE, related_name="timetable", verbose_name=_("class")
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    session = models.CharField(_("session"), max_length=10, choices=PeriodTime.Session.choices)
    period = models.PositiveSmallIntegerField(_("period"))
    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="+", verbose_name=_("subject")
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="timetable_slots",
        verbose_name=_("teacher"),
    )
    room = models.ForeignKey(
        Room,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="timetable_slots",
        verbose_name=_("room"),
    )

    class Meta:
        verbose_name = _("timetable period")
        verbose_name_plural = _("timetable")
        ordering = ["weekday", "session", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["class_group", "weekday", "session", "period"], name="slot_unique_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.class_group} {self.get_weekday_display()} {self.period}: {self.subject}"

    def clean(self) -> None:
        if not (self.class_group_id and self.room_id):
            return
        clash = TimetableSlot.objects.filter(
            room_id=self.room_id,
            weekday=self.weekday,
            session=self.session,
            period=self.period,
            class_group__school_year_id=self.class_group.school_year_id,
        ).exclude(pk=self.pk)
        if clash.exists():
            raise ValidationError({"room": _("This room is already used in that period.")})


class ClassroomDevice(models.Model):
    """An interactive board, attendance kiosk or clicker hub registered to a room.

    Its token is shown once when issued; only its SHA-256 is stored (the token is 256 random
    bits, so a plain hash is enough and lets each API request find the device in one lookup).
    """

    class Kind(models.TextChoices):
        BOARD = "board", _("Interactive board")
        KIOSK = "kiosk", _("Attendance kiosk")
        CLICKER_HUB = "clicker_hub", _("Clicker hub")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="devices", verbose_name=_("school")
    )
    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, related_name="devices", verbose_name=_("room")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)
    token_prefix = models.CharField(_("token starts with"), max_length=8, blank=True, editable=False)
    token_issued_at = models.DateTimeField(_("token issued at"), null=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True, editable=False)
    # From the last heartbeat (devices/api.py).
    firmware_version = models.CharField(_("firmware"), max_length=50, blank=True, editable=False)
    battery_percent = models.PositiveSmallIntegerField(_("battery %"), null=True, blank=True, editable=False)
    clock_skew_seconds = models.IntegerField(
        _("clock skew (s)"), null=True, blank=True, editable=False,
        help_text=_("Device clock minus server clock at the last heartbeat."),
    )

    class Meta:
        verbose_name = _("classroom device")
        verbose_name_plural = _("classroom devices")
        ordering = ["school", "room", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.room})"

    def clean(self) -> None:
        if self.room_id and self.school_id and self.room.school_id != self.school_id:
            raise ValidationError({"room": _("This room belongs to another school.")})

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def issue_token(self) -> str:
        """Issue a new token (replacing any old one) and return it: the only time it is seen."""
        token = secrets.token_urlsafe(32)
        self.token_hash = self.hash_token(token)
        self.token_prefix = token[:8]
        self.token_issued_at = timezone.now()
        self.revoked_at = None
        self.save(update_fields=["token_hash", "token_prefix", "token_issued_at", "revoked_at"])
        return token

    @property
    def is_online(self) -> bool:
        if self.last_seen_at is None:
            return False
        age = (timezone.now() - self.last_seen_at).total_seconds()
        return age <= settings.DEVICE_ONLINE_SECONDS

    @property
    def clock_drifts(self) -> bool:
        return abs(self.clock_skew_seconds or 0) > settings.DEVICE_MAX_CLOCK_SKEW_SECONDS

    def revoke(self) -> None:
        self.token_hash = None
        self.revoked_at = timezone.now()
        self.save(update_fields=["token_hash", "revoked_at"])


class DataAccess(models.Model):
    """Who opened or exported which pupils' records, when and from where: the record the
    personal-data law asks a school to keep (DOMAIN.md). Written by school.audit.record, read
    by the school's managers in the administration; never changed."""

    class Action(models.TextChoices):
        REPORT_CARD = "report_card", _("Opened a report card")
        REPORT_FILE = "report_file", _("Downloaded a batch of report cards")
        CLASS_SUMMARY = "class_summary", _("Exported a class summary")
        SCHOOL_STATISTICS = "school_statistics", _("Exported school statistics")
        GRADUATION_LIST = "graduation_list", _("Exported the graduating class's averages")
        # privacy: a guardian downloaded everything held about their child
        PERSONAL_DATA = "personal_data", _("Downloaded the pupil's personal data")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("who"),
    )
    user_name = models.CharField(_("name"), max_length=150)  # kept if the account goes
    action = models.CharField(_("what"), max_length=20, choices=Action.choices)
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="data_accesses", verbose_name=_("school")
    )
    class_group = models.ForeignKey(
        ClassGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("class"),
    )
    student = models.ForeignKey(
        Student, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("pupil"),
    )
    pupils = models.PositiveIntegerField(_("pupils"), default=0)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("access to pupils' data")
        verbose_name_plural = _("accesses to pupils' data")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.user_name}: {self.get_action_display()}"


class PracticalExemption(models.Model):
    """The principal's decision exempting a pupil from the practical part of physical education
    or of defence and security education for a term or the school year (Circular 22/2021,
    Article 10). The pupil is still assessed, on theory, with the full number of assessments
    (grading.exemptions): the decision changes what the card marks, not how results are
    computed. Kept with the school's structure because it is a school decision about a pupil's
    year, read by the cards and the grade book above it."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="practical_exemptions",
        verbose_name=_("pupil"),
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("school year")
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="+", verbose_name=_("subject")
    )
    term = models.ForeignKey(
        Term, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("term"), help_text=_("Leave blank for the whole school year."),
    )
    decision_number = models.CharField(_("decision number"), max_length=50)
    decision_date = models.DateField(_("decision date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exemption from practical work")
        verbose_name_plural = _("exemptions from practical work")
        ordering = ["school_year", "student__sort_key", "subject"]
        constraints = [
            # The whole-year rows and the term rows each once; clean() also refuses a term
            # inside a year already exempted, and the reverse.
            models.UniqueConstraint(
                fields=["student", "subject", "school_year"], condition=Q(term__isnull=True),
                name="practicalexemption_one_whole_year",
            ),
            models.UniqueConstraint(
                fields=["student", "subject", "term"], condition=Q(term__isnull=False),
                name="practicalexemption_one_per_term",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.subject} ({self.period_words})"

    @property
    def period_words(self) -> str:
        return exemption_rules.period_words(self.term.number if self.term_id else None)

    def clean(self) -> None:
        """Refuse what Article 10 does not allow, with the message the form shows: a subject
        other than the two, a term of another year, a pupil or subject of another school, a
        decision dated after the period it covers, an overlap with another exemption."""
        if not (self.student_id and self.school_year_id and self.subject_id):
            return
        errors = {}
        school_id = self.school_year.school_id
        if self.student.school_id != school_id:
            errors["student"] = _("The pupil is not a pupil of the year's school.")
        if self.subject.school_id != school_id:
            errors["subject"] = _("The subject is not one of the year's school.")
        if self.term_id and self.term.school_year_id != self.school_year_id:
            errors["term"] = _("The term is not a term of this school year.")
        if self.decision_date and self.decision_date > self.school_year.end_date:
            errors["decision_date"] = _("The decision is dated after the end of the school year.")
        if errors:
            raise ValidationError(errors)
        others = PracticalExemption.objects.filter(
            student_id=self.student_id, subject_id=self.subject_id,
            school_year_id=self.school_year_id,
        ).exclude(pk=self.pk).select_related("term")
        try:
            exemption_rules.check_exemption(
                self.subject.name,
                self.term.number if self.term_id else None,
                [o.term.number if o.term_id else None for o in others],
            )
        except RuleError as exc:
            field = "subject" if "subject" in exc.what else "term"
            raise ValidationError({field: exc.message}) from None
