"""Leave requests, from a guardian's asking to the homeroom teacher's answer: what is wrong
with the dates asked, asking, withdrawing, approving (which excuses the absences already
recorded in those sessions, history kept) or declining, and a class's requests for its register
keeper. The register reads approved leave to prefill itself (contactbook/attendance.py).

The caller has loaded every object through contactbook/access.py and checked that the user
may write; these functions check the rules of the data (dates, overlaps, closed terms), never
who the user is.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from contactbook import notifications
from contactbook.attendance import Status, _date_label, today
from contactbook.models import AttendanceMark, LeaveRequest
from school.exceptions import DomainError, TermClosed
from school.models import ClassGroup, Enrolment, Guardianship, Student, Term
from school.terms import check_open

# A guardian may ask for leave after the fact (a sudden fever), but only this many days back.
LEAVE_DAYS_BACK = 3
# …and not for more than this many days at once (longer absences go through the school).
LEAVE_MAX_DAYS = 30
LEAVE_DAYS_AHEAD = 90


def current_class(student: Student) -> ClassGroup | None:
    enrolment = (
        Enrolment.objects.current().filter(student=student)
        .select_related("class_group__homeroom_teacher", "class_group__school_year")
        .order_by("-start_date")
        .first()
    )
    return enrolment.class_group if enrolment else None


def _overlaps(sessions_a: str, sessions_b: str) -> bool:
    both = LeaveRequest.Sessions.BOTH
    return sessions_a == sessions_b or both in (sessions_a, sessions_b)


def leave_problems(
    student: Student,
    start: datetime.date,
    end: datetime.date,
    sessions: str,
    exclude_id: int | None = None,
) -> dict[str, str]:
    """What is wrong with asking leave for these dates ({} when nothing): field -> message."""
    errors: dict[str, str] = {}
    now = today()
    if end < start:
        errors["end_date"] = _("The last day of leave cannot be before the first.")
    elif (end - start).days + 1 > LEAVE_MAX_DAYS:
        errors["end_date"] = _(
            "Leave can be asked for %(days)s days at most; for longer, please contact the school."
        ) % {"days": LEAVE_MAX_DAYS}
    if start < now - datetime.timedelta(days=LEAVE_DAYS_BACK):
        errors["start_date"] = _("Leave can be asked at most %(days)s days after the fact.") % {
            "days": LEAVE_DAYS_BACK
        }
    elif start > now + datetime.timedelta(days=LEAVE_DAYS_AHEAD):
        errors["start_date"] = _("This date is too far ahead.")
    if errors:
        return errors
    others = LeaveRequest.objects.filter(
        student=student,
        status__in=[LeaveRequest.Status.PENDING, LeaveRequest.Status.APPROVED],
        start_date__lte=end,
        end_date__gte=start,
    ).exclude(pk=exclude_id)
    for other in others:
        if _overlaps(sessions, other.sessions):
            if other.status == LeaveRequest.Status.PENDING:
                errors["__all__"] = _(
                    "A request for these days is already waiting for the teacher "
                    "(%(start)s–%(end)s). Cancel it first or choose other days."
                )
            else:
                errors["__all__"] = _(
                    "Leave for these days has already been approved (%(start)s–%(end)s)."
                )
            errors["__all__"] %= {
                "start": _date_label(other.start_date),
                "end": _date_label(other.end_date),
            }
            break
    return errors


@transaction.atomic
def request_leave(
    *, user, student: Student, start: datetime.date, end: datetime.date, sessions: str, reason: str
) -> LeaveRequest:
    """A guardian asks leave for their child (the caller loaded the child through
    get_child_for_guardian). Raises ValidationError (field -> message) when the dates are wrong
    or overlap a pending or approved request; tells the homeroom teacher."""
    # Lock the pupil so two requests sent at once cannot both pass the overlap check.
    Student.objects.select_for_update().filter(pk=student.pk).first()
    reason = (reason or "").strip()
    errors = leave_problems(student, start, end, sessions)
    if sessions not in LeaveRequest.Sessions.values:
        errors["sessions"] = _("Choose the morning, the afternoon or the whole day.")
    if not reason:
        errors["reason"] = _("Please give a reason.")
    class_group = current_class(student)
    if class_group is None:
        errors["__all__"] = _("This pupil is not in a class this year; please contact the school.")
    if errors:
        raise ValidationError(errors)
    leave = LeaveRequest.objects.create(
        student=student,
        requested_by=user,
        start_date=start,
        end_date=end,
        sessions=sessions,
        reason=reason,
    )
    teacher = class_group.homeroom_teacher
    if teacher is not None:
        values = {
            "pupil": student.full_name,
            "class": class_group.name,
            "start": _date_label(start),
            "end": _date_label(end),
        }
        notifications.notify(
            recipients=[teacher],
            kind="leave_request",
            title=_("Leave request: %(pupil)s") % values,
            body=_("%(pupil)s (class %(class)s) asks for leave from %(start)s to %(end)s.")
            % values,
            url=reverse("contactbook:class_leave", args=[class_group.pk]),
            key=f"leave-requested:{leave.pk}",
        )
    return leave


class LeaveNotPending(DomainError):
    status = 409
    code = "leave_not_pending"
    message = _("This request has already been answered or cancelled.")


@transaction.atomic
def cancel_leave(*, user, leave: LeaveRequest) -> LeaveRequest:
    """A guardian withdraws a request the teacher has not answered yet."""
    leave = LeaveRequest.objects.select_for_update().get(pk=leave.pk)
    if leave.status != LeaveRequest.Status.PENDING:
        raise LeaveNotPending()
    leave.status = LeaveRequest.Status.CANCELLED
    leave.save(update_fields=["status"])
    return leave


@transaction.atomic
def decide_leave(*, user, leave: LeaveRequest, approve: bool, note: str = "") -> LeaveRequest:
    """The homeroom teacher (or a manager) approves or declines a pending request; the
    guardians are told. Approval turns the pupil's absences already recorded in those sessions
    into "absent with leave" (history kept); later registers are prefilled from it. Marks in a
    closed term are left alone, and a pupil marked present or late stays so (they came)."""
    leave = LeaveRequest.objects.select_for_update().select_related("student").get(pk=leave.pk)
    if leave.status != LeaveRequest.Status.PENDING:
        raise LeaveNotPending()
    note = " ".join((note or "").split())[:300]
    leave.status = LeaveRequest.Status.APPROVED if approve else LeaveRequest.Status.DECLINED
    leave.decided_by, leave.decided_at, leave.decision_note = user, timezone.now(), note
    leave.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if approve:
        _excuse_marks(user, leave)
    _tell_decision(leave)
    return leave


def _excuse_marks(user, leave: LeaveRequest) -> int:
    """Excuse the leave's recorded absences, except in a closed term. Each term the leave
    touches goes through the one open-term guard inside the caller's transaction, so a term
    being closed right now is waited for and then left alone."""
    terms = Term.objects.filter(
        school_year__school_id=leave.student.school_id,
        start_date__lte=leave.end_date,
        end_date__gte=leave.start_date,
    )
    marks = AttendanceMark.objects.select_for_update().filter(
        student_id=leave.student_id,
        date__range=(leave.start_date, leave.end_date),
        session__in=leave.session_names,
        status=Status.UNEXCUSED,
    )
    for term in terms:
        try:
            check_open(term)
        except TermClosed:
            marks = marks.exclude(date__range=(term.start_date, term.end_date))
    marks = list(marks)
    now = timezone.now()
    for mark in marks:
        mark.status, mark.recorded_by, mark.updated_at = Status.EXCUSED, user, now
    if marks:
        bulk_update_with_history(
            marks,
            AttendanceMark,
            ["status", "recorded_by", "updated_at"],
            default_user=user,
            default_change_reason=f"leave request {leave.pk}",
        )
    return len(marks)


def _tell_decision(leave: LeaveRequest) -> None:
    guardians = [
        link.guardian.user
        for link in Guardianship.objects.reachable([leave.student_id])
    ]
    values = {
        "pupil": leave.student.full_name,
        "start": _date_label(leave.start_date),
        "end": _date_label(leave.end_date),
        "note": leave.decision_note,
    }
    if leave.status == LeaveRequest.Status.APPROVED:
        title = _("Leave approved: %(pupil)s") % values
        body = _("The leave of %(pupil)s from %(start)s to %(end)s was approved.") % values
    else:
        title = _("Leave declined: %(pupil)s") % values
        body = _("The leave of %(pupil)s from %(start)s to %(end)s was declined.") % values
    if leave.decision_note:
        body += " " + _("Teacher's note: %(note)s") % values
    notifications.notify(
        recipients=guardians,
        kind="leave",
        title=title,
        body=body,
        url=reverse("contactbook:pupil_leave", args=[leave.student_id]),
        key=f"leave-decided:{leave.pk}",
    )


def class_leave_requests(class_group: ClassGroup, *, recent_days: int = 30) -> dict:
    """A class's leave requests for its register keeper: those waiting (oldest first) and those
    answered or cancelled lately. Two queries."""
    pupils = Enrolment.objects.active().filter(class_group=class_group).values("student_id")
    base = LeaveRequest.objects.filter(student_id__in=pupils).select_related(
        "student", "requested_by", "decided_by"
    )
    pending = list(
        base.filter(status=LeaveRequest.Status.PENDING).order_by("start_date", "created_at")
    )
    since = timezone.now() - datetime.timedelta(days=recent_days)
    recent = list(
        base.exclude(status=LeaveRequest.Status.PENDING)
        .filter(Q(decided_at__gte=since) | Q(decided_at__isnull=True, created_at__gte=since))
        .order_by("-created_at")[:50]
    )
    return {"pending": pending, "recent": recent}
