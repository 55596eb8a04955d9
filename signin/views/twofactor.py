"""The second factor's pages: type the code after the password, set up an authenticator app,
make new backup codes, and (a school manager, the operator) reset a lost one."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from core.qr import qr_svg
from school import access
from signin import twofactor
from signin.models import SecondFactorReset
from signin.views.codes import next_from

RESET_PAGE_SIZE = 50


class TokenForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"), max_length=20, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "class": "code", "autofocus": True}),
        error_messages={"required": gettext_lazy("Enter the code.")},
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """After the password (or the SMS code): the six digits of the authenticator app, or one
    of the backup codes."""
    next_url = next_from(request)
    if twofactor.verified(request.session):
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    if not twofactor.has_second_factor(request.user):
        return redirect(_to("signin:second_factor_setup", next_url))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accepted, wait = twofactor.verify(request, form.cleaned_data["code"])
        if accepted:
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        if wait:
            form.add_error("code", ngettext(
                "Too many wrong codes: wait %(n)d second and try again.",
                "Too many wrong codes: wait %(n)d seconds and try again.", wait,
            ) % {"n": wait})
        else:
            form.add_error("code", _("That code is not right. Type the 6 digits the app shows now, or a backup code."))
    return render(request, "signin/second_factor.html", {"form": form, "next": next_url})


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), type the first code.
    Replacing an app needs the old one's code first."""
    user = request.user
    if not twofactor.may_enrol(user):
        raise Http404
    next_url = next_from(request)
    if twofactor.has_second_factor(user) and not twofactor.verified(request.session):
        return redirect(_to("signin:second_factor", next_url))
    secret = request.session.get(twofactor.SECRET_KEY)
    if not secret:
        secret = request.session[twofactor.SECRET_KEY] = twofactor.new_secret()
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        step = twofactor.first_code_step(secret, form.cleaned_data["code"])
        if step is not None:
            codes = twofactor.enrol(request, secret, step)
            return render(request, "signin/second_factor_codes.html", {"codes": codes, "next": next_url, "new": True})
        form.add_error("code", _("That code is not right. Check the phone's clock and type the 6 digits the app shows now."))
    app_url = twofactor.config_url(user, secret)
    context = {
        "form": form,
        "next": next_url,
        "must": twofactor.pending(request.session) == twofactor.ENROL,
        "replacing": twofactor.has_second_factor(user),
        "app_url": app_url,
        "qr": qr_svg(app_url),
        "key": twofactor.secret_for_typing(secret),
    }
    return render(request, "signin/second_factor_setup.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def backup_codes(request: HttpRequest) -> HttpResponse:
    """The second factor of one's own account: how many backup codes are left, a new set on
    request (the old set stops working), a link to move to a new phone. Without one yet: its
    setup."""
    user = request.user
    if not twofactor.may_enrol(user):
        raise Http404
    if not twofactor.has_second_factor(user):
        return redirect("signin:second_factor_setup")
    if not twofactor.verified(request.session):
        return redirect(_to("signin:second_factor", request.get_full_path()))
    if request.method == "POST":
        codes = twofactor.new_backup_codes(user)
        return render(request, "signin/second_factor_codes.html", {"codes": codes, "next": "", "new": False})
    return render(request, "signin/second_factor_backup.html", {"left": twofactor.backup_codes_left(user)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reset(request: HttpRequest) -> HttpResponse:
    """A school manager resets a teacher's lost second factor; the operator anybody's."""
    manager = request.user
    if not (manager.is_superuser or access.manages_any_school(manager)):
        raise PermissionDenied
    if request.method == "POST":
        user_id = request.POST.get("user", "")
        account = get_object_or_404(User, pk=int(user_id) if user_id.isdigit() else 0)
        if not twofactor.may_reset(manager, account):
            raise Http404
        twofactor.reset(manager, account)
        messages.success(request, _(
            "The second factor of %(name)s is reset and their sessions are ended. They sign in with "
            "their password and set up the app again."
        ) % {"name": account.get_full_name() or account.phone})
        return redirect("signin:second_factor_reset")
    query = request.GET.get("q", "").strip()[:50]
    accounts = twofactor.resettable_accounts(manager).annotate(
        has_app=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
    )
    if query:
        accounts = accounts.filter(Q(full_name__icontains=query) | Q(phone__contains=query))
    accounts = list(accounts.order_by("full_name", "pk")[:RESET_PAGE_SIZE])
    resets = SecondFactorReset.objects.all() if manager.is_superuser else SecondFactorReset.objects.filter(reset_by=manager)
    context = {"accounts": accounts, "query": query, "resets": list(resets[:20]), "page_size": RESET_PAGE_SIZE}
    return render(request, "signin/second_factor_reset.html", context)


def _to(name: str, next_url: str) -> str:
    """The address of page `name`, coming back to `next_url` after."""
    return reverse(name) + ("?" + urlencode({"next": next_url}) if next_url else "")


urlpatterns = [
    path("xac-thuc/", verify, name="second_factor"),
    path("xac-thuc/cai-dat/", setup, name="second_factor_setup"),
    path("ma-du-phong/", backup_codes, name="second_factor_backup_codes"),
    path("dat-lai-xac-thuc/", reset, name="second_factor_reset"),
]
