"""manage.py restore DIR: a backup into the configured database and file roots, compared with
its manifest, then migrated to this code's schema (core/backup.py)."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from core import backup


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup`, check it, then migrate."

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="The backup directory.")
        parser.add_argument(
            "--replace", action="store_true",
            help="Empty a database that has tables and file roots that have files first.",
        )
        parser.add_argument(
            "--no-migrate", action="store_true",
            help="Leave the restored schema as the backup had it.",
        )

    def handle(self, *args, **options):
        try:
            result = backup.restore(options["source"], replace=options["replace"])
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        for difference in result.differences:
            self.stderr.write(difference)
        self.stdout.write(
            f"RESULT tables={result.tables} rows={result.rows} files={result.files} "
            f"differences={len(result.differences)}"
        )
        if not result.equal:
            raise CommandError("The restored data differs from the backup (above).")
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
