"""The summer of a class of grades 6–12 (Circular 22, Articles 12–14), for its homeroom teacher
and the school's managers:

- /bao-cao/lop/<class_id>/he/ — the lists the homeroom teacher draws up once the year has
  closed (được lên lớp, không được lên lớp, kiểm tra lại with the subjects, rèn luyện trong kì
  nghỉ hè) and the form recording the conduct re-assessed after summer training and the re-test
  results (POST: saved all or nothing, reports.summer.save_summer);
- /bao-cao/lop/<class_id>/he/khoa/ — POST: the school's managers close the year's summer, or
  reopen it with a reason;
- /bao-cao/lop/<class_id>/he/sua/<student_id>/[?mon=<subject_id>] — the school's managers
  correct a recorded result (the re-assessed conduct, or with `mon` one re-test) with a
  reason, beside its history (reports.summer.correct_summer).

Access: reports.access.get_class_group_for_summary (the class summary's door: the school's
managers, the class's homeroom teacher, the operator); everyone else 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from contactbook.models import ConductRating
from grading import summer as rules
from reports import summer
from reports.access import get_class_group_for_summary
from reports.cards.model import LEN_LOP, O_LAI_LOP, decision_words
from reports.cards.summer import retest_text
from school.access import can_manage_school


def conduct_name(student_id: int) -> str:
    return f"c-{student_id}"


def retest_name(student_id: int, subject_id: int) -> str:
    return f"k-{student_id}-{subject_id}"


def _inputs(lists: summer.SummerLists, editable: bool) -> dict:
    """The form's inputs by cell: a conduct select for each pupil sent to training whose
    re-tests have not begun, a re-test box for each subject to re-take without a result."""
    inputs = {}
    if not editable:
        return inputs
    for row in lists.training:
        if not any(line.retest for line in row.card.subjects):
            inputs[(row.card.student_id, summer.CONDUCT_KEY)] = conduct_name(row.card.student_id)
    for row in lists.retests:
        for line in row.retake:
            if not line.retest:
                key = (row.card.student_id, line.subject_id)
                inputs[key] = retest_name(*key)
    return inputs


def _post(request, class_group, inputs) -> tuple[dict, dict, int, str]:
    """Save what was posted; returns (typed, errors by input name, status, notice)."""
    typed = {name: request.POST[name] for name in inputs.values() if name in request.POST}
    by_name = {name: cell for cell, name in inputs.items()}
    conduct, retests = {}, {}
    for name, value in typed.items():
        pk, key = by_name[name]
        if key == summer.CONDUCT_KEY:
            conduct[pk] = value
        else:
            retests[(pk, key)] = value
    try:
        changed = summer.save_summer(
            user=request.user, class_group=class_group, conduct=conduct, retests=retests
        )
    except summer.SummerRefused as exc:
        return {}, {}, 409, str(exc.message)
    except summer.SummerErrors as exc:
        errors = {inputs.get(cell, str(cell)): message for cell, message in exc.errors.items()}
        return typed, errors, 422, str(exc.message)
    messages.success(
        request,
        _("Saved: %(n)d changes.") % {"n": changed}
        if changed
        else _("Nothing to save: no cell changed."),
    )
    return typed, {}, 302, ""


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def class_summer(request: HttpRequest, class_id: int) -> HttpResponse:
    class_group = get_class_group_for_summary(request.user, class_id)
    year = class_group.school_year
    may_write = summer.may_record_summer(request.user, class_group)
    year_closed = summer.year_is_closed(year)
    state = summer.summer_state(year) if year_closed else None
    editable = (
        may_write and year_closed and not class_group.is_primary and not state.is_closed
    )
    lists = summer.summer_lists(class_group) if year_closed and not class_group.is_primary else None
    inputs = _inputs(lists, editable) if lists else {}
    typed, errors, status, notice = {}, {}, 200, ""
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied("Only the homeroom teacher and the school's managers.")
        typed, errors, status, notice = _post(request, class_group, inputs)
        if status == 302:
            return redirect("reports:class_summer", class_group.pk)
    context = {
        "class_group": class_group,
        "year_closed": year_closed,
        "state": state,
        "events": list(state.events.select_related("by")) if state and state.pk else [],
        "is_manager": can_manage_school(request.user, class_group.school_id),
        "editable": editable,
        "notice": notice,
        "error_count": len(errors),
        "ratings": ConductRating.Rating.values,
        "lists": lists and _present(lists, inputs, typed, errors, class_group.grade),
    }
    return render(request, "reports/summer/class.html", context, status=status)


def _present(lists, inputs, typed, errors, grade) -> dict:
    def cell(key):
        name = inputs.get(key)
        if name is None:
            return None
        return {"name": name, "value": typed.get(name, ""), "error": errors.get(name)}

    training = [
        {"row": row, "input": cell((row.card.student_id, summer.CONDUCT_KEY)),
         "waiting": row.card.summer_stage == rules.AWAITING_CONDUCT}
        for row in lists.training
    ]
    retests = [
        {"row": row, "subjects": [
            {"line": line, "input": cell((row.card.student_id, line.subject_id))}
            for line in row.retake
        ]}
        for row in lists.retests
    ]
    return {
        "moving_up_title": decision_words(LEN_LOP, grade),
        "not_moving_up_title": decision_words(O_LAI_LOP, grade),
        "moving_up": lists.moving_up,
        "not_moving_up": lists.not_moving_up,
        "retests": retests,
        "training": training,
        "incomplete": lists.incomplete,
    }


@login_required
@require_POST
def close_or_reopen(request: HttpRequest, class_id: int) -> HttpResponse:
    """Close the summer of the class's year, or reopen it with a reason: managers only."""
    class_group = get_class_group_for_summary(request.user, class_id)
    year = class_group.school_year
    if not can_manage_school(request.user, class_group.school_id):
        raise PermissionDenied("Only the school's managers close or reopen the summer.")
    reason = request.POST.get("reason", "").strip()[:300]
    if request.POST.get("action") == "reopen":
        if not reason:
            messages.error(request, _("Give the reason for reopening."))
        elif summer.reopen_summer(user=request.user, school_year=year, reason=reason):
            messages.success(request, _("The summer is open again."))
    elif not summer.year_is_closed(year):
        messages.error(request, summer.YEAR_OPEN)
    elif summer.close_summer(user=request.user, school_year=year, reason=reason):
        messages.success(request, _("The summer is closed."))
    return redirect("reports:class_summer", class_group.pk)


