"""Everything held about a pupil, as their guardian may download it (the data subject's right to
access, Nghị định 13/2023 Art. 9.4 and the 2025 law): plain data, the same for the JSON file
and the readable PDF.

What is in it, and why the edges are where they are:

- the pupil's particulars and enrolments; the guardians: the asking guardian's own link with
  their contact details, the other guardians' names and relationship only (the data subject is
  the child; another adult's phone and e-mail are that adult's data, not the child's);
- what the school has decided and told the family: PUBLISHED scores (an unpublished cell is a
  teacher's draft), and conduct, qualities and term comments of CLOSED terms (until a term is
  closed they are drafts too); attendance marks, daily comments, leave requests, weekly
  summaries; the messages of the pupil's thread (the one conversation this guardian takes
  part in) with their attachments' names; the notifications sent to THIS guardian about the
  child; the report cards issued (codes, terms, fingerprints, verification links);
- who processed the data: the access records (school.DataAccess) of this pupil and of the
  pupil's classes (a class summary holds every pupil of the class), with the staff member's
  name and role; and the correction requests made.

A fixed number of queries whatever the amount of data (tests/privacy/test_export.py pins it).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contactbook.gradebook.columns import cell_text
from contactbook.models import (
    AttendanceMark,
    ConductRating,
    DailyComment,
    LeaveRequest,
    Message,
    MessageAttachment,
    Notification,
    QualityRating,
    Score,
    TermComment,
    WeeklySummary,
)
from privacy.models import CorrectionRequest
from reports.models import ReportCard
from reports.pdf import verification_path
from school.models import DataAccess, Enrolment, Guardianship, StaffMembership, Student

# DataAccess.action of a guardian's download of this export.
EXPORT_ACTION = DataAccess.Action.PERSONAL_DATA


def child_url_prefix(student_id: int) -> str:
    """Every page of the parent portal about one pupil starts with this."""
    return f"/phu-huynh/hoc-sinh/{student_id}/"


def notifications_about(student_id: int) -> Q:
    """Notifications about one pupil: those linking to one of the pupil's portal pages, and
    the weekly summary's (its link names the summary; its key names the pupil)."""
    return Q(url__startswith=child_url_prefix(student_id)) | Q(
        dedupe_key__startswith=f"weekly:{student_id}:"
    )


def _when(moment: datetime.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="minutes") if moment else None


