"""THPT Hạ Long's summer of 2026 (Circular 22, Articles 12–14), recorded for last year
(2025–2026) through the same services as the class's summer page (reports.summer), after
demo/last_year.py has written the year and before demo/cards.py issues its year cards, so
the issued cards are the post-summer ones.

The year's homeroom teachers cannot record it (a past class's GVCN no longer may:
contactbook.access.is_homeroom_teacher), so the school's administrator (văn thư) types what
they handed in, as she would on /bao-cao/lop/<id>/he/:

- 11A1: Vũ Thành Khôi's and Nguyễn Xuân Phúc's conduct re-assessed Đạt after the summer
  training; then Khôi's re-tests (his learning was Chưa đạt too), which he passes;
- 10A1: Vũ Khánh Quân's and Lê Văn Anh's re-tests, which they pass;
- 12A1: Phạm Thị Thư's re-tests, which she fails.

The pupils are found by their year's decision on the real year cards, not by name. Then the
principal closes the summer: by 1 December a real school's summer (it ended in August) is
closed. Quân's guardian gets a demo login (`parent_after_summer`) to read the post-summer card.
"""

from collections.abc import Callable

from accounts.models import User
from demo.school import LOGINS, UPPER_CODE
from reports import summer
from reports.cards import model as codes
from reports.cards.selectors import year_cards
from school.models import ClassGroup, Guardianship, SchoolYear

LAST_YEAR = "2025–2026"
# Re-test results, in the order of the pupil's list of subjects: passing ones (every failed
# subject back to 5.0 or more, so the learning result is at least Đạt) and, in 12A1, failing
# ones (one below 3.5: Chưa đạt, Art. 9's table, no adjustment from below Đạt).
PASSING = ("6,5", "5,5", "7,0")
FAILING = ("3,0", "4,0", "3,5")
FAILING_CLASS = "12A1"
CONDUCT_AFTER_TRAINING = "Đạt"
CLOSING_REASON = "Đã ghi đủ kết quả rèn luyện và kiểm tra lại trong hè."


def record_last_summer(log: Callable[[str], None] = lambda message: None) -> int:
    """Record and close the summer of THPT Hạ Long's last year; returns the results written (0
    when the demo's last year is absent or its summer already has results or is closed)."""
    year = SchoolYear.objects.filter(
        school__code=UPPER_CODE, name=LAST_YEAR, is_current=False
    ).first()
    if year is None or summer.summer_state(year).is_closed:
        return 0
    clerk = User.objects.get(phone=LOGINS["clerk"].phone)
    principal = User.objects.get(phone=LOGINS["principal"].phone)
    written, cards = 0, {}
    for group in ClassGroup.objects.filter(school_year=year).order_by("name"):
        n, cards[group.name] = _record_class(clerk, group)
        written += n
    summer.close_summer(user=principal, school_year=year, reason=CLOSING_REASON)
    _give_login_to_retest_parent(cards["10A1"])
    log(f"Kì nghỉ hè năm học {year.name} (THPT): {written} kết quả đã ghi, đã khoá")
    return written


def _record_class(user: User, group: ClassGroup) -> tuple[int, list]:
    """Record one class's summer; returns the results written and the class's cards as
    they were before its re-tests."""
    cards = year_cards(group, group.school_year)
    conduct = {
        c.student_id: CONDUCT_AFTER_TRAINING
        for c in cards
        if c.promotion_code == codes.REN_LUYEN_HE and not c.summer_conduct
    }
    written = 0
    if conduct:
        written = summer.save_summer(user=user, class_group=group, conduct=conduct)
        cards = year_cards(group, group.school_year)  # Khôi's re-tests listed only now
    values = FAILING if group.name == FAILING_CLASS else PASSING
    retests = {}
    for card in cards:
        lines = {line.subject_id: line for line in card.subjects}
        for i, subject_id in enumerate(card.retake_subject_ids):
            if not lines[subject_id].retest:
                retests[(card.student_id, subject_id)] = (
                    ("CĐ" if values is FAILING else "Đ") if lines[subject_id].rated
                    else values[i % len(values)]
                )
    if retests:
        written += summer.save_summer(user=user, class_group=group, retests=retests)
    return written, cards


def _give_login_to_retest_parent(cards: list) -> None:
    """The demo login of a parent whose child re-took tests last summer and passed: the
    mother of the 10A1 pupil re-taking scored subjects (Vũ Khánh Quân) takes the login's
    phone and name (her generated ones are the demo's own, so nobody else's account changes)."""
    login = LOGINS["parent_after_summer"]
    pupil = next(
        c.student_id
        for c in cards
        if c.promotion_code == codes.KIEM_TRA_LAI
        and not any(line.rated for line in c.subjects if line.subject_id in c.retake_subject_ids)
    )
    mother = Guardianship.objects.get(student_id=pupil, relationship="mother")
    User.objects.filter(pk=mother.guardian.user_id).update(
        phone=login.phone, full_name=login.full_name
    )
