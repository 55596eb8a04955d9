from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from school import access, selectors


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