def _day(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


@dataclass
class Export:
    """The export as plain data (`data`: JSON-ready) and the pupil it is about."""

    student: Student
    data: dict


def build_export(student: Student, user) -> Export:
    """What is held about `student`, as their guardian `user` may read it. The caller has
    loaded `student` through privacy.access (a child of `user`). Seventeen queries."""
    links = list(
        Guardianship.objects.filter(student=student).select_related("guardian__user").order_by("pk")
    )
    enrolments = list(
        Enrolment.objects.filter(student=student)
        .select_related("class_group__school_year").order_by("start_date", "pk")
    )
    class_ids = {e.class_group_id for e in enrolments}
    data = {
        "generated_at": _when(timezone.now()),
        "school": student.school.name,
        "pupil": _pupil(student),
        "enrolments": [_enrolment(e) for e in enrolments],
        "guardians": [_guardian(link, user) for link in links],
        "scores": _scores(student),
        "conduct": _conduct(student),
        "qualities": _qualities(student),
        "term_comments": _term_comments(student),
        "attendance": _attendance(student),
        "daily_comments": _daily_comments(student),
        "messages": _messages(student),
        "notifications": _notifications(student, user),
        "leave_requests": _leave_requests(student),
        "weekly_summaries": _summaries(student),
        "report_cards": _cards(student),
        "data_accesses": _accesses(student, class_ids, {link.guardian.user_id for link in links}),
        "correction_requests": _corrections(student),
    }
    return Export(student, data)


def _pupil(student: Student) -> dict:
    return {
        "student_code": student.student_code,
        "family_name": student.family_name,
        "middle_name": student.middle_name,
        "given_name": student.given_name,
        "full_name": student.full_name,
        "date_of_birth": _day(student.date_of_birth),
        "sex": student.get_sex_display(),
        "card_id": student.card_id,
    }


def _enrolment(enrolment: Enrolment) -> dict:
    return {
        "school_year": enrolment.class_group.school_year.name,
        "class": enrolment.class_group.name,
        "from": _day(enrolment.start_date),
        "until": _day(enrolment.end_date),
        "status": enrolment.get_status_display(),
    }


def _guardian(link: Guardianship, user) -> dict:
    account = link.guardian.user
    row = {"name": account.full_name, "relationship": link.get_relationship_display(),
           "is_you": account.pk == user.pk}
    if account.pk == user.pk:  # another guardian's phone and e-mail are theirs, not the child's
        row.update(phone=account.phone or "", email=account.email or "")
    return row


def _scores(student: Student) -> list[dict]:
    scores = (
        Score.objects.published().filter(student=student)
        .select_related("subject", "term__school_year")
        .order_by("term__school_year__start_date", "term__number", "subject__name", "kind", "index")
    )
    return [
        {"school_year": s.term.school_year.name, "term": s.term.get_number_display(),
         "subject": s.subject.name, "assessment": s.get_kind_display(), "number": s.index,
         "value": cell_text(s), "published_at": _when(s.published_at)}
        for s in scores
    ]


def _closed(queryset):
    return queryset.filter(term__closed_at__isnull=False).select_related("term__school_year")


def _term_label(term) -> dict:
    return {"school_year": term.school_year.name, "term": term.get_number_display()}


def _conduct(student: Student) -> list[dict]:
    rows = _closed(ConductRating.objects.filter(student=student)).order_by("term__school_year__start_date", "term__number")
    return [{**_term_label(r.term), "conduct": r.get_rating_display()} for r in rows]


def _qualities(student: Student) -> list[dict]:
    rows = _closed(QualityRating.objects.filter(student=student)).order_by(
        "term__school_year__start_date", "term__number", "period", "item"
    )
    return [
        {**_term_label(r.term), "period": r.get_period_display(), "item": r.get_item_display(),
         "rating": r.get_rating_display()}
        for r in rows
    ]


def _term_comments(student: Student) -> list[dict]:
    rows = _closed(TermComment.objects.filter(student=student)).select_related("subject", "author")
    rows = rows.order_by(
        "term__school_year__start_date", "term__number", "subject__name", "whole_year"
    )
    return [
        {**_comment_label(r), "subject": r.subject.name if r.subject else "",
         "text": r.text, "author": r.author.full_name}
        for r in rows
    ]


def _comment_label(comment: TermComment) -> dict:
    """A year comment is stored on term II (written in its grade book) but speaks of the whole
    year: the family reads it labelled so, not as term II's."""
    label = _term_label(comment.term)
    if comment.whole_year:
        label["term"] = _("Whole year")
    return label


def _attendance(student: Student) -> list[dict]:
    marks = AttendanceMark.objects.filter(student=student).select_related("class_group")
    return [
        {"date": _day(m.date), "session": m.get_session_display(), "status": m.get_status_display(),
         "note": m.note, "class": m.class_group.name}
        for m in marks.order_by("date", "session")
    ]


def _daily_comments(student: Student) -> list[dict]:
    comments = DailyComment.objects.filter(student=student).select_related("author")
    return [
        {"date": _day(c.date), "kind": c.get_kind_display(), "text": c.text,
         "teacher": c.author.full_name}
        for c in comments.order_by("date", "created_at")
    ]


def _messages(student: Student) -> list[dict]:
    messages = list(
        Message.objects.filter(thread__student=student).select_related("sender").order_by("created_at", "pk")
    )
    files: dict[int, list[str]] = {}
    for attachment in MessageAttachment.objects.filter(message__thread__student=student).order_by("pk"):
        files.setdefault(attachment.message_id, []).append(attachment.original_name)
    return [
        {"at": _when(m.created_at), "from": m.sender.full_name, "side": m.get_side_display(),
         "text": m.body, "attachments": files.get(m.pk, [])}
        for m in messages
    ]


def _notifications(student: Student, user) -> list[dict]:
    notes = Notification.objects.filter(notifications_about(student.pk), recipient=user)
    return [
        {"at": _when(n.created_at), "kind": n.kind, "title": n.title, "text": n.body,
         "read_at": _when(n.read_at)}
        for n in notes.order_by("created_at", "pk")
    ]


def _leave_requests(student: Student) -> list[dict]:
    leaves = LeaveRequest.objects.filter(student=student).select_related("requested_by", "decided_by")
    return [
        {"from": _day(r.start_date), "until": _day(r.end_date), "sessions": r.get_sessions_display(),
         "reason": r.reason, "status": r.get_status_display(), "asked_by": r.requested_by.full_name,
         "asked_at": _when(r.created_at),
         "decided_by": r.decided_by.full_name if r.decided_by else "",
         "decided_at": _when(r.decided_at), "teacher_note": r.decision_note}
        for r in leaves.order_by("start_date", "created_at")
    ]


def _summaries(student: Student) -> list[dict]:
    summaries = WeeklySummary.objects.filter(student=student).order_by("week_start")
    return [{"week_of": _day(s.week_start), "content": s.data} for s in summaries]


def _cards(student: Student) -> list[dict]:
    cards = (
        ReportCard.objects.filter(student=student).defer("pdf")
        .select_related("school_year", "term", "class_group").order_by("created_at", "pk")
    )
    return [
        {"school_year": c.school_year.name,
         "term": c.term.get_number_display() if c.term else _("Whole year"),
         "class": c.class_group.name, "code": c.code, "sha256": c.fingerprint,
         "issued_at": _when(c.created_at), "superseded_at": _when(c.superseded_at),
         "verify": verification_path(c.code),
         "download": reverse("reports:student_cards", args=[student.pk])}
        for c in cards
    ]


def _accesses(student: Student, class_ids: set[int], guardian_ids: set[int]) -> list[dict]:
    """Who opened or exported this pupil's data (alone, or with their class), with the role
    they held at the pupil's school."""
    rows = list(
        DataAccess.objects.filter(
            Q(student=student) | Q(student__isnull=True, class_group_id__in=class_ids)
        ).select_related("user", "class_group").order_by("at", "pk")
    )
    roles = {
        m.user_id: m.get_role_display()
        for m in StaffMembership.objects.filter(
            school_id=student.school_id, user_id__in={r.user_id for r in rows if r.user_id}
        )
    }
    return [
        {"at": _when(r.at), "who": r.user_name, "role": _role(r, roles, guardian_ids),
         "what": r.get_action_display(), "class": r.class_group.name if r.class_group else "",
         "detail": r.detail}
        for r in rows
    ]


def _role(row: DataAccess, roles: dict, guardian_ids: set[int]) -> str:
    if row.user_id in roles:
        return str(roles[row.user_id])
    if row.user_id in guardian_ids:
        return _("Parent or guardian")
    if row.user is not None and row.user.is_superuser:
        return _("Platform operator")
    return ""


def _corrections(student: Student) -> list[dict]:
    requests = CorrectionRequest.objects.filter(student=student).select_related("requested_by")
    return [
        {"asked_at": _when(r.created_at), "asked_by": r.requested_by.full_name, "data": r.data,
         "text": r.text, "status": r.get_status_display(), "answer": r.answer,
         "answered_at": _when(r.answered_at)}
        for r in requests.order_by("created_at", "pk")
    ]
