"""Weekly summaries: a guardian reads a summary and acknowledges it ("đã xem"); the homeroom
teacher (and the school's managers) see, for a class and a week, whose guardians have not."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from contactbook import summaries
from contactbook.access import get_summary_for_guardian, is_homeroom_teacher
from contactbook.portal import children_of
from school.access import can_manage_school, get_class_group_for_user


@login_required
@require_GET
@never_cache
def summary_detail(request: HttpRequest, summary_id: int) -> HttpResponse:
    summary = get_summary_for_guardian(request.user, summary_id)
    return render(request, "contactbook/portal/summary.html", {
        "summary": summary,
        "week": summaries.for_display(summary.data),
        "acknowledgements": list(summary.acknowledgements.all()),
    })


@login_required
@require_POST
def summary_acknowledge(request: HttpRequest, summary_id: int) -> HttpResponse:
    """Record "đã xem" and go back where the button was (the portal or the summary)."""
    summary = get_summary_for_guardian(request.user, summary_id)
    summaries.acknowledge(user=request.user, summary=summary)
    messages.success(request, _("Thank you: the school can see that you have read this week's summary."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("contactbook:summary_detail", args=[summary.pk])
    return redirect(target)


@login_required
@require_GET
@never_cache
def child_summaries(request: HttpRequest, student_id: int) -> HttpResponse:
    """A guardian's list of one child's weekly summaries, newest first."""
    child = next((c for c in children_of(request.user) if c.pk == student_id), None)
    if child is None:
        raise Http404("Not one of your children")
    return render(request, "contactbook/portal/summary_list.html", {
        "child": child, "summaries": summaries.child_summaries(child, request.user),
    })


def _parse_week(raw: str | None) -> datetime.date | None:
    try:
        day = datetime.date.fromisoformat((raw or "").strip())
    except ValueError:
        return None
    return summaries.week_start(day) if 2000 <= day.year <= 2100 else None


@login_required
@require_GET
@never_cache
def class_summaries(request: HttpRequest, class_group_id: int) -> HttpResponse:
    """?tuan=YYYY-MM-DD (any day of the week; the latest week with summaries by default):
    each pupil of the class with whether a guardian has acknowledged that week's summary.
    The class's homeroom teacher and the school's managers; 404 for everyone else."""
    class_group = get_class_group_for_user(request.user, class_group_id)
    if not (
        request.user.is_superuser
        or is_homeroom_teacher(request.user, class_group)
        or can_manage_school(request.user, class_group.school)
    ):
        raise Http404("Not this class's homeroom teacher")
    week = _parse_week(request.GET.get("tuan")) or summaries.latest_week(class_group)
    rows = summaries.class_acknowledgements(class_group, week)
    return render(request, "contactbook/summaries/class.html", {
        "class_group": class_group,
        "week": week,
        "week_end": week + datetime.timedelta(days=6),
        "previous_week": week - datetime.timedelta(days=7),
        "next_week": week + datetime.timedelta(days=7),
        "rows": rows,
        "waiting": sum(1 for row in rows if row.state in ("waiting", "no_guardian")),
        "acknowledged": sum(1 for row in rows if row.state == "acknowledged"),
    })


urlpatterns = [
    path("phu-huynh/tong-ket-tuan/<int:summary_id>/", summary_detail, name="summary_detail"),
    path("phu-huynh/tong-ket-tuan/<int:summary_id>/da-xem/", summary_acknowledge, name="summary_acknowledge"),
    path("phu-huynh/hoc-sinh/<int:student_id>/tong-ket-tuan/", child_summaries, name="child_summaries"),
    path("giao-vien/lop/<int:class_group_id>/tong-ket-tuan/", class_summaries, name="class_summaries"),
]
