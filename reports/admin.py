"""The year's end in the school administration (/quan-tri/…), scoped to the schools the user
manages (school.admin.ScopedAdmin: rows, and every choice, the managed schools' only):

- terms copied from a previous school's record for pupils who transferred in (CopiedTerm with
  its subjects inline), checked by contactbook.transfers;
- personal education plans (pupils with disabilities) and the principal's decision, shown
  beside the year card's computed proposal;
- Khen thưởng (/quan-tri/reports/award/): the school's managers record the awards for
  outstanding achievements (grades 1–12) and the principal confirms the class's proposals for
  Học sinh Tiêu biểu (grades 1–5), which the homeroom teacher records on the class's awards
  page; every write goes through reports.awards.

Registered here, in the reports layer, because the plan's page shows the year card's
proposal (reports.cards) and awards are the reports' records; school/admin.py knows nothing
of this layer.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contactbook import transfer_import, transfers
from contactbook.models import CopiedResult, CopiedTerm, PersonalPlan
from grading import transfers as rules
from grading.errors import RuleError
from reports import awards
from reports.cards.selectors import year_cards
from reports.models import Award
from school.admin import ScopedAdmin, ScopedInline, admin_site
from school.exceptions import DomainError
from school.imports import ImportFileError
from school.models import Enrolment, School, Term

# ---------------------------------------------------------------------------------------
# Terms copied from the previous school
# ---------------------------------------------------------------------------------------


class CopiedResultForm(forms.ModelForm):
    average = forms.CharField(label=gettext_lazy("term average"), required=False, max_length=8)
    passed = forms.TypedChoiceField(
        label=gettext_lazy("Đ / CĐ"), required=False, empty_value=None,
        choices=[("", "—"), ("True", "Đ"), ("False", "CĐ")], coerce=lambda value: value == "True",
    )

    class Meta:
        model = CopiedResult
        fields = ["subject", "average", "passed", "rating", "test_score"]

    def clean_average(self):
        text = (self.cleaned_data.get("average") or "").strip()
        if not text:
            return None
        try:
            return rules.copied_score(text)
        except RuleError:
            raise ValidationError(_(
                "The term average must be a number from 0 to 10 with at most one decimal, e.g. 7,5."
            )) from None


class CopiedResultFormSet(BaseInlineFormSet):
    """Each subject checked against the pupil's class and its kind (contactbook.transfers
    .check_copied_result); a subject given twice is refused."""

    def clean(self) -> None:
        super().clean()
        copied = self.instance
        if not (copied.student_id and copied.term_id):
            return  # the copied term's own form says what is wrong
        class_group = transfers.class_of(copied.student, copied.term)
        if class_group is None:
            return
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("subject") or form.errors:
                continue
            subject = data["subject"]
            if subject.pk in seen:
                form.add_error("subject", _("%(subject)s is given twice.") % {"subject": subject.name})
                continue
            seen.add(subject.pk)
            values = transfers.CopiedValues(
                subject, average=data.get("average"), passed=data.get("passed"),
                rating=data.get("rating") or "", test_score=data.get("test_score"),
            )
            try:
                transfers.check_copied_result(class_group, values)
            except ValidationError as refusal:
                for field, errors in refusal.error_dict.items():
                    for error in errors:
                        form.add_error(field, error)


class CopiedResultInline(ScopedInline):
    model = CopiedResult
    form = CopiedResultForm
    formset = CopiedResultFormSet
    extra = 3
    verbose_name = gettext_lazy("subject")
    verbose_name_plural = gettext_lazy(
        "Results per subject: the term average (scored), Đ/CĐ (rated), or for grades 1–5 the "
        "rating T/H/C and the end-of-term test"
    )


class CopiedTermForm(forms.ModelForm):
    class Meta:
        model = CopiedTerm
        fields = ["student", "term", "previous_school", "conduct", "absent_with_leave",
                  "absent_without_leave"]

    def clean(self):
        cleaned = super().clean()
        student, term = cleaned.get("student"), cleaned.get("term")
        if student and term:
            try:
                class_group = transfers.check_copied_term(student, term, instance_pk=self.instance.pk)
                transfers.check_conduct(class_group, cleaned.get("conduct") or "")
            except ValidationError as refusal:
                self.add_error(None, refusal)
        return cleaned

    def validate_constraints(self, exclude=None):
        # The duplicate is refused by check_copied_term, in Vietnamese; Django's own message
        # for the unique constraint would say it a second time.
        exclude = {*(exclude or ()), "student", "term"}
        super().validate_constraints(exclude=exclude)


@admin.register(CopiedTerm, site=admin_site)
class CopiedTermAdmin(ScopedAdmin):
    """A term a pupil who transferred in spent at another school, copied from that school's
    record so the year card can compute the year result; refused for a term the pupil was
    here. The copied values are printed marked as such on the year card."""

    school_path = "student__school"
    form = CopiedTermForm
    inlines = [CopiedResultInline]
    autocomplete_fields = ["student"]
    list_display = ["student", "term", "previous_school", "conduct", "entered_by", "entered_at"]
    list_select_related = ["student", "term__school_year", "entered_by"]
    search_fields = ["student__search_name", "student__student_code", "previous_school"]
    readonly_fields = ["entered_by", "entered_at"]

    def save_model(self, request, obj, form, change) -> None:
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("nhap/", view, name="contactbook_copiedterm_import"), *super().get_urls()]

    def import_view(self, request):
        """Upload a file of copied terms (contactbook.transfer_import): every line or none."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "GET" and "mau" in request.GET:
            primary = request.GET["mau"] == "1-5"
            response = HttpResponse(transfer_import.sample_csv(primary), content_type="text/csv; charset=utf-8")
            name = "mau-chep-hoc-ky-lop-1-5.csv" if primary else "mau-chep-hoc-ky.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        posted = request.method == "POST"
        form = CopiedTermImportForm(request.user, request.POST if posted else None,
                                    request.FILES if posted else None)
        errors = []
        if posted and form.is_valid():
            try:
                summary = transfer_import.import_copied_terms(
                    by=request.user, term=form.cleaned_data["term"], uploaded_file=form.cleaned_data["file"]
                )
            except ImportFileError as unusable:
                errors = unusable.errors
            else:
                errors = summary.errors
                if not errors:
                    messages.success(request, _("Imported: %(count)s pupils.") % {"count": summary.imported})
                    return redirect("admin:contactbook_copiedterm_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import terms copied from previous schools"),
            "form": form,
            "import_errors": errors,
            "errors_heading": _(
                "Nothing was imported. Problems found: %(count)s. Correct them in the file and "
                "upload it again."
            ) % {"count": len(errors)} if errors else "",
            "column_help": _import_columns(),
            "samples": [("?mau=6-12", _("Grades 6–12 (CSV)")), ("?mau=1-5", _("Grades 1–5 (CSV)"))],
        }
        return TemplateResponse(request, "admin/school/student/import.html", context)


