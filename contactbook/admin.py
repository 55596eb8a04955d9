"""The contact book's records that the school enters in the administration (/quan-tri/…),
scoped to the schools the user manages (school.admin.ScopedAdmin: rows, and every choice, the
managed schools' only): a primary pupil's height and weight for a year, which the học bạ
prints (reports.school_record)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from contactbook.models import BodyMeasurement
from school import names
from school.admin import ScopedAdmin, admin_site

# Typed the Vietnamese way ("125,5"; "125.5" is read too) and never rounded: a second decimal
# is refused, not silently cut, so the record prints exactly what was measured.
# The form checks the number's shape; the model's validators, the plausible range (so a
# four-digit height is told it is out of range, not that it has too many digits).
_MEASURE_ERRORS = {
    "invalid": _("Type a number with at most one decimal, e.g. 125,5."),
    "max_decimal_places": _("Type a number with at most one decimal, e.g. 125,5."),
}


class BodyMeasurementForm(forms.ModelForm):
    height_cm = forms.DecimalField(
        label=_("height (cm)"), decimal_places=1, localize=True,
        error_messages=_MEASURE_ERRORS,
    )
    weight_kg = forms.DecimalField(
        label=_("weight (kg)"), decimal_places=1, localize=True,
        error_messages=_MEASURE_ERRORS,
    )

    class Meta:
        model = BodyMeasurement
        fields = ["student", "school_year", "height_cm", "weight_kg"]


@admin.register(BodyMeasurement, site=admin_site)
class BodyMeasurementAdmin(ScopedAdmin):
    """Height and weight of a pupil of grades 1–5, once a school year; the model refuses a
    figure outside the plausible range, a pupil of another school and a year the pupil was
    not in a primary class, each with its message on the field."""

    school_path = "student__school"
    form = BodyMeasurementForm
    autocomplete_fields = ["student"]
    list_display = ["student", "school_year", "height_cm", "weight_kg", "recorded_by",
                    "recorded_at"]
    list_filter = [("school_year", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["student", "school_year", "recorded_by"]
    search_fields = ["student__search_name", "student__student_code"]
    fields = ["student", "school_year", "height_cm", "weight_kg"]

    def save_model(self, request, obj, form, change) -> None:
        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    def get_search_results(self, request, queryset, search_term):
        """Names are searched folded, as on the pupils' list."""
        return super().get_search_results(request, queryset, names.fold(search_term))
