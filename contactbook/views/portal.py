"""The parent portal's home: /phu-huynh/ (the eldest child) and /phu-huynh/hoc-sinh/<id>/ (one
child, chosen with the switcher). Everything on it comes from contactbook.portal.portal_home in
one query (pinned by tests/contactbook/test_portal.py); its body is rendered once per distinct
content and then served from the cache (contactbook.portal.home_html).

With TRUONGSO_BENCH_VIEWS=1 in the environment (bench/parent_portal.sh only) two views are
mounted: /bench/bare/, the baseline the portal's throughput is compared with, and
/bench/logged-in/, the floor every logged-in page pays (session, user, the base template and
its navigation query) — so the bench can say how much of the gap is the portal's own work.
"""

import os

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from contactbook import portal


@login_required
@require_GET
@never_cache  # personal data; and a revoked link must not linger in a browser cache
def portal_home(request: HttpRequest, student_id: int | None = None) -> HttpResponse:
    home = portal.portal_home(request.user, student_id)
    body = portal.home_html(home, path=request.path, csrf_slot=_CSRF_SLOT)
    # The acknowledge form gets this request's token, never a cached one: the page template
    # writes {% csrf_token %} between the parts (the same token as the navigation's forms).
    # Safe by construction: `body` is home_body.html's output, an autoescaping template, so
    # every name, comment or message in it is already escaped text (tests/security).
    parts = [mark_safe(part) for part in body.split(_CSRF_INPUT, 1)]
    context = {"home": home, "child": home.child, "body": parts}
    if home.can_manage is not None:
        context["can_manage"] = home.can_manage  # read in the same query: no navigation query
    return render(request, "contactbook/portal/home.html", context)


# What {% csrf_token %} writes with the slot as its token. Escaped text cannot contain it, so only
# the form's input matches.
_CSRF_SLOT = "portal-csrf-slot"
_CSRF_INPUT = f'<input type="hidden" name="csrfmiddlewaretoken" value="{_CSRF_SLOT}">'


@require_GET
def bench_bare(request: HttpRequest) -> HttpResponse:
    """The baseline for bench/parent_portal.sh: the whole middleware stack, no query, no
    template."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
@require_GET
def bench_logged_in(request: HttpRequest) -> HttpResponse:
    """The floor of a logged-in page: base.html with nothing in it."""
    return render(request, "base.html")


urlpatterns = [
    path("phu-huynh/", portal_home, name="portal_home"),
    path("phu-huynh/hoc-sinh/<int:student_id>/", portal_home, name="portal_child"),
]
if os.environ.get("TRUONGSO_BENCH_VIEWS") == "1":
    urlpatterns += [
        path("bench/bare/", bench_bare, name="bench_bare"),
        path("bench/logged-in/", bench_logged_in, name="bench_logged_in"),
    ]
