"""The parent portal home's cached body: rendered once per distinct content, and never stale.

Its cache key is a digest of the rows the page shows (contactbook.portal.home_html), so every
kind of change a guardian can see reaches the very next view, even when written by a bulk
update that sends no signal; a draft score never shows; one guardian never gets another's
page; the acknowledge form always carries the request's own CSRF token."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contactbook import announcements, attendance, comments, inbox, messaging, summaries
from contactbook import leave as leave_requests
from contactbook.gradebook.columns import column_by_key
from contactbook.gradebook.writes import publish_column
from contactbook.models import AttendanceMark, LeaveRequest, Notification, Score, WeeklySummary
from school.models import ClassGroup, Guardianship
from tests import factories as f
from tests.clients import Client
from tests.contactbook.attendance_support import (  # noqa: F401 (the *_fixture names are fixtures)
    NOW,
    TODAY,
    now_fixture,
    term_one,
)

pytestmark = pytest.mark.django_db

HOME = "/phu-huynh/"
BODY = "contactbook/portal/home_body.html"


@pytest.fixture
def term(cast):
    return term_one(cast.class_a1.school_year)


@pytest.fixture
def parent(cast, client, now):
    """parent_a1 logged in; pupil_a1 (class 10A1) is their only child. 'Now' is pinned."""
    client.force_login(cast.parent_a1)
    return client


def view(client, url=HOME, **headers):
    """The page's HTML, and whether its body was rendered (False: served from the cache)."""
    response = client.get(url, headers=headers or None)
    assert response.status_code == 200
    return response.content.decode(), BODY in [t.name for t in response.templates]


def cached_view(client, url=HOME) -> str:
    """View twice: the second comes from the cache, so a change after it must beat the cache."""
    view(client, url)
    html, rendered = view(client, url)
    assert not rendered
    return html


def notification_link(notification) -> str:
    return reverse("contactbook:notification_open", args=[notification.pk])


def test_the_body_is_rendered_once_while_nothing_changes(cast, parent, term):
    f.score(cast.pupil_a1, cast.math, term, value="7.5")
    first, rendered = view(parent)
    assert rendered and 'data-score="' in first
    second, rendered = view(parent)
    assert not rendered
    assert strip_tokens(second) == strip_tokens(first)


def strip_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


# ----------------------------------------------------- each kind of change, on the next view


def test_a_published_score_shows_on_the_next_view_and_a_draft_never_does(cast, parent, term):
    draft = f.score(cast.pupil_a1, cast.math, term, value="3", published=False)
    html = cached_view(parent)
    assert f'data-score="{draft.pk}"' not in html
    Score.objects.filter(pk=draft.pk).update(value=Decimal("4"))  # still a draft
    html, _rendered = view(parent)
    assert f'data-score="{draft.pk}"' not in html

    publish_column(teacher=cast.teacher_a1, class_group=cast.class_a1, subject=cast.math,
                             term=term, column=column_by_key(cast.math, "regular-1"))
    html, rendered = view(parent)
    assert rendered and f'<span class="score-value" data-score="{draft.pk}">4</span>' in html
    # and the publication's notification with it
    assert notification_link(Notification.objects.get(recipient=cast.parent_a1, kind="scores")) in html


def test_a_score_corrected_by_a_bulk_update_shows_on_the_next_view(cast, parent, term):
    score = f.score(cast.pupil_a1, cast.math, term, value="7.5")
    assert ">7,5<" in cached_view(parent)
    Score.objects.filter(pk=score.pk).update(value=Decimal("8.5"))  # no signal, no save()
    html, _rendered = view(parent)
    assert ">8,5<" in html and ">7,5<" not in html


