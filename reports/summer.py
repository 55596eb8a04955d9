"""The summer of grades 6–12 (Circular 22, Articles 12–14): its reads and writes.

After the year closes (its term II is closed) the homeroom teacher of a class, or the school's
managers, record the conduct re-assessed after summer conduct training and the re-test
results (`save_summer`, all or nothing); the lists the homeroom teacher draws up come from
the year cards (`summer_lists`); the school's managers close the year's summer, and reopen it
with a reason (`close_summer`, `reopen_summer`, each a `SummerEvent`).

These live in `reports`, not beside their models in `contactbook`: whether a pupil needs a
re-test, and in what, is the year's decision, which the year cards compute (`reports.cards`).
The rules are `grading/summer.py`; the rows `contactbook/models/summer.py`.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contactbook.access import is_homeroom_teacher
from contactbook.models import RetestResult, Summer, SummerConduct, SummerEvent
from grading import circular22
from grading import summer as rules
from grading.errors import RuleError
from reports.cards import model as codes
from reports.cards.model import Card
from reports.cards.selectors import year_cards
from school.access import can_manage_school
from school.exceptions import DomainError
from school.models import ClassGroup, SchoolYear, Student, Subject, Term


class SummerRefused(DomainError):
    """The summer cannot take results now (the year open, the summer closed, not a grade
    6–12 class)."""

    status = 409
    code = "summer_refused"
    message = _("The summer's results cannot be recorded now.")


class SummerErrors(DomainError):
    """Some typed results were refused; `errors` maps each (pupil id, key) to its Vietnamese
    message. Nothing was written."""

    status = 422
    code = "summer_invalid"
    message = _("Some results were refused; nothing was saved.")

    def __init__(self, errors: dict):
        super().__init__()
        self.errors = errors


CONDUCT_KEY = "conduct"
YEAR_OPEN = "Năm học chưa kết thúc (học kỳ II chưa khoá sổ): chưa ghi được kết quả sau kì nghỉ hè."
SUMMER_CLOSED = "Kì nghỉ hè của năm học đã khoá: không ghi được kết quả."
NOT_TRAINING = "Học sinh không phải rèn luyện trong kì nghỉ hè."
NOT_RETESTING = "Học sinh không phải kiểm tra lại."
NOT_IN_LIST = "Môn này không có trong danh sách kiểm tra lại của học sinh."
CONDUCT_FIRST = "Chưa đánh giá lại rèn luyện sau kì nghỉ hè: chưa thể kiểm tra lại."
SECOND_RETEST = "Đã có kết quả kiểm tra lại môn này: không kiểm tra lại lần thứ hai."
CONDUCT_LOCKED = "Đã có kết quả kiểm tra lại: không sửa được mức rèn luyện đã đánh giá lại."
NOT_IN_CLASS = "Học sinh không còn ở lớp này."
# Correcting a recorded result (correct_summer).
MANAGERS_ONLY = "Chỉ ban giám hiệu và văn thư của trường được sửa kết quả đã ghi."
CLOSED_REOPEN_FIRST = "Kì nghỉ hè của năm học đã khoá: mở lại kì nghỉ hè trước khi sửa kết quả."
NOTHING_RECORDED = "Chưa có kết quả đã ghi để sửa."
UNCHANGED = "Giá trị mới giống giá trị đã ghi: không có gì để sửa."
REASON_REQUIRED = "Cần ghi lý do sửa."
REASON_TOO_LONG = "Lý do sửa dài quá {n} ký tự."
CONDUCT_BELOW_DAT = (
    "Đã có kết quả kiểm tra lại (chỉ dành cho học sinh rèn luyện từ mức Đạt trở lên): "
    "không sửa được mức rèn luyện thành Chưa đạt."
)
REASON_MAX = 100  # simple-history's history_change_reason column
VALUE_KEY, REASON_KEY = "value", "reason"


# ---------------------------------------------------------------------------------------
# Who may: the homeroom teacher of the class, the school's managers, the operator
# ---------------------------------------------------------------------------------------


def may_record_summer(user, class_group: ClassGroup) -> bool:
    """The class's homeroom teacher (this year, on the staff), the school's managers and the
    operator record a class's summer results."""
    return is_homeroom_teacher(user, class_group) or can_manage_school(user, class_group.school_id)


# ---------------------------------------------------------------------------------------
# The year's and the summer's state
# ---------------------------------------------------------------------------------------