class CopiedTermImportForm(forms.Form):
    term = forms.ModelChoiceField(queryset=Term.objects.none(), label=gettext_lazy("term"))
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("An Excel workbook (.xlsx) or a CSV file saved as UTF-8."),
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The managed schools' terms only; a posted id of another school's term is refused.
        self.fields["term"].queryset = Term.objects.filter(
            school_year__school__in=School.objects.managed_by(user)
        ).select_related("school_year").order_by("-school_year__start_date", "number")


def _import_columns() -> list[tuple[str, str]]:
    return [
        ("Mã học sinh", _("Required. The student code of a pupil of this school. The pupils' "
                          "grade says how the file is read: grades 1–5 and 6–12 go in separate files.")),
        ("Trường cũ", _("Required. The previous school, as its record names it.")),
        ("Rèn luyện", _("Grades 6–12, required: the term's conduct, Tốt, Khá, Đạt or Chưa đạt. "
                        "Grades 1–5 have none.")),
        ("Nghỉ có phép, Nghỉ không phép", _(
            "Optional. The term's absences with and without leave, as the previous school's "
            "record gives them; empty is 0."
        )),
        (_("One column per subject"), _(
            "Headed by the subject's name or code; empty if not copied. Grades 6–12: the term "
            "average (e.g. 7,5) of a scored subject, Đ or CĐ of a rated one. Grades 1–5: the "
            "rating, Hoàn thành tốt, Hoàn thành or Chưa hoàn thành (or T, H, C)."
        )),
        ("Toán (KTĐK), …", _(
            "Grades 1–5, for each subject with a periodic test: the end-of-term test mark, a "
            "whole number from 0 to 10, in a column headed by the subject's name or code and "
            "(KTĐK)."
        )),
    ]


# ---------------------------------------------------------------------------------------
# Personal education plans and the principal's decision
# ---------------------------------------------------------------------------------------

_DECISIONS = [("", gettext_lazy("Not decided yet")), ("True", gettext_lazy("Promoted / completes")),
              ("False", gettext_lazy("Not promoted / does not complete"))]


