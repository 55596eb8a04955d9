"""The door of the personal-data pages. It answers Http404 for "missing" and "not yours"
alike, like school/access.py. (The school administration's lists are scoped by
school.admin.ScopedAdmin.)"""

from contactbook.access import get_child_for_guardian
from school.models import Student


def get_child_for_data_subject(user, student_id) -> Student:
    """A child of `user` (a guardian of the pupil now), whose data they may download and ask
    to correct. Only a guardian: the data subject is the child, and the guardian exercises the
    child's rights (Nghị định 13/2023 Art. 20); staff and the operator see the data at their own
    doors, and that is what the access records show. One query."""
    return get_child_for_guardian(user, student_id)
