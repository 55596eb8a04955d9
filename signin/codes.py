"""Signing in with a one-time code sent by SMS to the phone the school holds (User.phone).

`issue_code` answers a request for a code, `check_code` a code typed in. Both behave the same
whether or not the number is an active account's: a request for an unknown number writes the
same row (with a code nobody receives), counts against the same limits, does the same hashing,
and a code typed for it is simply wrong. So neither the pages nor the limits tell anyone which
numbers have accounts.

Limits (settings SIGN_IN_*, read from the environment) are counted from `SignInCode` rows in
the database, under an advisory lock per phone and per address, so they hold across hosts and
through a cache outage. The code itself is kept only as a keyed hash (HMAC with SECRET_KEY and a
salt per row): six digits are a million guesses offline, the key is what makes that useless.
"""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import User
from contactbook import notifications
from signin.models import SignInCode

CODE_DIGITS = 6


class CodeRefused(Exception):
    """Base of the refusals a page shows as a message."""


@dataclass
class TooManyCodes(CodeRefused):
    """Over a limit (per phone, per address, or the cool-off after a burnt code): ask again
    after `wait`."""

    wait: datetime.timedelta


@dataclass
class CodeBurnt(CodeRefused):
    """The last allowed wrong try: the code is dead; a new one may be asked after `wait`."""

    wait: datetime.timedelta


class CodeExpired(CodeRefused):
    """Too old, used, or replaced by a newer code: ask for a new one."""


@dataclass
class WrongCode(CodeRefused):
    """Not the code; `tries_left` more tries before it is burnt."""

    tries_left: int


def hash_code(salt: str, code: str) -> str:
    """The keyed hash stored for `code` (HMAC-SHA256 under SECRET_KEY)."""
    return salted_hmac("signin.codes", f"{salt}:{code}", algorithm="sha256").hexdigest()


def new_code() -> str:
    """Six random digits, leading zeros kept."""
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def issue_code(*, phone: str, address: str | None) -> SignInCode:
    """Answer a request for a code for `phone` (national form: accounts.phones) from
    `address`. When the phone is an active account's, the code goes by SMS through the outbox
    (contactbook.notifications.send_sign_in_code) after commit. Any earlier live code of the
    phone stops working. Returns the row (the caller keeps its id in the session); raises
    TooManyCodes over a limit, for known and unknown numbers alike."""
    now = timezone.now()
    code, salt = new_code(), secrets.token_hex(16)
    digest = hash_code(salt, code)  # before any branch: the same work for every number
    with transaction.atomic():
        _lock("phone", phone)
        if address:
            _lock("address", address)
        wait = wait_before_next_code(phone=phone, address=address, now=now)
        if wait:
            raise TooManyCodes(wait)
        user = User.objects.filter(phone=phone, is_active=True).first()
        SignInCode.objects.filter(phone=phone, closed_at__isnull=True).update(closed_at=now)
        row = SignInCode.objects.create(
            phone=phone, user=user, address=address, salt=salt, code_hash=digest, created_at=now
        )
        if user is not None:
            notifications.send_sign_in_code(user, code, key=f"sign_in_code:{row.pk}")
    return row


def wait_before_next_code(
    *, phone: str, address: str | None, now: datetime.datetime
) -> datetime.timedelta:
    """How long until `phone` may be sent a code from `address` (zero: now). The longest of
    the windows that are full, and of the cool-off after a burnt code."""
    by_phone = SignInCode.objects.filter(phone=phone)
    windows = [
        (by_phone, datetime.timedelta(minutes=15), settings.SIGN_IN_CODES_PER_PHONE_15MIN),
        (by_phone, datetime.timedelta(days=1), settings.SIGN_IN_CODES_PER_PHONE_DAY),
    ]
    if address:
        by_address = SignInCode.objects.filter(address=address)
        windows.append((by_address, datetime.timedelta(hours=1), settings.SIGN_IN_CODES_PER_ADDRESS_HOUR))
    waits = [datetime.timedelta(0)]
    for rows, window, limit in windows:
        recent = rows.filter(created_at__gt=now - window).order_by("-created_at")
        times = list(recent.values_list("created_at", flat=True)[:limit])
        if len(times) >= limit:  # full until the limit-th newest leaves the window
            waits.append(times[limit - 1] + window - now)
    burnt = by_phone.filter(burnt=True).order_by("-closed_at").values_list("closed_at", flat=True).first()
    if burnt:
        waits.append(burnt + datetime.timedelta(minutes=settings.SIGN_IN_CODE_LOCKOUT_MINUTES) - now)
    return max(waits)


def check_code(*, code_id: int, typed: str) -> User:
    """The account signed in by `typed` for the code row `code_id` (from the session), which
    is then used up. Raises WrongCode (tries left), CodeBurnt (that was the last try),
    CodeExpired (too old, used, replaced or unknown). The row is locked while it is checked,
    so parallel guesses cannot exceed the tries."""
    now = timezone.now()
    with transaction.atomic():
        locked = SignInCode.objects.select_for_update(of=("self",)).select_related("user")
        row = locked.filter(pk=code_id).first()
        digest = hash_code(row.salt if row else "", typed)
        lifetime = datetime.timedelta(minutes=settings.SIGN_IN_CODE_MINUTES)
        if row is None or row.closed_at or now >= row.created_at + lifetime:
            raise CodeExpired
        if row.user_id is not None and row.user.is_active and constant_time_compare(digest, row.code_hash):
            row.closed_at = now
            row.save(update_fields=["closed_at"])
            return row.user
        row.attempts += 1
        if row.attempts >= settings.SIGN_IN_CODE_TRIES:
            row.closed_at, row.burnt = now, True
        row.save(update_fields=["attempts", "closed_at", "burnt"])
    if row.burnt:
        raise CodeBurnt(wait_before_next_code(phone=row.phone, address=None, now=now))
    raise WrongCode(settings.SIGN_IN_CODE_TRIES - row.attempts)


# The longest window a limit looks back over (SIGN_IN_CODES_PER_PHONE_DAY): older rows count for
# nothing and hold a phone number and an address, so they are deleted (purge_old_codes).
KEPT_FOR = datetime.timedelta(days=1)


def purge_old_codes(*, now: datetime.datetime | None = None) -> int:
    """Delete the code requests no limit looks at any more (older than KEPT_FOR, and past the
    cool-off after a burnt code). Returns how many were deleted."""
    now = now or timezone.now()
    lockout = datetime.timedelta(minutes=settings.SIGN_IN_CODE_LOCKOUT_MINUTES)
    cutoff = now - max(KEPT_FOR, lockout)
    deleted, _ = SignInCode.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _lock(scope: str, value: str) -> None:
    """Serialise the limit check and the insert per phone / per address until commit, so two
    hosts answering at once cannot both pass a limit with one place left. (SQLite, the
    one-process first run, locks the whole database on write anyway.)"""
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(f"signin:{scope}:{value}".encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
