"""Term reports: each pupil's printed card (PDF, content hash, verification code) and the batch
runs that render them.

A card is rendered once per content: a run computes each pupil's card data, hashes it, and
renders only the pupils whose hash changed; the old card is kept, marked superseded, so a
printed copy with an old code is still answered truthfully on the verification page.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from school.models import ClassGroup, School, SchoolYear, StaffMembership, Student, Term


class ReportCard(models.Model):
    """Phiếu báo kết quả học tập: one pupil, one term (or the whole year when `term` is null)."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="report_cards")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    class_group = models.ForeignKey(ClassGroup, on_delete=models.PROTECT, related_name="+")
    content_hash = models.CharField(max_length=64)  # SHA-256 of what the card shows
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    pdf = models.BinaryField()
    fingerprint = models.CharField(_("fingerprint (SHA-256)"), max_length=64)
    pages = models.PositiveSmallIntegerField(default=1)
    signed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    run = models.ForeignKey("ReportRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Who signed it when not the principal: its run's deputy, kept by the card itself, so a card
    # rendered again when opened (reports.runs.ensure_card, no run) keeps the signer.
    deputy = models.ForeignKey(
        StaffMembership, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )

    class Meta:
        verbose_name = _("report card")
        verbose_name_plural = _("report cards")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year", "term"],
                condition=Q(superseded_at__isnull=True),
                nulls_distinct=False,
                name="reportcard_one_current",
            ),
        ]
        indexes = [models.Index(fields=["class_group", "school_year", "term"], name="reportcard_class")]

    def __str__(self) -> str:
        return f"{self.student} – {self.term or self.school_year} ({self.code})"


class ReportRun(models.Model):
    """An admin's request to render the cards of a class, a grade or the school for a term, or
    a class's học bạ (school records: reports.school_record, whole year, class scope only)."""

    class Document(models.TextChoices):
        CARDS = "cards", _("Report cards")
        SCHOOL_RECORD = "school_record", _("School records (học bạ)")

    class Scope(models.TextChoices):
        CLASS = "class", _("A class")
        GRADE = "grade", _("A grade")
        SCHOOL = "school", _("The whole school")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="report_runs")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    document = models.CharField(
        _("document"), max_length=15, choices=Document.choices, default=Document.CARDS
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    class_group = models.ForeignKey(ClassGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(_("cards"), default=0)
    done = models.PositiveIntegerField(_("cards ready"), default=0)
    rendered = models.PositiveIntegerField(_("cards rendered anew"), default=0)
    error = models.TextField(blank=True)
    # Who signs the cards: the principal (null), or a vice-principal of the school signing for
    # them ("KT. HIỆU TRƯỞNG / PHÓ HIỆU TRƯỞNG" and the deputy's name on every card of the run).
    deputy = models.ForeignKey(
        StaffMembership, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("signed for the principal by"),
    )

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-created_at"]
        constraints = [
            # A double click, or two admins at once, start one run: while a run for the same
            # cards is waiting or rendering, starting it again returns that run.
            models.UniqueConstraint(
                fields=["school", "school_year", "term", "document", "scope", "grade",
                        "class_group"],
                condition=Q(status__in=["queued", "running"]),
                nulls_distinct=False,
                name="reportrun_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} – {self.term or self.school_year} – {self.get_scope_display()}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def deputy_name(self) -> str:
        """The name printed under "KT. HIỆU TRƯỞNG"; "" when the principal signs."""
        return self.deputy.user.full_name if self.deputy_id else ""


class ReportChunk(models.Model):
    """About 40 pupils of one class: the unit a worker renders in one transaction, so a killed
    worker leaves a chunk either wholly done or untouched."""

    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="chunks")
    class_group = models.ForeignKey(ClassGroup, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    student_ids = models.JSONField()
    done_at = models.DateTimeField(null=True, blank=True)
    rendered = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A học bạ run's chunk: its pupils' records as one PDF, stored with the done mark in the
    # chunk's transaction (cards are stored per pupil, as ReportCard, instead).
    pdf = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "position"], name="reportchunk_position")]


class ReportFile(models.Model):
    """What a run produced: one PDF per class and, for a grade or the school, one ZIP of them."""

    class Kind(models.TextChoices):
        CLASS_PDF = "class_pdf", _("Class PDF")
        ZIP = "zip", _("ZIP of the classes")

    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    class_group = models.ForeignKey(ClassGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(max_length=200)  # the download's file name
    path = models.CharField(max_length=300)  # relative to settings.REPORTS_ROOT
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveIntegerField(default=0)
    # SHA-256 of the codes of the cards it joins, in order: a later run whose class has the
    # same cards reuses this file instead of joining the PDFs again.
    cards_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["run", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["run", "kind", "class_group"], nulls_distinct=False, name="reportfile_one"),
        ]


class Award(models.Model):
    """Khen thưởng of one pupil for one school year, beside the titles the cards compute from
    the results (Circular 22 Art. 15.1.a: Học sinh Xuất sắc / Giỏi; Circular 27 Art. 13.1.a:
    Học sinh Xuất sắc), which are not stored:

    - `TIEU_BIEU`: Circular 27's "Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn
      luyện", proposed by the class (its homeroom teacher records the class's proposal, with
      the subject or quality it is for) and confirmed by the principal, who awards it;
    - `ACHIEVEMENT`: an award for "thành tích đột xuất" (Circular 22 Art. 15.1.b, Circular 27
      Art. 13.1.b) or a higher body's award (Art. 15.2 / 13.2), free text ("Giải Nhì học sinh
      giỏi cấp tỉnh môn Toán"), recorded by the school's managers: confirmed when recorded.

    Only confirmed rows are printed. Writes go through reports.awards; history keeps who and
    when."""

    class Kind(models.TextChoices):
        TIEU_BIEU = "tieu_bieu", _("Học sinh Tiêu biểu (the class's proposal)")
        ACHIEVEMENT = "achievement", _("Outstanding achievement")

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="awards", verbose_name=_("pupil")
    )
    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("school year")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # The achievement as printed; for a Tiêu biểu proposal, what it is for (the subject or
    # the quality, Art. 13.1.a).
    text = models.CharField(_("text"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["school_year", "student", "recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year"], condition=Q(kind="tieu_bieu"),
                name="award_one_tieu_bieu",
            ),
            models.UniqueConstraint(
                fields=["student", "school_year", "kind", "text"], name="award_no_duplicate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.text}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class ClassCounts(models.Model):
    """A class's results counted for the department's dashboard (reports/counts.py): its cards
    of one term, or of the whole year when `term` is null, classified as the statistics
    classify them. Counts only, never a pupil; refreshed in the background, so a province's
    dashboard reads a row per class instead of computing every pupil's card."""

    class_group = models.ForeignKey(ClassGroup, on_delete=models.CASCADE, related_name="+")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    pupils = models.PositiveIntegerField()
    # {measure: [[category code, its label, pupils], ...]}: statistics.ClassCounts.as_json.
    counts = models.JSONField()
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("class counts")
        verbose_name_plural = _("class counts")
        constraints = [
            models.UniqueConstraint(
                fields=["class_group", "term"], nulls_distinct=False, name="classcounts_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.class_group} – {self.term or _('whole year')}"
