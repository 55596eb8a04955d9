"""The second factor, enforced on every request rather than on the login page alone: a session
that must still type its code (or set up an app) reaches only the pages that do that, and no
session enters the admin surfaces without it. Reads the session only: no query."""

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from signin import twofactor

# Entering these needs the second factor in this session, whoever one is.
ADMIN_SURFACES = ("/quan-tri/", "/cms/")
# Reachable before the code is typed: the second factor's own pages, signing out, the language
# switch, the health check and the installable portal's public files.
OPEN_PREFIXES = ("/tai-khoan/xac-thuc/", "/tai-khoan/dang-xuat/", "/i18n/")
OPEN_PATHS = {"/healthz", "/manifest.webmanifest", "/sw.js", "/ngoai-tuyen/"}


class SecondFactorMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session and not twofactor.verified(session):
            step = self._step_needed(request.path, session)
            if step is not None:
                return self._send_to(step, request)
        return self.get_response(request)

    @staticmethod
    def _step_needed(path: str, session) -> str | None:
        if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
            return None
        state = twofactor.pending(session)
        if state is None and path.startswith(ADMIN_SURFACES):
            state = twofactor.ENROL  # no second factor yet (one would have marked the session)
        return state

    @staticmethod
    def _send_to(step: str, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Type the code from your authenticator app first.")}, status=401)
        url = reverse("signin:second_factor" if step == twofactor.VERIFY else "signin:second_factor_setup")
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
