"""The primary class teacher's sheet (grades 1–5, Circular 27): qualities and competencies at
the mid-term or the end of a term, with the term comment, and its history. The secondary
homeroom page (conduct) sends a primary class here.

Everyone who may open the class reads it; only its homeroom teacher saves, all or nothing."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from contactbook import access, qualities
from contactbook.gradebook.columns import COMMENT_KEY
from contactbook.gradebook.reads import homeroom_history
from contactbook.views.gradebook import (
    Posted,
    comment_name,
    pick_term,
    pupil_in_class,
    save_posted,
    split_comments,
)
from school.access import get_class_group_for_user
from school.models import ClassGroup, Student

# ?giai-doan=… in the URL: the period of the term shown.
PERIOD_PARAM = "giai-doan"
_PERIOD_SLUGS = {"giua-ky": qualities.PERIODS.MIDTERM, "cuoi-ky": qualities.PERIODS.FINAL}
_SLUG_OF = {period: slug for slug, period in _PERIOD_SLUGS.items()}


def rating_name(student_id: int, item: str) -> str:
    return f"q-{student_id}-{item}"


def _primary_class(user, class_group_id) -> ClassGroup:
    class_group = get_class_group_for_user(user, class_group_id)
    if not class_group.is_primary:
        raise Http404("Qualities and competencies are rated in grades 1–5")
    return class_group


def _period(request: HttpRequest, term) -> str:
    """The period asked for, or the one today is in: the end of the term from its second half."""
    asked = _PERIOD_SLUGS.get(request.GET.get(PERIOD_PARAM, ""))
    if asked:
        return asked
    if term is not None:
        middle = term.start_date + (term.end_date - term.start_date) / 2
        if timezone.localdate() >= middle:
            return qualities.PERIODS.FINAL
    return qualities.PERIODS.MIDTERM


def _url(class_group: ClassGroup, term, period: str) -> str:
    base = reverse("contactbook:qualities_term", args=[class_group.pk, term.pk])
    return f"{base}?{PERIOD_PARAM}={_SLUG_OF[period]}"


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def sheet(request: HttpRequest, class_group_id: int, term_id: int | None = None) -> HttpResponse:
    class_group = _primary_class(request.user, class_group_id)
    terms, term = pick_term(class_group, term_id)
    period = _period(request, term)
    may_write = access.is_homeroom_teacher(request.user, class_group)
    posted = Posted({})
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied("Only the class teacher rates qualities and competencies.")
        if term is None:
            raise Http404("No term")
        inputs = {}
        for pk in Student.objects.in_class(class_group).values_list("pk", flat=True):
            inputs |= {(pk, item): rating_name(pk, item) for item in qualities.ITEMS}
            inputs[(pk, COMMENT_KEY)] = comment_name(pk)

        def save(values):
            ratings, comments = split_comments(values)
            return qualities.save(
                teacher=request.user, class_group=class_group, term=term, period=period,
                ratings=ratings, comments=comments,
            )

        posted = save_posted(request, inputs, save)
        if posted.saved:
            return redirect(_url(class_group, term, period))
    context = {
        "class_group": class_group,
        "term": term,
        "period": period,
        "may_write": may_write,
        "notice": posted.notice,
        "editable": may_write and term is not None and not term.is_closed,
        "groups": [
            (label, [qualities.Item(i) for i in items]) for label, items in qualities.GROUPS
        ],
    }
    if term is not None:
        context.update(
            {
                "rows": _rows(class_group, term, period, posted.typed, posted.errors),
                "error_count": len(posted.errors),
                "save_url": _url(class_group, term, period),
                "periods": [(p, _url(class_group, term, p)) for p in qualities.PERIODS],
                "terms": [(t, _url(class_group, t, period)) for t in terms],
            }
        )
    return render(request, "contactbook/gradebook/qualities.html", context, status=posted.status)


def _rows(class_group, term, period, typed: dict, errors: dict) -> list[dict]:
    rows = []
    for number, row in enumerate(qualities.sheet(class_group, term, period), start=1):
        pk = row.student.pk
        cells = []
        for item in qualities.ITEMS:
            name = rating_name(pk, item)
            stored = row.ratings.get(item)
            cells.append(
                {
                    "name": name,
                    "item": item,
                    "label": qualities.Item(item).label,
                    "value": typed.get(name, stored.rating if stored else ""),
                    "error": errors.get(name),
                }
            )
        name = comment_name(pk)
        rows.append(
            {
                "number": number,
                "student": row.student,
                "cells": cells,
                "comment": {
                    "name": name,
                    "value": typed.get(name, row.comment.text if row.comment else ""),
                    "error": errors.get(name),
                },
                "history": reverse(
                    "contactbook:qualities_history", args=[class_group.pk, term.pk, pk]
                ),
            }
        )
    return rows


@login_required
def history(
    request: HttpRequest, class_group_id: int, term_id: int, student_id: int
) -> HttpResponse:
    """Every change of a pupil's qualities, competencies and term comment in a term."""
    class_group = _primary_class(request.user, class_group_id)
    _terms, term = pick_term(class_group, term_id)
    student = pupil_in_class(class_group, student_id)
    changes = qualities.history(student, term) + homeroom_history(student, term)
    changes.sort(key=lambda c: c.at, reverse=True)
    return render(
        request,
        "contactbook/gradebook/history.html",
        {
            "class_group": class_group,
            "term": term,
            "student": student,
            "changes": changes,
            "back": reverse("contactbook:qualities_term", args=[class_group.pk, term.pk]),
        },
    )


_SHEET = "giao-vien/lop/<int:class_group_id>/pham-chat-nang-luc/"

urlpatterns = [
    path(_SHEET, sheet, name="qualities"),
    path(_SHEET + "hoc-ky/<int:term_id>/", sheet, name="qualities_term"),
    path(
        _SHEET + "hoc-ky/<int:term_id>/lich-su/<int:student_id>/",
        history,
        name="qualities_history",
    ),
]
