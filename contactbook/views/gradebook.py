"""The grade book's pages for teachers: the list of a teacher's grade books, a class ×
subject × term grid (keyboard-friendly, saved all or nothing), publishing a column to
guardians, the homeroom teacher's conduct and comments, and the history of a pupil's cells.

Every object comes through contactbook.access / school.access (404 for missing and not
yours); writes go through contactbook.gradebook's services; nothing is cached.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from contactbook import access
from contactbook.gradebook import reads
from contactbook.gradebook.columns import (
    COMMENT_KEY,
    YEAR_COMMENT_KEY,
    column_by_key,
    filled,
    score_text,
    subject_sort_key,
)
from contactbook.gradebook.writes import GridErrors, publish_column, save_grid, save_homeroom
from contactbook.models import ConductRating
from school.access import get_class_group_for_user
from school.exceptions import TermClosed
from school.models import ClassGroup, School, Student, Subject, TeachingAssignment, Term

# ---------------------------------------------------------------------------------------
# Helpers shared with the parent's page
# ---------------------------------------------------------------------------------------


def average_text(average, result) -> str:
    """A term average with one decimal and the page's decimal mark (8,3), or Đ / CĐ."""
    if average is not None:
        return formats.number_format(average, decimal_pos=1, use_l10n=True)
    if result is not None:
        return "Đ" if result else "CĐ"
    return ""


# ---------------------------------------------------------------------------------------
# Saving a posted sheet (the grid, the homeroom sheet, the primary class teacher's sheet)
# ---------------------------------------------------------------------------------------


@dataclass
class Posted:
    """A posted sheet after the save: what was typed and each bad cell's message, by input
    name, and the status and notice to show them with; `saved` when the save went through."""

    typed: dict
    errors: dict = field(default_factory=dict)
    status: int = 200
    notice: str = ""
    saved: bool = False


def save_posted(request: HttpRequest, inputs: dict[tuple[int, str], str], save) -> Posted:
    """Save a posted sheet all or nothing. `inputs` names each cell's input ((pupil id, column
    key or COMMENT_KEY) -> input name); `save(values)` gets {(pupil id, key): what was typed}
    of the inputs posted and returns how many cells changed. Bad cells (GridErrors) come back
    by input name with 422; a closed term with 409, dropping what was typed; a success says
    how many cells changed."""
    values = {cell: request.POST[name] for cell, name in inputs.items() if name in request.POST}
    posted = Posted({inputs[cell]: value for cell, value in values.items()})
    try:
        changed = save(values)
    except TermClosed as exc:
        return Posted({}, status=409, notice=str(exc.message))
    except GridErrors as exc:
        posted.status = 422
        posted.errors = {
            inputs.get(cell, str(cell)): message for cell, message in exc.errors.items()
        }
        return posted
    messages.success(
        request,
        _("Saved: %(n)d changes.") % {"n": changed}
        if changed
        else _("Nothing to save: no cell changed."),
    )
    posted.saved = True
    return posted


def split_comments(
    values: dict[tuple[int, str], str], key: str = COMMENT_KEY
) -> tuple[dict, dict[int, str]]:
    """Posted values as (the other cells, {pupil id: the `key` cell}): the comments, or with
    YEAR_COMMENT_KEY the year comments."""
    cells = {cell: value for cell, value in values.items() if cell[1] != key}
    comments = {pk: value for (pk, cell), value in values.items() if cell == key}
    return cells, comments


def pick_term(class_group: ClassGroup, term_id):
    """(terms, term): the year's terms and the one asked for (404 if it is not one of them)
    or, without `term_id`, the current one by date."""
    terms = Term.objects.of_year(class_group.school_year_id)
    if term_id is None:
        return list(terms), terms.current()
    term = next((t for t in terms if t.pk == term_id), None)
    if term is None:
        raise Http404("No such term in this class's year")
    return list(terms), term


# ---------------------------------------------------------------------------------------
# The list of grade books
# ---------------------------------------------------------------------------------------


@login_required
def gradebook_index(request: HttpRequest) -> HttpResponse:
    """This year's classes the user may open, each with the grade books they may read
    (`access.may_read_grade_book`: a subject teacher their own subjects; the homeroom teacher,
    the managers and the operator every subject); the ones the user writes in are marked, and
    a homeroom teacher's class links to its conduct page. Three queries besides the session's."""
    managed = set(School.objects.managed_by(request.user).values_list("pk", flat=True))
    assignments = TeachingAssignment.objects.select_related("subject", "teacher")
    classes = list(
        ClassGroup.objects.visible_to(request.user)
        .filter(school_year__is_current=True)
        .select_related("school")
        .prefetch_related(Prefetch("assignments", queryset=assignments))
        .order_by("school__name", "sort_key")
    )
    rows = []
    for class_group in classes:
        books = sorted(
            (
                a for a in class_group.assignments.all()
                if access.may_read_grade_book(request.user, class_group, a.teacher_id, managed)
            ),
            key=lambda a: subject_sort_key(a.subject),
        )
        mine = [a for a in books if a.teacher_id == request.user.pk]
        rows.append(
            {
                "class_group": class_group,
                "books": books,
                "mine": bool(mine),
                "homeroom": class_group.homeroom_teacher_id == request.user.pk,
            }
        )
    # The classes a teacher writes in, or leads, come first.
    rows.sort(key=lambda r: not (r["mine"] or r["homeroom"]))
    return render(request, "contactbook/gradebook/index.html", {"rows": rows})


