"""The second factor for staff: an authenticator app (TOTP, django-otp's TOTPDevice) and
one-time backup codes (signin.models.BackupCodeDevice).

Who: the operator and every school manager must have one, and nobody enters the admin
surfaces (/quan-tri/, /cms/) without having used it in this session; every other teacher may
turn it on, and then every sign-in asks for it. Parents sign in with a code to their phone
instead (signin/codes.py).

How a session carries it, so that no request pays a query for it: at sign-in
(`on_sign_in`, from signin.roles' one query) the session is marked VERIFY (the person has a second factor)
or ENROL (must set one up); the middleware (signin/middleware.py) reads only the session.
Once the code is typed, django-otp's own session key holds the device (`verified`). A reset
removes the devices and ends every session of the person, so no session stays verified by a
device that is gone.
"""

import secrets
import time
from base64 import b32encode

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from school import access
from school.models import School, StaffMembership
from signin import roles
from signin.models import BackupCode, BackupCodeDevice, SecondFactorReset

STATE_KEY = "second_factor"
VERIFY = "verify"  # has a second factor, has not typed its code in this session yet
ENROL = "enrol"  # must set one up before anything else
SECRET_KEY = "second_factor_secret"  # the key being set up, until its first code is typed

BACKUP_CODE_LENGTH = 10
BACKUP_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # base 32: no 0/1/8/9 to misread


def is_required(user: User) -> bool:
    """Must `user` have a second factor? The operator and school managers must."""
    return user.is_superuser or user.is_staff or access.manages_any_school(user)


def may_enrol(user: User) -> bool:
    """May `user` turn one on? Staff may; parents sign in with codes to their phone."""
    return is_required(user) or StaffMembership.objects.filter(user=user, is_active=True).exists()


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def on_sign_in(sender, request, user, **kwargs) -> None:
    """user_logged_in: mark the new session with what the second factor still asks of it."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session.pop(STATE_KEY, None)
    facts = roles.at_sign_in(request, user)
    if facts.has_app:
        session[STATE_KEY] = VERIFY
    elif facts.manages:
        session[STATE_KEY] = ENROL


def verified(session) -> bool:
    """Has this session's person typed a second factor's code since signing in?"""
    return DEVICE_ID_SESSION_KEY in session


def pending(session) -> str | None:
    """VERIFY, ENROL or None: what the session must do before anything else."""
    return session.get(STATE_KEY)


# Setting up the authenticator app ------------------------------------------------------------


def new_secret() -> str:
    """A new TOTP key, hex-encoded as django-otp stores it (20 bytes, as RFC 4226 advises)."""
    return secrets.token_hex(20)


def _unsaved_device(user: User, secret: str) -> TOTPDevice:
    return TOTPDevice(user=user, key=secret, name="authenticator", confirmed=False)


def config_url(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return _unsaved_device(user, secret).config_url


def secret_for_typing(secret: str) -> str:
    """The key in base 32, in groups of four, for typing into an app by hand."""
    text = b32encode(bytes.fromhex(secret)).decode()
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def _totp(secret: str, drift: int = 0) -> TOTP:
    device = _unsaved_device(None, secret)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, drift)
    totp.time = time.time()
    return totp


def first_code_step(secret: str, token: str) -> int | None:
    """The time step that `token` matches for a key being set up (one step either side, for a
    phone clock a little off), or None."""
    if not (token.isascii() and token.isdigit()):
        return None
    totp = _totp(secret)
    if totp.verify(int(token), tolerance=1):
        return totp.t()
    return None


@transaction.atomic
def enrol(request, secret: str, step: int) -> list[str]:
    """Turn on the second factor for the signed-in person with `secret`, whose code for `step`
    was just typed: the app replaces any earlier one, a fresh set of backup codes replaces the
    old, and this session counts as verified. Returns the backup codes, shown once."""
    user = request.user
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(
        user=user, key=secret, name="authenticator", confirmed=True, last_t=step
    )
    codes = new_backup_codes(user)
    otp_login(request, device)
    request.session.pop(STATE_KEY, None)
    request.session.pop(SECRET_KEY, None)
    return codes


@transaction.atomic
def new_backup_codes(user: User) -> list[str]:
    """A new set of backup codes for `user` (the old set stops working). Returns them in clear:
    the only time anybody sees them."""
    BackupCodeDevice.objects.filter(user=user).delete()
    device = BackupCodeDevice.objects.create(user=user, name="backup", confirmed=True)
    codes = [
        "".join(secrets.choice(BACKUP_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))
        for _ in range(settings.SECOND_FACTOR_BACKUP_CODES)
    ]
    BackupCode.objects.bulk_create(BackupCode(device=device, digest=BackupCode.digest_of(c)) for c in codes)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def backup_codes_left(user: User) -> int:
    return BackupCode.objects.filter(device__user=user).count()


# Typing the code at sign-in -------------------------------------------------------------------


def verify(request, token: str) -> tuple[bool, int]:
    """Check a code typed by the signed-in person: six digits from the app, or a backup code.
    Returns (accepted, seconds to wait): after a wrong code each device asks for a wait that
    doubles (1 s, 2 s, 4 s, … django-otp's throttling), so guessing takes years."""
    user = request.user
    token = "".join(token.split())
    digits = token.isascii() and token.isdigit() and len(token) == 6
    model = TOTPDevice if digits else BackupCodeDevice
    wait = 0
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=user, confirmed=True):
            allowed, details = device.verify_is_allowed()
            if not allowed:
                locked_until = (details or {}).get("locked_until")
                if locked_until:
                    wait = max(wait, int((locked_until - timezone.now()).total_seconds()) + 1)
                continue
            if device.verify_token(token):
                otp_login(request, device)
                request.session.pop(STATE_KEY, None)
                return True, 0
    return False, wait


# A lost second factor -------------------------------------------------------------------------


def may_reset(manager: User, account: User) -> bool:
    """May `manager` reset `account`'s second factor? (resettable_accounts says who.)"""
    return resettable_accounts(manager).filter(pk=account.pk).exists()


def resettable_accounts(manager: User):
    """The accounts whose second factor `manager` may reset, never their own: the operator,
    anybody's who can have one (staff and operators); a school manager, a teacher's of a school
    they manage (not a fellow manager's, not the operator's: those go to the operator);
    anybody else, nobody's."""
    if not (manager.is_authenticated and manager.is_active):
        return User.objects.none()
    if manager.is_superuser:
        staff = User.objects.filter(Q(memberships__is_active=True) | Q(is_staff=True) | Q(is_superuser=True))
    else:
        managers = StaffMembership.objects.filter(
            is_active=True, role__in=StaffMembership.MANAGING_ROLES
        ).values("user_id")
        staff = User.objects.filter(
            memberships__is_active=True, memberships__school__in=School.objects.managed_by(manager),
            is_staff=False, is_superuser=False,
        ).exclude(pk__in=managers)
    return staff.exclude(pk=manager.pk).distinct()


@transaction.atomic
def reset(manager: User, account: User) -> SecondFactorReset:
    """Remove `account`'s authenticator app and backup codes and end all their sessions; they
    sign in with their password and set up a new app (required) or go on without (optional).
    Recorded, with both names."""
    from signin import sessions

    TOTPDevice.objects.filter(user=account).delete()
    BackupCodeDevice.objects.filter(user=account).delete()
    ended = sessions.end_sessions(account)
    return SecondFactorReset.objects.create(
        user=account, user_name=account.get_full_name() or account.phone or str(account.pk),
        reset_by=manager, reset_by_name=manager.get_full_name() or manager.phone or str(manager.pk),
        sessions_ended=ended,
    )
