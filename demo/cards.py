"""Last year's report cards, issued: the primary school's principal runs the whole-year cards
of 2025–2026 (its grade book closed, demo/grades.py) through the school's own report run, as
she would from /bao-cao/. So the parent of two has her daughter's card to open, and the
verification page a real code and fingerprint to check. On the first run Celery is eager and
the cards are rendered now (about a second for a class); with a broker they are queued.
"""

from collections.abc import Callable

from accounts.models import User
from demo.school import LOGINS, PRIMARY_CODE
from reports import runs
from reports.models import ReportCard, ReportRun
from school.models import ClassGroup, SchoolYear


def issue_last_year_cards(log: Callable[[str], None] = lambda message: None) -> int:
    """Start the whole-year card run of each class of the primary school's closed last year;
    returns the cards stored (0, and no run started, when the year already has cards)."""
    year = (
        SchoolYear.objects.filter(school__code=PRIMARY_CODE, is_current=False)
        .select_related("school")
        .first()
    )
    if year is None or ReportRun.objects.filter(school_year=year).exists():
        return 0
    principal = User.objects.get(phone=LOGINS["primary_principal"].phone)
    for group in ClassGroup.objects.filter(school_year=year).order_by("name"):
        runs.start_run(
            user=principal, school=year.school, school_year=year, term=None,
            scope=ReportRun.Scope.CLASS, class_group=group,
        )
    cards = ReportCard.objects.filter(school_year=year).count()
    log(f"Phiếu liên lạc năm học {year.name}: {cards} phiếu cả năm đã phát hành")
    return cards