def test_an_attendance_mark_shows_on_the_next_view(cast, parent, term):
    assert "data-session=" not in cached_view(parent)
    everyone = {cast.pupil_a1.pk: ("late", "Xe hỏng"), cast.sibling_a1.pk: ("present", "")}
    attendance.record_attendance(user=cast.homeroom_a1, class_group=cast.class_a1, day=TODAY,
                                 session="morning", entries=everyone)
    html, _rendered = view(parent)
    assert 'data-status="late"' in html and "Xe hỏng" in html

    everyone[cast.pupil_a1.pk] = ("unexcused", "")
    attendance.record_attendance(user=cast.homeroom_a1, class_group=cast.class_a1, day=TODAY,
                                 session="morning", entries=everyone)
    html, _rendered = view(parent)
    assert 'data-status="unexcused"' in html and 'data-status="late"' not in html


def test_a_daily_comment_shows_on_the_next_view(cast, parent):
    cached_view(parent)
    comments.add_daily_comments(author=cast.teacher_a1, class_group=cast.class_a1,
                                student_ids=[cast.pupil_a1.pk], kind="praise", text="Phát biểu tốt")
    html, _rendered = view(parent)
    assert notification_link(Notification.objects.get(recipient=cast.parent_a1, kind="comment")) in html


def test_an_announcement_shows_on_the_next_view(cast, parent):
    cached_view(parent)
    announcements.send_announcement(author=cast.homeroom_a1, school=cast.school_a, audience="class",
                                    title="Họp phụ huynh thứ Bảy", body="8 giờ tại lớp", class_group=cast.class_a1)
    html, _rendered = view(parent)
    assert "Họp phụ huynh thứ Bảy" in html and 'data-unread="1"' in html


def test_a_message_shows_on_the_next_view(cast, parent):
    cached_view(parent)
    messaging.send_message(sender=cast.teacher_a1, student_id=cast.pupil_a1.pk, body="Cháu học tiến bộ")
    html, _rendered = view(parent)
    assert "Cháu học tiến bộ" in html


def test_a_leave_decision_shows_on_the_next_view(cast, parent, term):
    f.attendance_mark(cast.pupil_a1, TODAY, status="unexcused", session="morning")
    leave = LeaveRequest.objects.create(student=cast.pupil_a1, requested_by=cast.parent_a1, start_date=TODAY,
                                        end_date=TODAY, sessions="both", reason="Cháu ốm")
    assert 'data-status="unexcused"' in cached_view(parent)
    leave_requests.decide_leave(user=cast.homeroom_a1, leave=leave, approve=True)
    html, _rendered = view(parent)
    assert 'data-status="excused"' in html  # the absence is now with leave
    assert notification_link(Notification.objects.get(recipient=cast.parent_a1, kind="leave")) in html


def summary_section(html: str) -> str:
    return html.split('id="summary"', 1)[1].split("</section>", 1)[0]


def test_a_weekly_summary_and_each_acknowledgement_show_on_the_next_view(cast, parent):
    other = f.UserFactory(full_name="Trần Thị Mẹ")
    f.link_guardian(other, cast.pupil_a1, relationship="mother")
    assert "data-summary=" not in summary_section(cached_view(parent))
    summaries.create_weekly_summaries(school_id=cast.school_a.pk, start=TODAY, student_ids=[cast.pupil_a1.pk])
    section = summary_section(view(parent)[0])
    assert 'data-acknowledged="no"' in section and 'class="acknowledge"' in section
    assert 'class="muted"' not in section.split("</form>")[1]  # nobody has read it yet

    summary = WeeklySummary.objects.get(student=cast.pupil_a1)
    summaries.acknowledge(user=other, summary=summary)
    section = summary_section(view(parent)[0])
    assert 'data-acknowledged="no"' in section and 'class="muted"' in section.split("</form>")[1]

    summaries.acknowledge(user=cast.parent_a1, summary=summary)
    section = summary_section(view(parent)[0])
    assert 'data-acknowledged="yes"' in section and 'class="acknowledge"' not in section


def test_a_notification_read_elsewhere_leaves_the_next_view(cast, parent):
    notice = Notification.objects.create(recipient=cast.parent_a1, kind="x", title="Lịch thi", body="b", dedupe_key="k1")
    assert notification_link(notice) in cached_view(parent)
    inbox.mark_read(user=cast.parent_a1)  # one bulk update
    html, _rendered = view(parent)
    assert notification_link(notice) not in html and 'data-unread="0"' in html


