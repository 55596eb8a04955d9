"""Messages between a pupil's guardians and that pupil's teachers: who takes part (computed
from the database on every call, never stored or cached; the door is
contactbook.access.get_participation), sending with attachments, quiet hours, and the reads
the message pages need in a fixed number of queries.

Who takes part in the thread about a pupil:
- the pupil's guardians (Guardianship rows, now);
- the teachers of the pupil's current class — those with a teaching assignment in it and its
  homeroom teacher (GVCN) — who are still on the school's active staff
  (school.managers.taught_class_ids, the same rule that decides which classes a teacher sees).
Nobody else: not the school's managers, not the platform operator. A guardian who is unlinked,
a pupil moved to another class or a teacher whose assignment changes counts on the next call.
"""

import datetime
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contactbook import notifications
from contactbook.access import get_participation
from contactbook.models import (
    Delivery,
    Message,
    MessageAttachment,
    MessageThread,
    ThreadMute,
    ThreadReadState,
)
from contactbook.models.messaging import attachment_storage
from core.files import is_disk_full
from school.exceptions import DomainError
from school.managers import taught_class_ids
from school.models import (
    ClassGroup,
    Enrolment,
    Guardianship,
    StaffMembership,
    Student,
    TeachingAssignment,
)

log = logging.getLogger(__name__)
GUARDIAN = Message.Side.GUARDIAN
TEACHER = Message.Side.TEACHER
MESSAGES_SHOWN = 50
PREVIEW_CHARS = 140

# Attachments: what a parent's phone camera or a scanned form produces. The type is read
# from the file's first bytes; the name and the browser's declared type are not trusted.
_SIGNATURES = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
]


def max_attachment_bytes() -> int:
    return settings.MESSAGE_ATTACHMENT_MAX_BYTES


def max_attachments() -> int:
    return settings.MESSAGE_MAX_ATTACHMENTS


class MessageRejected(DomainError):
    status = 422
    code = "message_rejected"


# ------------------------------------------------------------------------------- who takes part


def guardians_of(student_ids) -> dict[int, list]:
    """{pupil id: [guardian users who can be reached]} for the pupils, now (see
    Guardianship.objects.reachable). One query."""
    found: dict[int, list] = {}
    for link in Guardianship.objects.reachable(student_ids).order_by("id"):
        found.setdefault(link.student_id, []).append(link.guardian.user)
    return found


def teachers_of(student_ids) -> dict[int, list]:
    """{pupil id: [teacher users]}: the subject teachers and the homeroom teacher of each
    pupil's current class who are on that school's active staff. Three queries."""
    enrolments = list(
        Enrolment.objects.current().filter(student_id__in=list(student_ids)).values_list("student_id", "class_group_id", "class_group__homeroom_teacher_id", "class_group__school_id")
    )
    class_teachers: dict[int, set] = {}
    for _student, class_id, homeroom_id, _school in enrolments:
        class_teachers.setdefault(class_id, set()).update([homeroom_id] if homeroom_id else [])
    for class_id, teacher_id in TeachingAssignment.objects.filter(
        class_group_id__in=list(class_teachers)
    ).values_list("class_group_id", "teacher_id"):
        class_teachers[class_id].add(teacher_id)
    candidates = set().union(*class_teachers.values()) if class_teachers else set()
    on_staff: dict[tuple[int, int], object] = {
        (membership.user_id, membership.school_id): membership.user
        for membership in StaffMembership.objects.filter(
            user_id__in=candidates, is_active=True, user__is_active=True,
            school_id__in={school for *_, school in enrolments},
        ).select_related("user")
    }
    found: dict[int, list] = {}
    for student_id, class_id, _homeroom, school_id in enrolments:
        teachers = [on_staff[(t, school_id)] for t in class_teachers[class_id] if (t, school_id) in on_staff]
        found[student_id] = sorted(teachers, key=lambda user: user.full_name)
    return found


def recipients_for(student: Student, side: str) -> list:
    """The other side of the thread: the teachers when a guardian writes, the guardians when
    a teacher writes."""
    if side == GUARDIAN:
        return teachers_of([student.pk]).get(student.pk, [])
    return guardians_of([student.pk]).get(student.pk, [])


# ----------------------------------------------------------------------------------- sending


def check_attachment(upload) -> tuple[str, str]:
    """(content type, extension) of an acceptable attachment read from its content, or
    MessageRejected saying why not (too big, not an image or PDF, a broken image)."""
    limit = max_attachment_bytes()
    if upload.size > limit:
        raise MessageRejected(
            _("“%(name)s” is too large: files up to %(limit)s MB can be attached.")
            % {"name": upload.name, "limit": _megabytes(limit)},
            field="files",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type, extension in _SIGNATURES:
        if head.startswith(signature):
            break
    else:
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            content_type, extension = "image/webp", ".webp"
        else:
            raise MessageRejected(
                _("“%(name)s” cannot be attached: only photos (JPEG, PNG, WebP, GIF) and PDF files.")
                % {"name": upload.name},
                field="files",
            )
    if content_type.startswith("image/") and not _image_opens(upload):
        raise MessageRejected(
            _("“%(name)s” is not a readable image.") % {"name": upload.name}, field="files"
        )
    return content_type, extension


def _image_opens(upload) -> bool:
    from PIL import Image

    try:
        upload.seek(0)
        with Image.open(io.BytesIO(upload.read())) as image:
            image.verify()
        return True
    except Exception:  # Pillow raises many kinds for a bad or hostile file
        return False
    finally:
        upload.seek(0)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}".replace(".", ",")


