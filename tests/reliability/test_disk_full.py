"""A full disk under report files and message attachments (issue 15, fault 5): the run or the
message fails with a clear message, leaves no half file and no orphan row, and succeeds once
there is room again.

The disk is real: a small tmpfs mounted for the test (the tests run as root, as `make test`
does to install its packages), filled until a few kilobytes are left."""

import hashlib
import io
import os
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from contactbook.models import Message, MessageAttachment, Notification
from reports import runs
from reports.models import ReportFile, ReportRun
from tests.contactbook.test_messages import parent_url, png
from tests.reports.test_runs import School

pytestmark = pytest.mark.django_db

SIZE = 512 * 1024


class SmallDisk:
    def __init__(self, path: Path):
        self.path = path
        self.filler = path / "filler.bin"

    def fill(self, leave: int) -> None:
        """Fill the disk until about `leave` bytes are free."""
        self.filler.unlink(missing_ok=True)
        free = os.statvfs(self.path).f_bavail * os.statvfs(self.path).f_frsize
        with open(self.filler, "wb") as out:
            out.write(b"\0" * max(free - leave, 0))

    def make_room(self) -> None:
        self.filler.unlink()

    def files(self) -> list[str]:
        return sorted(
            str(p.relative_to(self.path)) for p in self.path.rglob("*")
            if p.is_file() and p != self.filler
        )


@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.fail("This test mounts a small file system: run it as root, as make test does.")
    path = tmp_path / "disk"
    path.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(path)], check=True)
    try:
        yield SmallDisk(path)
    finally:
        subprocess.run(["umount", str(path)], check=True)


def test_a_message_whose_attachment_finds_the_disk_full_is_refused_and_leaves_nothing(
    cast, client, settings, small_disk
):
    settings.MESSAGE_ATTACHMENTS_ROOT = small_disk.path
    photo = png("don-xin-phep.png", size=(120, 120))  # about 43 kB: more than is left
    small_disk.fill(leave=8 * 1024)
    client.force_login(cast.parent_a1)

    response = client.post(parent_url(cast.pupil_a1), {"body": "Đơn xin phép", "files": [photo]})
    assert response.status_code == 400
    (error,) = response.context["form"].errors["files"]
    assert "không còn chỗ" in error and "thử lại" in error  # in Vietnamese, saying what to do
    assert not Message.objects.exists() and not MessageAttachment.objects.exists()
    assert not Notification.objects.exists()
    assert small_disk.files() == []  # no half file, no temporary one

    small_disk.make_room()
    photo.seek(0)
    response = client.post(parent_url(cast.pupil_a1), {"body": "Đơn xin phép", "files": [photo]})
    assert response.status_code == 302
    attachment = MessageAttachment.objects.get()
    photo.seek(0)
    stored = (small_disk.path / attachment.file.name).read_bytes()
    assert hashlib.sha256(stored).digest() == hashlib.sha256(photo.read()).digest()
    assert small_disk.files() == [attachment.file.name]


def test_a_report_run_that_finds_the_disk_full_fails_saying_so_and_leaves_no_file(
    settings, small_disk
):
    settings.REPORTS_ROOT = small_disk.path
    school = School()
    small_disk.fill(leave=8 * 1024)  # a class PDF of three cards is larger

    run, _created = school.start(scope=ReportRun.Scope.SCHOOL)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert run.error.startswith("Ổ đĩa lưu tệp phiếu báo không còn chỗ trống")
    assert not ReportFile.objects.filter(run=run).exists()
    assert small_disk.files() == []
    assert run.chunks.filter(done_at__isnull=False).count() == run.chunks.count()  # cards kept

    small_disk.make_room()
    again, created = school.start(scope=ReportRun.Scope.SCHOOL)
    assert created and again.pk != run.pk
    again.refresh_from_db()
    assert again.status == ReportRun.Status.DONE
    files = list(ReportFile.objects.filter(run=again).order_by("name"))
    assert [f.kind for f in files].count(ReportFile.Kind.CLASS_PDF) == 3
    for report_file in files:
        data = runs.read_file(report_file)
        assert hashlib.sha256(data).hexdigest() == report_file.sha256
    class_pdf = next(f for f in files if f.name.endswith("lop-10a1.pdf"))
    reader = PdfReader(io.BytesIO(runs.read_file(class_pdf)))
    assert "Nguyễn Thị An" in "".join(page.extract_text() for page in reader.pages)
    assert sorted(small_disk.files()) == sorted(f.path for f in files)
