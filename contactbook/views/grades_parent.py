"""The parent's grades page (mobile first): a child's published scores by subject for the
current term, with the term average only when every score it needs is published."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse

from contactbook.gradebook.columns import cell_text, filled
from contactbook.gradebook.reads import pupil_grades
from contactbook.views.gradebook import average_text
from school.access import get_student_for_user
from school.models import Student


@login_required
def student_grades(request: HttpRequest, student_id: int) -> HttpResponse:
    """Who may open it: whoever may see the pupil (school.access.get_student_for_user) — the
    pupil's guardians, the teachers of the pupil's class, the school's managers and the
    operator; everyone sees only what guardians see (published scores). Optional
    `?hoc-ky=<term id>` picks another term of the same year."""
    student = get_student_for_user(request.user, student_id)
    grades = pupil_grades(student, request.GET.get("hoc-ky"))
    subjects = [
        {
            "subject": s.subject,
            "cells": [
                {
                    "key": c.key,
                    "label": c.short_label,
                    "title": c.label,
                    "value": cell_text(cell) if filled(cell) else "",
                }
                for c, cell in zip(s.columns, s.cells)
            ],
            "average": average_text(s.average, s.result),
            "rated": s.subject.assessment == s.subject.Assessment.RATED,
            "primary": s.subject.assessment == s.subject.Assessment.PRIMARY,
        }
        for s in grades.subjects
    ]
    # A parent of several children switches between them here (one query; none for staff).
    children = list(
        Student.objects.children_of(request.user).order_by("sort_key", "id")
    )
    here = reverse("contactbook:student_grades", args=[student.pk])
    return render(
        request,
        "contactbook/gradebook/parent_grades.html",
        {
            "student": student,
            "enrolment": grades.enrolment,
            "term": grades.term,
            "terms": [(t, f"{here}?hoc-ky={t.pk}") for t in grades.terms],
            "subjects": subjects,
            "children": [(c, reverse("contactbook:student_grades", args=[c.pk])) for c in children]
            if len(children) > 1
            else [],
        },
    )


urlpatterns = [
    path("phu-huynh/hoc-sinh/<int:student_id>/diem/", student_grades, name="student_grades"),
]
