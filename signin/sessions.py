"""The sessions a person is signed in with: recorded at sign-in, listed on their page, ended
one by one, all but this one, or all.

Django's session store is keyed by session key only, so `SignedInSession` rows (one per
signed-in session, made by `record_sign_in`, deleted at sign-out) say which keys are whose.
A row's `auth_hash` is the user's at sign-in: once the password or the phone changes, Django
refuses that session, and the row is recognised as stale without loading the session.

Two marks are kept in the session itself, so that an ordinary request needs no query
(signin.activity): when it was last seen (a timestamp, written at most every
SEEN_EVERY seconds) and whether the person was staff at sign-in (staff idle out)."""

import datetime
import importlib
import re

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from signin import roles
from signin.models import SignedInSession

SEEN_KEY = "signin_seen"  # POSIX time of the last recorded activity
STAFF_KEY = "signin_staff"  # true: staff at sign-in, so STAFF_SESSION_IDLE_MINUTES applies
SEEN_EVERY = 5 * 60  # seconds: "last seen" is written at most this often
USER_AGENT_LENGTH = 200


def record_sign_in(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    """user_logged_in: keep a row for the new session and mark the session (last seen now;
    staff or not, decided once, from signin.roles' query)."""
    if request is None or not hasattr(request, "session"):
        return
    session = request.session
    if session.session_key is None:  # login() flushed a session of someone else
        session.save()
    now = timezone.now()
    session[SEEN_KEY] = now.timestamp()
    session[STAFF_KEY] = roles.at_sign_in(request, user).staff
    row = SignedInSession(
        user=user,
        session_key=session.session_key,
        created_at=now,
        last_seen_at=now,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH],
        ip_address=get_client_ip_address(request) or None,
        auth_hash=user.get_session_auth_hash(),
    )
    # One INSERT … ON CONFLICT: a key signed in again (another person on a session that
    # login() kept) takes the row over instead of failing the sign-in.
    SignedInSession.objects.bulk_create(
        [row], update_conflicts=True, unique_fields=["session_key"],
        update_fields=["user", "created_at", "last_seen_at", "user_agent", "ip_address", "auth_hash"],
    )


def forget_sign_out(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """user_logged_out: the session ends, so does its row."""
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        SignedInSession.objects.filter(session_key=key).delete()


def end_sessions(user: User, *, keep: str | None = None) -> int:
    """End every session of `user` that we hold a row for, except the one with session key
    `keep` (the caller's own, usually `request.session.session_key`), whose row is given the
    user's current auth hash (the caller has just changed the password or phone and kept this
    session with update_session_auth_hash). Deletes each session from the store, so it is over
    on every host at once, and the rows. Returns how many sessions were ended."""
    rows = SignedInSession.objects.filter(user=user)
    if keep:
        rows.filter(session_key=keep).update(auth_hash=user.get_session_auth_hash())
        rows = rows.exclude(session_key=keep)
    return _end(list(rows.values_list("session_key", flat=True)))


def end_stale_sessions(user: User) -> int:
    """End the sessions opened before the user's password or phone last changed (someone
    else changed them, e.g. the operator in Wagtail's user editor). Returns how many."""
    rows = SignedInSession.objects.filter(user=user).exclude(auth_hash=user.get_session_auth_hash())
    return _end(list(rows.values_list("session_key", flat=True)))


def adopt_new_key(user: User, *, old_key: str, new_key: str) -> None:
    """The session `old_key` was given `new_key` while staying signed in (a password or phone
    change of one's own: update_session_auth_hash cycles the key): its row follows it."""
    SignedInSession.objects.filter(user=user, session_key=old_key).update(
        session_key=new_key, auth_hash=user.get_session_auth_hash()
    )


def sessions_of(user: User) -> list[SignedInSession]:
    """The user's signed-in sessions still valid, most recently used first: one query. Stale
    rows (an old password or phone) are ended on the way, with their sessions."""
    current = user.get_session_auth_hash()
    rows = list(SignedInSession.objects.filter(user=user).order_by("-last_seen_at", "-pk"))
    stale = [row.session_key for row in rows if row.auth_hash != current]
    if stale:
        _end(stale)
    return [row for row in rows if row.auth_hash == current]


def end_session(row: SignedInSession) -> None:
    """End one session (its row from get_session_of)."""
    _end([row.session_key])


def get_session_of(user: User, row_id: int) -> SignedInSession:
    """The user's own session row `row_id`; 404 for "missing" and "not yours" alike. (Kept here,
    beside the rows' other rules: signing in has no other door.)"""
    row = SignedInSession.objects.filter(user=user, pk=row_id).first()
    if row is None:
        raise Http404
    return row


def mark_seen(session_key: str, when: datetime.datetime) -> None:
    """Record activity of a session on its row (the middleware calls this every SEEN_EVERY)."""
    SignedInSession.objects.filter(session_key=session_key).update(last_seen_at=when)


def kept_for() -> datetime.timedelta:
    """How long a session can live without activity: the longest of the cookie age and
    "remember this device", plus the time "last seen" may lag behind the session's own saves."""
    longest = max(settings.SESSION_COOKIE_AGE, settings.SIGN_IN_REMEMBER_DAYS * 24 * 3600)
    return datetime.timedelta(seconds=longest + SEEN_EVERY)


def purge_old_sessions(*, now: datetime.datetime | None = None) -> int:
    """Delete the rows of sessions that have expired by now (not seen for `kept_for()`): their
    sessions are gone or refused by the store. Returns how many rows were deleted."""
    cutoff = (now or timezone.now()) - kept_for()
    deleted, _ = SignedInSession.objects.filter(last_seen_at__lt=cutoff).delete()
    return deleted


def _end(keys: list[str]) -> int:
    store = importlib.import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store(session_key=key).delete()
    SignedInSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


# Browsers, most specific first: Edge, Opera, Samsung's and Cốc Cốc's user agents also say
# "Chrome" and "Safari"; Chrome's says "Safari".
_BROWSERS = [
    (re.compile(r"Edg(e|A|iOS)?/"), "Edge"),
    (re.compile(r"OPR/|Opera"), "Opera"),
    (re.compile(r"coc_coc_browser"), "Cốc Cốc"),
    (re.compile(r"SamsungBrowser/"), "Samsung Internet"),
    (re.compile(r"Zalo"), "Zalo"),
    (re.compile(r"Firefox/|FxiOS/"), "Firefox"),
    (re.compile(r"Chrome/|CriOS/"), "Chrome"),
    (re.compile(r"Version/[\d.]+.*Safari/"), "Safari"),
]
_SYSTEMS = [
    (re.compile(r"iPhone"), "iPhone"),
    (re.compile(r"iPad"), "iPad"),
    (re.compile(r"Android"), "Android"),
    (re.compile(r"CrOS"), "ChromeOS"),
    (re.compile(r"Windows"), "Windows"),
    (re.compile(r"Macintosh|Mac OS X"), "macOS"),
    (re.compile(r"Linux"), "Linux"),
]


def device_label(user_agent: str) -> str:
    """A name a person recognises their device by: "Chrome on Android" ("Chrome trên Android")."""
    browser = next((name for pattern, name in _BROWSERS if pattern.search(user_agent)), "")
    system = next((name for pattern, name in _SYSTEMS if pattern.search(user_agent)), "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Unknown device")
