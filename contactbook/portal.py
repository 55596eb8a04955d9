"""The parent portal's home (/phu-huynh/) and everyone's notification inbox and channel
preferences: the reads they need, in a fixed number of queries, and the few writes.

The portal home answers "what happened today" for one child of a guardian: today's attendance,
the latest published scores (never an unpublished one), unread notifications, the latest
messages and the latest weekly summary with its acknowledge button. A guardian with several
children (possibly in different schools) switches between them.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Case, Count, Exists, OuterRef, Q, Subquery, Value, When, Window
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from contactbook.models import (
    AttendanceMark,
    ChannelPreference,
    Message,
    Notification,
    Score,
    SummaryAcknowledgement,
    WeeklySummary,
)
from school.models import Enrolment, Student

SCORES_SHOWN = 8
MESSAGES_SHOWN = 3
NOTIFICATIONS_SHOWN = 5
INBOX_PAGE = 30
_SESSION_ORDER = {AttendanceMark.Session.MORNING: 0, AttendanceMark.Session.AFTERNOON: 1}


@dataclass
class PortalHome:
    children: list
    child: Student | None = None
    today: datetime.date | None = None
    marks: list = field(default_factory=list)
    scores: list = field(default_factory=list)
    notifications: list = field(default_factory=list)
    unread: int = 0
    messages: list = field(default_factory=list)
    summary: WeeklySummary | None = None
    links: dict = field(default_factory=dict)


def children_of(user) -> list[Student]:
    """`user`'s children now, eldest first, each with its school and current class
    (`class_name`). One query."""
    current = Enrolment.objects.filter(
        student=OuterRef("pk"), status=Enrolment.Status.ACTIVE, class_group__school_year__is_current=True
    )
    return list(
        Student.objects.children_of(user)
        .select_related("school")
        .only("family_name", "middle_name", "given_name", "date_of_birth", "school__name")
        .annotate(class_name=Subquery(current.values("class_group__name")[:1]))
        .order_by("date_of_birth", "id")
    )


def portal_home(user, student_id=None) -> PortalHome:
    """The portal home for `user` and one of their children (the eldest when `student_id` is
    None). Http404 if `student_id` is not one of their children now. Six queries whatever
    the number of children, scores, messages or notifications (one when there is no child)."""
    children = children_of(user)
    if not children and student_id is None:
        return PortalHome(children=[])
    if student_id is None:
        child = children[0]
    else:
        child = next((c for c in children if str(c.pk) == str(student_id)), None)
        if child is None:
            raise Http404("Not one of your children")
    today = timezone.localdate()
    marks = sorted(
        AttendanceMark.objects.filter(student=child, date=today),
        key=lambda mark: _SESSION_ORDER.get(mark.session, 9),
    )
    # Published cells only: this filter is what keeps a draft score from a parent's eyes.
    scores = list(
        Score.objects.filter(student=child, published_at__isnull=False)
        .select_related("subject")
        .only("kind", "index", "value", "passed", "published_at", "subject__name")
        .order_by("-published_at", "subject__name", "kind", "index")[:SCORES_SHOWN]
    )
    unread = list(
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .only("title", "created_at")
        .annotate(total=Window(Count("id")))
        .order_by("-created_at", "-id")[:NOTIFICATIONS_SHOWN]
    )
    messages = list(
        Message.objects.filter(thread__student=child)
        .select_related("sender")
        .only("body", "created_at", "sender__full_name")
        .order_by("-created_at", "-id")[:MESSAGES_SHOWN]
    )
    summary = (
        WeeklySummary.objects.filter(student=child)
        .defer("data")  # the home shows the week and the button, not the content
        .annotate(
            mine=Exists(SummaryAcknowledgement.objects.filter(summary=OuterRef("pk"), user=user)),
            seen=Exists(SummaryAcknowledgement.objects.filter(summary=OuterRef("pk"))),
        )
        .order_by("-week_start")
        .first()
    )
    return PortalHome(
        children=children, child=child, today=today, marks=marks, scores=scores,
        notifications=unread, unread=unread[0].total if unread else 0,
        messages=messages, summary=summary, links=child_links(child.pk),
    )


# Pages other areas build. Linked by URL name once it exists, else by its agreed path.
_CHILD_PAGES = {
    "grades": (("contactbook:student_grades",), "/phu-huynh/hoc-sinh/{id}/diem/"),
    "attendance": (("contactbook:pupil_attendance",), "/phu-huynh/hoc-sinh/{id}/chuyen-can/"),
    "leave": (("contactbook:pupil_leave",), "/phu-huynh/hoc-sinh/{id}/xin-nghi/"),
    "comments": (("contactbook:pupil_comments",), "/phu-huynh/hoc-sinh/{id}/nhan-xet/"),
    "lessons": (("lms:student_lessons",), "/hoc-sinh/{id}/bai-hoc/"),
    "messages": (("contactbook:parent_messages",), "/phu-huynh/hoc-sinh/{id}/tin-nhan/"),
    "summaries": (("contactbook:child_summaries",), "/phu-huynh/hoc-sinh/{id}/tong-ket-tuan/"),
}


def child_links(student_id: int) -> dict[str, str]:
    links = {"announcements": _reverse_or("contactbook:announcements", "/phu-huynh/thong-bao/")}
    for key, (names, path) in _CHILD_PAGES.items():
        links[key] = path.format(id=student_id)
        for name in names:
            try:
                links[key] = reverse(name, args=[student_id])
                break
            except NoReverseMatch:
                continue
    return links


def _reverse_or(name: str, path: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return path


# ------------------------------------------------------------------------- the inbox


def inbox(user, page: int = 1) -> dict:
    """A page of `user`'s notifications, unread first and newest first within each, with the
    unread count and whether there is a next page. Two queries whatever the inbox's size."""
    page = max(1, page)
    offset = (page - 1) * INBOX_PAGE
    rows = list(
        Notification.objects.filter(recipient=user)
        .annotate(
            unread_total=Window(Count("id", filter=Q(read_at__isnull=True))),
            unread_first=Case(When(read_at__isnull=True, then=Value(0)), default=Value(1)),
        )
        .order_by("unread_first", "-created_at", "-id")
        .defer("dedupe_key")[offset: offset + INBOX_PAGE + 1]
    )
    unread = rows[0].unread_total if rows else Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    return {
        "notifications": rows[:INBOX_PAGE],
        "unread": unread,
        "page": page,
        "has_next": len(rows) > INBOX_PAGE,
        "has_previous": page > 1,
    }