def year_is_closed(school_year: SchoolYear, lock: bool = False) -> bool:
    """Whether the year's term II is closed. With `lock` (inside a transaction) its row is read
    FOR SHARE, so a reopening of term II waits for a running save, as `school.terms.check_open`
    does for a term's writers."""
    if lock and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Term._meta.db_table)
            cursor.execute(
                f"SELECT closed_at FROM {table} WHERE school_year_id = %s AND number = 2"
                " FOR SHARE",
                [school_year.pk],
            )
            row = cursor.fetchone()
        return row is not None and row[0] is not None
    closed_at = (
        Term.objects.filter(school_year=school_year, number=2)
        .values_list("closed_at", flat=True)
        .first()
    )
    return closed_at is not None


def summer_of(school_year: SchoolYear, lock: bool = False) -> Summer:
    """The year's Summer row (created open on first use); `lock`: FOR UPDATE, so a close and a
    save never interleave."""
    Summer.objects.get_or_create(school_year=school_year)
    queryset = Summer.objects.select_for_update() if lock else Summer.objects
    return queryset.get(school_year=school_year)


def summer_state(school_year: SchoolYear) -> Summer:
    """The year's Summer as it stands, for reading: an unsaved open one before any use."""
    return Summer.objects.filter(school_year=school_year).first() or Summer(
        school_year=school_year
    )


def _check_writable(school_year: SchoolYear, closed: str = SUMMER_CLOSED) -> None:
    """Refuses (SummerRefused) a year whose term II is open, and a closed summer with the
    `closed` message (a correction's asks to reopen the summer first)."""
    if not year_is_closed(school_year, lock=True):
        raise SummerRefused(YEAR_OPEN)
    if summer_of(school_year, lock=True).is_closed:
        raise SummerRefused(closed)


def _check_manager(
    user, school_year: SchoolYear,
    message: str = "Only the school's managers may close or reopen the summer.",
) -> None:
    if not (user.is_active and can_manage_school(user, school_year.school_id)):
        raise PermissionDenied(message)


@transaction.atomic
def close_summer(*, user, school_year: SchoolYear, reason: str = "") -> bool:
    """Close the year's summer: no more summer results. Managers only; returns whether it was
    closed now (closing a closed summer does nothing)."""
    _check_manager(user, school_year)
    summer = summer_of(school_year, lock=True)
    if summer.is_closed:
        return False
    summer.closed_at, summer.closed_by = timezone.now(), user
    summer.save(update_fields=["closed_at", "closed_by"])
    SummerEvent.objects.create(
        summer=summer, action=SummerEvent.Action.CLOSED, by=user, reason=reason.strip()
    )
    return True


@transaction.atomic
def reopen_summer(*, user, school_year: SchoolYear, reason: str) -> bool:
    """Open a closed summer again, with the reason kept. Managers only; a reason is
    required (ValueError without one)."""
    if not (reason or "").strip():
        raise ValueError("a reason is required to reopen the summer")
    _check_manager(user, school_year)
    summer = summer_of(school_year, lock=True)
    if not summer.is_closed:
        return False
    summer.closed_at, summer.closed_by = None, None
    summer.save(update_fields=["closed_at", "closed_by"])
    SummerEvent.objects.create(
        summer=summer, action=SummerEvent.Action.REOPENED, by=user, reason=reason.strip()
    )
    return True


# ---------------------------------------------------------------------------------------
# Recording the results
# ---------------------------------------------------------------------------------------


def _blank(value) -> bool:
    return value is None or not str(value).strip()


def _save_conduct(user, school_year, cards, conduct, errors) -> int:
    changed = 0
    for pk, typed in conduct.items():
        if _blank(typed):
            continue
        card = cards.get(pk)
        if card is None:
            errors[(pk, CONDUCT_KEY)] = NOT_IN_CLASS
            continue
        if card.promotion_code != codes.REN_LUYEN_HE:
            errors[(pk, CONDUCT_KEY)] = NOT_TRAINING
            continue
        try:
            rating = circular22.parse_level(typed, "conduct")
        except RuleError as exc:
            errors[(pk, CONDUCT_KEY)] = exc.message
            continue
        if rating == card.summer_conduct:
            continue
        if any(line.retest for line in card.subjects):
            errors[(pk, CONDUCT_KEY)] = CONDUCT_LOCKED
            continue
        SummerConduct.objects.update_or_create(
            student_id=pk, school_year=school_year,
            defaults={"rating": rating, "updated_by": user},
        )
        changed += 1
    return changed


