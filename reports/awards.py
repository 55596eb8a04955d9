"""Khen thưởng: recording a pupil's awards for a school year (reports.models.Award).

Who does what (reading chosen, README "Titles and awards"):

- the class's proposal for Circular 27's "Học sinh Tiêu biểu hoàn thành tốt trong học tập và
  rèn luyện" (Art. 13.1.a, "được tập thể lớp công nhận") is recorded by the class's homeroom
  teacher (or a manager of the school), only for a pupil of a primary class whose year result
  is Hoàn thành tốt, with what it is for (a subject, or the quality or competency the pupil
  clearly progressed in); it is printed once the principal confirms it (the principal awards
  the giấy khen: "Hiệu trưởng tặng giấy khen");
- an award for an outstanding achievement ("thành tích đột xuất", Circular 22 Art. 15.1.b,
  Circular 27 Art. 13.1.b), or a higher body's award (Art. 15.2 / 13.2), grades 1–12, is the
  principal's decision: the school's managers record it, and it is confirmed as it is
  recorded. A homeroom teacher proposes such awards on paper to the school's council, not here.

Every write checks who may, runs in one transaction and refuses bad input with a Vietnamese
message (AwardRefused) without writing anything. The history (who, when) is the model's.
"""

import unicodedata

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grading import circular27
from reports.cards.selectors import year_cards
from reports.models import Award
from school.access import can_manage_school, is_principal
from school.exceptions import DomainError
from school.models import ClassGroup, Enrolment, SchoolYear, Student

TEXT_MAX = Award._meta.get_field("text").max_length


class AwardRefused(DomainError):
    status = 422
    code = "award_refused"


class NotAllowed(DomainError):
    status = 403
    code = "forbidden"


def clean_text(text: str | None) -> str:
    """NFC, spaces collapsed: two ways of typing the same award are one award."""
    return unicodedata.normalize("NFC", " ".join((text or "").split()))


def _check_text(text: str | None, field: str = "text") -> str:
    text = clean_text(text)
    if not text:
        raise AwardRefused(_("Write what the award is for."), field=field)
    if len(text) > TEXT_MAX:
        raise AwardRefused(
            _("At most %(n)d characters.") % {"n": TEXT_MAX}, field=field
        )
    return text


def class_of(student: Student, school_year: SchoolYear) -> ClassGroup | None:
    """The pupil's class in that year at the year's school (the active enrolment), or None."""
    enrolment = (
        Enrolment.objects.active()
        .filter(student=student, school_year=school_year, class_group__school=school_year.school_id)
        .select_related("class_group")
        .first()
    )
    return enrolment.class_group if enrolment else None


def may_be_proposed(result: str) -> bool:
    """Whether a pupil with this year result ("" while incomplete; a secondary pupil's "Tốt"
    is not Circular 27's and never qualifies) may be proposed."""
    return result in circular27.PRIMARY_RESULTS and circular27.may_be_proposed_tieu_bieu(result)


def may_propose(user, class_group: ClassGroup) -> bool:
    """The class's homeroom teacher, the school's managers, the operator."""
    return (
        user.is_superuser
        or (class_group.homeroom_teacher_id is not None
            and class_group.homeroom_teacher_id == user.pk)
        or can_manage_school(user, class_group.school)
    )


def year_result_of(student: Student, class_group: ClassGroup) -> str:
    """The pupil's year result as their year card prints it ("" while incomplete)."""
    cards = year_cards(class_group, class_group.school_year, student_ids=[student.pk])
    return cards[0].learning if cards else ""


