"""The landing page's composition: each person's day, read from every app that holds a piece of
it. It sits in the project package, the top layer, because a teacher's day crosses them all
(school's timetable, lms's lessons, the contact book's registers, leave, messages and grade
book, reports' runs); each app keeps its own reads, this module only puts them side by side.

Every read is bounded by the access rules of school/managers.py: a teacher sees the classes
they teach or lead this year (`taught_class_ids`) and the subjects they are assigned; a manager
the schools they manage (`managed_school_ids`). Each part runs a fixed number of queries,
whatever the number of classes, periods or pupils (tests/truongso/test_home*.py pin them).
"""

import datetime

from django.utils import timezone

from school import selectors
from school.managers import managed_school_ids, signed_in
from school.models import School


def home_context(user, *, day: datetime.date | None = None) -> dict:
    """Everything the home page shows `user` on `day` (today by default): the school's own
    lists (school.selectors.home_for_user) and the schools they manage."""
    day = day or timezone.localdate()
    context = selectors.home_for_user(user)
    managed = (
        list(School.objects.filter(id__in=managed_school_ids(user)).order_by("name"))
        if signed_in(user)
        else []
    )
    context.update(
        today=day,
        # The top bar's link to the administration; the operator manages every school.
        can_manage=bool(managed) or bool(signed_in(user) and user.is_superuser),
    )
    return context
