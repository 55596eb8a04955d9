"""Celery tasks of signing in: thin, safe to run twice."""

from celery import shared_task

from signin import codes, sessions


@shared_task
def purge_old_codes() -> int:
    """Hourly (beat): delete code requests older than the longest limit's window."""
    return codes.purge_old_codes()


@shared_task
def purge_old_sessions() -> int:
    """Daily (beat): delete the rows of sessions that have expired."""
    return sessions.purge_old_sessions()
