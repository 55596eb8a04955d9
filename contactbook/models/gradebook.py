"""The grade book of the electronic contact book (sổ liên lạc điện tử): scores, conduct,
term comments and the term's open/closed history.

Grades are evidence: every change of a score, conduct rating or attendance mark keeps who,
when, the old and the new value (django-simple-history), and a closed term cannot be changed
until an administrator reopens it (school.models.TermEvent records both).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from grading import circular27
from school.models import ClassGroup, Student, Subject, Term


class ScoreQuerySet(models.QuerySet):
    def published(self) -> "ScoreQuerySet":
        """The cells a teacher has published: the only ones a guardian, a weekly summary or a
        report card ever reads (drafts stay the teacher's). The parent portal's one SQL
        statement (contactbook/portal.py) says the same as `published_at IS NOT NULL`."""
        return self.filter(published_at__isnull=False)


class Score(models.Model):
    """One cell of a class's grade book: a pupil's assessment in a subject and term.

    A scored subject's cell holds `value` (0–10, one decimal); a rated subject's holds `passed`
    (Đ/CĐ). In a primary school (Circular 27) a mid-term or end-of-term cell holds `rating`
    (T/H/C) and a written test's cell `value` (a whole number 0–10). `published_at` is set when
    the teacher publishes the cell's column: guardians see published cells only.
    """

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular assessment")
        MIDTERM = "midterm", _("Midterm")
        FINAL = "final", _("End of term")
        MIDTERM_TEST = "midtest", _("Mid-term test")
        FINAL_TEST = "finaltest", _("End-of-term test")

    class Makeup(models.TextChoices):  # Circular 22 Art. 6: kiểm tra, đánh giá bù
        NONE = "", _("Taken when set")
        TAKEN = "taken", _("Make-up assessment")
        MISSED = "missed", _("Missed, no make-up: 0 or CĐ")

    class Rating(models.TextChoices):  # Circular 27: subjects and activities, grades 1–5
        GOOD = "T", circular27.SUBJECT_RATINGS["T"]  # Hoàn thành tốt
        DONE = "H", circular27.SUBJECT_RATINGS["H"]  # Hoàn thành
        NOT_YET = "C", circular27.SUBJECT_RATINGS["C"]  # Chưa hoàn thành

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="scores", verbose_name=_("pupil"))
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="scores", verbose_name=_("subject"))
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="scores", verbose_name=_("term"))
    class_group = models.ForeignKey(
        ClassGroup, on_delete=models.PROTECT, related_name="scores", verbose_name=_("class")
    )
    kind = models.CharField(_("assessment"), max_length=10, choices=Kind.choices)
    index = models.PositiveSmallIntegerField(_("number"), default=1)
    value = models.DecimalField(_("score"), max_digits=3, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField(_("Đạt"), null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=1, choices=Rating.choices, null=True, blank=True)
    # Grades 6–12: the value is a make-up's (typed "7,5B"), or the pupil missed the assessment
    # and its make-up and so has 0 or CĐ (typed "K"); kept in the history like the value.
    makeup = models.CharField(
        _("make-up"), max_length=10, choices=Makeup.choices, default=Makeup.NONE, blank=True
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    updated_at = models.DateTimeField(_("entered at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["published_at"])

    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "subject", "term", "kind", "index"], name="score_one_per_cell"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | (Q(value__gte=0) & Q(value__lte=10)),
                name="score_value_0_10",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__in=["T", "H", "C"]),
                name="score_rating_t_h_c",
            ),
            # Art. 6: a pupil who missed an assessment and its make-up has 0 (or Chưa đạt).
            models.CheckConstraint(
                # IS NOT NULL first: "value = 0" on a NULL would be NULL, which a check passes.
                condition=~Q(makeup="missed")
                | Q(value__isnull=False, value=0)
                | Q(passed__isnull=False, passed=False),
                name="score_missed_is_zero_or_cd",
            ),
        ]
        indexes = [models.Index(fields=["class_group", "subject", "term"], name="score_grid")]

    def __str__(self) -> str:
        if self.value is not None:
            shown = self.value
        else:
            shown = self.rating or ("Đ" if self.passed else "CĐ")
        return f"{self.student} – {self.subject} – {self.get_kind_display()} {self.index}: {shown}"


class ConductRating(models.Model):
    """Kết quả rèn luyện for a term, given by the homeroom teacher (GVCN)."""

    class Rating(models.TextChoices):
        GOOD = "Tốt", "Tốt"
        FAIR = "Khá", "Khá"
        PASS = "Đạt", "Đạt"
        FAIL = "Chưa đạt", "Chưa đạt"

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="conduct", verbose_name=_("pupil"))
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="+", verbose_name=_("term"))
    rating = models.CharField(_("conduct"), max_length=10, choices=Rating.choices)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("conduct rating")
        verbose_name_plural = _("conduct ratings")
        constraints = [models.UniqueConstraint(fields=["student", "term"], name="conduct_one_per_term")]


class QualityRating(models.Model):
    """A primary pupil's rating in one quality or competency (phẩm chất, năng lực: Circular
    27/2020 Art. 6) at the mid-term or the end of a term, given by the class teacher."""

    class Item(models.TextChoices):
        # Phẩm chất chủ yếu
        PATRIOTISM = "yeu-nuoc", "Yêu nước"
        KINDNESS = "nhan-ai", "Nhân ái"
        DILIGENCE = "cham-chi", "Chăm chỉ"
        HONESTY = "trung-thuc", "Trung thực"
        RESPONSIBILITY = "trach-nhiem", "Trách nhiệm"
        # Năng lực chung
        AUTONOMY = "tu-chu", "Tự chủ và tự học"
        COOPERATION = "giao-tiep", "Giao tiếp và hợp tác"
        PROBLEM_SOLVING = "giai-quyet", "Giải quyết vấn đề và sáng tạo"
        # Năng lực đặc thù
        LANGUAGE = "ngon-ngu", "Ngôn ngữ"
        NUMERACY = "tinh-toan", "Tính toán"
        SCIENCE = "khoa-hoc", "Khoa học"
        TECHNOLOGY = "cong-nghe", "Công nghệ"
        COMPUTING = "tin-hoc", "Tin học"
        AESTHETICS = "tham-mi", "Thẩm mĩ"
        PHYSICAL = "the-chat", "Thể chất"

    class Rating(models.TextChoices):  # Circular 27's words
        GOOD = "T", circular27.QUALITY_RATINGS["T"]  # Tốt
        PASS = "Đ", circular27.QUALITY_RATINGS["Đ"]  # Đạt
        NEEDS_EFFORT = "C", circular27.QUALITY_RATINGS["C"]  # Cần cố gắng

    class Period(models.TextChoices):
        MIDTERM = "midterm", _("Middle of the term")
        FINAL = "final", _("End of term")

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="qualities", verbose_name=_("pupil"))
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="+", verbose_name=_("term"))
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    item = models.CharField(_("quality or competency"), max_length=20, choices=Item.choices)
    rating = models.CharField(_("rating"), max_length=1, choices=Rating.choices)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quality or competency rating")
        verbose_name_plural = _("quality and competency ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "term", "period", "item"], name="quality_one_per_period"
            ),
        ]


class TermComment(models.Model):
    """A term comment on a pupil: a subject teacher's (with `subject`) or the homeroom
    teacher's (without). A subject teacher's `whole_year` comment, kept on term II, is the
    year's: "nhận xét sự tiến bộ, ưu điểm nổi bật, hạn chế chủ yếu" that the học bạ's year
    page and the year card print per subject, beside (not instead of) term II's own."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="term_comments")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    text = models.TextField(_("comment"), max_length=2000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    whole_year = models.BooleanField(_("year comment"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("term comment")
        verbose_name_plural = _("term comments")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "term", "subject", "whole_year"],
                name="termcomment_one_per_subject",
            ),
            # The homeroom teacher's year comment is term II's (the card prints it as such).
            models.CheckConstraint(
                condition=Q(whole_year=False) | Q(subject__isnull=False),
                name="termcomment_year_is_a_subjects",
            ),
            models.UniqueConstraint(
                fields=["student", "term"], condition=Q(subject__isnull=True),
                name="termcomment_one_homeroom",
            ),
        ]
