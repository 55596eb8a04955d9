"""Login throttling (django-axes, settings AXES_*): what counts as one account, and what a
locked-out person sees — the login page again, saying how long to wait (HTTP 429)."""

from django.conf import settings
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
