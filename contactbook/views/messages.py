"""Message pages: the thread about a pupil (guardians at /phu-huynh/hoc-sinh/<id>/tin-nhan/,
teachers at /giao-vien/tin-nhan/hoc-sinh/<id>/ — the same view: who takes part decides, not
the URL), a teacher's list of threads, quiet hours, and attachments served only to those who
take part in the thread now."""

import datetime

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contactbook import access, messaging


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input multiple> (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class MessageForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Message"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": gettext_lazy("A message can be at most 4,000 characters long.")},
    )
    files = MultipleFileField(
        label=gettext_lazy("Photos or PDF"), required=False,
        error_messages={"empty": gettext_lazy("The file is empty."),
                        "invalid": gettext_lazy("This is not a file.")},
    )


class QuietHoursForm(forms.Form):
    enabled = forms.BooleanField(required=False)
    quiet_from = forms.TimeField(
        label=gettext_lazy("Quiet from"), required=False, initial=datetime.time(18, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": gettext_lazy("Enter a time such as 18:00.")},
    )
    quiet_until = forms.TimeField(
        label=gettext_lazy("Quiet until"), required=False, initial=datetime.time(7, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": gettext_lazy("Enter a time such as 07:00.")},
    )
    weekends = forms.BooleanField(label=gettext_lazy("Quiet all weekend"), required=False, initial=True)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("enabled"):
            for name in ("quiet_from", "quiet_until"):
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Enter a time such as 18:00."))
        return cleaned


def _thread_context(request, student, side, form=None, quiet_form=None) -> dict:
    page = messaging.thread_page(request.user, student, side)
    if quiet_form is None and side == messaging.TEACHER:
        mute = page.mute
        quiet_form = QuietHoursForm(initial={
            "enabled": mute is not None,
            "quiet_from": mute.quiet_from if mute else datetime.time(18, 0),
            "quiet_until": mute.quiet_until if mute else datetime.time(7, 0),
            "weekends": mute.weekends if mute else True,
        })
    return {
        "page": page, "student": student, "form": form or MessageForm(), "quiet_form": quiet_form,
        "is_teacher": side == messaging.TEACHER, "max_files": messaging.max_attachments(),
        "max_megabytes": messaging.max_attachment_bytes() // (1024 * 1024),
    }


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def thread(request: HttpRequest, student_id: int) -> HttpResponse:
    """GET: the thread; POST body + files: send. Bad input re-shows the form with the reason
    (Vietnamese) and writes nothing."""
    student, side = access.get_participation(request.user, student_id)
    if request.method == "POST":
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                messaging.send_message(
                    sender=request.user, student_id=student.pk, body=form.cleaned_data["body"],
                    files=form.cleaned_data["files"],
                )
            except messaging.MessageRejected as exc:
                form.add_error(exc.field or None, str(exc.message))
            else:
                return redirect(f"{request.path}#moi-nhat")
        return render(request, "contactbook/messages/thread.html",
                      _thread_context(request, student, side, form=form), status=400)
    return render(request, "contactbook/messages/thread.html", _thread_context(request, student, side))


@login_required
@require_POST
def quiet_hours(request: HttpRequest, student_id: int) -> HttpResponse:
    """A teacher turns quiet hours for the thread on (with hours) or off."""
    student, side = access.get_participation(request.user, student_id)
    if side != messaging.TEACHER:
        raise Http404("Only teachers set quiet hours")
    form = QuietHoursForm(request.POST)
    if not form.is_valid():
        return render(request, "contactbook/messages/thread.html",
                      _thread_context(request, student, side, quiet_form=form), status=400)
    data = form.cleaned_data
    messaging.set_quiet_hours(
        user=request.user, student_id=student.pk, enabled=data["enabled"],
        quiet_from=data["quiet_from"], quiet_until=data["quiet_until"], weekends=data["weekends"],
    )
    if data["enabled"]:
        flash.success(request, _("Quiet hours are on: e-mail and SMS about this thread wait until they end."))
    else:
        flash.success(request, _("Quiet hours are off for this thread."))
    return redirect("contactbook:teacher_thread", student.pk)


@login_required
@require_GET
def attachment(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """The file, to those who take part in its thread now; 404 for everyone else. Images open
    in the browser, PDFs download; the browser may not guess another type."""
    found = access.get_attachment_for_user(request.user, attachment_id)
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404("File missing") from None
    response = FileResponse(
        handle, content_type=found.content_type, as_attachment=not found.is_image,
        filename=found.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
@never_cache
def teacher_inbox(request: HttpRequest) -> HttpResponse:
    """A teacher's threads about pupils in the classes they teach or lead now, newest first,
    and those classes (to write to a pupil's guardians first)."""
    return render(request, "contactbook/messages/teacher_inbox.html", {
        "threads": messaging.teacher_threads(request.user),
        "classes": messaging.teacher_classes(request.user),
    })


@login_required
@require_GET
@never_cache
def teacher_class(request: HttpRequest, class_group_id: int) -> HttpResponse:
    """The pupils of one class the teacher teaches or leads now, each linking to its thread."""
    class_group = access.get_taught_class(request.user, class_group_id)
    return render(request, "contactbook/messages/teacher_class.html", {
        "class_group": class_group,
        "pupils": messaging.class_pupils_with_threads(class_group, request.user),
    })


urlpatterns = [
    path("phu-huynh/hoc-sinh/<int:student_id>/tin-nhan/", thread, name="parent_messages"),
    path("giao-vien/tin-nhan/", teacher_inbox, name="teacher_messages"),
    path("giao-vien/tin-nhan/lop/<int:class_group_id>/", teacher_class, name="teacher_class_messages"),
    path("giao-vien/tin-nhan/hoc-sinh/<int:student_id>/", thread, name="teacher_thread"),
    path("giao-vien/tin-nhan/hoc-sinh/<int:student_id>/gio-yen-lang/", quiet_hours, name="quiet_hours"),
    path("tin-nhan/tep/<int:attachment_id>/", attachment, name="message_attachment"),
]
