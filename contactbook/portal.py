"""The parent portal's home (/phu-huynh/): the reads it needs, in a fixed number of queries.
(Everyone's notification inbox is contactbook/inbox.py; channel preferences are
contactbook/preferences.py.)

The portal home answers "what happened today" for one child of a guardian: today's attendance,
the latest published scores (never an unpublished one), unread notifications, the latest
messages and the latest weekly summary with its acknowledge button. A guardian with several
children (possibly in different schools) switches between them.

It is the page parents open most, so it is read in one query (`portal_home`) and its rendered
body is cached under a digest of exactly the rows it shows (`home_html`): a cached body can only
be served for the same data, so no write anywhere has to remember to invalidate it, and a
per-process cache is as correct as a shared one.
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language

from contactbook.models import (
    AttendanceMark,
    Message,
    MessageThread,
    Notification,
    Score,
    SummaryAcknowledgement,
    WeeklySummary,
)
from core.db import fetch_prepared
from school.models import (
    ClassGroup,
    Enrolment,
    Guardian,
    Guardianship,
    School,
    SchoolYear,
    StaffMembership,
    Student,
    Subject,
)

SCORES_SHOWN = 8
MESSAGES_SHOWN = 3
NOTIFICATIONS_SHOWN = 5
MESSAGE_PREVIEW = 120  # characters of a message's body on the home (truncatechars)
_SESSION_ORDER = {AttendanceMark.Session.MORNING: 0, AttendanceMark.Session.AFTERNOON: 1}
_SESSIONS = dict(AttendanceMark.Session.choices)
_STATUSES = dict(AttendanceMark.Status.choices)
_KINDS = dict(Score.Kind.choices)
_RATINGS = dict(Score.Rating.choices)


# The home's rows: plain values, not model instances (a fifth of the request went into building
# and rendering model instances); each carries what the template shows.


@dataclass(frozen=True)
class Mark:
    pk: int
    session: str
    status: str
    note: str

    @property
    def session_label(self) -> str:
        return _SESSIONS.get(self.session, self.session)

    @property
    def status_label(self) -> str:
        return _STATUSES.get(self.status, self.status)


@dataclass(frozen=True)
class PublishedScore:
    pk: int
    subject_name: str
    kind: str
    index: int
    value: Decimal | None
    passed: bool | None
    published_at: datetime.datetime
    rating: str | None = None  # primary (Circular 27): T, H or C

    @property
    def kind_label(self) -> str:
        return _KINDS.get(self.kind, self.kind)

    @property
    def rating_label(self) -> str:
        return _RATINGS.get(self.rating, "")


@dataclass(frozen=True)
class UnreadNotification:
    pk: int
    title: str
    created_at: datetime.datetime


@dataclass(frozen=True)
class LatestMessage:
    pk: int
    sender_name: str
    body: str  # at most MESSAGE_PREVIEW + 1 characters: enough for truncatechars
    created_at: datetime.datetime


@dataclass(frozen=True)
class LatestSummary:
    pk: int
    week_start: datetime.date
    mine: bool  # acknowledged by this guardian
    seen: bool  # acknowledged by any guardian

    @property
    def week_end(self) -> datetime.date:
        return self.week_start + datetime.timedelta(days=6)


@dataclass
class PortalHome:
    children: list
    child: Student | None = None
    today: datetime.date | None = None
    marks: list = field(default_factory=list)
    scores: list = field(default_factory=list)
    notifications: list = field(default_factory=list)
    unread: int = 0
    messages: list = field(default_factory=list)
    summary: LatestSummary | None = None
    can_manage: bool | None = False  # the navigation's link to the administration
    user_id: int | None = None
    # What the page shows, as read from the database: the key of its cached body.
    rows: tuple = ()

    @cached_property
    def links(self) -> dict[str, str]:
        return child_links(self.child.pk) if self.child else {}


def children_of(user) -> list[Student]:
    """`user`'s children now, eldest first, each with its school and current class
    (`class_name`). One query."""
    current = Enrolment.objects.current().filter(student=OuterRef("pk"))
    return list(
        Student.objects.children_of(user)
        .select_related("school")
        .only("family_name", "middle_name", "given_name", "date_of_birth", "school__name")
        .annotate(class_name=Subquery(current.values("class_group__name")[:1]))
        .order_by("date_of_birth", "id")
    )


def portal_home(user, student_id=None) -> PortalHome:
    """The portal home for `user` and one of their children (the eldest when `student_id` is
    None). Http404 if `student_id` is not one of their children now. One query whatever the
    number of children, scores, messages or notifications.

    The children are `Student.objects.children_of(user)` (guardianships of the user's guardian
    record) written in SQL, so the access check and every section share that one query."""
    if not (user and user.is_authenticated and user.is_active):
        return PortalHome(children=[])
    today = timezone.localdate()
    rows = fetch_prepared(_home_sql(chosen=student_id is not None), _home_params(user, today, student_id))
    home = _build_home(rows, today)
    home.user_id = user.pk
    if user.is_superuser:
        home.can_manage = None  # the operator's answer is not a staff role: the navigation asks
    if home.child is None and student_id is not None:
        raise Http404("Not one of your children")
    return home


def home_html(home: PortalHome, *, path: str, csrf_slot: str) -> str:
    """The rendered body of `home` (contactbook/portal/home_body.html) for the page at `path`,
    from the cache when the same rows were rendered before. Its acknowledge form carries
    `csrf_slot` where the CSRF token goes: the caller puts the request's token there.

    The key is a digest of the rows the page shows, the guardian, the day, the language and
    time zone, the path and the code and template that render them: any change of what the
    page shows is a new key, so nothing has to invalidate an entry, and one guardian's key is
    never another's.
    Entries expire after PORTAL_CACHE_SECONDS (a new translation catalogue shows after that)."""
    digest = hashlib.sha256(
        repr((
            _render_version(), get_language(), timezone.get_current_timezone_name(), path,
            home.today, home.rows,
        )).encode()
    ).hexdigest()
    key = f"portal:home:{home.user_id}:{digest}"
    # This process's memory first (no round trip), then the shared cache (a page another
    # worker or host rendered); both are safe because the key names the content.
    local, shared = caches["local"], caches["default"]
    html = local.get(key)
    if html is None:
        html = shared.get(key)
        if html is None:
            html = get_template("contactbook/portal/home_body.html").render(
                {"home": home, "child": home.child, "next_path": path, "csrf_token": csrf_slot}
            )
            shared.set(key, html, settings.PORTAL_CACHE_SECONDS)
        local.set(key, html, settings.PORTAL_CACHE_SECONDS)
    return html


_VERSION: list[str] = []


def _render_version() -> str:
    """A digest of this module and the body's template, so a deploy that changes either never
    serves a body rendered by the old code from a shared cache."""
    if not _VERSION:
        source = get_template("contactbook/portal/home_body.html").template.source
        code = source + Path(__file__).read_text()
        _VERSION.append(hashlib.sha256(code.encode()).hexdigest()[:16])
    return _VERSION[0]


# ----------------------------------------------------------------- the home's one query
#
# One UNION ALL of small, limited selects, each row (section, id, n, a, b, c, d, e, f) with the
# values as text: PostgreSQL and SQLite (the first run) return the same kinds of value, and
# `_typed` names each section's columns (the *Row tuples below), which `_build_home` parses
# back. `chosen` is the child shown: the one asked for (compared as text, like the URL's id,
# so no id can overflow a bigint) or the eldest. Parameters are named (`_home_params`).

_HOME_SQL = """
WITH kids AS (
    SELECT s.id, s.family_name, s.middle_name, s.given_name, s.date_of_birth, sc.name AS school_name,
        (SELECT cg.name FROM {enrolment} e
            JOIN {classgroup} cg ON cg.id = e.class_group_id
            JOIN {schoolyear} y ON y.id = cg.school_year_id
         WHERE e.student_id = s.id AND e.status = %(active)s AND y.is_current = %(true)s
         LIMIT 1) AS class_name
    FROM {student} s JOIN {school} sc ON sc.id = s.school_id
    WHERE s.id IN (SELECT g.student_id FROM {guardianship} g
                   JOIN {guardian} gu ON gu.id = g.guardian_id WHERE gu.user_id = %(user)s)
),
chosen AS (SELECT id FROM kids {chosen_filter} ORDER BY date_of_birth, id LIMIT 1)
-- Scores: published cells only (x.published_at IS NOT NULL: Score.objects.published() in SQL),
-- which keeps drafts from parents.
SELECT 'child', k.id, CASE WHEN k.id = (SELECT id FROM chosen) THEN 1 ELSE 0 END,
    k.family_name, k.middle_name, k.given_name, CAST(k.date_of_birth AS TEXT), k.school_name,
    k.class_name
