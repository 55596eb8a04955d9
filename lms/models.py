"""Lessons and learning materials on Wagtail.

The page tree (each type declares its place):

    Wagtail root
    └── LibraryIndexPage           /hoc-lieu/ (the default Site's root; one)
        └── SchoolLibraryPage      one per school, made by lms.services (never in the admin)
            └── CoursePage         a subject in a grade and school year: "Toán 10 (2026–2027)"
                ├── UnitPage       a chapter: "Chương VI. Hàm số, đồ thị và ứng dụng"
                │   └── LessonPage
                └── LessonPage

Pages below a school's library copy the course's school, subject, year and grade into their
own row when saved in full (created, published, copied), so that "who may see this lesson"
is a plain filter (LessonPage.objects.visible_to, lms/access.py) and never a walk up the tree.

Materials are Wagtail documents (lms.Material) in the school's collection, stored privately
(lms/storage.py); replacing a file keeps the old one as a MaterialVersion.
"""

import datetime
from html import unescape as unescape_entities

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.documents.models import AbstractDocument
from wagtail.fields import StreamField
from wagtail.images import get_image_model, get_image_model_string
from wagtail.models import Collection, Page, PageManager, Workflow
from wagtail.query import PageQuerySet
from wagtail.search import index

from lms import storage
from lms.admin_forms import CoursePageForm, LessonPageForm
from lms.blocks import (
    CHOSEN_MATERIAL,
    USABLE_MATERIALS,
    LessonBodyBlock,
    document_link_ids,
    parse_date,
)
from school import names
from school.managers import children_class_ids, signed_in, staff_school_ids
from school.models import ClassGroup, PeriodTime, School, SchoolYear, Subject, SubjectGroup

GRADES = [(grade, str(grade)) for grade in range(1, 13)]
# Key added to a lesson revision's content: when it was saved (see LessonPage.with_content_json).
MATERIALS_AS_OF = "lms_materials_as_of"


def _nobody(user) -> bool:
    return not signed_in(user)


# ------------------------------------------------------------------------------ the tree


class LibraryIndexPage(Page):
    """The root of every school's library, served at /hoc-lieu/."""

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["lms.SchoolLibraryPage"]
    max_count = 1
    template = "lms/library_index_page.html"

    class Meta:
        verbose_name = _("library index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["libraries"] = SchoolLibraryPage.objects.child_of(self).filter(
            school_id__in=_visible_school_ids(request.user)
        ).select_related("school")
        return context


def _visible_school_ids(user):
    if _nobody(user):
        return School.objects.none().values("id")
    if user.is_superuser:
        return School.objects.values("id")
    return staff_school_ids(user)


class SchoolLibraryPage(Page):
    """One school's lessons; its materials live in `collection`. Made by
    lms.services.ensure_school_library, which also makes the school's Wagtail groups."""

    school = models.OneToOneField(
        School, on_delete=models.PROTECT, related_name="library_page", verbose_name=_("school")
    )
    collection = models.ForeignKey(
        Collection, on_delete=models.PROTECT, related_name="+", verbose_name=_("materials collection")
    )

    parent_page_types = ["lms.LibraryIndexPage"]
    subpage_types = ["lms.CoursePage"]
    is_creatable = False
    content_panels = [FieldPanel("title")]
    template = "lms/school_library_page.html"

    class Meta:
        verbose_name = _("school library")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["courses"] = (
            CoursePage.objects.child_of(self)
            .live()
            .select_related("subject", "school_year")
            .order_by("-school_year__start_date", "grade", "subject__name")
        )
        return context


