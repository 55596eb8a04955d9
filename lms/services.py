"""Writes that touch several rows: the library tree, lessons through their workflow,
assignments to classes, copies into a new school year, materials.

The Wagtail admin does the same things through its own views (creating pages, submitting,
approving); these functions are what the seed, the tests and our own pages call, and each
one does what the admin does, through the same Wagtail model methods.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Collection, Locale, Page, Site, WorkflowState

from lms import access, permissions
from lms.models import (
    CoursePage,
    LessonAssignment,
    LessonPage,
    LibraryIndexPage,
    Material,
    SchoolLibraryPage,
    UnitPage,
)
from school import names
from school.exceptions import DomainError
from school.models import ClassGroup, School, SchoolYear, Subject, TimetableSlot

LIBRARY_SLUG = "hoc-lieu"


class LessonNotAssignable(DomainError):
    status = 409
    code = "lesson_not_assignable"


def ascii_slug(text: str) -> str:
    """"Toán 10 (2026–2027)" -> "toan-10-2026-2027"."""
    return slugify(names.fold(text))[:250] or "trang"


# ------------------------------------------------------------------------------ the tree


def _tree_root() -> Page:
    """Wagtail's root page (depth 1), made again if the database was flushed (as browser
    tests do), together with the default locale."""
    locale_code = settings.LANGUAGE_CODE
    if not Locale.objects.exists():
        Locale.objects.create(language_code=locale_code)
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", live=True))
    return root


def _collection_root() -> Collection:
    """Wagtail's root collection, made again if the database was flushed (as browser tests do)."""
    return Collection.get_first_root_node() or Collection.add_root(name="Root")


@transaction.atomic
def ensure_library_index() -> LibraryIndexPage:
    """The /hoc-lieu/ page: the default Site's root."""
    index = LibraryIndexPage.objects.first()
    if index is None:
        index = _tree_root().add_child(
            instance=LibraryIndexPage(title=_("Lessons and materials"), slug=LIBRARY_SLUG, live=True)
        )
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", port=80, root_page=index, is_default_site=True,
            site_name=getattr(settings, "WAGTAIL_SITE_NAME", ""),
        )
    elif site.root_page_id != index.pk:
        site.root_page = index
        site.save()
    return index


@transaction.atomic
def ensure_school_library(school: School) -> SchoolLibraryPage:
    """The school's library page and materials collection, its Wagtail groups and approval
    workflows, and the staff's group memberships (lms/permissions.py)."""
    library = SchoolLibraryPage.objects.filter(school=school).select_related("school", "collection").first()
    if library is None:
        index = ensure_library_index()
        collection = _collection_root().add_child(instance=Collection(name=school.name[:255]))
        library = index.add_child(
            instance=SchoolLibraryPage(
                title=school.name, slug=ascii_slug(school.code), school=school,
                collection=collection, live=True,
            )
        )
    permissions.ensure_school_groups(library)
    permissions.sync_memberships(school_ids=[school.pk])
    return library


@transaction.atomic
def create_course(
    *, school_year: SchoolYear, subject: Subject, grade: int, title: str | None = None,
    description: str = "",
) -> CoursePage:
    """A published course page (a container: no approval needed) and its permissions."""
    if subject.school_id != school_year.school_id:
        raise ValueError("subject and school year belong to different schools")
    library = ensure_school_library(school_year.school)
    title = title or f"{subject.name} {grade} ({school_year.name})"
    slug = ascii_slug(f"{subject.name}-{grade}-{school_year.start_date.year}")
    if Page.objects.child_of(library).filter(slug=slug).exists():
        slug = ascii_slug(f"{subject.code}-{grade}-{school_year.start_date.year}")
    course = library.add_child(
        instance=CoursePage(
            title=title, slug=slug,
            school_year=school_year, subject=subject, grade=grade, description=description,
            live=True,
        )
    )
    course.save_revision().publish()
    return course  # lms/signals.py has run permissions.sync_course


def create_unit(*, course: CoursePage, title: str, intro: str = "", user=None) -> UnitPage:
    unit = course.add_child(
        instance=UnitPage(title=title, slug=ascii_slug(title), intro=intro, owner=user, live=True)
    )
    # A unit is a heading (title, introduction): published at once, lessons are what is reviewed.
    unit.save_revision(user=user).publish(user=user, skip_permission_checks=True)
    return unit


