"""Everyone's notification channel preferences (contactbook/views/notifications.py): reading
and saving the e-mail and SMS choices the outbox follows (contactbook/notifications.py), and the
consents to SMS, Zalo and push given on that page (contactbook/consents.py)."""

from django.db import transaction

from contactbook import consents
from contactbook.models import ChannelPreference, Consent

# Channel preferences. The in-app inbox is always on. E-mail is on unless turned off. SMS has
# three states, because the outbox's default for it depends on the kind of news
# (contactbook.notifications.SMS_BY_DEFAULT): urgent only (no row), everything (on), never (off).
# Zalo follows the SMS choice. Within these, SMS and Zalo go only to those who agreed to them.
SMS_URGENT, SMS_ALL, SMS_NEVER = "urgent", "all", "never"


def channel_settings(user) -> dict[str, object]:
    """{"email": bool, "sms": "urgent" | "all" | "never"} for `user`. One query."""
    rows = dict(ChannelPreference.objects.filter(user=user).values_list("channel", "enabled"))
    sms = SMS_URGENT if "sms" not in rows else (SMS_ALL if rows["sms"] else SMS_NEVER)
    return {"email": rows.get("email", True), "sms": sms}


@transaction.atomic
def save_channel_settings(
    *, user, email: bool, sms: str, agreed: dict[str, bool] | None = None
) -> None:
    """Store `user`'s choices; they apply to the next notification written. `agreed` (channel →
    yes/no, from the portal) records a consent for each channel whose answer changed."""
    if sms not in (SMS_URGENT, SMS_ALL, SMS_NEVER):
        raise ValueError(sms)
    ChannelPreference.objects.update_or_create(user=user, channel="email", defaults={"enabled": email})
    if sms == SMS_URGENT:
        ChannelPreference.objects.filter(user=user, channel="sms").delete()
    else:
        ChannelPreference.objects.update_or_create(user=user, channel="sms", defaults={"enabled": sms == SMS_ALL})
    if agreed:
        _record_changes(user, agreed)


def _record_changes(user, agreed: dict[str, bool]) -> None:
    current = consents.consents_of(user)
    for channel, yes in agreed.items():
        if current.get(channel, consents.NEVER_ASKED).agreed != yes:
            consents.record_consent(
                user=user, channel=channel, agreed=yes, source=Consent.Source.PORTAL,
                recorded_by=user,
            )
