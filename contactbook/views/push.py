"""The installable parent portal (a web app manifest, a service worker at the site's root, an
offline page) and the Web Push subscription endpoints that the notification settings' toggle
posts to (contactbook/push.py)."""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from contactbook import push
from school.exceptions import DomainError

THEME_COLOUR = "#0b6e4f"  # the top bar's green (--brand in static/css/site.css)


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: "add to home screen" opens the parent portal full screen."""
    body = {
        "name": "Trường Số – Sổ liên lạc",
        "short_name": "Sổ liên lạc",
        "description": "Sổ liên lạc điện tử: điểm, chuyên cần, nhận xét, thông báo, tin nhắn.",
        "lang": "vi",
        "dir": "ltr",
        "id": reverse("contactbook:portal_home"),
        "start_url": reverse("contactbook:portal_home"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static(f"pwa/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png",
             "purpose": "any maskable"}
            for size in (192, 512)
        ],
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """static/pwa/sw.js from the site's root, so its scope may be the whole site (a script under
    /static/ could only control /static/). Revalidated on every update check: a fixed worker
    must reach the phones at once."""
    found = finders.find("pwa/sw.js")
    script = Path(found).read_bytes() if found else (Path(settings.STATIC_ROOT) / "pwa/sw.js").read_bytes()
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the service worker shows for a page it never saved, when there is no network. The
    worker saves it once at install, whoever is signed in: it names nobody."""
    response = render(request, "contactbook/offline.html")
    response["Cache-Control"] = "no-cache"
    return response


@require_POST
def subscribe(request: HttpRequest) -> JsonResponse:
    """POST the browser's PushSubscription as JSON ({endpoint, keys: {p256dh, auth}})."""
    if not request.user.is_authenticated:
        return _error(401, "not_signed_in", _("Sign in first."))
    if not push.push_enabled():
        return _error(404, "push_off", _("Notifications on the phone are not available here."))
    data = _json_body(request)
    if data is None:
        return _error(400, "invalid_json", _("Send the subscription as a JSON object."), "body")
    try:
        push.save_subscription(user=request.user, endpoint=data.get("endpoint"), keys=data.get("keys"),
                               user_agent=request.headers.get("User-Agent", ""))
    except DomainError as exc:
        return _error(exc.status, exc.code, exc.message, exc.field)
    return JsonResponse({"subscribed": True}, status=201)


@require_POST
def unsubscribe(request: HttpRequest) -> JsonResponse:
    """POST {endpoint}: this person's subscription of that browser ends (404 if it is not
    theirs, or not there)."""
    if not request.user.is_authenticated:
        return _error(401, "not_signed_in", _("Sign in first."))
    data = _json_body(request)
    if data is None:
        return _error(400, "invalid_json", _("Send the subscription as a JSON object."), "body")
    try:
        push.remove_subscription(user=request.user, endpoint=data.get("endpoint"))
    except DomainError as exc:
        return _error(exc.status, exc.code, exc.message, exc.field)
    return JsonResponse({"subscribed": False})


def _json_body(request: HttpRequest) -> dict | None:
    if len(request.body) > 8192:  # a subscription is well under 1 KiB
        return None
    try:
        data = json.loads(request.body)
    except (UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _error(status: int, code: str, message, field: str | None = None) -> JsonResponse:
    """The API's one error shape (truongso/api.py)."""
    body = {"code": code, "message": str(message)}
    if field:
        body["fields"] = [{"field": field, "code": code, "message": str(message)}]
    return JsonResponse({"error": body}, status=status)


urlpatterns = [
    path("manifest.webmanifest", manifest, name="pwa_manifest"),
    path("sw.js", service_worker, name="service_worker"),
    path("ngoai-tuyen/", offline, name="offline"),
    path("hop-thu/thong-bao-day/dang-ky/", subscribe, name="push_subscribe"),
    path("hop-thu/thong-bao-day/huy/", unsubscribe, name="push_unsubscribe"),
]
