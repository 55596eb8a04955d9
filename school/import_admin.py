"""The pupil import's admin page: the upload form, the sample-file download and the view that
`StudentAdmin` mounts at /quan-tri/school/student/nhap/. Reading, checking and importing the
file is `school.imports`; this module is only the page around it."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from school.imports import ImportOutcome, run_import, sample_csv, sample_xlsx
from school.models import School

TEMPLATE = "admin/school/student/import.html"


def sample_response(kind: str) -> HttpResponse:
    if kind == "xlsx":
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = HttpResponse(sample_xlsx(), content_type=content_type)
    else:
        kind = "csv"
        response = HttpResponse(sample_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mau-nhap-hoc-sinh.{kind}"'
    return response


class ImportForm(forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.none(), label=gettext_lazy("School"))
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("An Excel workbook (.xlsx) or a CSV file saved as UTF-8."),
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    check_only = forms.BooleanField(
        label=gettext_lazy("Check only, do not import"),
        required=False,
        help_text=gettext_lazy(
            "Lists the problems and what the import would change; saves nothing."
        ),
    )

    def __init__(self, user: User, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only schools the user manages are offered, and a posted id is checked against them.
        schools = School.objects.managed_by(user).order_by("name")
        self.fields["school"].queryset = schools
        choices = list(schools.values_list("pk", flat=True)[:2])
        if len(choices) == 1:
            self.fields["school"].initial = choices[0]


def _column_help() -> list[tuple[str, str]]:
    """(header, what to write) for the page's column table."""
    return [
        ("Mã học sinh", _("Required. The student code (mã định danh); leading zeros are kept.")),
        ("Họ, Tên đệm, Tên", _("Required: family name, middle name, given name. One column "
                               "\"Họ và tên\" may be used instead.")),
        ("Ngày sinh", _("Required. dd/mm/yyyy, e.g. 14/03/2010, or an Excel date cell.")),
        ("Giới tính", _("Required. Nam or Nữ.")),
        ("Lớp", _("Required. A class of the current school year, e.g. 10A1.")),
        ("Mã thẻ", _(
            "Optional. The attendance card number; an empty cell keeps the card on file."
        )),
        ("Họ tên phụ huynh, SĐT phụ huynh, Quan hệ", _(
            "Optional. A guardian: full name, Vietnamese phone number and Bố, Mẹ, Người giám hộ "
            "or Khác. The phone number identifies the guardian's account."
        )),
        ("Email phụ huynh", _(
            "Optional. The first guardian's e-mail, used when their account is new."
        )),
        ("Họ tên phụ huynh 2, SĐT phụ huynh 2, Quan hệ 2", _("Optional. A second guardian.")),
    ]


def import_view(model_admin, request: HttpRequest) -> HttpResponse:
    """The import page: GET shows the form (`?mau=csv` or `?mau=xlsx` downloads a sample
    file); POST checks the file and either lists every problem or imports it and goes back
    to the pupil list. A check-only POST shows what the import would change."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    if request.method == "GET" and "mau" in request.GET:
        return sample_response(request.GET["mau"])
    posted = request.method == "POST"
    form = ImportForm(
        request.user, request.POST if posted else None, request.FILES if posted else None
    )
    outcome = None
    if posted and form.is_valid():
        outcome = run_import(
            school=form.cleaned_data["school"],
            uploaded_file=form.cleaned_data["file"],
            user=request.user,
            dry_run=form.cleaned_data["check_only"],
        )
        if outcome.result is not None and not outcome.result.dry_run:
            messages.success(request, _("Import finished. %(summary)s") % {
                "summary": outcome.result.summary()
            })
            return redirect("admin:school_student_changelist")
    return TemplateResponse(request, TEMPLATE, _context(model_admin, request, form, outcome))


def _context(
    model_admin, request: HttpRequest, form: ImportForm, outcome: ImportOutcome | None
) -> dict:
    """The page's template context, inside the admin's look."""
    errors = outcome.errors if outcome else []
    result = outcome.result if outcome else None
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Import pupils and guardians"),
        "form": form,
        "import_errors": errors,
        "errors_heading": _(
            "Nothing was imported. Problems found: %(count)s. Correct them in the file and "
            "upload it again."
        ) % {"count": len(errors)} if errors else "",
        "check_summary": _("The file is correct; nothing was saved. Importing it would give: "
                           "%(summary)s") % {"summary": result.summary()} if result else "",
        "column_help": _column_help(),
    }
