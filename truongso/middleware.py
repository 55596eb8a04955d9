"""Project-wide response headers."""

from csp.constants import SELF
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.utils.cache import patch_vary_headers

API_PREFIX = "/api/"


class PrivateCacheMiddleware:
    """Pages and files about a pupil are never kept by a shared cache (a proxy, a school's
    caching gateway) nor on disk by the browser: every response to a logged-in person, and
    every response of the API (devices authenticate by token, not cookie), gets
    `Cache-Control: private, no-store` unless its view chose its own (e.g. the device API's
    ETag answers, `never_cache`). Static files never reach here: WhiteNoise, above in
    MIDDLEWARE, answers them first with its long cache.

    Needs `request.user`: sits below AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated or request.path_info.startswith(API_PREFIX):
            if not response.has_header("Cache-Control"):
                response["Cache-Control"] = "private, no-store"
            patch_vary_headers(response, ["Cookie"])
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with CONTENT_SECURITY_POLICY_PATHS: the directives that a path
    prefix (the two admins, whose own templates use inline script or style) replaces. A view's
    own decorator (csp_replace, csp_update) still wins; a view that sets the header itself
    (message attachments' sandbox) keeps it.

    Wagtail renders a preview (and a moderator's "view draft") by running a dummy request for
    the page's own address through the middleware (`request.is_dummy`, wagtail.models.preview),
    inside the admin's preview view, which Wagtail frames on the same origin: that one answer
    keeps the site's policy but may be framed by the site itself."""

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only or parts.replace is not None:
            return parts
        replace = {}
        for prefix, directives in settings.CONTENT_SECURITY_POLICY_PATHS.items():
            if request.path_info.startswith(prefix):
                replace = dict(directives)
                break
        if getattr(request, "is_dummy", False):
            replace["frame-ancestors"] = [SELF]
        parts.replace = replace or None
        return parts


class ClearSiteDataOnSignOutMiddleware:
    """Signing out (ours, Django admin's or Wagtail's logout) also clears what the browser keeps
    for this site outside the HTTP cache: the parent portal's service worker stores the pages a
    parent last saw, for reading them offline (static/pwa/sw.js), and that copy must not outlive
    the session on a shared phone. `Clear-Site-Data: "cache", "storage"` drops the caches, the
    Cache Storage, the service worker and site storage (not cookies: the session cookie is
    already ended, and the language choice stays).

    Needs `request.user`: sits below AuthenticationMiddleware. A sign-out is a request that
    started signed in and ended without a user, so every logout view is covered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if signed_in and not request.user.is_authenticated:
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response
