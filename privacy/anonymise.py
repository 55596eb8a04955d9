"""Anonymising a pupil who has left: the school record stays, the rest goes (docs/privacy.md
says what and why).

Kept — the school record (học bạ, sổ điểm) the school keeps under the archive rules: the
pupil's row with name, date of birth, sex and student code (the identity block every issued
card prints), enrolments, scores and their history, conduct, qualities and competencies, term
comments, attendance marks (status only: absences count for promotion and are printed on the
cards), leave requests' dates and decisions (they are why an absence is excused), report cards
with their codes, fingerprints and PDFs, and the access records (DataAccess: the law's record
of who processed the data).

Removed — what served the daily contact with the family: the message thread with its
messages and attachment files, daily comments, weekly summaries, notifications about the pupil
(to anyone), leave requests' reasons and teachers' notes, attendance notes (also in their
history), the kiosk card number and the kiosk's check-ins, clicker answers, guardian link
requests and correction requests, the guardians' links; a guardian account with no other child
and no staff place is deactivated and its name, phone, e-mail and password removed.

One transaction: all or nothing. Attachment files are deleted from storage only after the
commit, so a rollback never leaves rows pointing at missing files.
"""

import datetime
import logging
import re

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from contactbook.models import (
    AttendanceMark,
    ChannelPreference,
    DailyComment,
    LeaveRequest,
    Message,
    MessageAttachment,
    MessageThread,
    Notification,
    WeeklySummary,
)
from contactbook.models.messaging import attachment_storage
from devices.models import CheckInEvent, QuizAnswer
from privacy.export import notifications_about
from privacy.models import AnonymisationRecord, CorrectionRequest
from school.access import can_manage_school
from school.exceptions import DomainError
from school.models import Enrolment, Guardian, GuardianLinkRequest, Student

logger = logging.getLogger(__name__)
_SAFE_IP = re.compile(r"^[0-9a-fA-F:.]+$")

# The name a deactivated guardian account is left with (a name is required).
ANONYMOUS_NAME = "Tài khoản đã ẩn danh"


class CannotAnonymise(DomainError):
    status = 409
    code = "cannot_anonymise"
    message = gettext_lazy("This pupil cannot be anonymised.")


def retention() -> datetime.timedelta:
    return datetime.timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)


def left_pupils() -> QuerySet:
    """Pupils with no enrolment still active (in any year), each with `left_on`: the day their
    last enrolment ended. A pupil never enrolled has no leaving day and is not here."""
    active = Enrolment.objects.active().values("student_id")
    return (
        Student.objects.exclude(id__in=active)
        .annotate(left_on=Max("enrolments__end_date"))
        .filter(left_on__isnull=False)
    )


def due_for_anonymisation(today: datetime.date | None = None) -> QuerySet:
    """Left pupils past the retention period and not anonymised yet, oldest first."""
    today = today or timezone.localdate()
    return (
        left_pupils().filter(left_on__lte=today - retention(), anonymisation__isnull=True)
        .select_related("school").order_by("left_on", "pk")
    )


def problem(student: Student, user, today: datetime.date | None = None) -> str | None:
    """Why `user` may not anonymise `student` now (a sentence), or None."""
    today = today or timezone.localdate()
    if not can_manage_school(user, student.school):
        return _("Only a manager of the pupil's school may anonymise them.")
    if AnonymisationRecord.objects.filter(student=student).exists():
        return _("This pupil has already been anonymised.")
    enrolments = list(Enrolment.objects.filter(student=student).values_list("status", "end_date"))
    if any(status == Enrolment.Status.ACTIVE for status, _end in enrolments):
        return _("This pupil is still enrolled: end their enrolment first.")
    if not enrolments:
        return _("This pupil has never been enrolled, so there is no leaving date to count from.")
    allowed_from = max(end for _status, end in enrolments) + retention()
    if today < allowed_from:
        return _("Data of a pupil who has left is kept for %(days)s days: this pupil may be "
                 "anonymised from %(date)s.") % {
            "days": settings.PERSONAL_DATA_RETENTION_DAYS, "date": f"{allowed_from:%d/%m/%Y}"}
    return None


def preview(student: Student) -> dict[str, int]:
    """What anonymising `student` would remove, counted (the confirmation page)."""
    leaves = LeaveRequest.objects.filter(student=student)
    return {
        "messages": Message.objects.filter(thread__student=student).count(),
        "attachments": MessageAttachment.objects.filter(message__thread__student=student).count(),
        "daily_comments": DailyComment.objects.filter(student=student).count(),
        "weekly_summaries": WeeklySummary.objects.filter(student=student).count(),
        "notifications": _notifications(student, list(leaves.values_list("pk", flat=True))).count(),
        "leave_reasons": leaves.count(),
        "guardian_links": student.guardianships.count(),
    }


