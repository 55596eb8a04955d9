"""`manage.py seed_demo [--reset]`: the demo department, its two schools and the demo logins
the README lists (demo/seed.py builds them). Safe to run on every start: when the demo is
there it says so and writes nothing."""

import logging
import time
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from demo import seed
from demo.school import DEMO_PASSWORD, DemoConflict, format_count


@contextmanager
def _quiet():
    """The e-mails the seed's own actions send (Wagtail's moderation notices, the contact
    book's notifications, delivered after commit) go nowhere: the demo's addresses are
    invented, and on the first run the console backend would print each one. Celery's line
    per task (eager on the first run: hundreds of deliveries) and kombu's warning that the
    eager run has no broker host are held back too."""
    loggers = {name: logging.getLogger(name) for name in ("celery.app.trace", "kombu.connection")}
    levels = {name: logger.level for name, logger in loggers.items()}
    for logger in loggers.values():
        logger.setLevel(logging.ERROR)
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            yield
    finally:
        for name, logger in loggers.items():
            logger.setLevel(levels[name])


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu mẫu: Sở GD&ĐT Quảng Ninh, Trường THPT Hạ Long, Trường Tiểu học Trần Hưng Đạo "
        "và các tài khoản mẫu (mật khẩu truongso2026)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Xoá hai trường mẫu, mọi thứ thuộc về chúng và tài khoản mẫu, rồi tạo lại.",
        )

    def handle(self, *args, reset: bool = False, **options) -> None:
        started = time.perf_counter()
        try:
            # One transaction: a failure half-way leaves no half demo behind.
            with _quiet(), transaction.atomic():
                state = seed.demo_state()
                if state == "present" and not reset:
                    self.stdout.write("Dữ liệu mẫu đã có — không thay đổi gì.")
                    return
                if state == "partial" and not reset:
                    raise DemoConflict(
                        "Chỉ có một phần dữ liệu mẫu; chạy lại với --reset để tạo lại từ đầu."
                    )
                if reset:
                    removed = seed.remove_demo()
                    self.stdout.write(
                        f"Đã xoá dữ liệu mẫu cũ: {removed['schools']} trường, "
                        f"{format_count(removed['students'])} học sinh, "
                        f"{format_count(removed['users'])} tài khoản."
                    )
                self.stdout.write("Đang tạo dữ liệu mẫu…")
                counts = seed.seed_demo(log=self.stdout.write)
        except DemoConflict as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(self._summary(counts, time.perf_counter() - started)))
        if counts.get("kiosk_token"):
            self.stdout.write(
                "  Mã của máy điểm danh mẫu (phòng P101), chỉ hiện lần này "
                "(manage.py demo_kiosk_token cấp mã mới):\n"
                f"  {counts['kiosk_token']}"
            )

    @staticmethod
    def _summary(counts: dict, seconds: float) -> str:
        n = format_count
        lines = [
            f"Xong trong {f'{seconds:.1f}'.replace('.', ',')} giây.",
            f"  {counts['School']} trường, {counts['SchoolYear']} năm học, "
            f"{counts['Term']} học kỳ, {counts['Subject']} môn học, {counts['Room']} phòng",
            f"  {counts['ClassGroup']} lớp, {n(counts['Student'])} học sinh, "
            f"{n(counts['Guardian'])} phụ huynh ({n(counts['Guardianship'])} quan hệ)",
            f"  {n(counts['User'])} tài khoản, {counts['StaffMembership']} cán bộ, giáo viên",
            f"  {counts['TeachingAssignment']} phân công giảng dạy, "
            f"{n(counts['TimetableSlot'])} tiết trong thời khoá biểu",
            f"  Mật khẩu của mọi tài khoản mẫu: {DEMO_PASSWORD}",
        ]
        if counts["outside_periods"]:
            lines.append(f"  {counts['outside_periods']} tiết phải xếp ngoài buổi học chính")
        return "\n".join(lines)
