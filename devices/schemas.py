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


class LessonRef(BaseModel):
    id: int
    title: str


class PeriodOut(Schema):
    session: Literal["morning", "afternoon"]
    period: int
    starts_at: datetime.time | None
    ends_at: datetime.time | None
    class_group: NamedRef
    subject: SubjectRef
    teacher: str | None = Field(description="The teacher's full name.")
    lesson: LessonRef | None = Field(
        description="The lesson given to this class for this day and period, if any "
        "(its content: GET /api/devices/lessons/{id})."
    )


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


# --- lessons ---------------------------------------------------------------------------
# Plain pydantic models: the lesson's blocks are a discriminated union on `type`, which
# OpenAPI shows as oneOf with a discriminator, one schema per block type.


class MaterialOut(BaseModel):
    id: int
    title: str
    filename: str
    content_type: str = Field(description='Media type of the file, e.g. "application/pdf".')
    size: int | None = Field(description="Size of the file in bytes (null if unknown).")
    url: str = Field(
        description="Where this device downloads the file, with its own token "
        "(GET /api/devices/materials/{id}); answers with an ETag like the lesson."
    )


class ParagraphValue(BaseModel):
    html: str = Field(
        description="A fragment of HTML (p, b, i, sup, sub, ol, ul, li, a). Links to materials "
        "point to the device material URL; links to other pages of the site are left without "
        "an href."
    )


class HeadingValue(BaseModel):
    text: str
    level: Literal["h2", "h3"] = Field(description="h2 a section, h3 a subsection.")


class ImageValue(BaseModel):
    url: str = Field(
        description="The image scaled to fit 1920×1080 (never enlarged); no token needed."
    )
    width: int
    height: int
    alt: str = Field(description="The image's title, for screen readers.")
    caption: str


class VideoValue(BaseModel):
    title: str
    file: MaterialOut | None = Field(
        description="A video file (MP4, WebM) from the library, or null."
    )
    embed_url: str | None = Field(
        description="Or a link to a video site (YouTube…), when there is no file."
    )


class MaterialValue(MaterialOut):
    note: str = Field(description="The teacher's note for pupils (may be empty).")


class FormulaValue(BaseModel):
    latex: str
    display: bool = Field(description="true: on its own line; false: inside the text.")
    mathml: str = Field(description="The formula as MathML (empty if it could not be read).")


CHOICE = Literal["A", "B", "C", "D", "E", "F"]  # lms.blocks.CHOICE_LETTERS: six clicker keys


class QuizChoiceOut(BaseModel):
    key: CHOICE = Field(description="The clicker key.")
    text: str


class QuizQuestionOut(BaseModel):
    id: str = Field(description="Stable id of the question: clickers answer against it.")
    prompt: str
    choices: list[QuizChoiceOut]


class QuizValue(BaseModel):
    title: str
    questions: list[QuizQuestionOut] = Field(
        description="Without the answer key: the correct choices are given by a quiz session's "
        "results once it is closed."
    )


class HomeworkValue(BaseModel):
    instructions: str = Field(description="A fragment of HTML, as for a paragraph.")
    due: datetime.date | None


class _Block(BaseModel):
    id: str = Field(description="The block's id in the lesson (stable across edits).")


class ParagraphBlockOut(_Block):
    type: Literal["paragraph"]
    value: ParagraphValue


class HeadingBlockOut(_Block):
    type: Literal["heading"]
    value: HeadingValue


class ImageBlockOut(_Block):
    type: Literal["image"]
    value: ImageValue


class VideoBlockOut(_Block):
    type: Literal["video"]
    value: VideoValue


class MaterialBlockOut(_Block):
    type: Literal["material"]
    value: MaterialValue


class FormulaBlockOut(_Block):
    type: Literal["formula"]
    value: FormulaValue


class QuizBlockOut(_Block):
    type: Literal["quiz"]
    value: QuizValue


class HomeworkBlockOut(_Block):
    type: Literal["homework"]
    value: HomeworkValue


LessonBlockOut = Annotated[
    ParagraphBlockOut | HeadingBlockOut | ImageBlockOut | VideoBlockOut | MaterialBlockOut
    | FormulaBlockOut | QuizBlockOut | HomeworkBlockOut,
    Field(discriminator="type"),
]


class LessonOut(BaseModel):
    id: int
    title: str
    intro: str
    subject: SubjectRef
    published_at: datetime.datetime | None = Field(description="When this version was published.")
    blocks: list[LessonBlockOut] = Field(
        description="The lesson's content in order. Each block has a `type`, an `id` and a "
        "`value` whose shape depends on the type. A block whose image or material has been "
        "deleted is left out."
    )


# --- clicker quizzes ---------------------------------------------------------------------

MAX_QUIZ_ANSWERS = 1000  # a class of 50 answering 20 questions in one upload


class QuizOpenIn(BaseModel):
    lesson_id: int = Field(description="A lesson this device may read (GET /lessons/{id}).")
    quiz_id: StoredText = Field(min_length=1, max_length=64, description="The quiz block's id.")
    class_id: int = Field(description="A class that uses this device's room.")


class QuizSessionRef(BaseModel):
    id: int
    lesson: LessonRef
    quiz_id: str
    title: str
    class_group: NamedRef
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None


class QuizSessionOut(QuizSessionRef):
    questions: list[QuizQuestionOut] = Field(description="Without the answer key.")


class QuizAnswerIn(BaseModel):
    question_id: StoredText = Field(min_length=1, max_length=64)
    choice: CHOICE = Field(description="The key pressed, A to F (capital letter).")
    card_id: StoredText | None = Field(default=None, min_length=1, max_length=40)
    student_code: StoredText | None = Field(default=None, min_length=1, max_length=20)

    @model_validator(mode="after")
    def card_or_code(self):
        if not (self.card_id or self.student_code):
            raise ValueError("card_id or student_code is required")
        return self


class QuizAnswersIn(BaseModel):
    answers: list[QuizAnswerIn] = Field(min_length=1, max_length=MAX_QUIZ_ANSWERS)


class QuizAnswerResultOut(BaseModel):
    question_id: str
    card_id: str | None
    student_code: str | None
    status: Literal["accepted", "unchanged", "rejected"]
    replaced: bool = Field(
        default=False, description="For accepted answers: true when it replaced another choice."
    )
    reason: (
        Literal["unknown_pupil", "not_in_class", "unknown_question", "bad_choice", "session_closed"]
        | None
    ) = Field(default=None, description="For rejected answers: why.")
    message: str | None = Field(default=None, description="The reason for people (translated).")


class QuizAnswersOut(BaseModel):
    accepted: int
    unchanged: int
    rejected: int
    results: list[QuizAnswerResultOut] = Field(description="One per answer sent, in order.")


class ChoiceCountOut(QuizChoiceOut):
    count: int = Field(description="Pupils whose current answer is this choice.")


class QuestionResultOut(BaseModel):
    id: str
    prompt: str
    choices: list[ChoiceCountOut]
    answered: int = Field(description="Pupils who answered this question.")
    correct: CHOICE | None = Field(
        description="The correct choice, once the session is closed; null before."
    )


class QuizResultsOut(BaseModel):
    session: QuizSessionRef
    pupils: int = Field(description="Pupils now in the class.")
    questions: list[QuestionResultOut]
