"""Daily comments: a teacher of the class writes about one or more pupils; the guardians (and
the staff who may see the pupil) read them on the pupil's page."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from contactbook import access
from contactbook import comments
from contactbook.models import DailyComment
from contactbook.views.attendance import pupil_nav
from school.access import get_student_for_user
from school.models import Student


class DailyCommentForm(forms.Form):
    students = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Pupils"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=DailyComment.Kind.choices,
        initial=DailyComment.Kind.PRAISE,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=comments.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["students"].choices = [(p.pk, p.full_name) for p in pupils]
        self.fields["students"].error_messages["invalid_choice"] = _(
            "A chosen pupil is not in this class."
        )


def _page(request, class_group, pupils, form, status=200) -> HttpResponse:
    context = {
        "class_group": class_group,
        "form": form,
        "pupils": pupils,
        "recent": comments.class_comments(class_group),
    }
    return render(request, "contactbook/comments/class.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def class_comments(request: HttpRequest, class_group_id: int) -> HttpResponse:
    """The class's recent comments and the form to write one (teachers of the class only)."""
    class_group = access.get_class_for_comments(request.user, class_group_id)
    pupils = list(Student.objects.in_class(class_group))
    if request.method == "GET":
        return _page(request, class_group, pupils, DailyCommentForm(pupils=pupils))
    form = DailyCommentForm(request.POST, pupils=pupils)
    if form.is_valid():
        data = form.cleaned_data
        try:
            written = comments.add_daily_comments(
                author=request.user,
                class_group=class_group,
                student_ids=data["students"],
                kind=data["kind"],
                text=data["text"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Comment saved (pupils: %(count)s); their guardians have been told.")
                % {"count": len(written)},
            )
            return redirect("contactbook:class_comments", class_group_id=class_group.pk)
    return _page(request, class_group, pupils, form, status=422)


@login_required
def pupil_comments(request: HttpRequest, student_id: int) -> HttpResponse:
    student = get_student_for_user(request.user, student_id)
    context = {
        "student": student,
        "comments": comments.pupil_comments(student),
        **pupil_nav(request.user, student, "contactbook:pupil_comments"),
    }
    return render(request, "contactbook/comments/pupil.html", context)


urlpatterns = [
    path("giao-vien/lop/<int:class_group_id>/nhan-xet/", class_comments, name="class_comments"),
    path("phu-huynh/hoc-sinh/<int:student_id>/nhan-xet/", pupil_comments, name="pupil_comments"),
]
