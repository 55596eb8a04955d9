"""Khen thưởng in the school administration (/quan-tri/reports/award/), scoped to the schools
the user manages (school.admin.ScopedAdmin): the school's managers record the awards for
outstanding achievements (grades 1–12) and the principal confirms the class's proposals for
Học sinh Tiêu biểu (grades 1–5), which the homeroom teacher records on the class's awards page.
Every write goes through reports.awards. Registered here, not in school/admin.py, so the
school app knows nothing of this layer."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports import awards
from reports.models import Award
from school.admin import ScopedAdmin, admin_site
from school.exceptions import DomainError


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
