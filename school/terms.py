"""A term's lifecycle: the one open-term guard every writer a closed term must stop calls inside
its transaction (`check_open`), and closing and reopening a term, each recorded as a TermEvent.
"""

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from school.exceptions import TermClosed
from school.models import School, Term, TermEvent


def check_open(term: Term) -> None:
    """Re-read the term inside the caller's transaction and refuse a closed one.

    On PostgreSQL the row is read FOR SHARE: saves do not wait for each other, but a
    close_term (which locks the row FOR UPDATE) waits for running saves, and a save that
    starts after a close sees it — so nothing is written into a term that was just closed.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Term._meta.db_table)
            cursor.execute(f"SELECT closed_at FROM {table} WHERE id = %s FOR SHARE", [term.pk])
            row = cursor.fetchone()
        closed = row is None or row[0] is not None
    else:  # SQLite (first run) serialises writers on its own
        closed = not Term.objects.filter(pk=term.pk, closed_at__isnull=True).exists()
    if closed:
        raise TermClosed()


def _check_manager(user, term: Term) -> None:
    school_id = (
        Term.objects.filter(pk=term.pk).values_list("school_year__school_id", flat=True).first()
    )
    if not (
        user.is_active
        and (user.is_superuser or School.objects.managed_by(user).filter(pk=school_id).exists())
    ):
        raise PermissionDenied("Only the school's managers may close or reopen a term.")


@transaction.atomic
def close_term(*, user, term: Term, reason: str = "") -> bool:
    """Freeze the term's grade book (scores, comments, conduct). Only the school's managers;
    closing a closed term does nothing. Returns whether it was closed now."""
    _check_manager(user, term)
    locked = Term.objects.select_for_update().get(pk=term.pk)  # waits for running saves
    if locked.is_closed:
        return False
    term.closed_at, term.closed_by = timezone.now(), user
    term.save(update_fields=["closed_at", "closed_by"])
    TermEvent.objects.create(term=term, action=TermEvent.Action.CLOSED, by=user, reason=reason)
    return True


@transaction.atomic
def reopen_term(*, user, term: Term, reason: str) -> bool:
    """Open a closed term again, with the reason kept (TermEvent). Only the school's managers;
    a reason is required. Returns whether it was reopened now."""
    if not (reason or "").strip():
        raise ValueError("a reason is required to reopen a term")
    _check_manager(user, term)
    locked = Term.objects.select_for_update().get(pk=term.pk)
    if not locked.is_closed:
        return False
    term.closed_at, term.closed_by = None, None
    term.save(update_fields=["closed_at", "closed_by"])
    TermEvent.objects.create(
        term=term, action=TermEvent.Action.REOPENED, by=user, reason=reason.strip()
    )
    return True
