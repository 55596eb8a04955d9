"""A class's Khen thưởng page, /bao-cao/lop/<class_id>/khen-thuong/, for the class's homeroom
teacher and the school's managers (the class summary's door, reports.access):

- every pupil's year result, title and awards as the year card prints them;
- in a primary class (Circular 27 Art. 13.1.a), the class's proposals for Học sinh Tiêu biểu:
  the homeroom teacher records one (POST action=propose, student, text: what it is for) for a
  pupil whose year result is Hoàn thành tốt, or withdraws it before it is confirmed
  (action=withdraw, award); the principal confirms it (action=confirm, award), here or in the
  school administration.

Awards for achievements are recorded by the managers in the school administration. A refusal
shows its Vietnamese message on the page (422) and writes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from reports import awards
from reports.access import get_class_group_for_summary
from reports.cards.selectors import year_cards
from reports.models import Award
from school.access import can_manage_school, get_or_404
from school.exceptions import DomainError
from school.models import Student


def _rows(class_group, cards, proposals) -> list[dict]:
    return [
        {
            "card": card,
            "proposal": proposals.get(card.student_id),
            "may_propose": class_group.is_primary and awards.may_be_proposed(card.learning)
            and card.student_id not in proposals,
        }
        for card in cards
    ]


def _context(request, class_group, form_error=None, posted=None) -> dict:
    cards = year_cards(class_group, class_group.school_year)
    proposals = {
        a.student_id: a
        for a in Award.objects.filter(
            school_year=class_group.school_year, kind=Award.Kind.TIEU_BIEU,
            student__in=[c.student_id for c in cards],
        ).select_related("recorded_by", "confirmed_by")
    }
    return {
        "class_group": class_group,
        "rows": _rows(class_group, cards, proposals),
        "primary": class_group.is_primary,
        "is_principal": awards.is_principal(request.user, class_group.school_id),
        "manages": request.user.is_superuser or can_manage_school(request.user, class_group.school),
        "error": form_error,
        "posted": posted or {},
        "admin_url": reverse("admin:reports_award_changelist"),
    }


def _award_of(request, class_group) -> Award:
    """The proposal named in the POST, of a pupil of this class's year (else 404)."""
    return get_or_404(
        Award.objects.filter(
            school_year=class_group.school_year,
            student__in=class_group.enrolments.values("student_id"),
        ).select_related("school_year"),
        request.POST.get("award"),
    )


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def class_awards(request: HttpRequest, class_id: int) -> HttpResponse:
    class_group = get_class_group_for_summary(request.user, class_id)
    if request.method != "POST":
        return render(request, "reports/awards/class_awards.html", _context(request, class_group))
    action = request.POST.get("action")
    try:
        if action == "propose":
            student = Student.objects.filter(
                school=class_group.school_id, pk=_int(request.POST.get("student"))
            ).first()
            if student is None:
                raise awards.AwardRefused(_("Choose a pupil of this class."), field="student")
            awards.propose_tieu_bieu(request.user, student, class_group, request.POST.get("text"))
            messages.success(request, _("The class's proposal is recorded."))
        elif action == "withdraw":
            awards.withdraw_proposal(request.user, _award_of(request, class_group), class_group)
            messages.success(request, _("The proposal is withdrawn."))
        elif action == "confirm":
            awards.confirm_tieu_bieu(request.user, _award_of(request, class_group))
            messages.success(request, _("The title is confirmed."))
        else:
            raise awards.AwardRefused(_("Unknown action."), field="action")
    except DomainError as exc:
        context = _context(request, class_group, exc, request.POST)
        status = exc.status if exc.status in (403, 404) else 422
        return render(request, "reports/awards/class_awards.html", context, status=status)
    return redirect(reverse("reports:class_awards", args=[class_group.pk]))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


urlpatterns = [
    path("bao-cao/lop/<int:class_id>/khen-thuong/", class_awards, name="class_awards"),
]
