from django.conf import settings
from django.contrib.auth.decorators import login_required
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


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Reachability of the database and the Celery broker, for load balancers and operators:
    200 when everything configured answers, 503 otherwise."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(not value.startswith("error") for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
