"""Signing in with a one-time code: ask for a code (phone), type it in (with "remember this
device"), and optionally set a password afterwards. Codes travel only in POST bodies and SMS,
never in an address or a log line."""

import datetime
import math

from axes.helpers import get_client_ip_address
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.phones import normalize_phone
from signin import codes

CODE_KEY = "signin_code"  # the SignInCode row's id, between the two pages
PHONE_KEY = "signin_phone"  # the number as typed, to show back ("sent to …")
NEXT_KEY = "signin_next"
PASSWORD_KEY = "signin_then_password"  # came from "forgot your password?": offer a new one after
SIGNED_IN_BY_CODE_AT = "signin_code_at"  # lets the set-password page skip the old password
SET_PASSWORD_WITHIN = datetime.timedelta(minutes=15)
BACKEND = "accounts.backends.UserBackend"


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Phone number the school has for you"), max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": gettext_lazy("Enter your phone number.")},
    )

    def clean_phone(self) -> str:
        phone = normalize_phone(self.cleaned_data["phone"])
        if phone is None:
            raise forms.ValidationError(_("Enter a Vietnamese phone number, e.g. 0912 345 678."))
        return phone


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the SMS"), max_length=20, strip=True,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "class": "code"}),
        error_messages={"required": gettext_lazy("Enter the 6 digits of the code.")},
    )
    remember = forms.BooleanField(label=gettext_lazy("Remember this device for 30 days"), required=False)

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isascii() and code.isdigit() and len(code) == codes.CODE_DIGITS):
            raise forms.ValidationError(_("Enter the 6 digits of the code."))
        return code


def next_from(request: HttpRequest) -> str:
    """The `next` address posted or asked for, when it is this site's; otherwise ""."""
    return _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _wait_page(request: HttpRequest, message: str, wait: datetime.timedelta) -> HttpResponse:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    text = ngettext(
        "For your safety, you can ask for a new code in %(n)d minute.",
        "For your safety, you can ask for a new code in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}
    return render(request, "signin/code_wait.html", {"reason": message, "wait": text}, status=429)


@never_cache
@sensitive_post_parameters("phone")
@require_http_methods(["GET", "POST"])
def request_code(request: HttpRequest) -> HttpResponse:
    """Ask for a code. Every valid number gets the same answer: a redirect to the page where
    the code is typed, whether or not the number is an account's."""
    form = PhoneForm(request.POST or None)
    next_url = next_from(request)
    if request.method == "POST" and form.is_valid():
        try:
            row = codes.issue_code(phone=form.cleaned_data["phone"], address=get_client_ip_address(request))
        except codes.TooManyCodes as refused:
            return _wait_page(request, _("Too many codes were asked for this number or from this network."), refused.wait)
        request.session[CODE_KEY] = row.pk
        request.session[PHONE_KEY] = form.cleaned_data["phone"]
        request.session[NEXT_KEY] = next_url
        request.session[PASSWORD_KEY] = bool(request.POST.get("password"))
        return redirect("signin:code_enter")
    forgot = bool(request.POST.get("password") or request.GET.get("mat-khau"))
    return render(request, "signin/code_request.html", {"form": form, "next": next_url, "forgot": forgot})


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def enter_code(request: HttpRequest) -> HttpResponse:
    """Type the code. Right: signed in (for 30 days if asked, else until the browser closes),
    then on to set a password when the account has none, or where the parent was going."""
    code_id = request.session.get(CODE_KEY)
    if code_id is None:
        return redirect("signin:code_request")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = codes.check_code(code_id=code_id, typed=form.cleaned_data["code"])
        except codes.WrongCode as wrong:
            form.add_error("code", ngettext(
                "That is not the code. You have %(n)d more try.",
                "That is not the code. You have %(n)d more tries.", wrong.tries_left,
            ) % {"n": wrong.tries_left})
        except codes.CodeExpired:
            form.add_error("code", _("This code no longer works. Ask for a new one."))
        except codes.CodeBurnt as burnt:
            request.session.pop(CODE_KEY, None)
            return _wait_page(request, _("The code was typed wrong too many times, so it no longer works."), burnt.wait)
        else:
            return _signed_in(request, user, remember=form.cleaned_data["remember"])
    context = {"form": form, "phone": _spaced(request.session.get(PHONE_KEY, "")),
               "minutes": settings.SIGN_IN_CODE_MINUTES}
    return render(request, "signin/code_enter.html", context)


def _signed_in(request: HttpRequest, user, *, remember: bool) -> HttpResponse:
    next_url = request.session.get(NEXT_KEY, "")
    login(request, user, backend=BACKEND)  # a new session key; the keys below carry over
    for key in (CODE_KEY, PHONE_KEY, NEXT_KEY):
        request.session.pop(key, None)
    wants_password = request.session.pop(PASSWORD_KEY, False)
    # 0: the cookie ends with the browser; otherwise it and the session last the days asked.
    request.session.set_expiry(settings.SIGN_IN_REMEMBER_DAYS * 24 * 3600 if remember else 0)
    request.session[SIGNED_IN_BY_CODE_AT] = timezone.now().timestamp()
    if wants_password or not user.has_usable_password():
        target = reverse("signin:set_password")
        return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


def _spaced(phone: str) -> str:
    """0912345678 as 0912 345 678, as parents read it."""
    return f"{phone[:4]} {phone[4:7]} {phone[7:]}" if len(phone) == 10 else phone


@never_cache
@login_required
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def set_password(request: HttpRequest) -> HttpResponse:
    """Optional, right after a code sign-in: set a password (Django's validators) or skip and
    keep signing in with codes. Without the old password only just after a code (or when the
    account has none): a session left open on a shared phone cannot take the account over."""
    next_url = next_from(request)
    signed_in_at = request.session.get(SIGNED_IN_BY_CODE_AT, 0)
    fresh = timezone.now().timestamp() - signed_in_at < SET_PASSWORD_WITHIN.total_seconds()
    if not fresh and request.user.has_usable_password():
        return render(request, "signin/code_set_password.html", {"stale": True, "next": next_url})
    form = SetPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        request.session.pop(SIGNED_IN_BY_CODE_AT, None)
        messages.success(request, _("Your password is set. Next time sign in with it, or with a code."))
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    return render(request, "signin/code_set_password.html", {"form": form, "next": next_url})


urlpatterns = [
    path("ma/", request_code, name="code_request"),
    path("ma/nhap/", enter_code, name="code_enter"),
    path("mat-khau/dat/", set_password, name="set_password"),
]
