"""Announcements (thông báo) to a class, a grade or the whole school, the guardians they reach,
and who has read them."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contactbook import notifications
from contactbook.models import Announcement, AnnouncementRead, Notification
from school.models import ClassGroup, Enrolment, Guardianship, School, StaffMembership

Audience = Announcement.Audience


def audience_enrolments(announcement: Announcement):
    """Active enrolments of the pupils the announcement is addressed to (computed now)."""
    enrolments = Enrolment.objects.active().filter(
        class_group__school_year_id=announcement.school_year_id,
        class_group__school_id=announcement.school_id,
    )
    if announcement.audience == Audience.CLASS:
        return enrolments.filter(class_group_id=announcement.class_group_id)
    if announcement.audience == Audience.GRADE:
        return enrolments.filter(class_group__grade=announcement.grade)
    return enrolments


def _guardian_links(announcement: Announcement):
    """The reachable guardians of the audience's pupils: those told, and those whose reading
    the receipts count (a deactivated account is neither)."""
    return Guardianship.objects.reachable(
        audience_enrolments(announcement).values("student_id")
    ).select_related("student")


@transaction.atomic
def send_announcement(
    *,
    author,
    school: School,
    audience: str,
    title: str,
    body: str,
    class_group: ClassGroup | None = None,
    grade: int | None = None,
) -> Announcement:
    """Write the announcement and tell every guardian of a pupil now in its audience once
    (a guardian of two pupils in it gets one notification). The caller checked that `author`
    may address that audience (a class: its homeroom teacher or a manager; a grade or the school:
    a manager). Raises ValidationError (field -> message) for a wrong audience or empty text."""
    title, body = " ".join((title or "").split()), (body or "").strip()
    errors = {}
    year = school.current_year()
    if year is None and audience != Audience.CLASS:
        errors["__all__"] = _("The school has no current school year.")
    if audience == Audience.CLASS and (class_group is None or class_group.school_id != school.pk):
        errors["class_group"] = _("Choose a class.")
    elif audience == Audience.GRADE and not grade:
        errors["grade"] = _("Choose a grade.")
    elif audience not in Audience.values:
        errors["audience"] = _("Choose who the announcement is for.")
    if not title:
        errors["title"] = _("Write a title.")
    if not body:
        errors["body"] = _("Write the announcement.")
    if errors:
        raise ValidationError(errors)
    announcement = Announcement.objects.create(
        school=school,
        school_year=class_group.school_year if class_group else year,
        audience=audience,
        class_group=class_group if audience == Audience.CLASS else None,
        grade=grade if audience == Audience.GRADE else None,
        title=title,
        body=body,
        author=author,
    )
    AnnouncementRead.objects.create(
        announcement=announcement, user=author
    )  # the author has read it
    recipients = {
        link.guardian.user_id: link.guardian.user for link in _guardian_links(announcement)
    }
    notifications.notify(
        recipients=recipients.values(),
        kind="announcement",
        title=title,
        body=body[:300],
        url=reverse("contactbook:announcement", args=[announcement.pk]),
        key=f"announcement:{announcement.pk}",
    )
    return announcement


def mark_read(announcement: Announcement, user) -> None:
    """Record that `user` opened it (the first time is kept) and clear its notification."""
    AnnouncementRead.objects.bulk_create(
        [AnnouncementRead(announcement=announcement, user=user)], ignore_conflicts=True
    )
    Notification.objects.filter(
        recipient=user, dedupe_key=f"announcement:{announcement.pk}:{user.pk}", read_at__isnull=True
    ).update(read_at=timezone.now())


def announcement_list(queryset, user, *, limit: int = 50) -> list[Announcement]:
    """The newest announcements of `queryset`, each with `is_read` for `user`: two queries."""
    items = list(
        queryset.select_related("school", "class_group", "author").order_by("-created_at")[:limit]
    )
    read = set(
        AnnouncementRead.objects.filter(
            user=user, announcement__in=[a.pk for a in items]
        ).values_list("announcement_id", flat=True)
    )
    for item in items:
        item.is_read = item.pk in read
    return items


@dataclass
class ClassReceipts:
    class_group: ClassGroup
    # (pupil, [(guardian user, read_at or None), …]) in class-list order
    pupils: list = field(default_factory=list)
    guardians: int = 0
    read: int = 0


def receipts(announcement: Announcement) -> dict:
    """Who of the audience's guardians has opened it, class by class (pupils in Vietnamese
    order), and how many of the school's staff have. Four queries whatever the audience size."""
    links = list(
        _guardian_links(announcement)
        .select_related("student")
        .order_by("student__sort_key", "student_id", "guardian__user__full_name")
    )
    classes = {
        e.student_id: e.class_group
        for e in audience_enrolments(announcement).select_related("class_group")
    }
    read_at = dict(
        AnnouncementRead.objects.filter(announcement=announcement).values_list("user_id", "read_at")
    )
    by_class: dict[int, ClassReceipts] = {}
    rows: dict[int, tuple] = {}
    counted: set[tuple[int, int]] = set()
    for link in links:
        class_group = classes.get(link.student_id)
        if class_group is None:
            continue
        group = by_class.setdefault(class_group.pk, ClassReceipts(class_group))
        if link.student_id not in rows:
            rows[link.student_id] = (link.student, [])
            group.pupils.append(rows[link.student_id])
        user = link.guardian.user
        rows[link.student_id][1].append((user, read_at.get(user.pk)))
        if (class_group.pk, user.pk) not in counted:
            counted.add((class_group.pk, user.pk))
            group.guardians += 1
            group.read += user.pk in read_at
    guardian_ids = {link.guardian.user_id for link in links}
    staff_ids = set(
        StaffMembership.objects.filter(
            school_id=announcement.school_id, is_active=True
        ).values_list("user_id", flat=True)
    )
    groups = sorted(by_class.values(), key=lambda g: g.class_group.sort_key)
    return {
        "classes": groups,
        "guardians": len(guardian_ids),
        "guardians_read": len(guardian_ids & set(read_at)),
        "staff": len(staff_ids),
        "staff_read": len(staff_ids & set(read_at)),
    }
