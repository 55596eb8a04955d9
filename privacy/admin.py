"""Personal data in the school administration (/quan-tri/privacy/…), each list scoped to the
schools the user manages (school.admin.ScopedAdmin): correction requests to answer.
Registered here, not in school/admin.py, so the school app knows nothing of this layer."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from privacy import corrections
from privacy.models import CorrectionRequest
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
