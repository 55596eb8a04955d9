"""Personal data in the school administration (/quan-tri/privacy/…), each list scoped to the
schools the user manages (school.admin.ScopedAdmin): correction requests to answer, pupils who
have left (to anonymise, with a confirmation page), and the read-only record of anonymisations.
Registered here, not in school/admin.py, so the school app knows nothing of this layer."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Max
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy import anonymise, corrections
from privacy.models import AnonymisationRecord, CorrectionRequest, LeftPupil
from school.admin import ScopedAdmin, admin_site


class CorrectionAnswerForm(forms.ModelForm):
    class Meta:
        model = CorrectionRequest
        fields = ["status", "answer"]

    def clean(self):
        cleaned = super().clean()
        status, answer = cleaned.get("status"), (cleaned.get("answer") or "").strip()
        if status == CorrectionRequest.Status.OPEN and self.instance.status != CorrectionRequest.Status.OPEN:
            self.add_error("status", _("An answered request cannot be opened again."))
        if status != CorrectionRequest.Status.OPEN and not answer:
            self.add_error("answer", _("Write the answer the guardian will receive."))
        cleaned["answer"] = answer
        return cleaned


@admin.register(CorrectionRequest, site=admin_site)
class CorrectionRequestAdmin(ScopedAdmin):
    """The school answers a guardian's correction request: the answer is saved and the guardian
    notified (privacy.corrections.answer_correction). Requests are the guardians' to make."""

    school_path = "student__school"
    form = CorrectionAnswerForm
    list_display = ["created_at", "student", "data", "requested_by", "status", "answered_at"]
    list_filter = ["status"]
    list_select_related = ["student", "requested_by"]
    search_fields = ["student__search_name", "student__student_code", "data"]
    fields = ["student", "requested_by", "created_at", "data", "text", "status", "answer",
              "answered_by", "answered_at"]
    readonly_fields = ["student", "requested_by", "created_at", "data", "text", "answered_by",
                       "answered_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        if obj.status == CorrectionRequest.Status.OPEN:
            obj.save(update_fields=["answer"])
            return
        corrections.answer_correction(obj, by=request.user, status=obj.status, answer=obj.answer)


@admin.register(AnonymisationRecord, site=admin_site)
class AnonymisationRecordAdmin(ScopedAdmin):
    """Who anonymised which pupil, when, from where and what was removed: never changed."""

    list_display = ["at", "student_code", "student", "left_on", "by_name", "ip_address"]
    list_select_related = ["student"]
    fields = ["student", "student_code", "school", "left_on", "at", "by_name", "ip_address", "removed"]
    readonly_fields = fields
    search_fields = ["student_code", "by_name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that this removes the data listed above for good."),
        error_messages={"required": gettext_lazy("Tick the box to confirm.")},
    )


@admin.register(LeftPupil, site=admin_site)
class LeftPupilAdmin(ScopedAdmin):
    """Pupils with no active enrolment, with the day they left and the day from which they may
    be anonymised (PERSONAL_DATA_RETENTION_DAYS later). Read only; the one action anonymises,
    after a confirmation page listing what will be removed."""

    list_display = ["full_name", "student_code", "school", "left_on", "may_anonymise_from", "anonymised"]
    search_fields = ["search_name", "student_code"]
    fields = ["full_name", "student_code", "school", "left_on", "may_anonymise_from", "anonymised"]
    readonly_fields = fields
    actions = ["anonymise_pupils"]

    def get_queryset(self, request):
        left = anonymise.left_pupils().values("pk")
        return super().get_queryset(request).filter(pk__in=left).annotate(
            left_on=Max("enrolments__end_date")
        ).select_related("school", "anonymisation")

    @admin.display(description=gettext_lazy("left on"), ordering="left_on")
    def left_on(self, obj):
        return obj.left_on

    @admin.display(description=gettext_lazy("may be anonymised from"))
    def may_anonymise_from(self, obj):
        return obj.left_on + anonymise.retention() if obj.left_on else None

    @admin.display(description=gettext_lazy("anonymised"), boolean=True)
    def anonymised(self, obj) -> bool:
        return hasattr(obj, "anonymisation")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Anonymise the chosen pupils (asks for confirmation)"))
    def anonymise_pupils(self, request, queryset):
        pupils = list(queryset.order_by("sort_key", "pk"))
        form = ConfirmForm(request.POST if "confirm_page" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._anonymise(request, pupils)
            return None
        today = timezone.localdate()
        rows = [(pupil, anonymise.problem(pupil, request.user, today), anonymise.preview(pupil))
                for pupil in pupils]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Anonymise pupils who have left"),
            "opts": self.model._meta,
            "rows": rows,
            "form": form,
            "any_allowed": any(problem is None for _p, problem, _c in rows),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "privacy/admin_anonymise.html", context)

    def _anonymise(self, request, pupils) -> None:
        done = []
        for pupil in pupils:
            try:
                anonymise.anonymise(pupil, by=request.user, ip_address=anonymise.client_address(request))
            except anonymise.CannotAnonymise as refusal:
                messages.error(request, f"{pupil.full_name}: {refusal.message}")
            else:
                done.append(pupil.full_name)
        if done:
            messages.success(request, _("Anonymised: %(pupils)s") % {"pupils": ", ".join(done)})
