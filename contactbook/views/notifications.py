"""Everyone's notification inbox (unread first, mark as read, open) and channel preferences
(e-mail and SMS; the in-app inbox is always on) with the consents to SMS, Zalo and push."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contactbook import access, consents, preferences
from contactbook import inbox as notification_inbox
from contactbook.models import Consent


@login_required
@require_GET
@never_cache
def inbox(request: HttpRequest) -> HttpResponse:
    try:
        page = int(request.GET.get("trang", "1"))
    except ValueError:
        page = 1
    return render(request, "contactbook/portal/inbox.html", notification_inbox.inbox(request.user, min(page, 10_000)))


@login_required
@require_GET
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one of the user's notifications read and go to what it is about (404 for anyone
    else's)."""
    notification = access.get_notification_for_user(request.user, notification_id)
    notification_inbox.mark_read(user=request.user, notification_ids=[notification.pk])
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("contactbook:notification_inbox")
    return redirect(target)


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """POST id=<id> (one or several) marks those read; POST all=1 marks every one read.
    Ids that are not the user's, or not numbers, are ignored."""
    if request.POST.get("all"):
        notification_inbox.mark_read(user=request.user)
    else:
        # isascii: str.isdigit() also takes "²" (which int() refuses) and other scripts' digits.
        ids = [int(raw) for raw in request.POST.getlist("id") if raw.isascii() and raw.isdigit()]
        notification_inbox.mark_read(user=request.user, notification_ids=ids)
    return redirect("contactbook:notification_inbox")


CONSENT_LABELS = {
    "sms": gettext_lazy("I agree to receive the school's notifications by SMS"),
    "zalo": gettext_lazy("I agree to receive them by Zalo, instead of SMS when my phone has Zalo"),
    "push": gettext_lazy("I agree to receive push notifications on my phone or browser"),
}


class ChannelForm(forms.Form):
    email = forms.BooleanField(label=gettext_lazy("Also send my notifications by e-mail"), required=False)
    sms = forms.ChoiceField(
        label=gettext_lazy("SMS"),
        widget=forms.RadioSelect,
        choices=[
            (preferences.SMS_URGENT, gettext_lazy("Only urgent news (my child is absent without leave)")),
            (preferences.SMS_ALL, gettext_lazy("All news")),
            (preferences.SMS_NEVER, gettext_lazy("Never")),
        ],
        error_messages={
            "required": gettext_lazy("Choose when to receive SMS."),
            "invalid_choice": gettext_lazy("Choose one of the SMS options."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An unticked box is a "no": the page always shows every box with the current answer.
        for channel in consents.CONSENT_CHANNELS:
            self.fields[f"agree_{channel}"] = forms.BooleanField(
                label=CONSENT_LABELS.get(channel, channel), required=False
            )

    def agreed(self) -> dict[str, bool]:
        return {name: self.cleaned_data[f"agree_{name}"] for name in consents.CONSENT_CHANNELS}


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def channel_settings(request: HttpRequest) -> HttpResponse:
    """The person's channels and consents. Three queries of its own on a GET (preferences,
    consents, and the user's session and row before it), whatever their history."""
    if request.method == "POST":
        form = ChannelForm(request.POST)
        if form.is_valid():
            preferences.save_channel_settings(
                user=request.user, email=form.cleaned_data["email"], sms=form.cleaned_data["sms"],
                agreed=form.agreed(),
            )
            messages.success(request, _("Your notification settings are saved."))
            return redirect("contactbook:notification_settings")
    states = consents.consents_of(request.user)
    if request.method == "GET":
        initial = preferences.channel_settings(request.user)
        initial.update({f"agree_{channel}": state.agreed for channel, state in states.items()})
        form = ChannelForm(initial=initial)
    rows = [
        {"field": form[f"agree_{channel}"], "state": state, "source": _source_label(state.source)}
        for channel, state in states.items()
    ]
    return render(request, "contactbook/portal/settings.html", {"form": form, "consent_rows": rows})


def _source_label(source: str) -> str:
    return Consent.Source(source).label if source in Consent.Source.values else source


urlpatterns = [
    # /hop-thu/ (inbox), not /thong-bao/: the announcements already use "thông báo" for parents.
    path("hop-thu/", inbox, name="notification_inbox"),
    path("hop-thu/<int:notification_id>/", open_notification, name="notification_open"),
    path("hop-thu/da-doc/", mark_read, name="notifications_mark_read"),
    path("hop-thu/cai-dat/", channel_settings, name="notification_settings"),
]
