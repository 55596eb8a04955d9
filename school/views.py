from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from school import access, names, selectors, services
from school.models import Enrolment, GuardianLinkRequest


@login_required
def class_detail(request: HttpRequest, class_group_id: int) -> HttpResponse:
    """A class: its pupils in Vietnamese order, subject teachers and timetable. Guardians'
    contacts are shown to the school's managers and the class's homeroom teacher only."""
    class_group = access.get_class_group_for_user(request.user, class_group_id)
    with_guardians = (
        class_group.homeroom_teacher_id == request.user.id
        or access.can_manage_school(request.user, class_group.school)
    )
    context = selectors.class_page(class_group, with_guardians=with_guardians)
    return render(request, "school/class_detail.html", context)


@login_required
def link_requests(request: HttpRequest) -> HttpResponse:
    """The schools asking the signed-in person to become a pupil's guardian (requests made
    to their phone number), each to accept or decline. The pupil is shown by school, class
    and initials only (names.mask_name): a school may have typed a wrong number, and a
    stranger must not learn a child's name from it. Two queries."""
    pending = GuardianLinkRequest.objects.pending_for(request.user).select_related(
        "school", "student"
    ).prefetch_related(
        Prefetch(
            "student__enrolments",
            queryset=Enrolment.objects.current().select_related(
                "class_group"
            ),
            to_attr="active_enrolments",
        )
    )
    rows = [
        {
            "request": link_request,
            "pupil": names.mask_name(link_request.student.full_name),
            "classes": [e.class_group.name for e in link_request.student.active_enrolments],
        }
        for link_request in pending
    ]
    return render(request, "school/link_requests.html", {"rows": rows})


@login_required
@require_POST
def decide_link_request(request: HttpRequest, request_id: int) -> HttpResponse:
    """Accept (the link is made) or decline (nothing changes) one request; 404 unless it is
    waiting for this person, 400 for any other answer."""
    decision = request.POST.get("decision")
    if decision == "accept":
        guardianship = services.accept_link_request(user=request.user, request_id=request_id)
        messages.success(request, _("You are now a guardian of %(pupil)s.") % {
            "pupil": guardianship.student.full_name
        })
    elif decision == "decline":
        services.decline_link_request(user=request.user, request_id=request_id)
        messages.info(request, _("The request was declined."))
    else:
        return HttpResponseBadRequest(_("Choose Accept or Decline."))
    return redirect("school:link_requests")
