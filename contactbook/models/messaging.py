"""Messages between a pupil's guardians and teachers, quiet hours, and the weekly summary with
its acknowledgements ("đã xem", the digital signature of the paper contact book).

Who takes part in a thread is never stored: it is computed from the database on every request
(contactbook/messaging.py), so an unlinked guardian or a reassigned teacher loses the thread at
once. The rows here hold only what was said, when, and by whom.
"""

import datetime
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import StorageOf, WholeFileSystemStorage
from school.models import ClassGroup, Student


class _PrivateMessageStorage(WholeFileSystemStorage):
    """MESSAGE_ATTACHMENTS_ROOT, outside MEDIA_ROOT so that no web server that serves media
    can serve an attachment. Its URL points nowhere: an attachment leaves only through
    contactbook.views.messages.attachment, which checks who asks. Written whole or not at all
    (core/files.py)."""

    # Read on every use (not cached) so that a changed setting is followed at once.
    @property
    def base_location(self):
        return str(Path(settings.MESSAGE_ATTACHMENTS_ROOT))

    @property
    def location(self):
        return str(Path(self.base_location).resolve())


# STORAGES["attachments"] (a private prefix of the shared bucket, FILE_STORAGE=s3) or the
# local folder above.
_storage = StorageOf("attachments", lambda: _PrivateMessageStorage(base_url="/khong-phuc-vu/"))


def attachment_storage() -> Storage:
    """A callable, so migrations name this function rather than a path on disk."""
    return _storage


def attachment_upload_to(instance, filename: str) -> str:
    """<yyyy>/<random>.<ext>: the stored name says nothing about the pupil or the original
    name (kept in `original_name`), and cannot be guessed."""
    extension = Path(filename).suffix.lower()[:8]
    return f"{timezone.now():%Y}/{uuid.uuid4().hex}{extension}"


class MessageThread(models.Model):
    """The one conversation about a pupil between their guardians and their teachers. Created
    with the first message; the URL names the pupil, not the thread."""

    student = models.OneToOneField(
        Student, on_delete=models.CASCADE, related_name="message_thread", verbose_name=_("pupil")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("message thread")
        verbose_name_plural = _("message threads")

    def __str__(self) -> str:
        return str(self.student)


class Message(models.Model):
    class Side(models.TextChoices):
        GUARDIAN = "guardian", _("Parent")
        TEACHER = "teacher", _("Teacher")

    thread = models.ForeignKey(MessageThread, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("sender")
    )
    # The side the sender wrote from, fixed when sent: a teacher who later leaves the class
    # still shows as the teacher who wrote.
    side = models.CharField(max_length=10, choices=Side.choices)
    body = models.TextField(_("message"), max_length=4000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["thread", "-created_at"], name="message_thread_recent")]

    def __str__(self) -> str:
        return f"{self.sender} – {self.created_at:%Y-%m-%d %H:%M}"


class MessageAttachment(models.Model):
    """An image or PDF sent with a message; its type is checked from the file's content, not
    its name (contactbook/messaging.py: check_attachment)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=attachment_storage, upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ThreadReadState(models.Model):
    """When a person last opened a thread, so new messages can be marked."""

    thread = models.ForeignKey(MessageThread, on_delete=models.CASCADE, related_name="read_states")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="threadread_one_per_user")]


class ThreadMute(models.Model):
    """A teacher's quiet hours for one thread: messages still arrive in the thread and the
    in-app inbox, but e-mail and SMS about them wait until the quiet hours end."""

    thread = models.ForeignKey(MessageThread, on_delete=models.CASCADE, related_name="mutes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    quiet_from = models.TimeField(_("quiet from"), default=datetime.time(18, 0))
    quiet_until = models.TimeField(_("quiet until"), default=datetime.time(7, 0))
    weekends = models.BooleanField(_("quiet all weekend"), default=True)

    class Meta:
        verbose_name = _("quiet hours")
        verbose_name_plural = _("quiet hours")
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="threadmute_one_per_user")]

    def is_quiet(self, moment: datetime.datetime) -> bool:
        local = timezone.localtime(moment)
        if self.weekends and local.weekday() >= 5:  # Saturday, Sunday
            return True
        now = local.time()
        if self.quiet_from == self.quiet_until:
            return False
        if self.quiet_from < self.quiet_until:  # within a day, e.g. 11:30–13:30
            return self.quiet_from <= now < self.quiet_until
        return now >= self.quiet_from or now < self.quiet_until  # overnight, e.g. 18:00–07:00

    def quiet_end(self, moment: datetime.datetime) -> datetime.datetime | None:
        """When the quiet period holding `moment` ends, or None if `moment` is not quiet.
        Quiet periods end at `quiet_until` or at midnight after a quiet weekend, so the answer
        is the first of those moments after `moment` that is not itself quiet (a Friday
        evening's quiet hours end on Monday at 07:00)."""
        if not self.is_quiet(moment):
            return None
        day = timezone.localtime(moment).date()
        candidates = sorted(
            timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=n), at))
            for n in range(9)
            for at in (self.quiet_until, datetime.time(0, 0))
        )
        return next(c for c in candidates if c > moment and not self.is_quiet(c))


class WeeklySummary(models.Model):
    """One pupil's week (Monday to Sunday) as sent to the guardians: published grades,
    attendance, daily comments and lessons. `data` is a snapshot, so what a guardian
    acknowledged stays what they saw even if a score is corrected later."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="weekly_summaries", verbose_name=_("pupil")
    )
    week_start = models.DateField(_("week of"))
    class_group = models.ForeignKey(
        ClassGroup, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("class")
    )
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("weekly summary")
        verbose_name_plural = _("weekly summaries")
        constraints = [
            models.UniqueConstraint(fields=["student", "week_start"], name="weeklysummary_one_per_week"),
        ]
        indexes = [models.Index(fields=["class_group", "week_start"], name="weeklysummary_class_week")]

    def __str__(self) -> str:
        return f"{self.student} – {self.week_start:%d/%m/%Y}"

    @property
    def week_end(self) -> datetime.date:
        return self.week_start + datetime.timedelta(days=6)


class SummaryAcknowledgement(models.Model):
    """A guardian's "đã xem" on a weekly summary: who and when."""

    summary = models.ForeignKey(WeeklySummary, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["summary", "user"], name="acknowledgement_one_per_guardian"),
        ]
