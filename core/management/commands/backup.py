"""manage.py backup: the database and every stored file into a new directory (core/backup.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core import backup


class Command(BaseCommand):
    help = "Back up the database and the stored files, with a manifest to check a restore."

    def add_arguments(self, parser):
        parser.add_argument(
            "--to", type=Path,
            help="The new backup directory (default: BACKUP_ROOT/<UTC date and time>).",
        )
        parser.add_argument(
            "--keep", type=int, default=settings.BACKUP_KEEP,
            help="Then keep only this many backups in the directory's parent (0: keep all).",
        )

    def handle(self, *args, **options):
        target = options["to"] or Path(settings.BACKUP_ROOT) / timezone.now().strftime(
            "%Y%m%dT%H%M%SZ"
        )
        try:
            manifest = backup.back_up(target)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        tables = manifest["database"]["tables"]
        files = sum(len(paths) for paths in manifest["files"].values())
        self.stdout.write(f"Backup written to {target}")
        if options["keep"]:
            for removed in backup.prune(target.parent, options["keep"]):
                self.stdout.write(f"Removed the old backup {removed}")
        self.stdout.write(
            f"RESULT tables={len(tables)} rows={sum(c for c, _d in tables.values())} "
            f"files={files}"
        )
