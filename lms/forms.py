"""Forms: the materials library's upload form (Wagtail's document form with our checks and
file history) and the form a teacher gives a lesson to classes with."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.documents.forms import BaseDocumentForm

from lms import access
from school.models import PeriodTime


class MaterialForm(BaseDocumentForm):
    """Wagtail's document form (WAGTAILDOCS_DOCUMENT_FORM_BASE). Type, content and size are
    checked by Material.clean (lms/validators.py). Replacing the file keeps the old one:
    Wagtail would delete it from storage; we keep it and Material.save records it as a
    MaterialVersion, which a lesson's older revisions link to."""

    def __init__(self, *args, **kwargs):
        self.user = kwargs.get("user")  # Wagtail's form takes it, and forgets it
        super().__init__(*args, **kwargs)

    def save(self, commit=True):
        if "file" in self.changed_data and self.original_file:
            self.original_file = None  # kept as a MaterialVersion, not deleted
            self.instance._replaced_by = self.user
        return super().save(commit=commit)


def _period_choices(school_id) -> list[tuple[str, str]]:
    times = PeriodTime.objects.filter(school_id=school_id).order_by("session", "period")
    choices = [("", _("As in the timetable"))]
    for time in times:
        choices.append(
            (f"{time.session}-{time.period}",
             _("%(session)s, period %(period)s (%(start)s)")
             % {"session": time.get_session_display(), "period": time.period,
                "start": time.starts_at.strftime("%H:%M")})
        )
    return choices


class AssignLessonForm(forms.Form):
    class_groups = forms.ModelMultipleChoiceField(
        label=_("Classes"), queryset=None, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one class.")},
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    period = forms.ChoiceField(label=_("Period"), required=False)
    homework_due = forms.DateField(
        label=_("Homework due"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty to use the lesson's own due date, if it has homework."),
    )

    def __init__(self, *args, user, lesson, **kwargs):
        super().__init__(*args, **kwargs)
        self.lesson = lesson
        self.fields["class_groups"].queryset = access.assignable_classes(user, lesson)
        self.fields["period"].choices = _period_choices(lesson.school_id)
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        self.fields["date"].initial = tomorrow
        self.fields["homework_due"].initial = lesson.homework_due

    def clean_date(self):
        date = self.cleaned_data["date"]
        year = self.lesson.school_year
        if not (year.start_date <= date <= year.end_date):
            raise forms.ValidationError(
                _("Choose a day of the school year %(year)s.") % {"year": year.name}
            )
        return date

    def clean(self):
        cleaned = super().clean()
        due, date = cleaned.get("homework_due"), cleaned.get("date")
        if due and date and due < date:
            self.add_error("homework_due", _("Homework cannot be due before the lesson."))
        return cleaned

    def session_and_period(self) -> tuple[str, int | None]:
        value = self.cleaned_data.get("period") or ""
        if not value:
            return "", None
        session, period = value.rsplit("-", 1)
        return session, int(period)