def _save_retests(user, school_year, cards, retests, errors) -> int:
    subjects = Subject.objects.in_bulk({subject_id for _pk, subject_id in retests})
    changed = 0
    for (pk, subject_id), typed in retests.items():
        if _blank(typed):
            continue
        card, key = cards.get(pk), (pk, subject_id)
        subject = subjects.get(subject_id)
        line = next((s for s in card.subjects if s.subject_id == subject_id), None) if card else None
        if card is None:
            errors[key] = NOT_IN_CLASS
        elif card.summer_stage == rules.AWAITING_CONDUCT:
            errors[key] = CONDUCT_FIRST
        elif line is not None and line.retest:
            errors[key] = SECOND_RETEST
        elif not card.retake_subject_ids or card.summer_stage not in (
            rules.AWAITING_RETESTS, rules.DONE
        ):
            errors[key] = NOT_RETESTING
        elif subject is None or subject_id not in card.retake_subject_ids:
            errors[key] = NOT_IN_LIST
        else:
            rated = subject.assessment == Subject.Assessment.RATED
            try:
                result = rules.parse_retest(typed, rated, subject.name)
            except RuleError as exc:
                errors[key] = exc.message
                continue
            RetestResult.objects.create(
                student_id=pk, school_year=school_year, subject=subject, entered_by=user,
                value=None if rated else result, passed=result if rated else None,
            )
            changed += 1
    return changed


@transaction.atomic
def save_summer(
    *,
    user,
    class_group: ClassGroup,
    conduct: dict[int, str] | None = None,
    retests: dict[tuple[int, int], str] | None = None,
) -> int:
    """Record a class's summer results, all or nothing; returns how many were written.

    `conduct` maps a pupil id to the conduct re-assessed after summer training ("Đạt", …);
    `retests` maps (pupil id, subject id) to a re-test result as typed ("6,5", "Đ"). Blank
    values are skipped. The conduct is recorded first, so one save can re-assess a pupil's
    conduct and, the page having listed the subjects, not yet their re-tests.

    Refuses (`PermissionDenied`) anyone but the class's homeroom teacher and the school's
    managers; (`SummerRefused`) a grade 1–5 class, a year whose term II is open and a closed
    summer; (`SummerErrors`, by cell) a re-assessment for a pupil not sent to training (or one
    changed after a re-test was recorded), a re-test for a pupil with none, in a subject not in
    their list, before the conduct re-assessment, a second one, or a bad value (outside 0–10,
    two decimals, not Đ/CĐ). Nothing is written when anything is refused.
    """
    if not may_record_summer(user, class_group):
        raise PermissionDenied("Only the homeroom teacher and the school's managers.")
    if class_group.is_primary:
        raise SummerRefused(NOT_RETESTING)
    school_year = class_group.school_year
    _check_writable(school_year)
    errors: dict = {}

    def cards() -> dict[int, Card]:
        return {c.student_id: c for c in year_cards(class_group, school_year)}

    # Each reading of the class's cards costs its 11 queries and the rules for every pupil:
    # read them only for what was given.
    changed = _save_conduct(user, school_year, cards(), conduct, errors) if conduct else 0
    if not errors and retests:
        changed += _save_retests(user, school_year, cards(), retests, errors)
    if errors:
        transaction.set_rollback(True)
        raise SummerErrors(errors)
    return changed


# ---------------------------------------------------------------------------------------
# Correcting a recorded result
# ---------------------------------------------------------------------------------------


def recorded_summer(class_group: ClassGroup, student_id: int, subject_id: int | None, *,
                    for_update: bool = False):
    """The recorded row a correction would change (a `SummerConduct` when `subject_id` is
    None, else a `RetestResult`, with its subject), with its pupil, or None; for a pupil now
    in the class only. One query; `for_update` locks the row (not the pupil's)."""
    rows = (SummerConduct if subject_id is None else RetestResult).objects.filter(
        student_id=student_id,
        student__in=Student.objects.in_class(class_group),
        school_year=class_group.school_year,
    )
    if subject_id is None:
        rows = rows.select_related("student")
    else:
        rows = rows.filter(subject_id=subject_id).select_related("student", "subject")
    if for_update:
        rows = rows.select_for_update(of=("self",))
    return rows.first()


def _reason_error(reason: str) -> str | None:
    if not reason:
        return REASON_REQUIRED
    if len(reason) > REASON_MAX:
        return REASON_TOO_LONG.format(n=REASON_MAX)
    return None


