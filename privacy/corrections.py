"""Correction requests: a guardian says what is wrong, the school's managers answer (in the
school administration), and the guardian is told through the outbox."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contactbook import notifications
from privacy.models import CorrectionRequest
from school.models import Guardianship, Student

# Open requests one pupil may have at once: enough for a family with several things to fix,
# few enough that a script cannot fill the school's inbox.
MAX_OPEN_PER_PUPIL = 10


def request_correction(*, student: Student, user, data: str, text: str) -> CorrectionRequest:
    """Record a guardian's request. The caller has loaded `student` through privacy.access
    and checked the form (lengths, the open-request limit)."""
    return CorrectionRequest.objects.create(student=student, requested_by=user, data=data, text=text)


def open_requests(student: Student) -> int:
    return CorrectionRequest.objects.filter(student=student, status=CorrectionRequest.Status.OPEN).count()


def answer_correction(request: CorrectionRequest, *, by, status: str, answer: str) -> None:
    """The school's answer: saved and told to the guardian who asked, in one transaction (the
    notification is an outbox row, so a rolled-back answer is never announced)."""
    with transaction.atomic():
        request.status = status
        request.answer = answer
        request.answered_by = by
        request.answered_at = timezone.now()
        request.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        _tell_guardian(request)


def _tell_guardian(request: CorrectionRequest) -> None:
    """Tell the guardian who asked, if they are still a guardian the school may reach (an
    active account, still linked to the pupil: Guardianship.objects.reachable); someone
    unlinked since is told nothing about the pupil."""
    links = Guardianship.objects.reachable([request.student_id]).filter(guardian__user_id=request.requested_by_id)
    recipients = [link.guardian.user for link in links]
    if not recipients:
        return
    values = {"pupil": request.student.full_name, "data": request.data}
    title = (
        _("Correction made: %(pupil)s") if request.status == CorrectionRequest.Status.ANSWERED
        else _("Correction refused: %(pupil)s")
    ) % values
    notifications.notify(
        recipients=recipients,
        kind="correction_answer",
        title=title,
        body=_("Your request about “%(data)s”: %(answer)s") % {**values, "answer": request.answer},
        url=reverse("privacy:child_data", args=[request.student_id]),
        key=f"correction:{request.pk}:{request.answered_at.timestamp()}",
    )
