"""The installable parent portal: a web app manifest, a service worker at the site's root, an
offline page."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import path, reverse
from django.views.decorators.http import require_GET

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


urlpatterns = [
    path("manifest.webmanifest", manifest, name="pwa_manifest"),
    path("sw.js", service_worker, name="service_worker"),
    path("ngoai-tuyen/", offline, name="offline"),
]