class CoursePage(Page):
    """A subject in one grade and school year, e.g. Toán 10 (2026–2027). Who may edit it
    follows who teaches the subject (lms/permissions.py)."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("school")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="courses", verbose_name=_("school year")
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="courses", verbose_name=_("subject")
    )
    grade = models.PositiveSmallIntegerField(_("grade"), choices=GRADES)
    description = models.TextField(_("description"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("school_year"),
        FieldPanel("subject"),
        FieldPanel("grade"),
        FieldPanel("description"),
    ]
    parent_page_types = ["lms.SchoolLibraryPage"]
    subpage_types = ["lms.UnitPage", "lms.LessonPage"]
    base_form_class = CoursePageForm
    template = "lms/course_page.html"

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.UniqueConstraint(
                fields=["school_year", "subject", "grade"], name="course_one_per_subject_grade_year"
            ),
        ]

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") is None and self.path:
            self.school_id = self.get_parent().specific.school_id
        super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        children = self.get_children().live().specific()
        context["children"] = children
        return context


class CourseContentPage(Page):
    """A page inside a course (a unit or a lesson): the course's school, subject, year and
    grade are copied here on every full save, from the page's place in the tree."""

    # Never null once saved; SET_NULL because Wagtail deletes a subtree itself (a database
    # CASCADE between pages would corrupt its tree).
    course = models.ForeignKey(
        CoursePage, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", editable=False)

    class Meta:
        abstract = True

    def _course_from_tree(self) -> CoursePage:
        parent = self.get_parent().specific
        return parent if isinstance(parent, CoursePage) else parent.course

    def sync_tree_fields(self) -> None:
        course = self._course_from_tree()
        self.course = course
        self.school_id = course.school_id

    def save(self, *args, **kwargs):
        # A revision save passes update_fields and must not touch the live row's content.
        if kwargs.get("update_fields") is None and self.path:
            self.sync_tree_fields()
        super().save(*args, **kwargs)


class UnitPage(CourseContentPage):
    """A unit or chapter of a course."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["lms.CoursePage"]
    subpage_types = ["lms.LessonPage"]
    template = "lms/unit_page.html"

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["children"] = self.get_children().live().specific()
        return context


class LessonPageQuerySet(PageQuerySet):
    def visible_to(self, user) -> "LessonPageQuerySet":
        """Published lessons `user` may open: every lesson of a school where they are on the
        staff, and the lessons assigned to a class one of their children is in now. Nothing is
        cached: a change of class or guardian takes effect on the next request."""
        if _nobody(user):
            return self.none()
        live = self.live()
        if user.is_superuser:
            return live
        assigned = LessonAssignment.objects.filter(
            class_group_id__in=children_class_ids(user)
        ).values("lesson_id")
        return live.filter(Q(school_id__in=staff_school_ids(user)) | Q(id__in=assigned))

    def search_folded(self, query: str) -> "LessonPageQuerySet":
        """Lessons whose text holds every word of `query`, ignoring case and tone marks
        ("phuong trinh bac hai" finds "Phương trình bậc hai"), on PostgreSQL and SQLite alike."""
        words = names.fold(query).split()
        if not words:
            return self.none()
        matches = self
        for word in words[:10]:
            matches = matches.filter(search_text__contains=word)
        return matches


LessonPageManager = PageManager.from_queryset(LessonPageQuerySet)


class LessonPage(CourseContentPage):
    """A lesson: its body is a StreamField of text, media, materials, formulas, a quiz and
    homework. Published only after the subject-group head approves it (Wagtail workflow)."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", editable=False)
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="+", editable=False
    )
    grade = models.PositiveSmallIntegerField(choices=GRADES, editable=False)
    intro = models.TextField(
        _("summary"), blank=True, help_text=_("One or two sentences: what pupils will learn.")
    )
    body = StreamField(LessonBodyBlock(), blank=True, verbose_name=_("lesson"))
    # Derived from the published content on every full save (see sync_content_fields).
    search_text = models.TextField(editable=False, default="")
    homework_due = models.DateField(null=True, blank=True, editable=False)
    has_quiz = models.BooleanField(default=False, editable=False)

    objects = LessonPageManager()

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("search_text"),
        index.FilterField("school"),
        index.FilterField("subject"),
    ]
    parent_page_types = ["lms.CoursePage", "lms.UnitPage"]
    subpage_types = []
    base_form_class = LessonPageForm
    template = "lms/lesson_page.html"

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        indexes = [models.Index(fields=["school", "subject"], name="lesson_school_subject")]

    def sync_tree_fields(self) -> None:
        super().sync_tree_fields()
        self.subject_id = self.course.subject_id
        self.school_year_id = self.course.school_year_id
        self.grade = self.course.grade

    def sync_content_fields(self) -> None:
        """The folded search text, the earliest homework due date and whether there is a quiz,
        from the content being saved."""
        texts = [self.title, self.intro, self.course.title]
        due_dates, has_quiz = [], False
        for item in self.body.raw_data:
            kind, value = item["type"], item["value"]
            texts.extend(_block_texts(kind, value))
            if kind == "homework" and (due := parse_date(value.get("due_date"))):
                due_dates.append(due)
            has_quiz = has_quiz or kind == "quiz"
        self.search_text = names.fold(" ".join(t for t in texts if t))
        self.homework_due = min(due_dates) if due_dates else None
        self.has_quiz = has_quiz

    def material_ids(self) -> set[int]:
        """Ids of the materials this content links to: material and video blocks, and
        document links inside rich text."""
        ids = set()
        for item in self.body.raw_data:
            kind, value = item["type"], item["value"]
            if kind == "material" and value.get("document"):
                ids.add(int(value["document"]))
            elif kind == "video" and value.get("file"):
                ids.add(int(value["file"]))
            elif kind == "paragraph":
                ids.update(document_link_ids(value or ""))
            elif kind == "homework":
                ids.update(document_link_ids(value.get("instructions") or ""))
        return ids

    def usable_material_ids(self) -> set[int]:
        """The materials of this content that it may show: those of its own school's library
        (the admin refuses others; content saved before that rule, or written around the
        admin, shows them as plain text). The chosen materials come with the blocks' own
        conversion; one query for the documents linked from texts, none without such links."""
        chosen = {
            document.pk
            for block in self.body
            if (field := CHOSEN_MATERIAL.get(block.block_type))
            and (document := block.value.get(field)) is not None
            and document.school_id == self.school_id
        }
        linked = set()
        for item in self.body.raw_data:
            if item["type"] == "paragraph":
                linked.update(document_link_ids(item["value"] or ""))
            elif item["type"] == "homework":
                linked.update(document_link_ids(item["value"].get("instructions") or ""))
        linked -= chosen
        if not linked:
            return chosen
        own = Material.objects.filter(id__in=linked, school_id=self.school_id)
        return chosen | set(own.values_list("id", flat=True))

    def image_ids(self) -> set[int]:
        """Ids of the images of this content's image blocks."""
        return {
            int(item["value"]["image"])
            for item in self.body.raw_data
            if item["type"] == "image" and (item.get("value") or {}).get("image")
        }

    def save(self, *args, **kwargs):
        full = kwargs.get("update_fields") is None and bool(self.path)
        if full:
            self.sync_tree_fields()
            self.sync_content_fields()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if full:
                self._sync_material_links()
                self._sync_image_links()

    def _sync_material_links(self) -> None:
        """LessonMaterial mirrors the materials of the saved (published) content, so that a
        parent may download exactly those (lms/access.py): only its own school's, so that no
        lesson opens another school's private material to this school's parents and boards."""
        wanted = self.usable_material_ids()
        have = set(LessonMaterial.objects.filter(lesson=self).values_list("material_id", flat=True))
        if have - wanted:
            LessonMaterial.objects.filter(lesson=self, material_id__in=have - wanted).delete()
        LessonMaterial.objects.bulk_create(
            [LessonMaterial(lesson=self, material_id=i) for i in wanted - have]
        )

    def _sync_image_links(self) -> None:
        """LessonImage mirrors the images of the saved (published) content, so that those who
        may open the lesson may load exactly those files (lms.access.can_view_image): images
        of its own school's library, or of no school's (the operator's, in the root)."""
        found = get_image_model().objects.filter(id__in=self.image_ids())
        schools = {}
        wanted = set()
        for image_id, collection_id in found.values_list("id", "collection_id"):
            if collection_id not in schools:
                schools[collection_id] = school_of_collection(collection_id)
            if schools[collection_id] in (self.school_id, None):
                wanted.add(image_id)
        have = set(LessonImage.objects.filter(lesson=self).values_list("image_id", flat=True))
        if have - wanted:
            LessonImage.objects.filter(lesson=self, image_id__in=have - wanted).delete()
        LessonImage.objects.bulk_create([LessonImage(lesson=self, image_id=i) for i in wanted - have])

    # -- history: an old revision shows the material files it was saved with

    def serializable_data(self):
        data = super().serializable_data()
        data[MATERIALS_AS_OF] = timezone.now().isoformat()
        return data

    def with_content_json(self, content):
        """A revision's page, which shows its materials' files as they were when it was
        saved (a material replaced since then links to its earlier file). Used for the
        history, the reviewer's view and previews; the live page always shows current files."""
        page = super().with_content_json(content)
        as_of = content.get(MATERIALS_AS_OF)
        page.materials_as_of = datetime.datetime.fromisoformat(as_of) if as_of else None
        return page

    def get_context(self, request, *args, **kwargs):
        from lms import access, selectors

        context = super().get_context(request, *args, **kwargs)
        context[USABLE_MATERIALS] = self.usable_material_ids()
        context["show_answers"] = access.may_see_answers(request.user, self)
        context["may_assign"] = access.may_assign(request.user, self)
        as_of = getattr(self, "materials_as_of", None)
        context["material_versions"] = (
            selectors.material_versions_as_of(self.material_ids(), as_of) if as_of else {}
        )
        return context

    def quiz_questions(self, *, with_answers: bool) -> list[dict]:
        """The quizzes' questions for clickers: each with its stable id, prompt and lettered
        choices; the correct letter only when `with_answers`."""
        from lms.blocks import CHOICE_LETTERS

        questions = []
        for block in self.body:
            if block.block_type != "quiz":
                continue
            for child in block.value["questions"].bound_blocks:
                question = child.value
                item = {
                    "id": child.id,
                    "quiz_id": block.id,
                    "prompt": question["prompt"],
                    "choices": [
                        {"key": CHOICE_LETTERS[i], "text": choice["text"]}
                        for i, choice in enumerate(question["choices"])
                    ],
                }
                if with_answers:
                    item["answer"] = next(
                        CHOICE_LETTERS[i] for i, c in enumerate(question["choices"]) if c["correct"]
                    )
                questions.append(item)
        return questions


