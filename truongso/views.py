import datetime
import time

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from truongso.home import home_context


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where everyone lands after logging in (composed in truongso/home.py): a teacher's day
    (periods, registers to take, leave waiting, unread messages, unpublished columns), each
    managed school's day (attendance so far, absences without leave, report runs), the
    classes a staff member may open, a parent's children and the guardian link requests
    waiting for their answer. A parent who is nobody's teacher, with no request waiting,
    goes straight to the contact book."""
    context = home_context(request.user)
    parent_only = context["children"] and not context["classes"] and not context["pending_links"]
    if parent_only and not context["can_manage"]:
        return redirect("contactbook:portal_home")
    return render(request, "home.html", context)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # any failure is the answer we report
        return f"error: {exc.__class__.__name__}"


def _check_broker() -> str:
    if not settings.CELERY_BROKER_URL:
        return "not configured (tasks run eagerly)"
    from truongso.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


def _check_cache() -> str:
    cache = caches["default"]
    if not hasattr(cache, "ping"):  # the first run's memory of each process
        return "ok (not shared: this process's memory)"
    if cache.ping():
        return "ok"
    since = datetime.datetime.fromtimestamp(cache.down_since or time.time(), datetime.UTC)
    return f"error: unreachable since {since:%H:%M:%S} UTC (pages served without it)"


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Reachability of the database, the shared cache and the Celery broker, for load
    balancers and operators. 503 only when this host cannot serve pages: the database does not
    answer. The cache and the broker (Redis) not answering is "degraded" with 200: pages are
    still served (sessions from the database, saves committed, notifications kept in the outbox
    until the broker returns), and since every host shares that Redis, a 503 would make the
    load balancer take all of them out at once and turn a degraded school day into none.
    Monitoring alerts on "status" not being "ok"."""
    checks = {"database": _check_database(), "cache": _check_cache(), "broker": _check_broker()}
    failing = {name for name, value in checks.items() if value.startswith("error")}
    status = "error" if "database" in failing else "degraded" if failing else "ok"
    return JsonResponse({"status": status, **checks}, status=503 if status == "error" else 200)
