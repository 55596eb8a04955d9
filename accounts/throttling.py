"""Login throttling (django-axes, settings AXES_*): what counts as one account, the limit per
address across accounts, and what a locked-out person sees — the login page again, saying how
long to wait (HTTP 429)."""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from django.utils.translation import ngettext

from accounts.forms import LoginForm
from accounts.models import User
from accounts.phones import normalize_phone


def username(request, credentials) -> str:
    """The account typed in the login form, so "0912 345 678", "+84912345678" and
    "0912.345.678" share one budget of tries instead of three."""
    # The form's field is "username"; Django's login signals name it after the user model's
    # USERNAME_FIELD ("phone"); the request's form is the last resort.
    credentials = credentials or {}
    typed = (
        credentials.get("username")
        or credentials.get(User.USERNAME_FIELD)
        or getattr(request, "POST", {}).get("username")
        or ""
    ).strip()
    if "@" in typed:
        return typed.lower()
    return normalize_phone(typed) or typed


def locked_out(request, original_response=None, credentials=None):
    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    message = ngettext(
        "Too many wrong attempts. For your safety, try again in %(n)d minute.",
        "Too many wrong attempts. For your safety, try again in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}
    form = LoginForm(request, initial={"username": (credentials or {}).get("username", "")})
    context = {"form": form, "locked_out": message, "next": request.POST.get("next", "")}
    return render(request, "accounts/login.html", context, status=429)


class LoginAttemptHandler(AxesDatabaseHandler):
    """Axes' database handler, plus a limit per address across accounts: axes locks per
    (account, address), so one address could try one password on every account.

    The address total is not an axes lockout parameter because axes' reset on success deletes
    the attempts of every parameter: one login to an attacker's own account would then wipe
    the address's count. Here a success resets only its own (account, address) pair."""

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        if failures >= settings.AXES_FAILURE_LIMIT:
            return failures
        # Axes compares one number with AXES_FAILURE_LIMIT: a locked address answers that limit.
        if address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return settings.AXES_FAILURE_LIMIT
        return failures


def address_failures(request) -> int:
    """Wrong passwords from the request's address, all accounts, within the cool-off time
    (counted as axes counts a pair: attempts whose latest failure is within it)."""
    attempts = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