def get_notification_for_user(user, notification_id) -> Notification:
    try:
        return Notification.objects.get(pk=int(notification_id), recipient=user)
    except (Notification.DoesNotExist, TypeError, ValueError):
        raise Http404("No notification") from None


def mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    """Mark `user`'s notifications read (all of them when `notification_ids` is None);
    others' ids are ignored. Returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


# Channel preferences. The in-app inbox is always on. E-mail is on unless turned off. SMS has
# three states, because the outbox's default for it depends on the kind of news
# (contactbook.notifications.SMS_BY_DEFAULT): urgent only (no row), everything (on), never (off).
SMS_URGENT, SMS_ALL, SMS_NEVER = "urgent", "all", "never"


def channel_settings(user) -> dict[str, object]:
    """{"email": bool, "sms": "urgent" | "all" | "never"} for `user`. One query."""
    rows = dict(ChannelPreference.objects.filter(user=user).values_list("channel", "enabled"))
    sms = SMS_URGENT if "sms" not in rows else (SMS_ALL if rows["sms"] else SMS_NEVER)
    return {"email": rows.get("email", True), "sms": sms}


@transaction.atomic
def save_channel_settings(*, user, email: bool, sms: str) -> None:
    """Store `user`'s choices; they apply to the next notification written."""
    if sms not in (SMS_URGENT, SMS_ALL, SMS_NEVER):
        raise ValueError(sms)
    ChannelPreference.objects.update_or_create(user=user, channel="email", defaults={"enabled": email})
    if sms == SMS_URGENT:
        ChannelPreference.objects.filter(user=user, channel="sms").delete()
    else:
        ChannelPreference.objects.update_or_create(user=user, channel="sms", defaults={"enabled": sms == SMS_ALL})