def create_lesson(*, parent, title: str, intro: str = "", body=None, user=None) -> LessonPage:
    """A draft lesson under a course or unit, with its first revision (as the admin's
    "Save draft" makes it)."""
    lesson = parent.add_child(
        instance=LessonPage(
            title=title, slug=ascii_slug(title), intro=intro, body=body or [], owner=user,
            live=False,
        )
    )
    lesson.save_revision(user=user, log_action=True)
    return lesson


def edit_lesson(lesson: LessonPage, *, user, **changes) -> LessonPage:
    """Save a new draft revision of `lesson` with `changes` (fields such as title, body)."""
    draft = LessonPage.objects.get(pk=lesson.pk).get_latest_revision_as_object()
    for name, value in changes.items():
        setattr(draft, name, value)
    draft.save_revision(user=user, log_action=True)
    return draft


# -------------------------------------------------------------------------- moderation


def _fresh(user):
    """The user as the database has them now: Wagtail caches a user's page permissions and
    group checks on the user object, which a long-lived caller (the seed) would see stale."""
    return type(user)._default_manager.get(pk=user.pk)


def submit_lesson(lesson: LessonPage, *, user) -> WorkflowState:
    """Send the lesson's latest draft to its workflow (the subject-group head's approval), or
    resume a workflow whose reviewer asked for changes; as the admin's "Submit" does."""
    lesson, user = LessonPage.objects.get(pk=lesson.pk), _fresh(user)
    if not lesson.permissions_for_user(user).can_submit_for_moderation():
        raise PermissionDenied
    state = lesson.current_workflow_state
    if state and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        state.resume(user=user)
        return state
    workflow = lesson.get_workflow()
    if workflow is None:
        raise PermissionDenied("no approval workflow for this lesson")
    return workflow.start(lesson, user)


def review_lesson(lesson: LessonPage, *, user, approve: bool, comment: str = "") -> None:
    """Approve the current task, or ask for changes with `comment`, as a reviewer does from
    the admin. Approving the last task publishes the lesson (or schedules it, when its
    go_live_at is in the future)."""
    lesson, user = LessonPage.objects.get(pk=lesson.pk), _fresh(user)
    task_state = lesson.current_workflow_task_state
    if task_state is None:
        raise PermissionDenied("the lesson is not awaiting review")
    task = task_state.task.specific
    actions = {name for name, *_ in task.get_actions(lesson, user)}
    action = "approve" if approve else "reject"
    if action not in actions:
        raise PermissionDenied
    task.on_action(task_state, user, action, comment=comment)


# ------------------------------------------------------------------------- assignments


@transaction.atomic
def assign_lesson(
    *, lesson: LessonPage, class_groups, on: datetime.date, user, session: str = "",
    period: int | None = None, homework_due: datetime.date | None = None,
) -> list[LessonAssignment]:
    """Give a published lesson to one or more of `user`'s classes for a date. The period,
    when not given, is the class's first period of the lesson's subject that day in the
    timetable. The homework due date defaults to the lesson's. Assigning the same lesson to
    the same class for the same day again updates that assignment (no duplicate)."""
    if not lesson.live:
        raise LessonNotAssignable(_("Only a published lesson can be given to a class."))
    allowed = set(access.assignable_classes(user, lesson).values_list("id", flat=True))
    assignments = []
    for class_group in class_groups:
        if class_group.pk not in allowed:
            raise LessonNotAssignable(
                _("You do not teach %(subject)s in class %(class)s.")
                % {"subject": lesson.subject.name, "class": class_group.name},
                field="class_groups",
            )
        slot_session, slot_period = session, period
        if not slot_session and slot_period is None:
            slot_session, slot_period = _timetable_period(class_group, lesson.subject_id, on)
        assignment, _created = LessonAssignment.objects.update_or_create(
            lesson=lesson, class_group=class_group, date=on,
            defaults={
                "session": slot_session or "",
                "period": slot_period,
                "homework_due": homework_due or lesson.homework_due,
                "assigned_by": user,
            },
        )
        assignments.append(assignment)
    return assignments


def _timetable_period(class_group: ClassGroup, subject_id: int, on: datetime.date):
    slot = (
        TimetableSlot.objects.filter(
            class_group=class_group, subject_id=subject_id, weekday=on.isoweekday()
        )
        .order_by("session", "period")
        .first()
    )
    return (slot.session, slot.period) if slot else ("", None)


def unassign_lesson(*, assignment: LessonAssignment, user) -> None:
    if assignment.class_group_id not in set(
        access.assignable_classes(user, assignment.lesson).values_list("id", flat=True)
    ):
        raise PermissionDenied
    assignment.delete()


