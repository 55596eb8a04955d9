"""The notification outbox: `notify` writes rows in the caller's transaction; Celery delivers
them after commit (contactbook/tasks.py), each Delivery claimed by a conditional UPDATE so two
workers never send the same message, retried with backoff and parked after the last try.

Which channels: the in-app inbox always; e-mail unless turned off; SMS, Zalo and push only with
the person's recorded consent (contactbook/consents.py) and then as their preference says. Zalo
goes instead of SMS when it can (a token, a template for the kind, consent), and a phone that
cannot receive on Zalo gets the SMS instead (if SMS was agreed to)."""

import base64
import datetime
from collections.abc import Iterable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from contactbook import consents
from contactbook.channels import (
    CHANNELS,
    DeliveryFailed,
    DeliveryRejected,
    Message,
    RecipientUnreachable,
)
from contactbook.models import ChannelPreference, Delivery, Notification
from core import failsoft

# Kinds sent by SMS (or Zalo in its stead) to those who agreed to it, unless they turned SMS
# off; others only if they asked for all news by SMS.
SMS_BY_DEFAULT = {"absence"}
MAX_ATTEMPTS = 6


def notify(*, recipients: Iterable, kind: str, title: str, body: str, url: str = "", key: str) -> list[int]:
    """Write one notification per recipient (deduplicated by `key`) and its deliveries, in the
    caller's transaction; delivery is queued after commit. Returns the new deliveries' ids."""
    recipients = {user.pk: user for user in recipients}
    if not recipients:
        return []
    Notification.objects.bulk_create(
        [
            Notification(recipient_id=pk, kind=kind, title=title, body=body, url=url,
                         dedupe_key=f"{key}:{pk}")
            for pk in recipients
        ],
        ignore_conflicts=True,
    )
    fresh = list(
        Notification.objects.filter(dedupe_key__in=[f"{key}:{pk}" for pk in recipients], deliveries__isnull=True)
    )
    now = timezone.now()
    preferences, agreed = _preferences(recipients), consents.agreed_channels(recipients)
    deliveries = []
    for notification in fresh:
        user = recipients[notification.recipient_id]
        for name, address in _routes(user, kind, preferences, agreed).items():
            deliveries.append(Delivery(notification=notification, channel=name, address=address,
                                       next_attempt_at=CHANNELS[name].allowed_at(now)))
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    ids = list(
        Delivery.objects.filter(
            notification_id__in={d.notification_id for d in deliveries}, status=Delivery.Status.PENDING
        ).values_list("pk", flat=True)
    )
    _queue(ids)
    return ids


def _queue(ids: list[int]) -> None:
    if ids:
        from contactbook import tasks  # tasks import this module

        # A broker that does not answer leaves them to deliver_due (core/failsoft.py).
        failsoft.delay_after_commit(tasks.deliver, ids)


def _routes(user, kind: str, preferences: dict, agreed: dict) -> dict[str, str]:
    """{channel: address} by which `user` is to get this `kind` of news. A channel that stands
    in for another (Zalo for SMS) replaces it: the other stays the fallback."""
    chosen = {}
    for name, channel in CHANNELS.items():
        address = channel.address_for(user)
        carries = getattr(channel, "handles", lambda kind: True)(kind)
        if address and carries and _wants(preferences, agreed, user.pk, name, kind):
            chosen[name] = address
    for name in list(chosen):
        chosen.pop(getattr(CHANNELS[name], "instead_of", None), None)
    return chosen


def _preferences(recipients: dict) -> dict[tuple[int, str], bool]:
    rows = ChannelPreference.objects.filter(user_id__in=list(recipients))
    return {(row.user_id, row.channel): row.enabled for row in rows}


def _wants(preferences: dict, agreed: dict, user_id: int, channel: str, kind: str) -> bool:
    """Whether `user_id` is to get `kind` by `channel`: never without their consent where one
    is needed, then as their preference says (a stand-in follows the preference of the channel
    it replaces: Zalo follows the SMS choice)."""
    if channel in consents.CONSENT_CHANNELS and channel not in agreed.get(user_id, ()):
        return False
    rule = getattr(CHANNELS.get(channel), "instead_of", None) or channel
    default = rule != "sms" or kind in SMS_BY_DEFAULT
    return preferences.get((user_id, rule), default)


