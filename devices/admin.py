"""Check-ins in the school administration: mostly to resolve cards that matched no pupil."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from devices import services
from devices.models import CheckInEvent
from school.admin import ScopedAdmin, admin_site


class UnknownCardFilter(admin.SimpleListFilter):
    title = _("pupil")
    parameter_name = "unknown"

    def lookups(self, request, model_admin):
        return [("1", _("Card matches no pupil"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(student__isnull=True)
        return queryset


class CheckInEventForm(forms.ModelForm):
    class Meta:
        model = CheckInEvent
        fields = ["student"]

    def clean_student(self):
        student = self.cleaned_data["student"]
        if student and student.school_id != self.instance.school_id:
            raise forms.ValidationError(_("This pupil belongs to another school."))
        return student


@admin.register(CheckInEvent, site=admin_site)
class CheckInEventAdmin(ScopedAdmin):
    list_display = ["occurred_at", "direction", "student", "card_id", "student_code", "device"]
    list_filter = [UnknownCardFilter, "direction", "school"]
    list_select_related = ["student", "device__room"]
    search_fields = ["card_id", "student_code", "student__search_name"]
    date_hierarchy = "occurred_at"
    readonly_fields = [
        "device", "school", "event_id", "card_id", "student_code", "occurred_at", "direction",
        "received_at", "resolved_at",
    ]
    fields = [*readonly_fields[:3], "student", *readonly_fields[3:]]
    autocomplete_fields = ["student"]
    form = CheckInEventForm

    def has_add_permission(self, request) -> bool:
        return False  # check-ins come from devices only

    def save_model(self, request, obj, form, change) -> None:
        """Choosing the pupil of an unknown card gives the card to the pupil and resolves every
        unresolved check-in with that card at the school."""
        if obj.student_id and obj.card_id and "student" in form.changed_data:
            count = services.resolve_unknown_card(obj.school, obj.card_id, obj.student)
            messages.success(
                request, _("Card %(card)s now belongs to %(pupil)s; %(n)d check-ins resolved.")
                % {"card": obj.card_id, "pupil": obj.student, "n": count},
            )
        else:
            super().save_model(request, obj, form, change)
