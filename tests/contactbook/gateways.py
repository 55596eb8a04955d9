"""A fake SMS gateway for tests — the system's edge, not our code. It fails the first
FLAKY_FAILURES sends (counted in a file, so it works across worker processes) and then writes
each SMS to SMS_FILE_PATH like the development gateway."""

import os
from pathlib import Path

from contactbook.channels import DeliveryFailed, FileSmsGateway


class FlakySmsGateway(FileSmsGateway):
    def send_sms(self, phone, text, *, request_id=""):
        counter = Path(os.environ["FLAKY_SMS_COUNTER"])
        failures = int(counter.read_text() or 0) if counter.exists() else 0
        if failures < int(os.environ.get("FLAKY_FAILURES", "1")):
            counter.write_text(str(failures + 1))
            raise DeliveryFailed("gateway timed out")
        return super().send_sms(phone, text, request_id=request_id)
