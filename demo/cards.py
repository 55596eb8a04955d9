"""Last year's report cards, issued: each demo school's principal runs the whole-year cards of
2025–2026 (its grade book closed: demo/grades.py for the primary school, demo/last_year.py
for THPT Hạ Long) through the school's own report run, as she would from /bao-cao/, after
the primary classes' awards are recorded (Khen thưởng). So the parent of two has her
daughter's card to open, the verification page a real code and fingerprint to check, and the year's end (re-tests, summer training, titles) issued cards to
start from. On the first run Celery is eager and the cards are rendered now (about a second
for a class); with a broker they are queued.
"""

from collections.abc import Callable

from accounts.models import User
from demo.school import LOGINS, PRIMARY_CODE, UPPER_CODE
from grading import circular27
from reports import awards, runs
from reports.cards.selectors import year_cards
from reports.models import ReportCard, ReportRun
from school.models import ClassGroup, SchoolYear, Student

# school code -> the principal who starts the runs (a key of LOGINS)
PRINCIPALS = {PRIMARY_CODE: "primary_principal", UPPER_CODE: "principal"}
LAST_YEAR = "2025–2026"


def issue_last_year_cards(log: Callable[[str], None] = lambda message: None) -> int:
    """Start the whole-year card run of each class of each demo school's closed last year;
    returns the cards stored (0, and no run started, for a school whose year already has
    cards)."""
    total = 0
    for code, principal in PRINCIPALS.items():
        total += _issue(code, principal, log)
    return total


def _issue(school_code: str, principal_key: str, log: Callable[[str], None]) -> int:
    year = (
        SchoolYear.objects.filter(school__code=school_code, name=LAST_YEAR, is_current=False)
        .select_related("school")
        .first()
    )
    if year is None or ReportRun.objects.filter(school_year=year).exists():
        return 0
    principal = User.objects.get(phone=LOGINS[principal_key].phone)
    for group in ClassGroup.objects.filter(school_year=year).order_by("name"):
        if group.is_primary:
            _record_awards(group, principal)
        runs.start_run(
            user=principal, school=year.school, school_year=year, term=None,
            scope=ReportRun.Scope.CLASS, class_group=group,
        )
    cards = ReportCard.objects.filter(school_year=year).count()
    log(f"{year.school.name}, năm học {year.name}: {cards} phiếu cả năm đã phát hành")
    return cards


def _record_awards(group: ClassGroup, principal: User) -> None:
    """Khen thưởng on last year's cards, through the same services as the pages: the class's
    proposal of its first Hoàn thành tốt pupil for Học sinh Tiêu biểu (Circular 27 Art. 13),
    confirmed by the principal, and an award for an achievement of the class's first pupil."""
    cards = year_cards(group, group.school_year)
    pupils = {p.pk: p for p in Student.objects.in_class(group)}
    good = next((c for c in cards if c.learning == circular27.HOAN_THANH_TOT), None)
    if good is not None and group.homeroom_teacher is not None:
        proposal = awards.propose_tieu_bieu(
            group.homeroom_teacher, pupils[good.student_id], group,
            "Tiến bộ rõ rệt về năng lực Ngôn ngữ",
        )
        awards.confirm_tieu_bieu(principal, proposal)
    if cards:
        awards.record_achievement(
            principal, pupils[cards[0].student_id], group.school_year,
            "Giải Nhì Hội thi Viết chữ đẹp cấp phường",
        )