FROM kids k
UNION ALL
SELECT * FROM (
    SELECT 'mark', m.id, 0, m.session, m.status, m.note, NULL, NULL, NULL
    FROM {mark} m WHERE m.student_id = (SELECT id FROM chosen) AND m.date = %(today)s
) AS marks
UNION ALL
SELECT * FROM (
    SELECT 'score', x.id,
        ROW_NUMBER() OVER (ORDER BY x.published_at DESC, sub.name, x.kind, x.{index}),
        sub.name, x.kind, CAST(x.{index} AS TEXT), CAST(x.value AS TEXT),
        COALESCE(x.rating, CAST(x.passed AS TEXT)),
        CAST(x.published_at AS TEXT)
    FROM {score} x JOIN {subject} sub ON sub.id = x.subject_id
    WHERE x.student_id = (SELECT id FROM chosen) AND x.published_at IS NOT NULL
    ORDER BY x.published_at DESC, sub.name, x.kind, x.{index} LIMIT {scores_shown}
) AS scores
UNION ALL
SELECT * FROM (
    SELECT 'note', n.id, ROW_NUMBER() OVER (ORDER BY n.created_at DESC, n.id DESC),
        n.title, CAST(n.created_at AS TEXT), NULL, NULL, NULL, NULL
    FROM {notification} n WHERE n.recipient_id = %(user)s AND n.read_at IS NULL
    ORDER BY n.created_at DESC, n.id DESC LIMIT {notifications_shown}
) AS notes
UNION ALL
SELECT 'unread', 0, COUNT(*), NULL, NULL, NULL, NULL, NULL, NULL
FROM {notification} n WHERE n.recipient_id = %(user)s AND n.read_at IS NULL
UNION ALL
SELECT * FROM (
    SELECT 'message', msg.id, ROW_NUMBER() OVER (ORDER BY msg.created_at DESC, msg.id DESC),
        u.full_name, SUBSTR(msg.body, 1, {preview}), CAST(msg.created_at AS TEXT), NULL, NULL, NULL
    FROM {message} msg JOIN {thread} t ON t.id = msg.thread_id JOIN {user} u ON u.id = msg.sender_id
    WHERE t.student_id = (SELECT id FROM chosen)
    ORDER BY msg.created_at DESC, msg.id DESC LIMIT {messages_shown}
) AS messages
UNION ALL
SELECT * FROM (
    SELECT 'summary', w.id, 0, CAST(w.week_start AS TEXT),
        CASE WHEN EXISTS (SELECT 1 FROM {ack} a WHERE a.summary_id = w.id AND a.user_id = %(user)s)
             THEN 'y' ELSE 'n' END,
        CASE WHEN EXISTS (SELECT 1 FROM {ack} a WHERE a.summary_id = w.id) THEN 'y' ELSE 'n' END,
        NULL, NULL, NULL
    FROM {summary} w WHERE w.student_id = (SELECT id FROM chosen)
    ORDER BY w.week_start DESC LIMIT 1
) AS summaries
UNION ALL
SELECT 'manage', 0, CASE WHEN EXISTS (
        SELECT 1 FROM {staff} sm
        WHERE sm.user_id = %(user)s AND sm.is_active = %(true)s AND sm.role IN ({managing_roles})
    ) THEN 1 ELSE 0 END, NULL, NULL, NULL, NULL, NULL, NULL
