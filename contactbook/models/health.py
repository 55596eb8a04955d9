"""A primary pupil's height and weight for a school year (chiều cao, cân nặng), as the học bạ
of grades 1–5 prints them on each year's page (Circular 27/2020's record).

In the contact book, not in the school's structure: like attendance and the qualities'
ratings, it is what the class teacher records about one pupil's year (measured at school, read
by the family), not how the school is organised; `school` stays a layer of structure and
people. The học bạ (reports) only reads it. Entered in the administration
(contactbook/admin.py); the history keeps who changed a figure and when.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from school.models import Enrolment, SchoolYear, Student, is_primary_grade

# Plausible for a pupil of grades 1–5 (about 5 to 14 years old), with room either side for
# a small or a tall child: a figure outside is a typing slip (a weight in the height box,
# metres for centimetres), refused rather than printed on the official record.
HEIGHT_RANGE = (Decimal("70.0"), Decimal("190.0"))  # cm
WEIGHT_RANGE = (Decimal("10.0"), Decimal("120.0"))  # kg


def _range_validators(bounds: tuple[Decimal, Decimal], message) -> list:
    low, high = bounds
    return [MinValueValidator(low, message=message), MaxValueValidator(high, message=message)]


class BodyMeasurement(models.Model):
    """The pupil's height (cm) and weight (kg) in a school year, one decimal each: one row per
    pupil and year, for a pupil in a class of grades 1–5 that year."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="body_measurements",
        verbose_name=_("pupil"),
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("school year")
    )
    height_cm = models.DecimalField(
        _("height (cm)"), max_digits=4, decimal_places=1,
        validators=_range_validators(
            HEIGHT_RANGE, _("The height must be between 70 and 190 cm, e.g. 125,5.")
        ),
    )
    weight_kg = models.DecimalField(
        _("weight (kg)"), max_digits=4, decimal_places=1,
        validators=_range_validators(
            WEIGHT_RANGE, _("The weight must be between 10 and 120 kg, e.g. 24,5.")
        ),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", editable=False, verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("height and weight")
        verbose_name_plural = _("heights and weights")
        ordering = ["school_year", "student__sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year"], name="bodymeasurement_one_per_year"
            ),
            # The form's ranges, held by the table too (a script or a shell cannot bypass them).
            models.CheckConstraint(
                condition=Q(height_cm__gte=HEIGHT_RANGE[0], height_cm__lte=HEIGHT_RANGE[1]),
                name="bodymeasurement_height_range",
            ),
            models.CheckConstraint(
                condition=Q(weight_kg__gte=WEIGHT_RANGE[0], weight_kg__lte=WEIGHT_RANGE[1]),
                name="bodymeasurement_weight_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.school_year}"

    def clean(self) -> None:
        """Refuse a pupil of another school, and a year the pupil was in no class of grades
        1–5 (the secondary record has no such lines)."""
        if not (self.student_id and self.school_year_id):
            return
        if self.student.school_id != self.school_year.school_id:
            raise ValidationError(
                {"student": _("The pupil is not a pupil of the year's school.")}
            )
        grades = Enrolment.objects.filter(
            student_id=self.student_id, school_year_id=self.school_year_id
        ).values_list("class_group__grade", flat=True)
        if not any(is_primary_grade(grade) for grade in grades):
            raise ValidationError({"school_year": _(
                "The pupil was in no class of grades 1–5 in this school year: height and "
                "weight are recorded for grades 1–5 only."
            )})