class PersonalPlanForm(forms.ModelForm):
    decision = forms.ChoiceField(label=gettext_lazy("principal's decision"), choices=_DECISIONS,
                                 required=False)
    user = None  # set by the admin: who is posting

    class Meta:
        model = PersonalPlan
        fields = ["student", "school_year", "note", "decision", "decision_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("decision", "" if self.instance.promoted is None else str(self.instance.promoted))

    def clean(self):
        cleaned = super().clean()
        student, year = cleaned.get("student"), cleaned.get("school_year")
        if student and year and year.school_id != student.school_id:
            self.add_error("school_year", _("This school year belongs to another school."))
        deciding = {"decision", "decision_note"} & set(self.changed_data)
        if student and deciding and not transfers.may_decide(self.user, student.school_id):
            self.add_error("decision", _("Only the school's principal may decide on promotion or completion."))
        return cleaned

    @property
    def promoted(self) -> bool | None:
        value = self.cleaned_data.get("decision")
        return None if not value else value == "True"


@admin.register(PersonalPlan, site=admin_site)
class PersonalPlanAdmin(ScopedAdmin):
    """A pupil assessed under a personal education plan: any manager records the plan; the
    decision on promotion or completion is the principal's (or the operator's), recorded with
    who and when, beside the proposal the year card computes."""

    school_path = "student__school"
    form = PersonalPlanForm
    autocomplete_fields = ["student"]
    list_display = ["student", "school_year", "decision_text", "decided_by", "decided_at"]
    list_select_related = ["student", "school_year", "decided_by"]
    search_fields = ["student__search_name", "student__student_code"]
    readonly_fields = ["proposal", "decided_by", "decided_at", "recorded_by"]
    fields = ["student", "school_year", "note", "proposal", "decision", "decision_note",
              "decided_by", "decided_at", "recorded_by"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    @admin.display(description=gettext_lazy("principal's decision"))
    def decision_text(self, obj) -> str:
        return dict(_DECISIONS)["" if obj.promoted is None else str(obj.promoted)]

    @admin.display(description=gettext_lazy("the system's proposal"))
    def proposal(self, obj) -> str:
        """The decision the year card computes (Circular 22 Art. 12 / Circular 27 Art. 11),
        or why it cannot yet."""
        if obj is None or not obj.pk:
            return "—"
        enrolment = (
            Enrolment.objects.filter(student=obj.student, school_year=obj.school_year)
            .select_related("class_group").order_by("-start_date").first()
        )
        if enrolment is None:
            return _("The pupil has no class in this school year.")
        cards = year_cards(enrolment.class_group, obj.school_year, student_ids=[obj.student_id])
        if not cards:
            return "—"
        card = cards[0]
        if card.promotion_proposal:
            return card.promotion_proposal
        reasons = [m for m in card.missing if not m.startswith("Xét lên lớp: chờ")]
        return "; ".join(reasons) or "—"

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.recorded_by = request.user
        obj.save()
        if {"decision", "decision_note"} & set(form.changed_data):
            transfers.decide_promotion(
                obj, by=request.user, promoted=form.promoted, note=form.cleaned_data.get("decision_note") or ""
            )

# ---------------------------------------------------------------------------------------
# Khen thưởng
# ---------------------------------------------------------------------------------------


class AchievementForm(forms.ModelForm):
    """An award for an achievement: the pupil, the year, what it is for. Refused (nothing
    written) for a pupil not in a class of the school that year, an empty text, a duplicate."""

    class Meta:
        model = Award
        fields = ["student", "school_year", "text"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's own words for these are English in its Vietnamese catalogue.
        texts = {
            ("text", "required"): _("Write what the award is for."),
            ("student", "invalid_choice"): _("Choose a pupil of your school."),
            ("student", "required"): _("Choose a pupil of your school."),
            ("school_year", "invalid_choice"): _("Choose a school year of your school."),
            ("school_year", "required"): _("Choose a school year of your school."),
        }
        for (name, code), text in texts.items():
            if name in self.fields:
                self.fields[name].error_messages[code] = text

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if self.instance.pk and self.instance.kind != Award.Kind.ACHIEVEMENT:
            raise forms.ValidationError(_("A proposal is changed on the class's awards page."))
        try:
            cleaned["text"] = awards.check_achievement(
                cleaned.get("student"), cleaned.get("school_year"), cleaned.get("text"),
                exclude=self.instance.pk,
            )
        except awards.AwardRefused as exc:
            self.add_error(exc.field if exc.field in self.fields else None, str(exc.message))
        return cleaned


@admin.register(Award, site=admin_site)
class AwardAdmin(ScopedAdmin):
    school_path = "student__school"
    form = AchievementForm
    list_display = ["student", "school_year", "kind", "text", "recorded_by", "recorded_at",
                    "confirmed_by", "confirmed_at"]
    list_filter = ["kind", ("school_year", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["student", "school_year", "recorded_by", "confirmed_by"]
    search_fields = ["student__search_name", "student__student_code", "text"]
    autocomplete_fields = ["student"]
    actions = ["confirm_proposals"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["kind", "recorded_by", "recorded_at", "confirmed_by", "confirmed_at"]
        if obj is not None:
            fixed = ["student", "school_year", *fixed]
            if obj.kind != Award.Kind.ACHIEVEMENT:
                fixed.append("text")
        return fixed

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["student", "school_year", "text"]
        return ["student", "school_year", "kind", "text", "recorded_by", "recorded_at",
                "confirmed_by", "confirmed_at"]

    def save_model(self, request, obj, form, change) -> None:
        if change:
            obj.save(update_fields=["text"])
            return
        created = awards.record_achievement(
            request.user, obj.student, obj.school_year, form.cleaned_data["text"]
        )
        obj.pk, obj.kind = created.pk, created.kind  # so the admin's message and log name it

    @admin.action(description=gettext_lazy("Confirm the selected proposals (principal)"))
    def confirm_proposals(self, request, queryset):
        done = 0
        for award in queryset.filter(kind=Award.Kind.TIEU_BIEU).select_related("school_year"):
            try:
                awards.confirm_tieu_bieu(request.user, award)
            except DomainError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
                return
            done += 1
        self.message_user(
            request, _("%(n)d proposals confirmed.") % {"n": done}, messages.SUCCESS
        )
