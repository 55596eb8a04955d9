from ninja import Schema
from pydantic import Field


class FieldErrorOut(Schema):
    field: str = Field(description='Where the problem is, e.g. "events.3.occurred_at".')
    code: str
    message: str


class ErrorDetailOut(Schema):
    code: str = Field(description="Machine-readable, e.g. validation_error, not_found, rate_limited.")
    message: str = Field(description="For people, in the request's language (Vietnamese by default).")
    fields: list[FieldErrorOut] | None = None


class ErrorOut(Schema):
    error: ErrorDetailOut
