"""Announcements: the list and a detail page (opening it records the reading) for guardians
and staff; the form for those who may address a class (homeroom teacher, managers), a grade or
the school (managers); and, for the author and the managers, who has read it."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from contactbook import announcements
from contactbook import access
from contactbook.models import Announcement
from school.models import School


def audience_options(user) -> tuple[list, dict]:
    """The audiences `user` may address, as grouped <select> choices and a lookup from the
    chosen value to (school, audience, class, grade). Two queries."""
    classes = list(access.announcement_classes_for(user))
    managed = {school.pk: school for school in School.objects.managed_by(user)}
    lookup, groups = {}, {}
    for class_group in classes:
        school = class_group.school
        options = groups.setdefault(school, [])
        if school.pk in managed and not options:
            key = f"school-{school.pk}"
            lookup[key] = (school, Announcement.Audience.SCHOOL, None, None)
            options.append((key, _("The whole school")))
        if school.pk in managed and f"grade-{school.pk}-{class_group.grade}" not in lookup:
            key = f"grade-{school.pk}-{class_group.grade}"
            lookup[key] = (school, Announcement.Audience.GRADE, None, class_group.grade)
            options.append((key, _("Grade %(grade)s") % {"grade": class_group.grade}))
        key = f"class-{class_group.pk}"
        lookup[key] = (school, Announcement.Audience.CLASS, class_group, None)
        options.append((key, _("Class %(name)s") % {"name": class_group.name}))
    choices = [(school.name, options) for school, options in groups.items()]
    return choices, lookup


class AnnouncementForm(forms.Form):
    target = forms.ChoiceField(label=gettext_lazy("To"))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "—"), *choices]


def _staff_side(request: HttpRequest) -> bool:
    """The same pages serve /phu-huynh/… and /giao-vien/…; links stay on the side opened."""
    return request.resolver_match.url_name.startswith("staff_")


@login_required
def announcement_list(request: HttpRequest) -> HttpResponse:
    """The announcements the user may read (a guardian's children's, a staff member's school's),
    newest first, unread ones marked."""
    items = announcements.announcement_list(
        access.announcements_visible_to(request.user), request.user
    )
    _choices, lookup = audience_options(request.user)
    return render(
        request,
        "contactbook/announcements/list.html",
        {"announcements": items, "may_write": bool(lookup), "staff_side": _staff_side(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_announcement(request: HttpRequest) -> HttpResponse:
    choices, lookup = audience_options(request.user)
    if not lookup:
        return render(request, "contactbook/announcements/new.html", {"form": None}, status=403)
    form = AnnouncementForm(request.POST if request.method == "POST" else None, choices=choices)
    if request.method == "POST" and form.is_valid():
        school, audience, class_group, grade = lookup[form.cleaned_data["target"]]
        try:
            announcement = announcements.send_announcement(
                author=request.user,
                school=school,
                audience=audience,
                class_group=class_group,
                grade=grade,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The announcement has been sent."))
            return redirect("contactbook:staff_announcement", announcement_id=announcement.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "contactbook/announcements/new.html", {"form": form}, status=status)


@login_required
def announcement_detail(request: HttpRequest, announcement_id: int) -> HttpResponse:
    """Opening it records that the user read it; its author and the school's managers also see
    who of the audience has read it."""
    announcement = access.get_announcement_for_user(request.user, announcement_id)
    announcements.mark_read(announcement, request.user)
    context = {"announcement": announcement, "receipts": None, "staff_side": _staff_side(request)}
    if access.may_see_receipts(request.user, announcement):
        context["receipts"] = announcements.receipts(announcement)
    return render(request, "contactbook/announcements/detail.html", context)


urlpatterns = [
    path("phu-huynh/thong-bao/", announcement_list, name="announcements"),
    path("phu-huynh/thong-bao/<int:announcement_id>/", announcement_detail, name="announcement"),
    path("giao-vien/thong-bao/", announcement_list, name="staff_announcements"),
    path("giao-vien/thong-bao/moi/", new_announcement, name="new_announcement"),
    path(
        "giao-vien/thong-bao/<int:announcement_id>/", announcement_detail, name="staff_announcement"
    ),
]
