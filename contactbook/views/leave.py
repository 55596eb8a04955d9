"""Leave requests: a guardian asks (and may cancel while it waits); the class's homeroom
teacher (or a school manager) approves or declines."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from contactbook import attendance
from contactbook import leave as leave_requests
from contactbook import access
from contactbook.models import LeaveRequest
from contactbook.views.attendance import pupil_nav

DATE_INPUTS = ["%Y-%m-%d", "%d/%m/%Y"]


class LeaveRequestForm(forms.Form):
    start_date = forms.DateField(
        label=gettext_lazy("From"),
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end_date = forms.DateField(
        label=gettext_lazy("Until (included)"),
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sessions = forms.ChoiceField(
        label=gettext_lazy("Sessions"),
        choices=LeaveRequest.Sessions.choices,
        initial=LeaveRequest.Sessions.BOTH,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, student, **kwargs):
        super().__init__(*args, **kwargs)
        self.student = student

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise ValidationError(_("Please give a reason."))
        return reason

    def clean(self) -> dict:
        data = super().clean()
        if {"start_date", "end_date", "sessions"} <= set(data):
            problems = leave_requests.leave_problems(
                self.student, data["start_date"], data["end_date"], data["sessions"]
            )
            for name, message in problems.items():
                self.add_error(None if name == "__all__" else name, message)
        return data


def _leave_page(request, student, form, status=200) -> HttpResponse:
    requests = list(LeaveRequest.objects.filter(student=student).select_related("decided_by")[:50])
    context = {
        "student": student,
        "form": form,
        "requests": requests,
        **pupil_nav(request.user, student, "contactbook:pupil_leave"),
    }
    return render(request, "contactbook/leave/pupil.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def pupil_leave(request: HttpRequest, student_id: int) -> HttpResponse:
    """A guardian's leave requests for one child, and the form to ask for more."""
    student = access.get_child_for_guardian(request.user, student_id)
    if request.method == "GET":
        today = attendance.today()
        form = LeaveRequestForm(student=student, initial={"start_date": today, "end_date": today})
        return _leave_page(request, student, form)
    form = LeaveRequestForm(request.POST, student=student)
    if form.is_valid():
        data = form.cleaned_data
        try:
            leave_requests.request_leave(
                user=request.user,
                student=student,
                start=data["start_date"],
                end=data["end_date"],
                sessions=data["sessions"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your request has been sent to the homeroom teacher."))
            return redirect("contactbook:pupil_leave", student_id=student.pk)
    return _leave_page(request, student, form, status=422)


@login_required
@require_POST
def cancel_leave(request: HttpRequest, leave_id: int) -> HttpResponse:
    leave = access.get_leave_for_guardian(request.user, leave_id)
    try:
        leave_requests.cancel_leave(user=request.user, leave=leave)
    except leave_requests.LeaveNotPending as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The request has been cancelled."))
    return redirect("contactbook:pupil_leave", student_id=leave.student_id)


@login_required
def class_leave(request: HttpRequest, class_group_id: int) -> HttpResponse:
    """The class's leave requests for its homeroom teacher and the school's managers."""
    class_group = access.get_class_for_register(request.user, class_group_id)
    context = {"class_group": class_group, **leave_requests.class_leave_requests(class_group)}
    return render(request, "contactbook/leave/class.html", context)


@login_required
@require_POST
def decide_leave(request: HttpRequest, leave_id: int) -> HttpResponse:
    """POST action=approve|decline, note (optional)."""
    leave = access.get_leave_for_register(request.user, leave_id)
    class_group = leave_requests.current_class(leave.student)
    back = (
        reverse("contactbook:class_leave", args=[class_group.pk])
        if class_group
        else reverse("home")
    )
    action = request.POST.get("action")
    if action not in ("approve", "decline"):
        messages.error(request, _("Choose to approve or to decline."))
        return redirect(back)
    try:
        leave_requests.decide_leave(
            user=request.user,
            leave=leave,
            approve=action == "approve",
            note=request.POST.get("note", ""),
        )
    except leave_requests.LeaveNotPending as exc:
        messages.error(request, exc.message)
    else:
        done = (
            _("Leave approved for %(pupil)s.")
            if action == "approve"
            else _("Leave declined for %(pupil)s.")
        )
        messages.success(request, done % {"pupil": leave.student.full_name})
    return redirect(back)


urlpatterns = [
    path("phu-huynh/hoc-sinh/<int:student_id>/xin-nghi/", pupil_leave, name="pupil_leave"),
    path("phu-huynh/xin-nghi/<int:leave_id>/huy/", cancel_leave, name="cancel_leave"),
    path("giao-vien/lop/<int:class_group_id>/xin-nghi/", class_leave, name="class_leave"),
    path("giao-vien/xin-nghi/<int:leave_id>/tra-loi/", decide_leave, name="decide_leave"),
]
