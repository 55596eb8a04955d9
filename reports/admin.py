"""The year's end in the school administration (/quan-tri/contactbook/…), scoped to the schools
the user manages (school.admin.ScopedAdmin: rows, and every choice, the managed schools' only):

- terms copied from a previous school's record for pupils who transferred in (CopiedTerm with
  its subjects inline), checked by contactbook.transfers;
- personal education plans (pupils with disabilities) and the principal's decision, shown
  beside the year card's computed proposal.

Registered here, in the reports layer, because the plan's page shows the year card's
proposal (reports.cards); the records themselves are the contact book's.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contactbook import transfers
from contactbook.models import CopiedResult, CopiedTerm, PersonalPlan
from grading import transfers as rules
from grading.errors import RuleError
from reports.cards.selectors import year_cards
from school.admin import ScopedAdmin, ScopedInline, admin_site
from school.models import Enrolment

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