# ---------------------------------------------------------------------------------------
# The grid
# ---------------------------------------------------------------------------------------


def cell_name(student_id: int, key: str) -> str:
    return f"c-{student_id}-{key}"


def comment_name(student_id: int) -> str:
    return f"n-{student_id}"


def year_comment_name(student_id: int) -> str:
    return f"y-{student_id}"


@dataclass
class _Book:
    access: access.GradeBookAccess
    terms: list
    term: object
    data: dict | None = None
    typed: dict = field(default_factory=dict)  # input name -> what was typed
    errors: dict = field(default_factory=dict)  # input name -> message

    @property
    def editable(self) -> bool:
        return self.access.may_write and self.term is not None and not self.term.is_closed


def _book_urls(book: _Book) -> dict:
    cg, subject = book.access.class_group, book.access.subject
    args = [cg.pk, subject.pk, book.term.pk]
    return {
        "save": reverse("contactbook:gradebook_term", args=args),
        "publish": reverse("contactbook:gradebook_publish", args=args),
        "terms": [
            (t, reverse("contactbook:gradebook_term", args=[cg.pk, subject.pk, t.pk]))
            for t in book.terms
        ],
    }


def _rows(book: _Book) -> list[dict]:
    """What the template shows per pupil: each cell's input name, value (typed, or stored in
    the page's decimal mark), error, and publication state."""
    cg, subject, term = book.access.class_group, book.access.subject, book.term
    rows = []
    for number, row in enumerate(book.data["rows"], start=1):
        pk = row.student.pk
        cells = []
        for column, score in zip(book.data["columns"], row.cells):
            name = cell_name(pk, column.key)
            stored = (
                score_text(score.value, score.passed, score.rating, score.makeup) if score else ""
            )
            cells.append(
                {
                    "name": name,
                    "key": column.key,
                    "label": column.column.label,
                    "is_test": column.column.is_test,
                    "value": book.typed.get(name, stored),
                    "error": book.errors.get(name),
                    "filled": filled(score),
                    "published": filled(score) and score.published_at is not None,
                    "makeup": score.makeup if filled(score) else "",
                }
            )
        name, year_name = comment_name(pk), year_comment_name(pk)
        comment = row.comment.text if row.comment else ""
        year_comment = row.year_comment.text if row.year_comment else ""
        rows.append(
            {
                "number": number,
                "student": row.student,
                "cells": cells,
                "average": average_text(row.average, row.result),
                "comment": {
                    "name": name,
                    "value": book.typed.get(name, comment),
                    "error": book.errors.get(name),
                },
                "year_comment": {
                    "name": year_name,
                    "value": book.typed.get(year_name, year_comment),
                    "error": book.errors.get(year_name),
                },
                "history": reverse(
                    "contactbook:gradebook_history", args=[cg.pk, subject.pk, term.pk, pk]
                ),
            }
        )
    return rows


def _render_book(
    request: HttpRequest, book: _Book, *, status: int = 200, notice: str = ""
) -> HttpResponse:
    context = {
        "class_group": book.access.class_group,
        "subject": book.access.subject,
        "teacher": book.access.teacher,
        "may_write": book.access.may_write,
        "editable": book.editable,
        "term": book.term,
        "notice": notice,
        "is_homeroom": book.access.class_group.homeroom_teacher_id == request.user.pk,
    }
    if book.term is not None:
        if book.data is None:
            book.data = reads.grid(book.access.class_group, book.access.subject, book.term)
        context.update(
            {
                "columns": book.data["columns"],
                "rows": _rows(book),
                "year_comments": book.data["year_comments"],
                "rated": book.access.subject.assessment == Subject.Assessment.RATED,
                "primary": book.access.subject.assessment == Subject.Assessment.PRIMARY,
                "error_count": len(book.errors),
                "urls": _book_urls(book),
            }
        )
    return render(request, "contactbook/gradebook/grid.html", context, status=status)


