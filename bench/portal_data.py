"""A realistic week for the demo parent of two (0987000001) in the bench's throwaway database:
published scores in every subject of each child's class (and a few drafts the parent must not
see), today's attendance, messages with the teachers, this week's summary and unread
notifications — so the portal home the bench measures shows what a parent would see.

Idempotent: cells and summaries already there are left alone.
Usage: python bench/portal_data.py
"""

import datetime
import os
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truongso.settings.base")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from contactbook import messaging, notifications, summaries  # noqa: E402
from contactbook.models import AttendanceMark, Score  # noqa: E402
from school.models import Enrolment, Student, TeachingAssignment, Term  # noqa: E402

PARENT_PHONE = "0987000001"


def main() -> None:
    parent = User.objects.get(phone=PARENT_PHONE)
    today = timezone.localdate()
    now = timezone.now()
    children = Student.objects.filter(guardianships__guardian__user=parent)
    cells = marks = 0
    for child in children:
        enrolment = Enrolment.objects.select_related("class_group").get(
            student=child, status="active", class_group__school_year__is_current=True
        )
        class_group = enrolment.class_group
        term = Term.objects.filter(school_year=class_group.school_year).order_by("number").first()
        assignments = TeachingAssignment.objects.filter(class_group=class_group).select_related("subject", "teacher")
        rows = []
        for n, assignment in enumerate(assignments):
            for index in (1, 2, 3):
                rows.append(Score(
                    student=child, subject=assignment.subject, term=term, class_group=class_group,
                    kind="regular", index=index, value=Decimal(str(5 + (n + index) % 5)) + Decimal("0.5"),
                    published_at=now - datetime.timedelta(days=index), updated_by=assignment.teacher,
                ))
            rows.append(Score(  # a draft the parent must not see
                student=child, subject=assignment.subject, term=term, class_group=class_group,
                kind="midterm", index=1, value=Decimal("4.0"), published_at=None, updated_by=assignment.teacher,
            ))
        cells += len(Score.objects.bulk_create(rows, ignore_conflicts=True))
        recorder = class_group.homeroom_teacher or parent
        for session, status in (("morning", "present"), ("afternoon", "late")):
            _mark, made = AttendanceMark.objects.get_or_create(
                student=child, date=today, session=session,
                defaults={"class_group": class_group, "status": status, "recorded_by": recorder},
            )
            marks += made
        teacher = next(iter(messaging.teachers_of([child.pk]).get(child.pk, [])), None)
        if teacher and not child_has_messages(child):
            messaging.send_message(sender=parent, student_id=child.pk, body="Thưa cô, hôm nay cháu hơi mệt ạ.")
            messaging.send_message(sender=teacher, student_id=child.pk, body="Vâng, cô sẽ để ý cháu. Cảm ơn chị.")
        summaries.create_weekly_summaries(school_id=child.school_id, start=today, student_ids=[child.pk])
    notifications.notify(recipients=[parent], kind="announcement", title="Họp phụ huynh cuối học kỳ",
                         body="Sáng thứ Bảy, 8:00, tại lớp.", url="/phu-huynh/", key="bench:meeting")
    print(f"bench: {children.count()} children, {cells} new score cells, {marks} new attendance marks", file=sys.stderr)


def child_has_messages(child) -> bool:
    from contactbook.models import Message

    return Message.objects.filter(thread__student=child).exists()


if __name__ == "__main__":
    main()