def test_a_renamed_class_and_a_removed_child_show_on_the_next_view(cast, client, now):
    client.force_login(cast.parent_of_two)
    assert "10A1" in cached_view(client)
    ClassGroup.objects.filter(pk=cast.class_a1.pk).update(name="10A9")
    html, _rendered = view(client)
    assert "10A9" in html and "10A1" not in html
    assert f'data-student="{cast.sibling_b.pk}"' in html
    Guardianship.objects.filter(student=cast.sibling_b).delete()
    html, _rendered = view(client)
    assert f'data-student="{cast.sibling_b.pk}"' not in html
    assert client.get(reverse("contactbook:portal_child", args=[cast.sibling_b.pk])).status_code == 404


def test_the_next_day_shows_the_new_days_attendance(cast, parent, monkeypatch):
    f.attendance_mark(cast.pupil_a1, TODAY, status="late")
    assert 'data-status="late"' in cached_view(parent)
    monkeypatch.setattr(timezone, "now", lambda: NOW + datetime.timedelta(days=1))
    html, rendered = view(parent)
    assert rendered and 'data-status="late"' not in html and "26/11/2026" in html


def test_a_page_in_another_language_is_its_own(cast, parent):
    vietnamese, _rendered = view(parent)
    english, rendered = view(parent, **{"Accept-Language": "en"})
    assert rendered and "Latest scores" in english and "Latest scores" not in vietnamese


# ---------------------------------------------------------- one guardian, one page, one token


def test_one_guardian_never_gets_another_guardians_page(cast, client, now):
    """Two guardians of the same pupil, with pages that would look alike: each has their own
    entry; and what differs between them (a notification, an acknowledgement) stays theirs."""
    other = f.UserFactory(full_name="Trần Thị Mẹ")
    f.link_guardian(other, cast.pupil_a1, relationship="mother")
    client.force_login(cast.parent_a1)
    view(client)
    second = Client()
    second.force_login(other)
    _html, rendered = view(second)
    assert rendered  # not the first guardian's entry, though the content is the same

    notice = Notification.objects.create(recipient=other, kind="x", title="Riêng mẹ", body="b", dedupe_key="k2")
    assert notification_link(notice) in view(second)[0]
    assert notification_link(notice) not in view(client)[0]


def test_the_acknowledge_form_carries_each_requests_own_csrf_token(cast, now):
    summaries.create_weekly_summaries(school_id=cast.school_a.pk, start=TODAY, student_ids=[cast.pupil_a1.pk])
    phones = [Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)]
    tokens = []
    for phone in phones:
        phone.force_login(cast.parent_a1)
        html, _rendered = view(phone)
        tokens.append(re.search(r'<form method="post" action="([^"]+)" class="acknowledge">'
                                r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">', html).groups())
    assert tokens[0][1] != tokens[1][1] and "portal-csrf-slot" not in tokens[1][1]
    for phone, (action, token) in zip(phones, tokens):
        response = phone.post(action, {"csrfmiddlewaretoken": token, "next": HOME})
        assert response.status_code == 302  # 403 if the token were a cached one


def test_a_manager_who_is_a_parent_sees_the_administration_link(cast, client, now):
    f.link_guardian(cast.principal, cast.pupil_a2)
    client.force_login(cast.principal)
    assert f'href="{reverse("admin:index")}"' in view(client)[0]
    client.force_login(cast.parent_a2)
    assert f'href="{reverse("admin:index")}"' not in view(client)[0]


def test_an_attendance_mark_of_the_same_session_changed_twice_in_a_second_is_not_missed(cast, parent):
    """The key holds the values shown, not a timestamp: two writes in the same instant that
    change what is shown each give a new page."""
    mark = f.attendance_mark(cast.pupil_a1, TODAY, status="present")
    assert 'data-status="present"' in cached_view(parent)
    AttendanceMark.objects.filter(pk=mark.pk).update(status="late", updated_at=mark.updated_at)
    assert 'data-status="late"' in view(parent)[0]