def _subject_param(request: HttpRequest) -> int | None:
    typed = request.GET.get("mon")
    if typed is None:
        return None
    if not typed.isdigit():
        raise Http404("No such subject")
    return int(typed)


def _value_text(record, is_conduct: bool) -> str:
    """A recorded result (or a historical version of one) as printed."""
    return record.rating if is_conduct else retest_text(record.value, record.passed)


def _history(record, is_conduct: bool) -> list[dict]:
    """Every value the row had, newest first: when, who, the value, the reason given."""
    return [
        {"at": h.history_date, "by": h.history_user, "value": _value_text(h, is_conduct),
         "reason": h.history_change_reason or ""}
        for h in record.history.select_related("history_user").order_by("-history_date", "-pk")
    ]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def correct_result(request: HttpRequest, class_id: int, student_id: int) -> HttpResponse:
    """Correct one recorded summer result, with a reason: the school's managers (others who
    see the summer page get 403 with the reason; outsiders 404, the summary's door)."""
    class_group = get_class_group_for_summary(request.user, class_id)
    subject_id = _subject_param(request)
    record = summer.recorded_summer(class_group, student_id, subject_id)
    if record is None:
        raise Http404("Nothing recorded for this pupil")
    year = class_group.school_year
    is_manager = can_manage_school(request.user, class_group.school_id)
    closed = summer.summer_state(year).is_closed
    notice, status, errors = "", 200, {}
    if not is_manager:
        notice, status = summer.MANAGERS_ONLY, 403
    elif closed and request.method != "POST":  # a POST: correct_summer refuses it (409)
        notice = summer.CLOSED_REOPEN_FIRST
    typed = {"value": request.POST.get("value", ""), "reason": request.POST.get("reason", "")}
    if request.method == "POST" and not notice:
        try:
            summer.correct_summer(
                user=request.user, class_group=class_group, student_id=student_id,
                subject_id=subject_id, value=typed["value"], reason=typed["reason"],
            )
        except summer.SummerRefused as exc:
            notice, status = str(exc.message), 409
        except summer.SummerErrors as exc:
            notice, status, errors = str(exc.message), 422, exc.errors
        else:
            messages.success(request, _("Corrected; the previous value stays in the history."))
            return redirect("reports:class_summer", class_group.pk)
    is_conduct = subject_id is None
    context = {
        "class_group": class_group,
        "pupil": record.student,
        "subject": getattr(record, "subject", None),
        "is_conduct": is_conduct,
        "current": _value_text(record, is_conduct),
        "history": _history(record, is_conduct),
        "editable": is_manager and not closed,
        "notice": notice,
        "errors": errors,
        "typed": typed,
        "reason_max": summer.REASON_MAX,
        "ratings": ConductRating.Rating.values,
    }
    return render(request, "reports/summer/correct.html", context, status=status)


urlpatterns = [
    path("bao-cao/lop/<int:class_id>/he/", class_summer, name="class_summer"),
    path("bao-cao/lop/<int:class_id>/he/khoa/", close_or_reopen, name="class_summer_close"),
    path(
        "bao-cao/lop/<int:class_id>/he/sua/<int:student_id>/", correct_result,
        name="class_summer_correct",
    ),
]
