"""Project-wide response headers."""

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
