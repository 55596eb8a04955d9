"""Celery tasks of term reports: thin, by id, safe to run twice (reports/runs.py explains why).

They run on the "reports" queue, so rendering has workers of its own, recycled after a bounded
number of tasks (CELERY_WORKER_MAX_TASKS_PER_CHILD) since WeasyPrint's memory grows.
"""

import gc

from celery import shared_task
from celery.signals import worker_process_init, worker_ready

from reports import counts, runs
from school.models import School


@shared_task(queue="reports")
def render_chunk(chunk_id: int) -> str:
    return runs.render_chunk(chunk_id)


@shared_task(queue="reports")
def finish_run(run_id: int) -> str:
    return runs.finish_run(run_id)


@shared_task(queue="reports")
def resume_runs() -> int:
    """At worker start and every five minutes (beat): pick up what a dead worker left."""
    return runs.resume_runs()


@shared_task(queue="reports")
def refresh_counts() -> int:
    """Every DASHBOARD_REFRESH_MINUTES (beat): a task per school to count its classes again
    for the department's dashboard, so the schools spread over the render workers."""
    school_ids = list(School.objects.values_list("pk", flat=True))
    for school_id in school_ids:
        refresh_school_counts.delay(school_id)
    return len(school_ids)


@shared_task(queue="reports")
def refresh_school_counts(school_id: int) -> int:
    return counts.refresh_school(school_id)


@worker_ready.connect
def _resume_after_restart(sender=None, **kwargs) -> None:
    # A worker killed mid-chunk left its transaction rolled back; its message may stay with
    # the broker until the visibility timeout. Queue the unfinished chunks again now.
    resume_runs.delay()


@worker_process_init.connect
def _freeze_startup_objects(**kwargs) -> None:
    # What the process imported lives as long as it does: moved out of the garbage collector's
    # generations, it is not scanned again on every collection during a render (about 15 %
    # less time per card measured).
    gc.freeze()