def _load_book(request: HttpRequest, class_group_id, subject_id, term_id) -> _Book:
    book_access = access.get_grade_book_for_user(request.user, class_group_id, subject_id)
    terms, term = pick_term(book_access.class_group, term_id)
    return _Book(book_access, terms, term)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def grade_book(
    request: HttpRequest, class_group_id: int, subject_id: int, term_id: int | None = None
) -> HttpResponse:
    """A class's grade book in one subject and term (by default the current term). Everyone
    who may open the class reads it; only the assigned subject teacher saves it, as a whole
    grid: one bad cell saves nothing and every typed value comes back with its error."""
    book = _load_book(request, class_group_id, subject_id, term_id)
    if request.method != "POST":
        return _render_book(request, book)
    if not book.access.may_write:
        raise PermissionDenied("Only the subject's teacher may write in this grade book.")
    if book.term is None:
        raise Http404("No term")
    book.data = reads.grid(book.access.class_group, book.access.subject, book.term)
    inputs = {}
    for row in book.data["rows"]:
        pk = row.student.pk
        inputs |= {(pk, column.key): cell_name(pk, column.key) for column in book.data["columns"]}
        inputs[(pk, COMMENT_KEY)] = comment_name(pk)
        if book.data["year_comments"]:
            inputs[(pk, YEAR_COMMENT_KEY)] = year_comment_name(pk)

    def save(values):
        cells, year_comments = split_comments(values, YEAR_COMMENT_KEY)
        cells, comments = split_comments(cells)
        return save_grid(
            teacher=request.user,
            class_group=book.access.class_group,
            subject=book.access.subject,
            term=book.term,
            cells=cells,
            comments=comments,
            year_comments=year_comments,
        )

    posted = save_posted(request, inputs, save)
    if not posted.saved:
        book.typed, book.errors = posted.typed, posted.errors
        return _render_book(request, book, status=posted.status, notice=posted.notice)
    return redirect(
        "contactbook:gradebook_term",
        book.access.class_group.pk,
        book.access.subject.pk,
        book.term.pk,
    )


@login_required
@require_POST
def publish(
    request: HttpRequest, class_group_id: int, subject_id: int, term_id: int
) -> HttpResponse:
    """Publish one column (POST `column`, e.g. "regular-1") to the pupils' guardians."""
    book = _load_book(request, class_group_id, subject_id, term_id)
    if not book.access.may_write:
        raise PermissionDenied("Only the subject's teacher may publish this grade book.")
    column = column_by_key(
        book.access.subject, request.POST.get("column", ""), book.access.class_group.grade
    )
    if column is None:
        messages.error(request, _("Choose a column to publish."))
    else:
        try:
            count = publish_column(
                teacher=request.user,
                class_group=book.access.class_group,
                subject=book.access.subject,
                term=book.term,
                column=column,
            )
        except TermClosed as exc:
            return _render_book(request, book, status=409, notice=str(exc.message))
        if count:
            messages.success(
                request,
                _("Published %(column)s to the guardians: %(n)d scores.")
                % {"column": column.label, "n": count},
            )
        else:
            messages.info(
                request, _("Nothing new to publish in %(column)s.") % {"column": column.label}
            )
    return redirect(
        "contactbook:gradebook_term",
        book.access.class_group.pk,
        book.access.subject.pk,
        book.term.pk,
    )


@login_required
def grade_book_history(
    request: HttpRequest, class_group_id: int, subject_id: int, term_id: int, student_id: int
) -> HttpResponse:
    """Every change of a pupil's cells and comment in this grade book (or of one cell, with
    `?cot=regular-1`): who, when, old → new. For everyone who may open the grade book."""
    book = _load_book(request, class_group_id, subject_id, term_id)
    student = pupil_in_class(book.access.class_group, student_id)
    key = request.GET.get("cot") or None
    grade = book.access.class_group.grade
    column = column_by_key(book.access.subject, key, grade) if key else None
    if key != COMMENT_KEY and column is None:
        key = None
    changes = reads.cell_history(student, book.access.subject, book.term, key=key)
    back = reverse("contactbook:gradebook_term", args=[class_group_id, subject_id, term_id])
    return render(
        request,
        "contactbook/gradebook/history.html",
        {
            "class_group": book.access.class_group,
            "subject": book.access.subject,
            "term": book.term,
            "student": student,
            "changes": changes,
            "back": back,
            "column": column,
        },
    )


def pupil_in_class(class_group: ClassGroup, student_id) -> Student:
    try:
        return Student.objects.in_class(class_group).get(pk=int(student_id))
    except (Student.DoesNotExist, TypeError, ValueError):
        raise Http404("No such pupil in this class") from None


# ---------------------------------------------------------------------------------------
# The homeroom teacher's page: conduct (rèn luyện) and term comments
# ---------------------------------------------------------------------------------------


