"""`manage.py demo_kiosk_token`: a fresh token for the demo kiosk (THPT Hạ Long, room P101), for
`tools/kiosk_simulator.py --token …` when the one seed_demo printed is lost. The old token stops
working at once, as when the administration issues a new one."""

from django.core.management.base import BaseCommand, CommandError

from demo.devices import demo_kiosk


class Command(BaseCommand):
    help = "Cấp mã mới cho máy điểm danh mẫu (phòng P101, Trường THPT Hạ Long); mã cũ hết hiệu lực."

    def handle(self, *args, **options) -> None:
        kiosk = demo_kiosk()
        if kiosk is None:
            raise CommandError("Chưa có dữ liệu mẫu: chạy manage.py seed_demo trước.")
        self.stdout.write(kiosk.issue_token())
