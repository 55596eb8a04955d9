"""Publishing lessons whose approved revision was scheduled for later (go_live_at). Run by
Celery beat every few minutes (or cron: manage.py publish_scheduled)."""

from celery import shared_task
from django.core.management import call_command


@shared_task(name="lms.publish_scheduled_lessons")
def publish_scheduled_lessons() -> None:
    """Safe to run twice: Wagtail publishes each due revision once and clears its schedule."""
    call_command("publish_scheduled")