def conduct_name(student_id: int) -> str:
    return f"r-{student_id}"


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def homeroom(request: HttpRequest, class_group_id: int, term_id: int | None = None) -> HttpResponse:
    """Conduct rating and homeroom comment per pupil for a term. Everyone who may open the
    class reads it; only its homeroom teacher saves, all or nothing."""
    class_group = get_class_group_for_user(request.user, class_group_id)
    if class_group.is_primary:  # grades 1–5 rate qualities and competencies (Circular 27)
        if term_id is None:
            return redirect("contactbook:qualities", class_group.pk)
        return redirect("contactbook:qualities_term", class_group.pk, term_id)
    terms, term = pick_term(class_group, term_id)
    may_write = access.is_homeroom_teacher(request.user, class_group)
    posted = Posted({})
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied("Only the homeroom teacher may rate conduct.")
        if term is None:
            raise Http404("No term")
        inputs = {}
        for pk in Student.objects.in_class(class_group).values_list("pk", flat=True):
            inputs[(pk, "conduct")] = conduct_name(pk)
            inputs[(pk, COMMENT_KEY)] = comment_name(pk)

        def save(values):
            conduct, comments = split_comments(values)
            return save_homeroom(
                teacher=request.user,
                class_group=class_group,
                term=term,
                conduct={pk: value for (pk, _key), value in conduct.items()},
                comments=comments,
            )

        posted = save_posted(request, inputs, save)
        if posted.saved:
            return redirect("contactbook:homeroom_term", class_group.pk, term.pk)
    context = {
        "class_group": class_group,
        "term": term,
        "may_write": may_write,
        "notice": posted.notice,
        "editable": may_write and term is not None and not term.is_closed,
        "ratings": ConductRating.Rating.values,
    }
    if term is not None:
        rows = []
        for number, row in enumerate(reads.homeroom_sheet(class_group, term), start=1):
            pk = row.student.pk
            rating = row.conduct.rating if row.conduct else ""
            comment = row.comment.text if row.comment else ""
            rows.append(
                {
                    "number": number,
                    "student": row.student,
                    "conduct": {
                        "name": conduct_name(pk),
                        "value": posted.typed.get(conduct_name(pk), rating),
                        "error": posted.errors.get(conduct_name(pk)),
                    },
                    "comment": {
                        "name": comment_name(pk),
                        "value": posted.typed.get(comment_name(pk), comment),
                        "error": posted.errors.get(comment_name(pk)),
                    },
                    "history": reverse(
                        "contactbook:homeroom_history", args=[class_group.pk, term.pk, pk]
                    ),
                }
            )
        books = sorted(
            TeachingAssignment.objects.filter(class_group=class_group)
            .select_related("subject"),
            key=lambda a: subject_sort_key(a.subject),
        )
        context.update(
            {
                "rows": rows,
                "error_count": len(posted.errors),
                "books": books,
                "save_url": reverse("contactbook:homeroom_term", args=[class_group.pk, term.pk]),
                "terms": [
                    (t, reverse("contactbook:homeroom_term", args=[class_group.pk, t.pk]))
                    for t in terms
                ],
            }
        )
    return render(request, "contactbook/gradebook/homeroom.html", context, status=posted.status)


@login_required
def homeroom_history(
    request: HttpRequest, class_group_id: int, term_id: int, student_id: int
) -> HttpResponse:
    """Every change of a pupil's conduct rating and homeroom comment in a term."""
    class_group = get_class_group_for_user(request.user, class_group_id)
    _terms, term = pick_term(class_group, term_id)
    student = pupil_in_class(class_group, student_id)
    return render(
        request,
        "contactbook/gradebook/history.html",
        {
            "class_group": class_group,
            "term": term,
            "student": student,
            "changes": reads.homeroom_history(student, term),
            "back": reverse("contactbook:homeroom_term", args=[class_group.pk, term.pk]),
        },
    )


_BOOK = "giao-vien/lop/<int:class_group_id>/so-diem/<int:subject_id>/"
_HOMEROOM = "giao-vien/lop/<int:class_group_id>/chu-nhiem/"

urlpatterns = [
    path("giao-vien/so-diem/", gradebook_index, name="gradebook_index"),
    path(_BOOK, grade_book, name="gradebook"),
    path(_BOOK + "hoc-ky/<int:term_id>/", grade_book, name="gradebook_term"),
    path(_BOOK + "hoc-ky/<int:term_id>/cong-bo/", publish, name="gradebook_publish"),
    path(
        _BOOK + "hoc-ky/<int:term_id>/lich-su/<int:student_id>/",
        grade_book_history,
        name="gradebook_history",
    ),
    path(_HOMEROOM, homeroom, name="homeroom"),
    path(_HOMEROOM + "hoc-ky/<int:term_id>/", homeroom, name="homeroom_term"),
    path(
        _HOMEROOM + "hoc-ky/<int:term_id>/lich-su/<int:student_id>/",
        homeroom_history,
        name="homeroom_history",
    ),
]