@transaction.atomic
def correct_summer(
    *, user, class_group: ClassGroup, student_id: int, subject_id: int | None, value: str,
    reason: str,
) -> None:
    """Correct a recorded summer result: the conduct re-assessed after summer training
    (`subject_id` None) or one re-test result, with the reason kept in the row's history
    (django-simple-history: the previous value, who, when and why stay).

    Refuses (`PermissionDenied`) anyone but the school's managers; (`SummerRefused`) a grade
    1–5 class, a year whose term II is open, a closed summer (reopen it first) and a result
    not recorded; (`SummerErrors`, by field "value" / "reason") a bad value (outside 0–10,
    two decimals, not Đ/CĐ, not a conduct level), the same value again, a conduct of Chưa
    đạt once re-tests are recorded (only a pupil re-assessed Đạt or above re-takes tests),
    and a blank or too long reason. Nothing is written when anything is refused."""
    school_year = class_group.school_year
    _check_manager(user, school_year, MANAGERS_ONLY)
    if class_group.is_primary:
        raise SummerRefused(NOT_RETESTING)
    _check_writable(school_year, closed=CLOSED_REOPEN_FIRST)
    record = recorded_summer(class_group, student_id, subject_id, for_update=True)
    if record is None:
        raise SummerRefused(NOTHING_RECORDED)
    reason = (reason or "").strip()
    errors = {}
    if (problem := _reason_error(reason)) is not None:
        errors[REASON_KEY] = problem
    try:
        changes = _corrected(record, value)
    except RuleError as exc:
        errors[VALUE_KEY] = exc.message
    else:
        if changes is None:
            errors[VALUE_KEY] = UNCHANGED
        elif isinstance(record, SummerConduct) and changes["rating"] == circular22.CHUA_DAT and (
            RetestResult.objects.filter(student_id=student_id, school_year=school_year).exists()
        ):
            errors[VALUE_KEY] = CONDUCT_BELOW_DAT
    if errors:
        raise SummerErrors(errors)
    for name, new in changes.items():
        setattr(record, name, new)
    if isinstance(record, SummerConduct):
        record.updated_by = user
    else:
        record.entered_by = user
    record._change_reason = reason
    record._history_user = user  # who, also when no request is there (a command, a test)
    record.save()


def _corrected(record, typed: str) -> dict | None:
    """The fields the typed value changes on `record`, or None when it changes nothing.
    Raises RuleError for a bad value."""
    if isinstance(record, SummerConduct):
        rating = circular22.parse_level(typed, "conduct")
        return None if rating == record.rating else {"rating": rating}
    rated = record.subject.assessment == Subject.Assessment.RATED
    result = rules.parse_retest(typed, rated, record.subject.name)
    if rated:
        return None if result == record.passed else {"passed": result}
    return None if result == record.value else {"value": result}


# ---------------------------------------------------------------------------------------
# The lists the homeroom teacher draws up (Art. 12–14)
# ---------------------------------------------------------------------------------------


@dataclass
class SummerLists:
    """A class's year-end lists, each of cards in class-list order. A pupil whose summer
    decided appears in `moving_up` or `not_moving_up` with `after_summer` set; one still in
    the summer appears in `retests` / `training` (and stays there once decided, with the
    results). `incomplete`: cards with no decision yet (their `missing` says why)."""

    moving_up: list = field(default_factory=list)
    not_moving_up: list = field(default_factory=list)
    retests: list = field(default_factory=list)
    training: list = field(default_factory=list)
    incomplete: list = field(default_factory=list)


@dataclass(frozen=True)
class SummerRow:
    card: Card
    retake: tuple  # the SubjectLines to re-take now
    after_summer: str = ""  # "sau khi kiểm tra lại" / "sau khi rèn luyện trong kì nghỉ hè"



def summer_lists(class_group: ClassGroup) -> SummerLists:
    """The lists from the class's year cards (11 queries whatever the class size)."""
    lists = SummerLists()
    for card in year_cards(class_group, class_group.school_year):
        retake = tuple(s for s in card.subjects if s.subject_id in card.retake_subject_ids)
        trained = card.promotion_code == codes.REN_LUYEN_HE
        after = ""
        if card.summer_promotion_code:
            after = "sau khi kiểm tra lại" if retake else "sau khi rèn luyện trong kì nghỉ hè"
        row = SummerRow(card, retake, after)
        final = card.summer_promotion_code or (
            card.promotion_code if card.promotion_code in (codes.LEN_LOP, codes.O_LAI_LOP) else None
        )
        if card.promotion_code is None:
            lists.incomplete.append(row)
        elif final == codes.LEN_LOP:
            lists.moving_up.append(row)
        elif final == codes.O_LAI_LOP:
            lists.not_moving_up.append(row)
        if trained:
            lists.training.append(row)
        if retake:
            lists.retests.append(row)
    return lists
