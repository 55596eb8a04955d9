import datetime
import sys
import time

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from truongso.api import error_body
from truongso.home import home_context
from truongso.middleware import API_PREFIX

# What a client is told to wait while the database does not answer: a PostgreSQL restart or
# a failover takes seconds; the reference kiosk waits exactly this before trying again.
DATABASE_RETRY_AFTER_SECONDS = 5


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


def _database_unreachable(exc: BaseException | None) -> bool:
    """Whether `exc`, or an exception it was raised from or while handling, is the database
    not answering: refused, shutting down, starting up, or the connection dropped mid-request
    (OperationalError), or a connection already closed by that (InterfaceError)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: Django calls it for every exception that no view, middleware or API handler
    answered (a view's, but also one raised while a middleware loads the session or the
    user), from inside its `except` block, so `sys.exc_info()` is that exception; Django then
    logs the answer at ERROR with the traceback ("Service Unavailable: /path").

    The database not answering is a 503 with Retry-After, not a 500: nothing is wrong with the
    request, and a retry in a few seconds (the kiosk's, a person's) will be served by the same
    process, whose next request opens a new connection. The answer reads no database: the API's
    error JSON for /api/, otherwise a small page rendered without the context processors."""
    if not _database_unreachable(sys.exc_info()[1]):
        return defaults.server_error(request)
    if request.path_info.startswith(API_PREFIX):
        message = _("The database is not answering; try again in a few seconds.")
        response = JsonResponse(error_body("unavailable", message), status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response
