"""Files on an S3-compatible store (FILE_STORAGE=s3), against a real S3 API on loopback: moto's
server, started once for the module. A report run's class PDF is written by a real Celery
worker process (another "host": it knows the bucket from its environment, as production's do)
and streamed to the principal by the access-checked view; nobody else gets it; nothing lands
under the local roots. A message attachment goes to the bucket and back the same way."""

import io
import socket
import zipfile

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from moto.server import ThreadedMotoServer
from pypdf import PdfReader

from contactbook.models import MessageAttachment, Score
from reports import runs
from reports.models import ReportFile, ReportRun
from tests import factories as f
from tests.celery_workers import wait_for, workers  # noqa: F401 (the fixture)
from tests.conftest import as_user, assert_cast

pytestmark = pytest.mark.django_db(transaction=True)

BUCKET = "truongso-test"
KEYS = {"S3_ACCESS_KEY_ID": "test-key", "S3_SECRET_ACCESS_KEY": "test-secret", "S3_REGION": "us-east-1"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        yield endpoint
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, tmp_path):
    """A fresh private bucket; this process's STORAGES pointed at it as FILE_STORAGE=s3 would;
    the local roots moved to empty folders, to show nothing is written there."""
    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, region_name=KEYS["S3_REGION"],
        aws_access_key_id=KEYS["S3_ACCESS_KEY_ID"], aws_secret_access_key=KEYS["S3_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=BUCKET)
    options = {
        "bucket_name": BUCKET, "endpoint_url": s3_endpoint, "region_name": KEYS["S3_REGION"],
        "access_key": KEYS["S3_ACCESS_KEY_ID"], "secret_key": KEYS["S3_SECRET_ACCESS_KEY"],
        "default_acl": None, "querystring_auth": True, "querystring_expire": 300,
    }
    backend = "storages.backends.s3.S3Storage"
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {"BACKEND": backend, "OPTIONS": {**options, "location": "tinh/reports", "file_overwrite": True}},
        "attachments": {"BACKEND": backend, "OPTIONS": {**options, "location": "tinh/attachments", "file_overwrite": False}},
        "materials": {"BACKEND": backend, "OPTIONS": {**options, "location": "tinh/materials", "file_overwrite": False}},
        "default": {"BACKEND": "core.s3.S3MediaStorage", "OPTIONS": {**options, "location": "tinh/media", "file_overwrite": False}},
    }
    for root in ("REPORTS_ROOT", "MESSAGE_ATTACHMENTS_ROOT", "LMS_MATERIALS_ROOT", "MEDIA_ROOT"):
        setattr(settings, root, tmp_path / "local" / root)
    yield client
    keys = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for key in keys:
        client.delete_object(Bucket=BUCKET, Key=key["Key"])
    client.delete_bucket(Bucket=BUCKET)


def objects(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def nothing_local(tmp_path) -> bool:
    local = tmp_path / "local"
    return not local.exists() or not any(p.is_file() for p in local.rglob("*"))


@pytest.fixture
def graded_class(cast):
    term = f.TermFactory(school_year=cast.class_a1.school_year, number=1)
    now = timezone.now()
    for pupil in (cast.pupil_a1, cast.sibling_a1):
        Score.objects.create(
            student=pupil, subject=cast.math, term=term, class_group=cast.class_a1, kind="final",
            index=1, value=8, published_at=now, updated_by=cast.users["teacher_a1"],
        )
    return term


def test_a_class_pdf_a_worker_wrote_to_s3_is_streamed_to_the_principal_only(
    cast, graded_class, bucket, s3_endpoint, client, tmp_path, workers  # noqa: F811
):
    workers(
        "s3", "reports", FILE_STORAGE="s3", S3_BUCKET=BUCKET, S3_PREFIX="tinh",
        S3_ENDPOINT_URL=s3_endpoint, REPORTS_ROOT=str(tmp_path / "local" / "REPORTS_ROOT"), **KEYS,
    )
    run, created = runs.start_run(
        user=cast.users["principal"], school=cast.school_a, school_year=graded_class.school_year,
        term=graded_class, scope=ReportRun.Scope.CLASS, class_group=cast.class_a1,
    )
    assert created
    done = wait_for(lambda: ReportRun.objects.get(pk=run.pk).status == ReportRun.Status.DONE, seconds=60)
    assert done, (tmp_path / "s3.log").read_text()

    class_pdf = ReportFile.objects.get(run=run, kind=ReportFile.Kind.CLASS_PDF)
    assert objects(bucket) == [f"tinh/reports/{class_pdf.path}"]
    in_bucket = bucket.get_object(Bucket=BUCKET, Key=f"tinh/reports/{class_pdf.path}")["Body"].read()
    url = reverse("reports:file", args=[class_pdf.pk])

    as_user(client, cast.users["principal"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    served = b"".join(response.streaming_content)
    assert served == in_bucket and served.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(served)).pages) == class_pdf.pages >= 2

    def downloads(user):
        as_user(client, user)
        return client.get(url).status_code == 200

    assert_cast(cast, downloads, {"operator", "principal"})
    as_user(client, cast.users["parent_a2"])  # a parent of another class: as if it did not exist
    assert client.get(url).status_code == 404
    assert nothing_local(tmp_path)


def test_a_run_finished_twice_on_s3_replaces_its_files_whole(cast, graded_class, bucket, tmp_path):
    """Eager (in this process): the ZIP of a school run is built from the class PDFs read back
    from the bucket, and finishing again overwrites the same keys instead of adding copies."""
    run, _ = runs.start_run(
        user=cast.users["principal"], school=cast.school_a, school_year=graded_class.school_year,
        term=graded_class, scope=ReportRun.Scope.SCHOOL,
    )
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    files = {rf.kind: rf for rf in ReportFile.objects.filter(run=run)}
    before = objects(bucket)
    assert len(before) == ReportFile.objects.filter(run=run).count() >= 2
    ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.Status.RUNNING)
    assert runs.finish_run(run.pk) == "done"
    assert objects(bucket) == before
    archive = zipfile.ZipFile(io.BytesIO(runs.read_file(files[ReportFile.Kind.ZIP])))
    class_pdfs = ReportFile.objects.filter(run=run, kind=ReportFile.Kind.CLASS_PDF)
    for class_pdf in class_pdfs:
        assert archive.read(class_pdf.name) == runs.read_file(class_pdf)
    assert nothing_local(tmp_path)


def test_an_attachment_is_stored_in_the_bucket_and_served_to_those_who_take_part(cast, bucket, client, tmp_path):
    document = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    as_user(client, cast.users["parent_a1"])
    response = client.post(
        reverse("contactbook:parent_messages", args=[cast.pupil_a1.pk]),
        {"body": "Giấy khám bệnh", "files": [SimpleUploadedFile("giay.pdf", document, "application/pdf")]},
    )
    assert response.status_code == 302
    attachment = MessageAttachment.objects.get()
    assert objects(bucket) == [f"tinh/attachments/{attachment.file.name}"]
    url = reverse("contactbook:message_attachment", args=[attachment.pk])

    as_user(client, cast.users["teacher_a1"])
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content) == document
    as_user(client, cast.users["parent_a2"])  # the parent of a pupil in another class
    assert client.get(url).status_code == 404
    assert nothing_local(tmp_path)