def check_message(body: str, files: list) -> tuple[str, list[tuple[str, str]]]:
    """The cleaned body and each file's (content type, extension), or MessageRejected (empty,
    too long, too many files, a file too big or of the wrong kind)."""
    body = (body or "").strip()
    if not body and not files:
        raise MessageRejected(_("Write a message or attach a file."), field="body")
    if len(body) > 4000:
        raise MessageRejected(_("A message can be at most 4,000 characters long."), field="body")
    if len(files) > max_attachments():
        raise MessageRejected(
            _("At most %(count)s files can be attached to one message.") % {"count": max_attachments()},
            field="files",
        )
    return body, [check_attachment(upload) for upload in files]


def send_message(*, sender, student_id, body: str, files: list = ()) -> Message:
    """Write a message in the thread about a pupil, with its attachments, and tell the other
    side (kind "message"). Http404 when `sender` does not take part; MessageRejected for bad
    input, before anything is written. Teachers in quiet hours get the in-app notification
    now and e-mail/SMS when their quiet hours end."""
    student, side = get_participation(sender, student_id)
    files = list(files)
    body, kinds = check_message(body, files)
    stored = []  # files written: removed again if the message is not saved after all
    try:
        with transaction.atomic():
            thread, _created = MessageThread.objects.get_or_create(student=student)
            message = Message.objects.create(thread=thread, sender=sender, side=side, body=body)
            for upload, (content_type, extension) in zip(files, kinds):
                attachment = MessageAttachment(
                    message=message, original_name=Path(upload.name).name[:200] or "tep",
                    content_type=content_type, size=upload.size,
                )
                attachment.file.save(f"file{extension}", upload, save=False)
                stored.append(attachment.file.name)
                attachment.save()
            MessageThread.objects.filter(pk=thread.pk).update(last_message_at=message.created_at)
            mark_thread_read(thread, sender, at=message.created_at)
            _notify_other_side(message, student, side)
    except BaseException as error:
        for name in stored:
            attachment_storage().delete(name)
        if is_disk_full(error):
            log.error("attachments' disk is full: message not saved (%s)", error)
            raise MessageRejected(
                _("The message was not sent: the server has no room left for attachments. "
                  "Please try again later."),
                field="files",
            ) from error
        raise
    return message


def _notify_other_side(message: Message, student: Student, side: str) -> None:
    recipients = [user for user in recipients_for(student, side) if user.pk != message.sender_id]
    if not recipients:
        return
    preview = message.body[:PREVIEW_CHARS] or _("(a file)")
    delivery_ids = notifications.notify(
        recipients=recipients,
        kind="message",
        title=_("New message about %(pupil)s") % {"pupil": student.full_name},
        body=f"{message.sender.full_name}: {preview}",
        url=thread_url(student.pk, TEACHER if side == GUARDIAN else GUARDIAN),
        key=f"message:{message.pk}",
    )
    if side == GUARDIAN and delivery_ids:
        _hold_for_quiet_hours(message, recipients, delivery_ids)


def _hold_for_quiet_hours(message: Message, recipients: list, delivery_ids: list[int]) -> None:
    """E-mail and SMS to a teacher in quiet hours wait until the hours end (the worker skips a
    delivery that is not due; the every-minute sweep sends it then). The in-app notification
    is written now: it makes no sound, and the teacher finds it when they next open the app."""
    now = timezone.now()
    for mute in ThreadMute.objects.filter(thread_id=message.thread_id, user__in=recipients):
        end = mute.quiet_end(now)
        if end is not None:
            Delivery.objects.filter(
                pk__in=delivery_ids, notification__recipient_id=mute.user_id, next_attempt_at__lt=end
            ).update(next_attempt_at=end)


def thread_url(student_id: int, side: str) -> str:
    name = "contactbook:parent_messages" if side == GUARDIAN else "contactbook:teacher_thread"
    return reverse(name, args=[student_id])


def mark_thread_read(thread: MessageThread, user, *, at: datetime.datetime | None = None) -> None:
    ThreadReadState.objects.update_or_create(
        thread=thread, user=user, defaults={"read_at": at or timezone.now()}
    )


