from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from school import access, selectors, services
from school.models import GuardianLinkRequest


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
    to their phone number), each to accept or decline."""
    pending = GuardianLinkRequest.objects.pending_for(request.user).select_related("school", "student")
    return render(request, "school/link_requests.html", {"link_requests": pending})


@login_required
@require_POST
def decide_link_request(request: HttpRequest, request_id: int) -> HttpResponse:
    """Accept (the link is made) or decline (nothing changes) one request; 404 unless it is
    waiting for this person."""
    if request.POST.get("decision") == "accept":
        guardianship = services.accept_link_request(user=request.user, request_id=request_id)
        messages.success(request, _("You are now a guardian of %(pupil)s.") % {
            "pupil": guardianship.student.full_name
        })
    else:
        services.decline_link_request(user=request.user, request_id=request_id)
        messages.info(request, _("The request was declined."))
    return redirect("school:link_requests")
