"""Everyone's notification inbox (contactbook/views/notifications.py): a page of notifications,
unread first, in a fixed number of queries, and marking them read (one is opened through
contactbook.access.get_notification_for_user)."""

from django.db.models import Case, Count, Q, Value, When, Window
from django.utils import timezone

from contactbook.models import Notification
from contactbook.notifications import SIGN_IN_CODE

INBOX_PAGE = 30


def inbox(user, page: int = 1) -> dict:
    """A page of `user`'s notifications, unread first and newest first within each, with the
    unread count and whether there is a next page. Two queries whatever the inbox's size."""
    page = max(1, page)
    offset = (page - 1) * INBOX_PAGE
    rows = list(
        Notification.objects.filter(recipient=user)
        .exclude(kind=SIGN_IN_CODE)  # a one-time code is the phone's business, not the inbox's
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


def mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    """Mark `user`'s notifications read (all of them when `notification_ids` is None);
    others' ids are ignored. Returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