"""

_SQL: dict[bool, str] = {}


def _home_sql(*, chosen: bool) -> str:
    if chosen not in _SQL:
        models = {
            "enrolment": Enrolment, "classgroup": ClassGroup, "schoolyear": SchoolYear,
            "student": Student, "school": School, "guardianship": Guardianship,
            "guardian": Guardian, "mark": AttendanceMark, "score": Score, "subject": Subject,
            "notification": Notification, "message": Message, "thread": MessageThread,
            "user": Message._meta.get_field("sender").related_model,
            "ack": SummaryAcknowledgement, "summary": WeeklySummary, "staff": StaffMembership,
        }
        tables = {name: connection.ops.quote_name(m._meta.db_table) for name, m in models.items()}
        _SQL[chosen] = _HOME_SQL.format(
            **tables,
            index=connection.ops.quote_name("index"),  # a reserved word
            chosen_filter="WHERE CAST(id AS TEXT) = %(chosen)s" if chosen else "",
            managing_roles=", ".join(f"%(role_{i})s" for i in range(len(_MANAGING_ROLES))),
            scores_shown=SCORES_SHOWN, notifications_shown=NOTIFICATIONS_SHOWN,
            messages_shown=MESSAGES_SHOWN, preview=MESSAGE_PREVIEW + 1,
        )
    return _SQL[chosen]


_MANAGING_ROLES = tuple(StaffMembership.MANAGING_ROLES)


def _home_params(user, today: datetime.date, student_id) -> dict:
    params = {
        "active": Enrolment.Status.ACTIVE.value,  # Enrolment.objects.current(), in SQL
        "true": True,
        "user": user.pk,
        "today": today,
        **{f"role_{i}": role for i, role in enumerate(_MANAGING_ROLES)},
    }
    if student_id is not None:
        params["chosen"] = str(student_id)
    return params


# Each section's columns after the first, by name: the text the SQL gives, before parsing.


class ChildRow(NamedTuple):
    id: int
    chosen: int  # 1 for the child shown
    family_name: str
    middle_name: str | None
    given_name: str
    date_of_birth: str
    school_name: str
    class_name: str | None


class MarkRow(NamedTuple):
    id: int
    order: int  # 0: marks are put in session order
    session: str
    status: str
    note: str


class ScoreRow(NamedTuple):
    id: int
    order: int  # newest first
    subject_name: str
    kind: str
    index: str
    value: str | None
    grade: str | None  # a rating (T/H/C), or a rated subject's Đ/CĐ as a boolean's text
    published_at: str


class NoteRow(NamedTuple):
    id: int
    order: int
    title: str
    created_at: str


class UnreadRow(NamedTuple):
    id: int  # 0
    count: int


class MessageRow(NamedTuple):
    id: int
    order: int
    sender_name: str
    preview: str | None
    created_at: str


class SummaryRow(NamedTuple):
    id: int
    order: int  # 0: the latest only
    week_start: str
    mine: str  # 'y' or 'n'
    seen: str


class ManageRow(NamedTuple):
    id: int  # 0
    can_manage: int


_ROW_KINDS = {
    "child": ChildRow, "mark": MarkRow, "score": ScoreRow, "note": NoteRow, "unread": UnreadRow,
    "message": MessageRow, "summary": SummaryRow, "manage": ManageRow,
}


def _typed(row: tuple) -> NamedTuple:
    """A row of the home's statement as its section's tuple (the columns it does not use,
    NULL, dropped)."""
    kind = _ROW_KINDS[row[0]]
    return kind._make(row[1 : 1 + len(kind._fields)])


def _build_home(rows: tuple, today: datetime.date) -> PortalHome:
    children, marks, scores, notes, messages = [], [], [], [], []
    home = PortalHome(children=children, today=today, rows=rows)
    for row in map(_typed, rows):
        if isinstance(row, ChildRow):
            kid = Student(id=row.id, family_name=row.family_name, middle_name=row.middle_name or "",
                          given_name=row.given_name, date_of_birth=parse_date(row.date_of_birth))
            kid.school_name, kid.class_name = row.school_name, row.class_name
            children.append(kid)
            if row.chosen:
                home.child = kid
        elif isinstance(row, MarkRow):
            marks.append(Mark(row.id, row.session, row.status, row.note))
        elif isinstance(row, ScoreRow):
            value = Decimal(row.value) if row.value is not None else None
            rating = row.grade if row.grade in _RATINGS else None  # else the Đ/CĐ
            passed = None if rating else _bool(row.grade)
            score = PublishedScore(row.id, row.subject_name, row.kind, int(row.index), value,
                                   passed, _datetime(row.published_at), rating)
            scores.append((row.order, score))
        elif isinstance(row, NoteRow):
            notes.append((row.order, UnreadNotification(row.id, row.title, _datetime(row.created_at))))
        elif isinstance(row, UnreadRow):
            home.unread = row.count
        elif isinstance(row, MessageRow):
            message = LatestMessage(row.id, row.sender_name, row.preview or "", _datetime(row.created_at))
            messages.append((row.order, message))
        elif isinstance(row, SummaryRow):
            home.summary = LatestSummary(row.id, parse_date(row.week_start), row.mine == "y", row.seen == "y")
        elif isinstance(row, ManageRow):
            home.can_manage = bool(row.can_manage)
    children.sort(key=lambda kid: (kid.date_of_birth, kid.pk))
    home.marks = sorted(marks, key=lambda mark: _SESSION_ORDER.get(mark.session, 9))
    home.scores = [score for _n, score in sorted(scores, key=lambda pair: pair[0])]
    home.notifications = [note for _n, note in sorted(notes, key=lambda pair: pair[0])]
    home.messages = [message for _n, message in sorted(messages, key=lambda pair: pair[0])]
    return home


def _bool(text: str | None) -> bool | None:
    # PostgreSQL casts a boolean to 'true'/'false', SQLite stores 1/0.
    return None if text is None else text in ("true", "1", "t")


def _datetime(text: str) -> datetime.datetime:
    # Stored in UTC: PostgreSQL's text carries the offset, SQLite's is naive.
    value = parse_datetime(text)
    return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)


# The child's pages the home links to, by URL name.
_CHILD_PAGES = {
    "grades": "contactbook:student_grades",
    "attendance": "contactbook:pupil_attendance",
    "leave": "contactbook:pupil_leave",
    "comments": "contactbook:pupil_comments",
    "lessons": "lms:student_lessons",
    "messages": "contactbook:parent_messages",
    "summaries": "contactbook:child_summaries",
    "cards": "reports:student_cards",
}


def child_links(student_id: int) -> dict[str, str]:
    links = {key: reverse(name, args=[student_id]) for key, name in _CHILD_PAGES.items()}
    links["announcements"] = reverse("contactbook:announcements")
    return links
