"""Attendance: the homeroom teacher's register for one session of one day (read in a fixed
number of queries, saved all or nothing with history, prefilled from approved leave and the
kiosk), the same-day alert to guardians when a pupil is absent without leave, and a pupil's
month for the parent's calendar. Leave requests live in contactbook/leave.py.

The caller has loaded every object through contactbook/access.py and checked that
the user may write; these functions check the rules of the data (closed term, dates, class
list), never who the user is.
"""

import calendar
import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from contactbook import notifications
from contactbook.models import AttendanceMark, LeaveRequest, Notification
from devices import selectors as device_selectors
from school.exceptions import DomainError, TermClosed
from school.models import ClassGroup, Enrolment, Guardianship, Student, Term
from school.terms import check_open

Status = AttendanceMark.Status
Session = AttendanceMark.Session


def today() -> datetime.date:
    return timezone.localdate()


def default_session(moment: datetime.datetime | None = None) -> str:
    """Morning until noon, afternoon after (local time)."""
    local = timezone.localtime(moment or timezone.now())
    return Session.MORNING if local.hour < 12 else Session.AFTERNOON


def _date_label(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _session_label(session: str) -> str:
    return str(Session(session).label).lower()


# --- the register (one session of one day) -------------------------------------------------


@dataclass
class SheetRow:
    student: Student
    status: str
    note: str = ""
    # Where the status shown comes from: "saved", "leave" (an approved leave request),
    # "kiosk" (the card reader), or "default".
    source: str = "default"
    checked_in: bool = False
    pending_leave: LeaveRequest | None = None
    error: str = ""


@dataclass
class Sheet:
    class_group: ClassGroup
    day: datetime.date
    session: str
    rows: list[SheetRow]
    term: Term | None
    saved: bool  # at least one mark exists for this session
    kiosk_used: bool  # the kiosk read at least one card of the class that day
    problems: list[str] = field(default_factory=list)

    @property
    def read_only_reason(self) -> str:
        return self.problems[0] if self.problems else ""

    def counts(self) -> dict[str, int]:
        totals = {status: 0 for status in Status.values}
        for row in self.rows:
            totals[row.status] = totals.get(row.status, 0) + 1
        return totals


def attendance_sheet(class_group: ClassGroup, day: datetime.date, session: str) -> Sheet:
    """The class's pupils in Vietnamese order, each with the status to show: the saved mark,
    else "absent with leave" when an approved leave request covers the session, else what the
    kiosk says (present if the card was read; absent if the kiosk was in use that day and the
    card was not), else present. Five queries whatever the class size."""
    pupils = list(Student.objects.in_class(class_group))
    ids = [p.pk for p in pupils]
    marks = {
        m.student_id: m
        for m in AttendanceMark.objects.filter(student_id__in=ids, date=day, session=session)
    }
    checked_in = device_selectors.checked_in_student_ids(class_group, day)
    approved, pending = _leave_on(ids, day, session)
    term = Term.objects.of_year(class_group.school_year_id).containing(day).first()
    kiosk_used = bool(checked_in)
    rows = []
    for pupil in pupils:
        row = SheetRow(
            student=pupil,
            status=Status.PRESENT,
            checked_in=pupil.pk in checked_in,
            pending_leave=pending.get(pupil.pk),
        )
        mark = marks.get(pupil.pk)
        if mark is not None:
            row.status, row.note, row.source = mark.status, mark.note, "saved"
        elif pupil.pk in approved:
            row.status, row.source = Status.EXCUSED, "leave"
        elif kiosk_used:
            row.status, row.source = (
                (Status.PRESENT if row.checked_in else Status.UNEXCUSED),
                "kiosk",
            )
        rows.append(row)
    sheet = Sheet(class_group, day, session, rows, term, saved=bool(marks), kiosk_used=kiosk_used)
    sheet.problems = _write_problems(class_group, day, term)
    return sheet


def _leave_on(student_ids: list[int], day: datetime.date, session: str) -> tuple[set, dict]:
    """Pupils whose approved leave covers the session, and each pupil's waiting request for it
    (the oldest). One query."""
    leaves = LeaveRequest.objects.filter(
        student_id__in=student_ids,
        start_date__lte=day,
        end_date__gte=day,
        status__in=[LeaveRequest.Status.APPROVED, LeaveRequest.Status.PENDING],
    ).order_by("created_at")
    approved, pending = set(), {}
    for leave in leaves:
        if session not in leave.session_names:
            continue
        if leave.status == LeaveRequest.Status.APPROVED:
            approved.add(leave.student_id)
        else:
            pending.setdefault(leave.student_id, leave)
    return approved, pending


def _write_problems(class_group: ClassGroup, day: datetime.date, term: Term | None) -> list[str]:
    """Why this day's register cannot be written ([] when it can)."""
    problems = []
    if term is not None and term.is_closed:
        problems.append(str(TermClosed.message))
    if day > today():
        problems.append(_("Attendance cannot be taken for a day that has not come yet."))
    year = class_group.school_year
    if not (year.start_date <= day <= year.end_date):
        problems.append(_("This day is outside the class's school year."))
    return problems


class SheetErrors(DomainError):
    status = 422
    code = "invalid_attendance"

    def __init__(self, errors: dict[int | None, str]):
        super().__init__(_("Some rows are not valid; nothing was saved."))
        self.errors = errors  # student_id (None: the whole sheet) -> message


@dataclass
class SaveResult:
    changed: int
    alerted: list[int]  # pupils whose guardians were told of an absence without leave
    corrected: list[int]  # pupils whose guardians were told an earlier alert was wrong


def record_attendance(
    *,
    user,
    class_group: ClassGroup,
    day: datetime.date,
    session: str,
    entries: dict[int, tuple[str, str]],
) -> SaveResult:
    """Save one session's register: `entries` maps every pupil now in the class to (status,
    note). All or nothing: a bad row, a pupil missing or foreign, a closed term, or a day not
    yet come saves nothing (SheetErrors / TermClosed). Each changed mark keeps its history
    (who, when, old, new). Guardians of a pupil newly absent without leave today are notified
    once per pupil, day and session, by SMS too; re-saving never notifies again, and turning
    such an absence into anything else sends a short correction."""
    if session not in Session.values:
        raise SheetErrors({None: _("Choose the morning or the afternoon session.")})
    term = Term.objects.of_year(class_group.school_year_id).containing(day).first()
    if term is not None and term.is_closed:
        raise TermClosed()
    problems = _write_problems(class_group, day, term)
    if problems:
        raise SheetErrors({None: problems[0]})
    with transaction.atomic():
        if term is not None:
            # Re-read inside the transaction: the check above may predate a close that is
            # committing now; this waits for it and refuses the closed term.
            check_open(term)
        # One register save per class at a time: the second waits and then sees the first's marks.
        ClassGroup.objects.select_for_update().filter(pk=class_group.pk).first()
        clean = _check_entries(class_group, entries)
        before, changed = _write_marks(user, class_group, day, session, clean)
        return _tell_guardians(class_group, day, session, before, clean, changed)


def _check_entries(class_group: ClassGroup, entries: dict) -> dict[int, tuple[str, str]]:
    pupils = set(Student.objects.in_class(class_group).values_list("pk", flat=True))
    errors, clean = {}, {}
    for student_id, (status, note) in entries.items():
        note = " ".join((note or "").split())
        if student_id not in pupils:
            errors[student_id] = _("This pupil is not in the class.")
        elif status not in Status.values:
            errors[student_id] = _("Choose one of the statuses in the list.")
        elif len(note) > AttendanceMark._meta.get_field("note").max_length:
            errors[student_id] = _("The note is too long (200 characters at most).")
        else:
            clean[student_id] = (status, note)
    if pupils - set(entries):
        errors[None] = _(
            "The class list has changed since the page was opened; nothing was saved. "
            "Please check the register again."
        )
    if errors:
        raise SheetErrors(errors)
    return clean


def _write_marks(user, class_group, day, session, clean) -> tuple[dict[int, str], set[int]]:
    """Create or update the marks; returns each pupil's status before (absent: no mark) and
    the ids whose mark changed."""
    existing = {
        m.student_id: m
        for m in AttendanceMark.objects.select_for_update().filter(
            student_id__in=list(clean), date=day, session=session
        )
    }
    before = {sid: m.status for sid, m in existing.items()}
    now = timezone.now()
    new, updated, changed = [], [], set()
    for student_id, (status, note) in clean.items():
        mark = existing.get(student_id)
        if mark is None:
            new.append(
                AttendanceMark(
                    student_id=student_id,
                    class_group=class_group,
                    date=day,
                    session=session,
                    status=status,
                    note=note,
                    recorded_by=user,
                    updated_at=now,
                )
            )
        elif (mark.status, mark.note) != (status, note):
            mark.status, mark.note, mark.recorded_by, mark.updated_at = status, note, user, now
            mark.class_group = class_group
            updated.append(mark)
        else:
            continue
        changed.add(student_id)
    if new:
        bulk_create_with_history(new, AttendanceMark, default_user=user)
    if updated:
        bulk_update_with_history(
            updated,
            AttendanceMark,
            ["status", "note", "recorded_by", "updated_at", "class_group"],
            default_user=user,
        )
    return before, changed


def absence_key(student_id: int, day: datetime.date, session: str) -> str:
    return f"absence:{student_id}:{day.isoformat()}:{session}"


def _tell_guardians(class_group, day, session, before, clean, changed) -> SaveResult:
    """Same-day alerts, one per guardian and absence: only for today's register (an alert about
    last week is news nobody can act on; the calendar shows it). A guardian already told is not
    told again; one told of an absence that is then cleared gets a correction."""
    result = SaveResult(changed=len(changed), alerted=[], corrected=[])
    if day != today():
        return result
    absent = {sid for sid, (status, _note) in clean.items() if status == Status.UNEXCUSED}
    cleared = {sid for sid in changed if before.get(sid) == Status.UNEXCUSED} - absent
    if not absent and not cleared:
        return result
    links = list(
        Guardianship.objects.reachable(absent | cleared).select_related("student")
    )
    # Exact keys (the outbox's unique index), not a prefix search over every notification.
    keys = {
        link.pk: f"{absence_key(link.student_id, day, session)}:{link.guardian.user_id}"
        for link in links
    }
    told = set(
        Notification.objects.filter(dedupe_key__in=keys.values()).values_list(
            "dedupe_key", flat=True
        )
    )
    alerted, corrected = set(), set()
    for link in links:
        sid = link.student_id
        if sid in absent and keys[link.pk] not in told:
            _alert(link, class_group, day, session, absence_key(sid, day, session), corrected=False)
            alerted.add(sid)
        elif sid in cleared and keys[link.pk] in told:
            new_status = str(Status(clean[sid][0]).label).lower()
            key = f"absence-corrected:{sid}:{day.isoformat()}:{session}"
            _alert(link, class_group, day, session, key, corrected=True, new_status=new_status)
            corrected.add(sid)
    result.alerted, result.corrected = sorted(alerted), sorted(corrected)
    return result


def _alert(link, class_group, day, session, key, *, corrected: bool, new_status: str = "") -> None:
    values = {
        "pupil": link.student.full_name,
        "session": _session_label(session),
        "date": _date_label(day),
        "class": class_group.name,
        "status": new_status,
    }
    if corrected:
        title = _("Correction: %(pupil)s was not absent") % values
        body = (
            _(
                "The %(session)s register of %(date)s (class %(class)s) was corrected: "
                "%(pupil)s is now marked %(status)s."
            )
            % values
        )
    else:
        title = _("Absent without leave: %(pupil)s") % values
        body = (
            _(
                "%(pupil)s (class %(class)s) is absent without leave this %(session)s, %(date)s. "
                "If you did not know, please contact the homeroom teacher."
            )
            % values
        )
    # kind "absence" for the correction too, so it reaches the guardian by SMS like the alert.
    notifications.notify(
        recipients=[link.guardian.user],
        kind="absence",
        title=title,
        body=body,
        url=reverse("contactbook:pupil_attendance", args=[link.student_id]),
        key=key,
    )


# --- the parent's calendar -----------------------------------------------------------------


@dataclass
class CalendarDay:
    day: datetime.date | None  # None: padding before the 1st / after the last day
    morning: str = ""
    afternoon: str = ""
    leave: str = (
        ""  # an approved leave ahead: the sessions it covers ("morning", "afternoon", "both")
    )
    is_today: bool = False


def month_calendar(student: Student, year: int, month: int) -> dict:
    """A pupil's attendance for one month as weeks of days (Monday first), each day with its
    morning and afternoon status, approved leave still to come, the month's totals and the
    school year's sessions missed. Four queries whatever the number of marks."""
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, calendar.monthrange(year, month)[1])
    marks = AttendanceMark.objects.filter(student=student, date__range=(first, last)).only(
        "date", "session", "status"
    )
    by_day: dict[datetime.date, CalendarDay] = {}
    for mark in marks:
        cell = by_day.setdefault(mark.date, CalendarDay(mark.date))
        setattr(cell, mark.session, mark.status)
    for leave in LeaveRequest.objects.filter(
        student=student,
        status=LeaveRequest.Status.APPROVED,
        start_date__lte=last,
        end_date__gte=first,
    ):
        day = max(leave.start_date, first)
        while day <= min(leave.end_date, last):
            by_day.setdefault(day, CalendarDay(day)).leave = leave.sessions
            day += datetime.timedelta(days=1)
    now = today()
    weeks, week = [], [CalendarDay(None)] * first.weekday()
    for number in range(1, last.day + 1):
        day = datetime.date(year, month, number)
        cell = by_day.get(day, CalendarDay(day))
        cell.is_today = day == now
        week.append(cell)
        if len(week) == 7:
            weeks.append(week)
            week = []
    if week:
        weeks.append(week + [CalendarDay(None)] * (7 - len(week)))
    totals = {status: 0 for status in Status.values}
    for cell in by_day.values():
        for status in (cell.morning, cell.afternoon):
            if status:
                totals[status] += 1
    return {
        "weeks": weeks,
        "month": first,
        "totals": totals,
        "year_absences": _year_absences(student),
        "previous": (first - datetime.timedelta(days=1)).replace(day=1),
        "next": last + datetime.timedelta(days=1),
    }


def _year_absences(student: Student) -> dict | None:
    """Sessions missed in the current school year, with and without leave (promotion allows at
    most 45 in all, DOMAIN.md); None when the pupil is in no class this year."""
    enrolment = (
        Enrolment.objects.current().filter(student=student)
        .select_related("school_year")
        .first()
    )
    if enrolment is None:
        return None
    year = enrolment.school_year
    counts = AttendanceMark.objects.filter(
        student=student, date__range=(year.start_date, year.end_date)
    ).aggregate(
        excused=Count("pk", filter=Q(status=Status.EXCUSED)),
        unexcused=Count("pk", filter=Q(status=Status.UNEXCUSED)),
    )
    counts["total"] = counts["excused"] + counts["unexcused"]
    counts["year"] = year
    return counts