def anonymise(student: Student, *, by: User, ip_address: str | None = None) -> AnonymisationRecord:
    """Anonymise a pupil who has left, as `by` (a manager of the pupil's school), after the
    retention period. Raises CannotAnonymise (nothing changed) when `problem` says why not.
    All in one transaction; the attachment files go after the commit."""
    with transaction.atomic():
        student = Student.objects.select_for_update().select_related("school").get(pk=student.pk)
        reason = problem(student, by)
        if reason:
            raise CannotAnonymise(reason)
        left_on = Enrolment.objects.filter(student=student).aggregate(last=Max("end_date"))["last"]
        removed, files = _remove(student)
        record = AnonymisationRecord.objects.create(
            student=student, student_code=student.student_code, school=student.school,
            left_on=left_on, by=by, by_name=by.full_name or str(by), ip_address=ip_address,
            removed=removed,
        )
        transaction.on_commit(lambda: _delete_files(files))
    logger.info("Pupil %s anonymised by user %s", student.pk, by.pk)
    return record


def _remove(student: Student) -> tuple[dict[str, int], list[str]]:
    removed: dict[str, int] = {}
    leave_ids = list(LeaveRequest.objects.filter(student=student).values_list("pk", flat=True))
    removed["notifications"] = _notifications(student, leave_ids).delete()[1].get("contactbook.Notification", 0)
    files = list(MessageAttachment.objects.filter(message__thread__student=student).values_list("file", flat=True))
    counts = MessageThread.objects.filter(student=student).delete()[1]
    removed["messages"] = counts.get("contactbook.Message", 0)
    removed["attachments"] = counts.get("contactbook.MessageAttachment", 0)
    removed["daily_comments"] = DailyComment.objects.filter(student=student).delete()[0]
    removed["weekly_summaries"] = WeeklySummary.objects.filter(student=student).delete()[1].get(
        "contactbook.WeeklySummary", 0)
    removed["leave_reasons"] = LeaveRequest.objects.filter(student=student).update(reason="", decision_note="")
    removed["attendance_notes"] = AttendanceMark.objects.filter(student=student).exclude(note="").update(note="")
    AttendanceMark.history.filter(student_id=student.pk).exclude(note="").update(note="")
    removed["check_ins"] = CheckInEvent.objects.filter(student=student).delete()[0]
    removed["quiz_answers"] = QuizAnswer.objects.filter(student=student).delete()[0]
    removed["link_requests"] = GuardianLinkRequest.objects.filter(student=student).delete()[0]
    removed["correction_requests"] = CorrectionRequest.objects.filter(student=student).delete()[0]
    removed["card_id"] = int(bool(student.card_id))
    if student.card_id:
        student.card_id = ""
        student.save(update_fields=["card_id"])
    removed.update(_unlink_guardians(student))
    return removed, files


def _notifications(student: Student, leave_ids: list[int]) -> QuerySet:
    """Notifications about the pupil, to anyone: the guardians' (notifications_about), the
    teachers' about the thread, and the homeroom teacher's about a leave request (whose link
    names the class, so its key is matched)."""
    about = notifications_about(student.pk) | Q(
        url__startswith=f"/giao-vien/tin-nhan/hoc-sinh/{student.pk}/"
    )
    if leave_ids:
        ids = "|".join(str(pk) for pk in leave_ids)
        about |= Q(dedupe_key__regex=rf"^leave-requested:({ids}):")
    return Notification.objects.filter(about)


def _unlink_guardians(student: Student) -> dict[str, int]:
    """Delete the pupil's guardian links; an account left with no child and no staff place
    (nor the operator's) is closed: deactivated, its contacts, name, password, channel
    preferences and notifications removed. Its sessions need no search: a deactivated account
    is refused on its very next request (accounts.backends reads the user every time)."""
    links = student.guardianships.all()
    users = list(User.objects.filter(guardian__guardianships__in=links).distinct())
    unlinked = links.delete()[0]
    closing = [
        user for user in User.objects.filter(pk__in=[u.pk for u in users])
        .exclude(guardian__guardianships__isnull=False)
        .exclude(memberships__isnull=False)
        .exclude(Q(is_superuser=True) | Q(is_staff=True))
    ]
    for user in closing:
        user.is_active = False
        user.phone = None
        # The account must keep a phone or an e-mail (user_has_phone_or_email): an address under
        # the reserved .invalid domain (RFC 6761) reaches nobody.
        user.email = f"an-danh-{user.pk}@an-danh.invalid"
        user.full_name = ANONYMOUS_NAME
        user.set_unusable_password()
        user.save(update_fields=["is_active", "phone", "email", "full_name", "password"])
    ids = [user.pk for user in closing]
    Guardian.objects.filter(user_id__in=ids).delete()
    ChannelPreference.objects.filter(user_id__in=ids).delete()
    Notification.objects.filter(recipient_id__in=ids).delete()
    return {"guardian_links": unlinked, "guardian_accounts_closed": len(closing)}


def _delete_files(names: list[str]) -> None:
    storage = attachment_storage()
    for name in names:
        try:
            storage.delete(name)
        except OSError:  # already gone, or the disk refused: the row is gone either way
            logger.warning("Could not delete an anonymised pupil's attachment file")


def client_address(request) -> str | None:
    """REMOTE_ADDR when it is an address (it is what the access records keep too)."""
    address = request.META.get("REMOTE_ADDR") or ""
    return address if _SAFE_IP.match(address) else None
