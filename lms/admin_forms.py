"""Forms of lms pages in Wagtail's admin (kept apart from lms/forms.py, which imports the
document machinery, so that lms.models can import this one)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.blocks import BlockField, StreamBlockValidationError, StreamValue

from lms.blocks import foreign_material_errors, without_foreign_materials

from school.models import SchoolYear, Subject


class CoursePageForm(WagtailAdminPageForm):
    """Offers only the school's own subjects and years (a course is always under its
    school's library page), so no other school's names appear and none can be chosen."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        school_id = self._school_id()
        if "subject" in self.fields:
            self.fields["subject"].queryset = Subject.objects.filter(school_id=school_id)
        if "school_year" in self.fields:
            self.fields["school_year"].queryset = SchoolYear.objects.filter(school_id=school_id)

    def _school_id(self):
        if self.instance.pk and self.instance.school_id:
            return self.instance.school_id
        parent = self.parent_page.specific if self.parent_page else None
        return getattr(parent, "school_id", None)

    def clean(self):
        cleaned = super().clean()
        school_id = self._school_id()
        for name in ("subject", "school_year"):
            value = cleaned.get(name)
            if value is not None and value.school_id != school_id:
                self.add_error(name, forms.ValidationError(_("Choose one of this school's.")))
        return cleaned


class LessonBodyField(BlockField):
    """The lesson body in the editor: another school's material, posted or stored, is shown
    as nothing chosen (neither its title nor its file name reaches the page)."""

    school_id = None

    def prepare_value(self, value):
        if isinstance(value, StreamValue):
            return without_foreign_materials(value, self.school_id)
        return value


class LessonPageForm(WagtailAdminPageForm):
    """A lesson uses only its own school's materials (lms.blocks.foreign_material_errors):
    a block that names another school's material gets an error there, and nothing is saved."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        body = self.fields.get("body")
        if body is not None:
            field = LessonBodyField(
                block=body.block, widget=body.widget, required=body.required,
                label=body.label, help_text=body.help_text,
            )
            field.school_id = self._school_id()
            self.fields["body"] = field

    def _school_id(self):
        if self.instance.pk and self.instance.school_id:
            return self.instance.school_id
        parent = self.parent_page.specific if self.parent_page else None
        return getattr(parent, "school_id", None)

    def clean_body(self):
        body = self.cleaned_data["body"]
        errors = foreign_material_errors(body, self._school_id())
        if errors:
            raise StreamBlockValidationError(block_errors=errors)
        return body
