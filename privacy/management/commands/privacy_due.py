"""Lists the pupils whose data may now be anonymised (left more than
PERSONAL_DATA_RETENTION_DAYS ago, not anonymised yet), by school. It changes nothing: a
school's manager decides and anonymises in the school administration."""

from django.core.management.base import BaseCommand

from privacy.anonymise import due_for_anonymisation


class Command(BaseCommand):
    help = "List pupils who left long enough ago to be anonymised (changes nothing)."

    def handle(self, *args, **options) -> None:
        due = list(due_for_anonymisation())
        for pupil in due:
            # The student code, not the name: this output may end up in logs.
            self.stdout.write(f"{pupil.school.code}\t{pupil.student_code}\t{pupil.left_on:%Y-%m-%d}")
        self.stdout.write(self.style.SUCCESS(f"{len(due)} pupil(s) due for anonymisation."))
