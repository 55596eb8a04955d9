import datetime
import uuid
from typing import Annotated, Literal

from django.conf import settings
from django.utils.translation import gettext
from ninja import Schema
from pydantic import AfterValidator, BaseModel, AwareDatetime, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError


def _storable(value: str) -> str:
    # JSON may carry NUL and lone UTF-16 surrogates, PostgreSQL text holds neither: refuse them
    # here (422 naming the field) rather than fail at the INSERT (500).
    if "\x00" in value:
        message = gettext("Null characters are not allowed.")
        raise PydanticCustomError("null_characters_not_allowed", message)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("string_unicode", gettext("Enter valid Unicode text.")) from None
    return value


# Text a device sends that we store.
StoredText = Annotated[str, AfterValidator(_storable)]


class DeviceOut(Schema):
    id: int
    name: str
    kind: str
    school: str
    room: str


class HeartbeatIn(Schema):
    firmware_version: StoredText = Field(min_length=1, max_length=50)
    battery_percent: int | None = Field(default=None, ge=0, le=100)
    device_time: AwareDatetime = Field(description="The device's clock, with its UTC offset.")


class HeartbeatOut(Schema):
    server_time: datetime.datetime
    clock_skew_seconds: int = Field(description="Device clock minus server clock.")
    clock_ok: bool
    next_heartbeat_seconds: int


class NamedRef(Schema):
    id: int
    name: str


class SubjectRef(Schema):
    code: str
    name: str


class PeriodOut(Schema):
    session: Literal["morning", "afternoon"]
    period: int
    starts_at: datetime.time | None
    ends_at: datetime.time | None
    class_group: NamedRef
    subject: SubjectRef
    teacher: str | None = Field(description="The teacher's full name.")


class TodayOut(Schema):
    date: datetime.date
    weekday: int = Field(description="1 = Monday … 7 = Sunday.")
    room: NamedRef
    periods: list[PeriodOut]
    now: PeriodOut | None = Field(description="The period under way (or about to start) in this room.")


class PupilOut(Schema):
    id: int
    student_code: str
    family_name: str
    middle_name: str
    given_name: str
    full_name: str
    card_id: str


class RosterOut(Schema):
    class_group: NamedRef
    pupils: list[PupilOut] = Field(description="In Vietnamese class-list order.")


# The check-in schemas are plain pydantic models: ninja's Schema resolves Django attributes
# on every field, which costs more than the rest of an upload of 100 events.
class CheckInIn(BaseModel):
    event_id: uuid.UUID = Field(description="Made by the device; sending it again is harmless.")
    card_id: StoredText | None = Field(default=None, min_length=1, max_length=40)
    student_code: StoredText | None = Field(default=None, min_length=1, max_length=20)
    occurred_at: AwareDatetime
    direction: Literal["in", "out"] = "in"

    @model_validator(mode="after")
    def card_or_code(self):
        if not (self.card_id or self.student_code):
            raise ValueError("card_id or student_code is required")
        return self


class CheckInBatchIn(BaseModel):
    events: list[CheckInIn] = Field(min_length=1)

    @field_validator("events")
    @classmethod
    def not_too_many(cls, events):
        if len(events) > settings.DEVICE_API_MAX_EVENTS:
            raise ValueError(f"at most {settings.DEVICE_API_MAX_EVENTS} events per upload")
        return events


class CheckInResultOut(BaseModel):
    event_id: uuid.UUID
    status: Literal["accepted", "duplicate", "conflict", "rejected"]
    reason: str | None = None
    pupil_known: bool | None = Field(
        default=None, description="For accepted events: false when no pupil has this card or code yet."
    )


class CheckInBatchOut(BaseModel):
    accepted: int
    duplicates: int
    conflicts: int
    rejected: int
    results: list[CheckInResultOut]