# ------------------------------------------------------------------------ a new school year


def _year_shift(source: SchoolYear, target: SchoolYear) -> datetime.timedelta:
    return target.start_date - source.start_date


def _shift_homework(lesson: LessonPage, shift: datetime.timedelta) -> list:
    """The lesson's body with homework due dates moved by `shift` (a copy into next year)."""
    body = []
    for item in lesson.body.raw_data:
        item = dict(item)
        if item["type"] == "homework" and item["value"].get("due_date"):
            due = datetime.date.fromisoformat(item["value"]["due_date"]) + shift
            item["value"] = {**item["value"], "due_date": due.isoformat()}
        body.append(item)
    return body


@transaction.atomic
def copy_lesson_to_year(*, lesson: LessonPage, target_course: CoursePage, user) -> LessonPage:
    """A draft copy of `lesson` (its latest content) in `target_course` (the same subject in
    this year), under a unit of the same title when there is one. The copy goes through
    approval again before pupils see it; homework due dates move with the year."""
    lesson = lesson.specific
    if target_course.subject_id != lesson.subject_id or target_course.school_id != lesson.school_id:
        raise PermissionDenied("a lesson is copied into a course of the same subject and school")
    if not target_course.permissions_for_user(user).can_add_subpage():
        raise PermissionDenied
    source_parent = lesson.get_parent().specific
    parent = target_course
    if isinstance(source_parent, UnitPage):
        parent = (
            UnitPage.objects.child_of(target_course).filter(title=source_parent.title).first()
            or create_unit(course=target_course, title=source_parent.title,
                           intro=source_parent.intro, user=user)
        )
    return copy_lesson_into(lesson, parent, lesson.school_year, target_course.school_year, user)


def _create_lesson_with_slug(parent, draft, body, slug, user) -> LessonPage:
    lesson = parent.add_child(
        instance=LessonPage(title=draft.title, slug=slug, intro=draft.intro, body=body, owner=user, live=False)
    )
    lesson.save_revision(user=user, log_action=True)
    return lesson


@transaction.atomic
def copy_course_to_year(*, course: CoursePage, school_year: SchoolYear, user) -> CoursePage:
    """Last year's course, with its units and lessons, into `school_year`: a new published
    course, its units published, its lessons as drafts to be reviewed and approved again."""
    course = course.specific
    if school_year.school_id != course.school_id:
        raise PermissionDenied("a course is copied within its school")
    library = course.get_parent().specific
    if not library.permissions_for_user(user).can_add_subpage():
        raise PermissionDenied
    title = course.title.replace(course.school_year.name, school_year.name)
    if title == course.title:
        title = f"{course.subject.name} {course.grade} ({school_year.name})"
    target = create_course(
        school_year=school_year, subject=course.subject, grade=course.grade, title=title,
        description=course.description,
    )
    for child in course.get_children().specific().order_by("path"):
        if isinstance(child, UnitPage):
            unit = create_unit(course=target, title=child.title, intro=child.intro, user=user)
            for lesson in LessonPage.objects.child_of(child).order_by("path"):
                copy_lesson_into(lesson, unit, course.school_year, school_year, user)
        elif isinstance(child, LessonPage):
            copy_lesson_into(child, target, course.school_year, school_year, user)
    return target


def copy_lesson_into(lesson: LessonPage, parent, source_year, target_year, user) -> LessonPage:
    """A draft lesson under `parent` with `lesson`'s latest content (a free slug is found
    when a sibling already has the same one)."""
    draft = lesson.get_latest_revision_as_object()
    body = _shift_homework(draft, _year_shift(source_year, target_year))
    slug, n = draft.slug, 2
    while Page.objects.child_of(parent).filter(slug=slug).exists():
        slug, n = f"{draft.slug}-{n}", n + 1
    return _create_lesson_with_slug(parent, draft, body, slug, user)


# ---------------------------------------------------------------------------- materials


def add_material(*, school: School, title: str, file, user=None) -> Material:
    """A material in the school's library, validated like an upload in the admin."""
    library = ensure_school_library(school)
    material = Material(title=title, file=file, collection=library.collection, uploaded_by_user=user)
    material.full_clean(exclude=["tags"])
    material._set_document_file_metadata()
    material.save()
    return material


def replace_material_file(*, material: Material, file, user=None) -> Material:
    """Replace the file of a material; the old file stays, as a MaterialVersion."""
    material.file = file
    material.full_clean(exclude=["tags"])
    material._set_document_file_metadata()
    material._replaced_by = user
    material.save()
    return material
