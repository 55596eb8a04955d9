"""A guardian's page about their child's personal data (/phu-huynh/hoc-sinh/<id>/du-lieu/):
download everything held (JSON or a readable PDF) and ask for a correction."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from privacy import corrections, export
from privacy.access import get_child_for_data_subject
from privacy.models import CorrectionRequest
from reports.pdf import html_to_pdf
from school import audit


class CorrectionForm(forms.Form):
    data = forms.CharField(
        label=gettext_lazy("Which data is wrong"), max_length=200,
        error_messages={"required": gettext_lazy("Say which data is wrong."),
                        "max_length": gettext_lazy("At most %(limit_value)d characters.")},
    )
    text = forms.CharField(
        label=gettext_lazy("What it should be"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Say what it should be."),
                        "max_length": gettext_lazy("At most %(limit_value)d characters.")},
    )

    def __init__(self, *args, student, **kwargs):
        super().__init__(*args, **kwargs)
        self.student = student

    def clean_data(self) -> str:
        return self._words("data")

    def clean_text(self) -> str:
        return self._words("text", keep_lines=True)

    def _words(self, name: str, *, keep_lines: bool = False) -> str:
        value = self.cleaned_data[name]
        lines = [" ".join(line.split()) for line in value.splitlines()] if keep_lines else [" ".join(value.split())]
        value = "\n".join(line for line in lines if line)
        if len(value) < 3:
            raise forms.ValidationError(_("Please write at least a few words."))
        return value

    def clean(self):
        if corrections.open_requests(self.student) >= corrections.MAX_OPEN_PER_PUPIL:
            raise forms.ValidationError(
                _("There are already %(count)d requests waiting for the school's answer; please "
                  "wait for an answer first.") % {"count": corrections.MAX_OPEN_PER_PUPIL}
            )
        return super().clean()


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def child_data(request: HttpRequest, student_id: int) -> HttpResponse:
    student = get_child_for_data_subject(request.user, student_id)
    form = CorrectionForm(request.POST if request.method == "POST" else None, student=student)
    if request.method == "POST" and form.is_valid():
        corrections.request_correction(student=student, user=request.user, **form.cleaned_data)
        messages.success(request, _("Your request was sent to the school."))
        return redirect("privacy:child_data", student.pk)
    requests = CorrectionRequest.objects.filter(student=student).select_related("requested_by")
    context = {"student": student, "form": form, "requests": list(requests)}
    status = 400 if form.is_bound else 200
    return _private(render(request, "privacy/child_data.html", context, status=status))


def _download(request: HttpRequest, student_id: int, kind: str) -> tuple[export.Export, str]:
    """The export of a child of the user, recorded as an access (before the data leaves)."""
    student = get_child_for_data_subject(request.user, student_id)
    audit.record(request, export.EXPORT_ACTION, school_id=student.school_id, student=student, detail=kind)
    name = f"du-lieu-ca-nhan-{student.student_code}-{timezone.localdate():%Y%m%d}.{kind}"
    return export.build_export(student, request.user), "".join(c for c in name if c.isascii() and (c.isalnum() or c in "-."))


@login_required
@require_GET
def child_data_json(request: HttpRequest, student_id: int) -> HttpResponse:
    data, filename = _download(request, student_id, "json")
    body = json.dumps(data.data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


@login_required
@require_GET
def child_data_pdf(request: HttpRequest, student_id: int) -> HttpResponse:
    data, filename = _download(request, student_id, "pdf")
    html = render_to_string("privacy/export_print.html", {"student": data.student, "d": data.data})
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


urlpatterns = [
    path("phu-huynh/hoc-sinh/<int:student_id>/du-lieu/", child_data, name="child_data"),
    path("phu-huynh/hoc-sinh/<int:student_id>/du-lieu/tai-ve.json", child_data_json, name="child_data_json"),
    path("phu-huynh/hoc-sinh/<int:student_id>/du-lieu/tai-ve.pdf", child_data_pdf, name="child_data_pdf"),
]