def deliver(delivery_id: int) -> str:
    """Send one delivery if it is due and nobody else holds it. Returns what happened:
    "sent", "retry", "parked", "fallback" (sent another way, see _fall_back) or "skipped"
    (not due, already sent, or claimed elsewhere)."""
    now = timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
    ).update(status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    delivery = Delivery.objects.select_related("notification").get(pk=delivery_id)
    channel = CHANNELS[delivery.channel]
    note = delivery.notification
    if note.kind == SIGN_IN_CODE and not _code_still_useful(note):
        return _park_sign_in_code(delivery, "expired before it could be sent")
    try:
        body = _open_sign_in_code(note) if note.kind == SIGN_IN_CODE else note.body
        message = Message(delivery.address, note.title, body, _absolute(note.url),
                          kind=note.kind, tracking_id=str(delivery.pk))
        provider_id = channel.send(message)
    except DeliveryFailed as exc:
        return _failed(delivery, str(exc))
    except RecipientUnreachable as exc:
        return _fall_back(delivery, str(exc))
    except DeliveryRejected as exc:
        return _park(delivery, str(exc))
    delivery.status, delivery.sent_at, delivery.provider_id = Delivery.Status.SENT, timezone.now(), provider_id or ""
    delivery.save(update_fields=["status", "sent_at", "provider_id"])
    if note.kind == SIGN_IN_CODE:
        _wipe_sign_in_code(note)
    return "sent"


def _failed(delivery: Delivery, error: str) -> str:
    if delivery.attempts >= MAX_ATTEMPTS:
        if getattr(CHANNELS[delivery.channel], "instead_of", None):
            # Zalo kept failing (down, out of quota): the news still goes, by SMS.
            return _fall_back(delivery, f"{error} (after {delivery.attempts} tries)")
        return _park(delivery, error)
    delivery.last_error = error[:2000]
    delivery.status = Delivery.Status.PENDING
    backoff = datetime.timedelta(seconds=settings.NOTIFICATION_RETRY_SECONDS * 2 ** (delivery.attempts - 1))
    delivery.next_attempt_at = CHANNELS[delivery.channel].allowed_at(timezone.now() + backoff)
    if delivery.notification.kind == SIGN_IN_CODE:  # now or never: not at 7:00 tomorrow
        delivery.next_attempt_at = timezone.now() + datetime.timedelta(seconds=SIGN_IN_CODE_RETRY_SECONDS)
    delivery.save(update_fields=["status", "last_error", "next_attempt_at"])
    return "retry"


def _park(delivery: Delivery, error: str) -> str:
    """Give up on this delivery for an administrator to look at (last_error says why)."""
    delivery.status, delivery.last_error = Delivery.Status.PARKED, error[:2000]
    delivery.save(update_fields=["status", "last_error"])
    if delivery.notification.kind == SIGN_IN_CODE:
        _wipe_sign_in_code(delivery.notification)
    return "parked"


def _fall_back(delivery: Delivery, error: str) -> str:
    """`delivery`'s address cannot receive on its channel: send the notification by the channel
    this one stands in for (Zalo → SMS), due at once within that channel's hours, if the
    person may get it that way now (consent, preference, an address). The unique (notification,
    channel) pair makes it one SMS however often this runs. Else the delivery is parked."""
    other = getattr(CHANNELS[delivery.channel], "instead_of", None)
    with transaction.atomic():
        fallback_id = _fallback_delivery(delivery.notification, other) if other else None
        if fallback_id is None:
            return _park(delivery, f"{error}; not sent by {other or 'another channel'} either "
                                   "(not agreed to, turned off or no address)")
        delivery.status, delivery.last_error = Delivery.Status.FALLBACK, error[:2000]
        delivery.save(update_fields=["status", "last_error"])
        _queue([fallback_id])
    return "fallback"


def _fallback_delivery(note: Notification, name: str) -> int | None:
    user, channel = note.recipient, CHANNELS[name]
    address = channel.address_for(user)
    agreed = consents.agreed_channels([user.pk])
    if not address or not _wants(_preferences({user.pk: user}), agreed, user.pk, name, note.kind):
        return None
    fallback, _ = Delivery.objects.get_or_create(
        notification=note, channel=name,
        defaults={"address": address, "next_attempt_at": channel.allowed_at(timezone.now())},
    )
    return fallback.pk


def due_delivery_ids(limit: int = 500) -> list[int]:
    """Deliveries due now, including ones a dead worker claimed and never finished."""
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.NOTIFICATION_STALE_CLAIM_SECONDS)
    Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=stale).update(
        status=Delivery.Status.PENDING
    )
    return list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def _absolute(url: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{url}" if url.startswith("/") else url


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# ------------------------------------------------------------------ sign-in codes
# A one-time code (signin/codes.py) travels through this outbox as one SMS, with three
# differences from other notifications: it goes at once, whatever SMS_SEND_HOURS say (a parent
# at 22:30 needs it now) and is retried within seconds, never the next morning; its body is
# kept encrypted, opened only in `deliver` and wiped once sent or parked, so the outbox never
# holds a usable code in clear; and it is born read, so no unread count shows it (the inbox
# leaves the kind out: contactbook/inbox.py).

SIGN_IN_CODE = "sign_in_code"
SIGN_IN_CODE_WIPED = "[sign-in code removed]"
SIGN_IN_CODE_RETRY_SECONDS = 10


def send_sign_in_code(user, code: str, *, key: str) -> int:
    """Queue `code` by SMS to `user.phone` (the caller checked it is set), in the caller's
    transaction; sent right after commit. `key` makes the notification unique. Returns the
    delivery's id."""
    now = timezone.now()
    minutes = settings.SIGN_IN_CODE_MINUTES
    text = gettext(
        "%(code)s is your sign-in code. It works for %(minutes)d minutes. Never give it to anyone, "
        "school staff included."
    ) % {"code": code, "minutes": minutes}
    sealed = _sign_in_code_box().encrypt(text.encode()).decode()
    note = Notification.objects.create(recipient=user, kind=SIGN_IN_CODE, title=settings.WAGTAIL_SITE_NAME,
                                       body=sealed, dedupe_key=key, read_at=now)
    delivery = Delivery.objects.create(notification=note, channel="sms", address=user.phone, next_attempt_at=now)
    from contactbook import tasks  # tasks import this module

    failsoft.delay_after_commit(tasks.deliver, [delivery.pk])
    return delivery.pk


def _sign_in_code_box() -> MultiFernet:
    """Fernet keys derived from SECRET_KEY (encrypting) and SECRET_KEY_FALLBACKS (still opening
    what was sealed just before a key rotation)."""
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet([
        Fernet(base64.urlsafe_b64encode(salted_hmac("contactbook.sign_in_code", "fernet", secret=s, algorithm="sha256").digest()))
        for s in secrets
    ])


def _open_sign_in_code(note: Notification) -> str:
    try:
        return _sign_in_code_box().decrypt(note.body.encode()).decode()
    except InvalidToken:  # wiped already, or sealed under a key no longer configured
        raise DeliveryFailed("the sign-in code cannot be opened") from None


def _code_still_useful(note: Notification) -> bool:
    return timezone.now() < note.created_at + datetime.timedelta(minutes=settings.SIGN_IN_CODE_MINUTES)


def _park_sign_in_code(delivery: Delivery, error: str) -> str:
    delivery.status, delivery.last_error = Delivery.Status.PARKED, error
    delivery.save(update_fields=["status", "last_error"])
    _wipe_sign_in_code(delivery.notification)
    return "parked"


def _wipe_sign_in_code(note: Notification) -> None:
    Notification.objects.filter(pk=note.pk).update(body=SIGN_IN_CODE_WIPED)
