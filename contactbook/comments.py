"""Daily comments (nhận xét hằng ngày): a teacher of the pupil writes a short note of praise
or concern about one or more pupils of a class; each pupil's guardians are told."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contactbook import notifications
from contactbook.models import DailyComment
from school.models import ClassGroup, Guardianship, Student

MAX_LENGTH = DailyComment._meta.get_field("text").max_length


@transaction.atomic
def add_daily_comments(
    *, author, class_group: ClassGroup, student_ids: list[int], kind: str, text: str
) -> list[DailyComment]:
    """One comment per chosen pupil, all or none. The caller loaded the class through
    get_class_for_comments (the author teaches it). Raises ValidationError (field -> message)
    for no pupil, a pupil not in the class, an unknown kind or an empty or too long text."""
    text = " ".join((text or "").split())
    in_class = set(Student.objects.in_class(class_group).values_list("pk", flat=True))
    errors = {}
    chosen = list(dict.fromkeys(student_ids))
    if not chosen:
        errors["students"] = _("Choose at least one pupil.")
    elif not set(chosen) <= in_class:
        errors["students"] = _("A chosen pupil is not in this class.")
    if kind not in DailyComment.Kind.values:
        errors["kind"] = _("Choose praise or concern.")
    if not text:
        errors["text"] = _("Write the comment.")
    elif len(text) > MAX_LENGTH:
        errors["text"] = _("The comment is too long (%(max)s characters at most).") % {
            "max": MAX_LENGTH
        }
    if errors:
        raise ValidationError(errors)
    day, now = timezone.localdate(), timezone.now()
    comments = DailyComment.objects.bulk_create(
        [
            DailyComment(
                student_id=sid,
                class_group=class_group,
                author=author,
                date=day,
                kind=kind,
                text=text,
                created_at=now,
            )
            for sid in chosen
        ]
    )
    _tell_guardians(comments, author)
    return comments


def _tell_guardians(comments: list[DailyComment], author) -> None:
    by_pupil = {c.student_id: c for c in comments}
    links = Guardianship.objects.reachable(by_pupil).select_related("student")
    for link in links:
        comment = by_pupil[link.student_id]
        values = {"pupil": link.student.full_name, "teacher": author.full_name}
        title = (
            _("Praise for %(pupil)s")
            if comment.kind == DailyComment.Kind.PRAISE
            else _("A note about %(pupil)s")
        ) % values
        notifications.notify(
            recipients=[link.guardian.user],
            kind="comment",
            title=title,
            body=_("%(teacher)s: %(text)s") % {**values, "text": comment.text},
            url=reverse("contactbook:pupil_comments", args=[link.student_id]),
            key=f"comment:{comment.pk}",
        )


def pupil_comments(student: Student, *, limit: int = 60) -> list[DailyComment]:
    """A pupil's latest comments, newest first, with their authors: one query."""
    return list(
        DailyComment.objects.filter(student=student).select_related("author", "class_group")[:limit]
    )


def class_comments(class_group: ClassGroup, *, days: int = 14) -> list[DailyComment]:
    """The class's comments of the last `days` days, newest first: one query."""
    since = timezone.localdate() - datetime.timedelta(days=days)
    return list(
        DailyComment.objects.filter(class_group=class_group, date__gte=since).select_related(
            "author", "student"
        )[:200]
    )