@transaction.atomic
def set_quiet_hours(*, user, student_id, enabled: bool, quiet_from: datetime.time | None = None,
                    quiet_until: datetime.time | None = None, weekends: bool = True) -> ThreadMute | None:
    """Turn a teacher's quiet hours for a pupil's thread on (with these hours) or off.
    Http404 unless `user` is one of the pupil's teachers now."""
    student, side = get_participation(user, student_id)
    if side != TEACHER:
        raise Http404("Only teachers set quiet hours")
    thread, _created = MessageThread.objects.get_or_create(student=student)
    if not enabled:
        ThreadMute.objects.filter(thread=thread, user=user).delete()
        return None
    mute, _created = ThreadMute.objects.update_or_create(
        thread=thread, user=user,
        defaults={"quiet_from": quiet_from, "quiet_until": quiet_until, "weekends": weekends},
    )
    return mute


# ----------------------------------------------------------------------------------- reading


@dataclass
class ThreadPage:
    student: Student
    side: str
    thread: MessageThread | None
    messages: list
    guardians: list
    teachers: list
    mute: ThreadMute | None
    earlier: bool = False
    class_name: str = ""
    unread_since: datetime.datetime | None = None


def thread_page(user, student: Student, side: str) -> ThreadPage:
    """A thread as its page shows it: the last MESSAGES_SHOWN messages (oldest first) with
    senders and attachments, who takes part, and the teacher's quiet hours; marks it read.
    A fixed number of queries whatever the number of messages."""
    thread = (
        MessageThread.objects.filter(student=student)
        .annotate(
            my_read_at=Subquery(
                ThreadReadState.objects.filter(thread=OuterRef("pk"), user=user).values("read_at")[:1]
            )
        )
        .first()
    )
    messages, recent, mute = [], [], None
    if thread is not None:
        recent = list(
            Message.objects.filter(thread=thread)
            .select_related("sender")
            .prefetch_related(Prefetch("attachments", queryset=MessageAttachment.objects.order_by("id")))
            .order_by("-created_at", "-id")[: MESSAGES_SHOWN + 1]
        )
        messages = list(reversed(recent[:MESSAGES_SHOWN]))
        if side == TEACHER:
            mute = ThreadMute.objects.filter(thread=thread, user=user).first()
        if messages and (thread.my_read_at is None or thread.my_read_at < messages[-1].created_at):
            mark_thread_read(thread, user)
    class_name = (
        Enrolment.objects.current().filter(student=student)
        .values_list("class_group__name", flat=True).first()
        or ""
    )
    return ThreadPage(
        student=student, side=side, thread=thread, messages=messages,
        guardians=guardians_of([student.pk]).get(student.pk, []),
        teachers=teachers_of([student.pk]).get(student.pk, []),
        mute=mute,
        earlier=len(recent) > MESSAGES_SHOWN,
        class_name=class_name,
        unread_since=thread.my_read_at if thread is not None else None,
    )


def teacher_threads(user, *, class_group_id: int | None = None, limit: int = 100) -> list[MessageThread]:
    """The threads with messages about pupils now in the classes `user` teaches or leads,
    newest first, each with its pupil, class and whether it has news for `user`. One query."""
    pupils = Enrolment.objects.active().filter(class_group_id__in=taught_class_ids(user))  # this year's
    if class_group_id is not None:
        pupils = pupils.filter(class_group_id=class_group_id)
    threads = (
        MessageThread.objects.filter(student_id__in=pupils.values("student_id"), last_message_at__isnull=False)
        .select_related("student")
        .annotate(
            my_read_at=Subquery(
                ThreadReadState.objects.filter(thread=OuterRef("pk"), user=user).values("read_at")[:1]
            ),
            class_name=Subquery(
                Enrolment.objects.current().filter(student=OuterRef("student_id"))
                .values("class_group__name")[:1]
            ),
            last_body=Subquery(
                Message.objects.filter(thread=OuterRef("pk")).order_by("-created_at", "-id").values("body")[:1]
            ),
            last_side=Subquery(
                Message.objects.filter(thread=OuterRef("pk")).order_by("-created_at", "-id").values("side")[:1]
            ),
        )
        .order_by("-last_message_at")[:limit]
    )
    result = list(threads)
    for thread in result:
        thread.has_news = thread.my_read_at is None or thread.my_read_at < thread.last_message_at
    return result


def teacher_classes(user) -> list[ClassGroup]:
    """The classes whose pupils' guardians `user` may write to now. One query."""
    return list(
        ClassGroup.objects.filter(id__in=taught_class_ids(user)).select_related("school")
        .order_by("school__name", "sort_key")
    )


def class_pupils_with_threads(class_group: ClassGroup, user) -> list[Student]:
    """The pupils now in a class, in Vietnamese order, each with their thread's last message
    time and whether it has news for `user`. One query."""
    pupils = list(
        Student.objects.in_class(class_group).annotate(
            last_message_at=Subquery(
                MessageThread.objects.filter(student=OuterRef("pk")).values("last_message_at")[:1]
            ),
            my_read_at=Subquery(
                ThreadReadState.objects.filter(thread__student=OuterRef("pk"), user=user).values("read_at")[:1]
            ),
        )
    )
    for pupil in pupils:
        pupil.has_news = pupil.last_message_at is not None and (
            pupil.my_read_at is None or pupil.my_read_at < pupil.last_message_at
        )
    return pupils
