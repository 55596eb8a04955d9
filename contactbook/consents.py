"""Consents per channel (Nghị định 13/2023/NĐ-CP on personal data; Luật Bảo vệ dữ liệu cá nhân
2025): a message goes by SMS, Zalo or push only to someone whose latest record for that channel
says they agreed. Each agreement and withdrawal is a new row (contactbook.models.Consent), so
the history of what a person agreed to, when and how, is kept.

The in-app inbox and e-mail need no consent here: the inbox is the service itself, and the
e-mail address is one the person gave for their own account, on unless they turn it off
(contactbook/preferences.py). SMS, Zalo and push hand the phone number or device to a third
party (the SMS gateway, VNG's Zalo, a browser's push service), which is what needs agreeing to.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from contactbook.models import Consent

# The channels that need a consent. A channel added to contactbook.channels.CHANNELS that sends
# through a third party belongs here too.
CONSENT_CHANNELS: tuple[str, ...] = tuple(Consent.Channel.values)


@dataclass(frozen=True)
class ConsentState:
    agreed: bool
    at: datetime.datetime | None  # when recorded; None: never asked
    source: str = ""


NEVER_ASKED = ConsentState(agreed=False, at=None)


def record_consent(*, user, channel: str, agreed: bool, source: str, recorded_by=None) -> None:
    """Append `user`'s agreement (or withdrawal) for `channel`, learnt through `source`
    ("portal", "paper_form", "import", or another short name). It holds from the next
    notification written. ValueError for an unknown channel or an empty source."""
    if channel not in CONSENT_CHANNELS:
        raise ValueError(f"unknown consent channel {channel!r}")
    source = (source or "").strip()
    if not source or len(source) > Consent._meta.get_field("source").max_length:
        raise ValueError(f"a consent's source is a short name, got {source!r}")
    Consent.objects.create(
        user=user, channel=channel, agreed=bool(agreed), source=source, recorded_by=recorded_by
    )


def consents_of(user) -> dict[str, ConsentState]:
    """Every consent channel with `user`'s current answer (NEVER_ASKED if none). One query."""
    states = dict.fromkeys(CONSENT_CHANNELS, NEVER_ASKED)
    for row in _latest(Consent.objects.filter(user=user)):
        states[row.channel] = ConsentState(row.agreed, row.recorded_at, row.source)
    return states


def agreed_users(user_ids: Iterable[int], channel: str) -> set[int]:
    """Those of `user_ids` whose latest answer for `channel` is yes. One query."""
    rows = _latest(Consent.objects.filter(user_id__in=list(user_ids), channel=channel))
    return {row.user_id for row in rows if row.agreed}


def agreed_channels(user_ids: Iterable[int]) -> dict[int, set[str]]:
    """{user id: the channels they agreed to} for `user_ids` (absent: none). One query: the
    outbox asks this for all of a notification's recipients at once."""
    agreed: dict[int, set[str]] = {}
    for row in _latest(Consent.objects.filter(user_id__in=list(user_ids))):
        if row.agreed:
            agreed.setdefault(row.user_id, set()).add(row.channel)
    return agreed


def history_of(user) -> list[Consent]:
    """`user`'s consents, newest first, for the person themselves or an administrator."""
    return list(Consent.objects.filter(user=user).order_by("-pk"))


def _latest(rows):
    """The newest row per (user, channel) among `rows`. Newest by id, not by recorded_at: the
    table is append-only, so the last written is the last said, whatever the clocks did. A
    correlated subquery rather than DISTINCT ON so that SQLite (the first run) works too; the
    consent_latest index answers it."""
    newest = Consent.objects.filter(user_id=OuterRef("user_id"), channel=OuterRef("channel"))
    return rows.filter(pk=Subquery(newest.order_by("-pk").values("pk")[:1])).only(
        "user_id", "channel", "agreed", "recorded_at", "source"
    )
