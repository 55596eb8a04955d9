"""The page of one's signed-in sessions: see them, end one, end all but this one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from signin import sessions


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def session_list(request: HttpRequest) -> HttpResponse:
    """GET: the person's sessions, this one marked (a fixed number of queries). POST `end`
    (a row id of another of their sessions; 404 for anyone else's) or `others`."""
    this_key = request.session.session_key
    if request.method == "POST":
        if request.POST.get("end", "").isdigit():
            row = sessions.get_session_of(request.user, int(request.POST["end"]))
            if row.session_key == this_key:
                return HttpResponseBadRequest()  # this one ends with "Log out"
            sessions.end_session(row)
            messages.success(request, _("That device is signed out."))
        elif "others" in request.POST:
            ended = sessions.end_sessions(request.user, keep=this_key)
            messages.success(request, ngettext(
                "%(n)d other device is signed out.", "%(n)d other devices are signed out.", ended,
            ) % {"n": ended})
        else:
            return HttpResponseBadRequest()
        return redirect("signin:sessions")
    rows = [
        {"row": row, "label": sessions.device_label(row.user_agent), "this": row.session_key == this_key}
        for row in sessions.sessions_of(request.user)
    ]
    return render(request, "signin/sessions.html", {
        "rows": rows, "others": sum(1 for r in rows if not r["this"]),
    })


urlpatterns = [
    path("phien/", session_list, name="sessions"),
]
