"""The primary grade book (Circular 27) from the class teacher's keyboard to a guardian's phone:
3A's class teacher types each pupil's mid-term rating (T / H / C, however written), types a
decimal into the end-of-term test and is refused with nothing saved, corrects it and saves,
then publishes the mid-term column; the guardian of one pupil then reads the rating in words
on the grades page and the portal home, and neither the unpublished test score nor an average.

No assertion reads a UI label (the Vietnamese catalog may not be compiled): the tests go by
element names, data attributes, values and URLs. The rating's words ("Hoàn thành tốt") are
the Circular's own, not a translation.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from contactbook.models import Notification, Score
from school.models import StaffMembership, Subject
from tests import factories as f
from tests.conftest import Cast, build_cast
from tests.e2e.test_gradebook_journey import cell, log_in

pytestmark = pytest.mark.e2e

TEACHER_PHONE = "0913000301"
# Grade 3: the Tiếng Việt grade book has a mid-term rating, an end-of-term rating and an
# end-of-term written test (no mid-term test before grade 4).
COLUMNS = ["midterm-1", "final-1", "finaltest-1"]
# What the teacher types per pupil (class-list order: An, Bình, Dũng) and what the saved
# grade book shows back.
TYPED = ["h", "cht", "T"]
SHOWN = ["H", "C", "T"]


@dataclass
class Primary:
    cast: Cast
    teacher: object
    subject: object
    term: object
    pupils: list  # 3A in class-list order; cast.sibling_b is the last
    child: object  # cast.sibling_b, whose guardian is cast.parent_of_two


@pytest.fixture
def primary(transactional_db) -> Primary:
    """The test cast's primary class 3A with two more pupils, its class teacher (who teaches
    Tiếng Việt there and logs in by phone), Tiếng Việt with a written test, and the current
    term."""
    cast = build_cast()  # the `cast` fixture uses `db`; the live server needs committed rows
    class_group = cast.class_b
    today = timezone.localdate()
    term = f.TermFactory(
        school_year=class_group.school_year,
        start_date=today - datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=30),
    )
    teacher = f.UserFactory(full_name="Lương Thị Lớp Ba", phone=TEACHER_PHONE)
    f.StaffMembershipFactory(user=teacher, school=cast.school_b, role=StaffMembership.Role.TEACHER)
    class_group.homeroom_teacher = teacher
    class_group.save()
    subject = f.SubjectFactory(
        school=cast.school_b,
        name="Tiếng Việt",
        assessment=Subject.Assessment.PRIMARY,
        periods_per_year=245,
        has_primary_test=True,
    )
    f.TeachingAssignmentFactory(teacher=teacher, class_group=class_group, subject=subject)
    pupils = [cast.sibling_b]  # Trần Thị Dũng
    for family, middle, given in [("Nguyễn", "Văn", "An"), ("Lê", "Thị", "Bình")]:
        pupil = f.StudentFactory(
            school=cast.school_b, family_name=family, middle_name=middle, given_name=given
        )
        f.enrol(pupil, class_group)
        pupils.append(pupil)
    pupils.sort(key=lambda s: s.sort_key)
    assert pupils[-1] == cast.sibling_b
    return Primary(cast, teacher, subject, term, pupils, cast.sibling_b)


def test_a_primary_teacher_rates_and_publishes_then_the_guardian_reads_it_in_words(
    page: Page, phone_page: Page, primary: Primary, artifacts_dir
):
    cast, pupils, child, subject = primary.cast, primary.pupils, primary.child, primary.subject
    class_group = cast.class_b

    # 1. The class teacher opens 3A's Tiếng Việt grade book from the list of grade books.
    log_in(page, TEACHER_PHONE)
    page.goto(reverse("contactbook:gradebook_index"))
    page.locator(f'[data-class="{class_group.pk}"] a', has_text=subject.name).click()
    expect(page).to_have_url(
        re.compile(re.escape(reverse("contactbook:gradebook", args=[class_group.pk, subject.pk])))
    )
    expect(page.locator("table.gradebook tbody th.name")).to_have_text(
        [p.full_name for p in pupils]
    )
    expect(page.locator("table.gradebook thead th[data-column]")).to_have_count(len(COLUMNS))
    for key in COLUMNS:
        expect(page.locator(f'thead th[data-column="{key}"]')).to_have_count(1)
    expect(page.locator("[data-average]")).to_have_count(0)  # no term average in primary

    # Each pupil's mid-term rating with the keyboard: Enter moves down the column.
    cell(page, pupils[0], "midterm-1").click()
    for index, typed in enumerate(TYPED):
        page.keyboard.type(typed)
        page.keyboard.press("Enter")
        if index + 1 < len(pupils):
            expect(cell(page, pupils[index + 1], "midterm-1")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/so-diem/\d+/$"))  # Enter did not submit the form
    # Tab moves right: past the end-of-term rating to the end-of-term test, where the teacher
    # writes a decimal, which a primary written test does not take.
    cell(page, child, "midterm-1").focus()
    page.keyboard.press("Tab")
    expect(cell(page, child, "final-1")).to_be_focused()
    page.keyboard.press("Tab")
    expect(cell(page, child, "finaltest-1")).to_be_focused()
    page.keyboard.type("8,5")

    page.locator("#grid-form button.save").click()
    expect(page.locator("#grid-errors")).to_be_visible()
    bad = cell(page, child, "finaltest-1")
    expect(bad).to_have_attribute("aria-invalid", "true")
    expect(bad).to_have_value("8,5")
    expect(page.locator(f"#e-c-{child.pk}-finaltest-1")).not_to_be_empty()
    for pupil, typed in zip(pupils, TYPED):  # everything typed comes back, unmarked
        expect(cell(page, pupil, "midterm-1")).to_have_value(typed)
        expect(cell(page, pupil, "midterm-1")).not_to_have_attribute("aria-invalid", "true")
    page.screenshot(path=str(artifacts_dir / "primary-gradebook-error.png"), full_page=True)
    assert not Score.objects.exists()  # all or nothing: the good ratings were not saved either

    # Corrected to a whole number, the grid saves; ratings come back as T / H / C.
    bad.fill("9")
    page.locator("#grid-form button.save").click()
    for pupil, shown in zip(pupils, SHOWN):
        expect(cell(page, pupil, "midterm-1")).to_have_value(shown)
    expect(cell(page, child, "finaltest-1")).to_have_value("9")
    expect(cell(page, child, "finaltest-1")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#grid-errors")).to_have_count(0)
    expect(page).to_have_url(re.compile(rf"/hoc-ky/{primary.term.pk}/$"))
    saved = Score.objects.filter(subject=subject, term=primary.term)
    assert sorted(
        (s.student_id, s.kind, s.rating, s.value) for s in saved
    ) == sorted(
        [(p.pk, Score.Kind.MIDTERM, r, None) for p, r in zip(pupils, SHOWN)]
        + [(child.pk, Score.Kind.FINAL_TEST, None, Decimal(9))]
    )
    assert not saved.filter(published_at__isnull=False).exists()
    page.screenshot(path=str(artifacts_dir / "primary-gradebook-teacher.png"), full_page=True)

    # Publish the mid-term column only, after confirming (guardians are notified).
    dialogs = []

    def confirm(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.once("dialog", confirm)
    page.locator('button[data-publish="midterm-1"]').click()
    expect(page.locator('th[data-column="midterm-1"] [data-published]')).to_be_visible()
    expect(page.locator('button[data-publish="midterm-1"]')).to_have_count(0)
    expect(page.locator('button[data-publish="finaltest-1"]')).to_have_count(1)
    assert dialogs == ["confirm"]
    assert saved.filter(kind=Score.Kind.MIDTERM, published_at__isnull=True).count() == 0
    assert saved.get(kind=Score.Kind.FINAL_TEST).published_at is None
    # Of 3A's pupils only the cast's sibling has a guardian: one notification, to them.
    assert list(Notification.objects.values_list("recipient", flat=True)) == [
        cast.parent_of_two.pk
    ]

    # 2. The guardian, on a phone, reads the child's grades: the rating in words, not the
    # unpublished test, and no average.
    phone = phone_page
    log_in(phone, cast.parent_of_two.phone)
    phone.goto(reverse("contactbook:student_grades", args=[child.pk]))
    card = phone.locator(f'.subject-grades[data-subject="{subject.pk}"]')
    expect(card.locator('[data-column="midterm-1"] dd')).to_have_text("Hoàn thành tốt")
    expect(card.locator('[data-column="final-1"] dd')).to_have_text("–")  # never entered
    expect(card.locator('[data-column="finaltest-1"] dd')).to_have_text("–")  # not published
    expect(card).not_to_contain_text("9")
    expect(card.locator("[data-average]")).to_have_count(0)
    phone.screenshot(path=str(artifacts_dir / "primary-grades-parent-phone.png"), full_page=True)
    widths = phone.evaluate(
        "() => ({page: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["page"] <= widths["inner"] + 1, widths  # no sideways scrolling on the phone

    # The portal home for that child lists the published rating among the latest scores.
    phone.goto(reverse("contactbook:portal_child", args=[child.pk]))
    rating = saved.get(student=child, kind=Score.Kind.MIDTERM)
    expect(phone.locator(f'#scores [data-score="{rating.pk}"]')).to_have_text("Hoàn thành tốt")
    test_score = saved.get(kind=Score.Kind.FINAL_TEST)
    expect(phone.locator(f'[data-score="{test_score.pk}"]')).to_have_count(0)
    phone.screenshot(path=str(artifacts_dir / "primary-portal-parent-phone.png"), full_page=True)