def _block_texts(kind: str, value) -> list[str]:
    """The searchable words of one stored block. Quiz answers are left out, so that a search
    cannot be used to probe the answer key."""
    if kind == "paragraph":
        return [_plain(value)]
    if kind == "heading":
        return [value.get("text", "")]
    if kind in ("image", "video"):
        return [value.get("caption") or value.get("title") or ""]
    if kind == "material":
        return [value.get("note", "")]
    if kind == "homework":
        return [_plain(value.get("instructions", ""))]
    if kind == "quiz":
        questions = value.get("questions", [])
        return [value.get("title", "")] + [
            (q.get("value", q) or {}).get("prompt", "") for q in questions
        ]
    return []


def _plain(html: str) -> str:
    return unescape_entities(strip_tags(html or ""))


# -------------------------------------------------------------------------- materials


class MaterialQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MaterialQuerySet":
        """Materials `user` may download: the whole library of a school where they are on the
        staff, and the materials of the published lessons they may open."""
        if _nobody(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        in_lessons = LessonMaterial.objects.filter(
            lesson__in=LessonPage.objects.visible_to(user).values("id")
        ).values("material_id")
        return self.filter(Q(school_id__in=staff_school_ids(user)) | Q(id__in=in_lessons))


class Material(AbstractDocument):
    """A learning material (a Wagtail document) in a school's library: PDF, Office files,
    images, audio, video. Stored privately; served only after a permission check."""

    file = models.FileField(
        _("file"), upload_to=storage.material_upload_to, storage=storage.materials_storage,
        max_length=255,
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+",
        verbose_name=_("school"),
    )
    file_changed_at = models.DateTimeField(_("file uploaded at"), null=True, editable=False)

    objects = MaterialQuerySet.as_manager()
    admin_form_fields = ("title", "file", "collection", "tags")

    class Meta(AbstractDocument.Meta):
        verbose_name = _("learning material")
        verbose_name_plural = _("learning materials")

    def clean(self):
        """Type, content and size of a newly uploaded file (lms/validators.py)."""
        from django.core.exceptions import ValidationError

        from lms.validators import validate_material_upload

        if self.file and not getattr(self.file, "_committed", True):
            try:
                validate_material_upload(self.file)
            except ValidationError as error:
                raise ValidationError({"file": error}) from error

    def save(self, *args, **kwargs):
        """Keep the school in step with the collection; when the file changes, keep the old
        file as a MaterialVersion (the caller must not delete it: see MaterialForm.save).
        Set `_replaced_by` to the user who replaced it, to record who did."""
        update_fields = kwargs.get("update_fields")
        old = None
        if self.pk and update_fields is None:
            old = (
                Material.objects.filter(pk=self.pk)
                .values("file", "file_size", "file_hash", "file_changed_at", "created_at")
                .first()
            )
        if update_fields is None:
            self.school_id = school_of_collection(self.collection_id)
        file_changed = old is None or old["file"] != self.file.name
        if update_fields is None and file_changed:
            self.file_changed_at = timezone.now()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old and file_changed and old["file"]:
                MaterialVersion.objects.create(
                    material=self,
                    file=old["file"],
                    file_size=old["file_size"],
                    file_hash=old["file_hash"],
                    valid_from=old["file_changed_at"] or old["created_at"],
                    valid_until=self.file_changed_at,
                    replaced_by=getattr(self, "_replaced_by", None),
                )


def school_of_collection(collection_id) -> int | None:
    """The school whose library collection is `collection_id` or one of its ancestors."""
    if not collection_id:
        return None
    path = Collection.objects.filter(pk=collection_id).values_list("path", flat=True).first()
    if not path:
        return None
    steplen = Collection.steplen
    prefixes = [path[:n] for n in range(steplen, len(path) + 1, steplen)]
    return (
        SchoolLibraryPage.objects.filter(collection__path__in=prefixes)
        .values_list("school_id", flat=True)
        .first()
    )


class MaterialVersion(models.Model):
    """A file a material had before it was replaced, and when it was the current one: an old
    revision of a lesson links to the file it was written with."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="versions")
    file = models.FileField(
        upload_to=storage.version_upload_to, storage=storage.materials_storage, max_length=255
    )
    file_size = models.PositiveBigIntegerField(null=True)
    file_hash = models.CharField(max_length=40, blank=True)
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("earlier version of a material")
        verbose_name_plural = _("earlier versions of materials")
        ordering = ["material", "-valid_until"]

    def __str__(self) -> str:
        return f"{self.material} ({self.valid_from:%d/%m/%Y}–{self.valid_until:%d/%m/%Y})"

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


class LessonMaterial(models.Model):
    """A material that a lesson's published content uses (kept by LessonPage.save)."""

    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="material_links")
    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="lesson_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lesson", "material"], name="lessonmaterial_unique"),
        ]