def propose_tieu_bieu(user, student: Student, class_group: ClassGroup, reason: str) -> Award:
    """Record the class's proposal of `student` for Học sinh Tiêu biểu (Art. 13.1.a)."""
    if not may_propose(user, class_group):
        raise NotAllowed(_("Only the class's homeroom teacher or the school's managers may do this."))
    if not class_group.is_primary:
        raise AwardRefused(
            _("This title is for primary pupils (Circular 27); grades 6–12 have Học sinh "
              "Xuất sắc and Học sinh Giỏi, which follow from the results."),
            field="student",
        )
    reason = _check_text(reason, "text")
    with transaction.atomic():
        if class_of(student, class_group.school_year) != class_group:
            raise AwardRefused(_("This pupil is not in this class this school year."),
                               field="student")
        result = year_result_of(student, class_group)
        if not result:
            raise AwardRefused(
                _("The pupil's year result is not complete yet: propose once it is."),
                field="student",
            )
        if not circular27.may_be_proposed_tieu_bieu(result):
            raise AwardRefused(
                _("Only a pupil whose year result is Hoàn thành tốt may be proposed for "
                  "Học sinh Tiêu biểu (Circular 27, Article 13); this pupil's is "
                  "%(result)s.") % {"result": result},
                field="student",
            )
        if Award.objects.filter(
            student=student, school_year=class_group.school_year, kind=Award.Kind.TIEU_BIEU
        ).exists():
            raise AwardRefused(_("This pupil is already proposed."), field="student")
        return Award.objects.create(
            student=student, school_year=class_group.school_year, kind=Award.Kind.TIEU_BIEU,
            text=reason, recorded_by=user,
        )


def withdraw_proposal(user, award: Award, class_group: ClassGroup) -> None:
    """Take back a proposal the principal has not confirmed yet."""
    if not may_propose(user, class_group):
        raise NotAllowed(_("Only the class's homeroom teacher or the school's managers may do this."))
    with transaction.atomic():
        award = Award.objects.select_for_update().get(pk=award.pk)
        if award.kind != Award.Kind.TIEU_BIEU or award.confirmed:
            raise AwardRefused(_("A confirmed award cannot be withdrawn here."), field="award")
        award.delete()


def confirm_tieu_bieu(user, award: Award) -> Award:
    """The principal confirms the class's proposal: from now on it is printed."""
    if not is_principal(user, award.school_year.school_id):
        raise NotAllowed(_("Only the principal confirms a title."))
    with transaction.atomic():
        award = Award.objects.select_for_update().get(pk=award.pk)
        if award.kind != Award.Kind.TIEU_BIEU:
            raise AwardRefused(_("Only a proposal is confirmed."), field="award")
        if not award.confirmed:
            award.confirmed_by, award.confirmed_at = user, timezone.now()
            award.save(update_fields=["confirmed_by", "confirmed_at"])
        return award


def check_achievement(student: Student | None, school_year: SchoolYear | None, text: str,
                      *, exclude: int | None = None) -> str:
    """The cleaned text, or AwardRefused naming the field: the pupil must be in a class of
    the year's school that year, the text not empty, and the same award not recorded twice."""
    text = _check_text(text)
    if student is None or school_year is None:
        raise AwardRefused(_("Choose the pupil and the school year."), field="student")
    if class_of(student, school_year) is None:
        raise AwardRefused(
            _("This pupil was not in a class of this school in that school year."),
            field="student",
        )
    same = Award.objects.filter(
        student=student, school_year=school_year, kind=Award.Kind.ACHIEVEMENT, text=text
    )
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise AwardRefused(_("This award is already recorded for this pupil."), field="text")
    return text


def record_achievement(user, student: Student, school_year: SchoolYear, text: str) -> Award:
    """A manager records an award for an outstanding achievement; it is printed at once."""
    if not (user.is_superuser or can_manage_school(user, school_year.school)):
        raise NotAllowed(_("Only the school's managers record awards."))
    with transaction.atomic():
        text = check_achievement(student, school_year, text)
        now = timezone.now()
        try:
            with transaction.atomic():
                return Award.objects.create(
                    student=student, school_year=school_year, kind=Award.Kind.ACHIEVEMENT,
                    text=text, recorded_by=user, confirmed_by=user, confirmed_at=now,
                )
        except IntegrityError:  # the same award saved at the same moment by someone else
            raise AwardRefused(
                _("This award is already recorded for this pupil."), field="text"
            ) from None
