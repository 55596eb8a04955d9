"""Attendance pages: the homeroom teacher's register for one session (read by the class's
teachers, written by its homeroom teacher and the school's managers) and a pupil's month
calendar for the guardians (and the staff who may see the pupil)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from contactbook import attendance
from contactbook import access
from contactbook.models import AttendanceMark
from school.access import get_student_for_user
from school.exceptions import TermClosed


def parse_day(raw: str | None) -> datetime.date | None:
    """ "2026-11-25" (what <input type=date> sends) or "25/11/2026"; None when unreadable."""
    raw = (raw or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        return day if 2000 <= day.year <= 2100 else None
    return None


# Four buttons must fit across a phone's width; the legend under the register gives the full names.
SHORT_LABELS = {
    AttendanceMark.Status.PRESENT: gettext_lazy("Present"),
    AttendanceMark.Status.LATE: gettext_lazy("Late"),
    AttendanceMark.Status.EXCUSED: gettext_lazy("With leave"),
    AttendanceMark.Status.UNEXCUSED: gettext_lazy("Without leave"),
}


def _sheet_context(sheet: attendance.Sheet, may_write: bool) -> dict:
    day = sheet.day
    return {
        "sheet": sheet,
        "class_group": sheet.class_group,
        "may_write": may_write and not sheet.problems,
        "statuses": AttendanceMark.Status.choices,
        "status_buttons": [
            (value, label, SHORT_LABELS[value]) for value, label in AttendanceMark.Status.choices
        ],
        "sessions": AttendanceMark.Session.choices,
        "previous_day": day - datetime.timedelta(days=1),
        "next_day": day + datetime.timedelta(days=1),
        "is_today": day == attendance.today(),
        "counts": sheet.counts(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def attendance_sheet(request: HttpRequest, class_group_id: int) -> HttpResponse:
    """GET ?ngay=YYYY-MM-DD&buoi=morning|afternoon (today and the current session by default);
    POST saves the whole session (status-<pupil id>, note-<pupil id>) all or nothing."""
    class_group, may_write = access.get_class_for_attendance(request.user, class_group_id)
    source = request.POST if request.method == "POST" else request.GET
    day = parse_day(source.get("ngay")) if source.get("ngay") else attendance.today()
    session = source.get("buoi") or attendance.default_session()
    if day is None or session not in AttendanceMark.Session.values:
        if request.method == "POST":
            return _bad_sheet(request, class_group, may_write, _("Choose a valid day and session."))
        messages.error(request, _("That day or session could not be read; showing today."))
        day, session = attendance.today(), attendance.default_session()
    if request.method == "GET":
        sheet = attendance.attendance_sheet(class_group, day, session)
        return render(
            request, "contactbook/attendance/sheet.html", _sheet_context(sheet, may_write)
        )
    if not may_write:
        raise PermissionDenied
    return _save(request, class_group, day, session)


def _save(request: HttpRequest, class_group, day: datetime.date, session: str) -> HttpResponse:
    entries, typed, unreadable = {}, {}, False
    for key, status in request.POST.items():
        if not key.startswith("status-"):
            continue
        try:
            student_id = int(key.removeprefix("status-"))
        except ValueError:
            unreadable = True
            continue
        entries[student_id] = (status, request.POST.get(f"note-{student_id}", ""))
        typed[student_id] = entries[student_id]
    try:
        if unreadable:
            raise attendance.SheetErrors(
                {None: _("The form could not be read; nothing was saved.")}
            )
        result = attendance.record_attendance(
            user=request.user, class_group=class_group, day=day, session=session, entries=entries
        )
    except TermClosed as exc:
        sheet = attendance.attendance_sheet(class_group, day, session)
        messages.error(request, exc.message)
        return render(
            request, "contactbook/attendance/sheet.html", _sheet_context(sheet, True), status=409
        )
    except attendance.SheetErrors as exc:
        sheet = attendance.attendance_sheet(class_group, day, session)
        for row in sheet.rows:  # show what was typed, with the error beside it
            if row.student.pk in typed:
                row.status, row.note = typed[row.student.pk]
            row.error = exc.errors.get(row.student.pk, "")
        context = _sheet_context(sheet, True)
        context["sheet_error"] = exc.errors.get(None) or exc.message
        return render(request, "contactbook/attendance/sheet.html", context, status=422)
    messages.success(request, _saved_message(result))
    url = reverse("contactbook:attendance_sheet", args=[class_group.pk])
    return redirect(f"{url}?ngay={day.isoformat()}&buoi={session}")


def _saved_message(result: attendance.SaveResult) -> str:
    message = _("Attendance saved.")
    if result.alerted:
        message += " " + _("Guardians of pupils absent without leave have been told.")
    return message


def _bad_sheet(request, class_group, may_write, error: str) -> HttpResponse:
    sheet = attendance.attendance_sheet(
        class_group, attendance.today(), attendance.default_session()
    )
    context = _sheet_context(sheet, may_write)
    context["sheet_error"] = error
    return render(request, "contactbook/attendance/sheet.html", context, status=400)


def pupil_nav(user, student, url_name: str) -> dict:
    """For the pupil pages' header: whether `user` is the pupil's guardian (the leave tab), and
    links to the same page for each of their children when they have several. One query."""
    children = list(access.children_of(user).order_by("sort_key", "id"))
    switch = (
        [(child, reverse(url_name, args=[child.pk])) for child in children]
        if len(children) > 1
        else []
    )
    return {"is_guardian": any(child.pk == student.pk for child in children), "switch": switch}


WEEKDAYS = (
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
)


def parse_month(raw: str | None) -> tuple[int, int] | None:
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        datetime.date(year, month, 1)
    except ValueError:
        return None
    if not 2000 <= year <= 2100:  # also keeps "next month" inside what a date can hold
        return None
    return year, month


@login_required
def pupil_attendance(request: HttpRequest, student_id: int) -> HttpResponse:
    """A pupil's attendance month (?thang=YYYY-MM, this month by default): for their guardians,
    and for the staff who may see the pupil."""
    student = get_student_for_user(request.user, student_id)
    month = parse_month(request.GET.get("thang"))
    if month is None:
        now = attendance.today()
        month = (now.year, now.month)
    context = attendance.month_calendar(student, *month)
    context.update(
        student=student,
        statuses=AttendanceMark.Status.choices,
        weekday_labels=WEEKDAYS,
        **pupil_nav(request.user, student, "contactbook:pupil_attendance"),
    )
    return render(request, "contactbook/attendance/calendar.html", context)


urlpatterns = [
    path(
        "giao-vien/lop/<int:class_group_id>/diem-danh/", attendance_sheet, name="attendance_sheet"
    ),
    path(
        "phu-huynh/hoc-sinh/<int:student_id>/chuyen-can/", pupil_attendance, name="pupil_attendance"
    ),
]
