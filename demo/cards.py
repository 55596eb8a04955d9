"""Last year's report cards, issued: each demo school's principal runs the whole-year cards of
2025–2026 (its grade book closed: demo/grades.py for the primary school, demo/last_year.py
for THPT Hạ Long) through the school's own report run, as she would from /bao-cao/. So the
parent of two has her daughter's card to open, the verification page a real code and
fingerprint to check, and the year's end (re-tests, summer training, titles) issued cards to
start from. On the first run Celery is eager and the cards are rendered now (about a second
for a class); with a broker they are queued.
"""

from collections.abc import Callable

from accounts.models import User
from demo.school import LOGINS, PRIMARY_CODE, UPPER_CODE
from reports import runs
from reports.models import ReportCard, ReportRun
from school.models import ClassGroup, SchoolYear

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
        runs.start_run(
            user=principal, school=year.school, school_year=year, term=None,
            scope=ReportRun.Scope.CLASS, class_group=group,
        )
    cards = ReportCard.objects.filter(school_year=year).count()
    log(f"{year.school.name}, năm học {year.name}: {cards} phiếu cả năm đã phát hành")
    return cards
