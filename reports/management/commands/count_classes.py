"""`manage.py count_classes [school code ...]`: a round of the department dashboard's counts
(reports/counts.py) now, in this process, for the schools named or every school — after an
import, an upgrade, or to see the figures at once instead of at the next beat round."""

import time

from django.core.management.base import BaseCommand, CommandError

from reports import counts
from school.models import School


class Command(BaseCommand):
    help = "Đếm lại kết quả từng lớp cho bảng số liệu của Sở (mọi trường, hoặc các trường có mã nêu)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("codes", nargs="*", help="school codes (default: every school)")

    def handle(self, *args, codes, **options) -> None:
        schools = School.objects.order_by("pk")
        if codes:
            schools = schools.filter(code__in=codes)
            missing = sorted(set(codes) - set(schools.values_list("code", flat=True)))
            if missing:
                raise CommandError("Không có trường mang mã: " + ", ".join(missing))
        started, total = time.perf_counter(), 0
        for school in schools:
            total += counts.refresh_school(school)
        self.stdout.write(
            f"Đã đếm {total} lớp × kỳ trong {time.perf_counter() - started:.1f} s."
        )