class LessonImage(models.Model):
    """An image that a lesson's published content shows (kept by LessonPage.save): its file
    and renditions may be loaded by whoever may open the lesson."""

    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="image_links")
    image = models.ForeignKey(
        get_image_model_string(), on_delete=models.CASCADE, related_name="lesson_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lesson", "image"], name="lessonimage_unique"),
        ]


# ------------------------------------------------------------------------ assignments


class LessonAssignment(models.Model):
    """A published lesson given to a class for a date (and, optionally, a period of its
    timetable). The class's pupils' parents see it in the portal."""

    lesson = models.ForeignKey(
        LessonPage, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("lesson")
    )
    class_group = models.ForeignKey(
        ClassGroup, on_delete=models.CASCADE, related_name="lesson_assignments", verbose_name=_("class")
    )
    date = models.DateField(_("date"))
    session = models.CharField(
        _("session"), max_length=10, choices=PeriodTime.Session.choices, blank=True
    )
    period = models.PositiveSmallIntegerField(_("period"), null=True, blank=True)
    homework_due = models.DateField(_("homework due"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("assigned by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lesson for a class")
        verbose_name_plural = _("lessons for classes")
        ordering = ["date", "session", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "class_group", "date"], name="assignment_once_per_class_and_day"
            ),
        ]
        indexes = [models.Index(fields=["class_group", "date"], name="assignment_class_date")]

    def __str__(self) -> str:
        return f"{self.lesson_id} – {self.class_group_id} – {self.date}"


# ------------------------------------------------------------------ Wagtail groups we keep


class SchoolGroup(models.Model):
    """A Wagtail group that lms/permissions.py keeps in step with the school's staff
    (StaffMembership) and teaching (TeachingAssignment). Its members are never edited by hand."""

    class Kind(models.TextChoices):
        MANAGERS = "managers", _("School managers")
        STAFF = "staff", _("All staff")
        SUBJECT = "subject", _("Teachers of a subject")
        HEADS = "heads", _("Subject-group head")

    group = models.OneToOneField(
        "auth.Group", on_delete=models.CASCADE, related_name="lms_role"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    subject_group = models.ForeignKey(
        SubjectGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The approval workflow whose task this group approves (heads; managers as the fallback).
    workflow = models.ForeignKey(
        Workflow, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "kind"], condition=Q(kind__in=["managers", "staff"]),
                name="schoolgroup_one_per_school",
            ),
            models.UniqueConstraint(
                fields=["subject"], condition=Q(kind="subject"), name="schoolgroup_one_per_subject"
            ),
            models.UniqueConstraint(
                fields=["subject_group"], condition=Q(kind="heads"),
                name="schoolgroup_one_per_subject_group",
            ),
        ]

    def __str__(self) -> str:
        return str(self.group)
