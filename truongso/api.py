"""The one NinjaAPI: each app adds its router. Every error leaves as the same JSON shape:

    {"error": {"code": "validation_error", "message": "…", "fields": [{"field": "events.0.occurred_at", "code": "…", "message": "…"}]}}

Messages follow the request's language (Accept-Language; Vietnamese by default).
"""

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from school.exceptions import DomainError

# The title is ASCII on purpose: client generators derive the package's name from it
# (openapi-python-client: "Truong So API" -> truong-so-api-client), and "Trường Số API" gave
# a name pip refuses. The Vietnamese name stays in the description.
api = NinjaAPI(
    title="Truong So API",
    version="1",
    description=(
        "Trường Số: API cho thiết bị lớp học (bảng tương tác, máy điểm danh, bộ thu phiếu "
        "trả lời). "
        "For classroom devices (interactive boards, attendance kiosks, clicker hubs). "
        "Authenticate with `Authorization: Bearer <device token>`; the token is shown once "
        "when a school administrator registers the device."
    ),
    urls_namespace="api",
)


def error_body(code: str, message: str, fields: list[dict] | None = None) -> dict:
    body = {"code": code, "message": str(message)}
    if fields is not None:
        body["fields"] = fields
    return {"error": body}


def _field_path(loc) -> str:
    # ninja prefixes the source ("body", "query", "path") and the parameter name: drop them
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "form", "cookie"}:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in {"payload", "data", "params", "body"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


# Pydantic's messages are English; the common ones get a translation by their type.
_FIELD_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "uuid_parsing": gettext_lazy("Enter a valid UUID."),
    "uuid_type": gettext_lazy("Enter a valid UUID."),
    "datetime_parsing": gettext_lazy("Enter a date and time such as 2026-11-25T07:05:00+07:00."),
    "datetime_from_date_parsing": gettext_lazy(
        "Enter a date and time such as 2026-11-25T07:05:00+07:00."
    ),
    "timezone_aware": gettext_lazy("The time needs its UTC offset, e.g. +07:00."),
    "literal_error": gettext_lazy("This value is not one of the allowed values."),
    "string_too_short": gettext_lazy("This value is too short."),
    "string_too_long": gettext_lazy("This value is too long."),
    "string_type": gettext_lazy("Enter text."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_type": gettext_lazy("Enter a whole number."),
    "list_type": gettext_lazy("Enter a list."),
    "too_short": gettext_lazy("The list is empty."),
    "greater_than_equal": gettext_lazy("This value is too small."),
    "less_than_equal": gettext_lazy("This value is too large."),
}


def _field_message(error: dict) -> str:
    translated = _FIELD_MESSAGES.get(error.get("type", ""))
    return str(translated) if translated else error.get("msg", "")


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError):
    fields = [
        {
            "field": _field_path(error.get("loc", ())),
            "code": error.get("type", "invalid"),
            "message": _field_message(error),
        }
        for error in exc.errors
    ]
    names = ", ".join(f["field"] for f in fields)
    message = _("Invalid data in: %(fields)s.") % {"fields": names}
    return api.create_response(request, error_body("validation_error", message, fields), status=422)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError):
    fields = None
    if exc.field:
        fields = [{"field": exc.field, "code": exc.code, "message": str(exc.message)}]
    response = api.create_response(request, error_body(exc.code, exc.message, fields), status=exc.status)
    for name, value in exc.headers.items():
        response[name] = value
    return response


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404):
    return api.create_response(request, error_body("not_found", _("Not found.")), status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError):
    message = _("A valid device token is required (Authorization: Bearer <token>).")
    response = api.create_response(request, error_body("unauthorized", message), status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError):
    return api.create_response(request, error_body("http_error", str(exc)), status=exc.status_code)


def _add_routers() -> None:
    # Imported here: the routers import error_body from this module.
    from devices.api import router as devices_router
    from reports.api import router as reports_router

    api.add_router("/devices/", devices_router)
    api.add_router("/reports/", reports_router)


_add_routers()
