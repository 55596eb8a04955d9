"""Lesson materials and lesson images on the S3-compatible store (FILE_STORAGE=s3), against the
real S3 API on loopback that tests/core/test_s3_storage.py starts (moto's server): each file is
an object of the shared bucket under its kind's prefix, nothing lands on the local disk, and it
leaves only through our access-checked views, streamed from the bucket — an image's URL is
our own MEDIA_URL path, never the bucket's."""

import re

import pytest
from django.urls import reverse

from lms import media, services
from lms.models import MaterialVersion
from tests.core.test_s3_storage import BUCKET, bucket, nothing_local, objects, s3_endpoint  # noqa: F401
from tests.lms.conftest import PDF, log_in, pdf
from tests.lms.test_media import an_image, collection_of, lesson_showing

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_material_is_an_object_of_the_bucket_served_to_the_staff_alone(
    cast, bucket, client, tmp_path, django_capture_on_commit_callbacks  # noqa: F811
):
    material = services.add_material(school=cast.school_a, title="Đề cương", file=pdf("de-cuong.pdf"))
    key = f"tinh/materials/{material.file.name}"
    assert objects(bucket) == [key] and key.endswith("/de-cuong.pdf")
    assert bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read() == PDF
    response = log_in(client, cast.teacher_a1).get(material.url)
    assert response.status_code == 200 and body(response) == PDF
    for stranger in (cast.parent_a1, cast.other_school_admin):
        assert log_in(client, stranger).get(material.url).status_code == 404

    # Replaced: the old file stays in the bucket for the lesson's history.
    new = PDF.replace(b"Catalog", b"Catalog /Lang (vi)")
    services.replace_material_file(material=material, file=pdf("de-cuong-2.pdf", new),
                                   user=cast.teacher_a1)
    version = MaterialVersion.objects.get(material=material)
    assert f"tinh/materials/{version.file.name}" in objects(bucket)
    old = reverse("lms:material_version", args=[version.pk, version.filename])
    response = log_in(client, cast.teacher_a1).get(old)
    assert response.status_code == 200 and body(response) == PDF

    # Deleted in Wagtail's admin: its object goes after the commit, through Wagtail's task
    # given the S3 storage's deconstructed arguments.
    material.refresh_from_db()
    current = f"tinh/materials/{material.file.name}"
    log_in(client, cast.principal)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("wagtaildocs:delete", args=[material.pk]))
    assert response.status_code == 302
    assert current not in objects(bucket)
    assert nothing_local(tmp_path)


def test_a_lesson_image_and_its_rendition_come_from_the_bucket_through_the_check(
    cast, bucket, library, client, tmp_path  # noqa: F811
):
    image = an_image(collection_of(cast.school_a))
    assert f"tinh/media/{image.file.name}" in objects(bucket)
    assert image.file.url == f"/media/{image.file.name}"  # our path, not the bucket's
    lesson = lesson_showing(library, cast, image)
    page = log_in(client, cast.parent_a1).get(lesson.url).content.decode()
    src = re.search(r'<img[^>]+src="([^"]+)"', page).group(1)
    assert src.startswith("/media/images/")
    rendition = src.removeprefix("/media/")
    assert f"tinh/media/{rendition}" in objects(bucket)  # made here, read by any host
    response = client.get(src)
    stored = bucket.get_object(Bucket=BUCKET, Key=f"tinh/media/{rendition}")["Body"].read()
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert body(response) == stored and stored.startswith(b"\x89PNG")
    assert log_in(client, cast.other_school_admin).get(src).status_code == 404
    # A classroom board has no session: the device API's key opens that one file.
    client.logout()
    assert client.get(src).status_code in (302, 404)
    keyed = media.device_url(image.get_rendition("max-800x800").file)
    response = client.get(keyed)
    assert response.status_code == 200 and body(response).startswith(b"\x89PNG")
    assert nothing_local(tmp_path)


def test_file_storage_s3_puts_every_kind_of_file_under_its_prefix_of_one_bucket():
    """What production's settings make of FILE_STORAGE=s3 (a fresh process, as a host starts)."""
    import json
    import os
    import subprocess
    import sys

    script = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps({k: [v['BACKEND'], v.get('OPTIONS', {}).get('location'), "
        "v.get('OPTIONS', {}).get('bucket_name'), v.get('OPTIONS', {}).get('file_overwrite')] "
        "for k, v in settings.STORAGES.items()}))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "truongso.settings.base", "FILE_STORAGE": "s3",
           "S3_BUCKET": "so-gddt", "S3_PREFIX": "quang-ninh", "DEBUG": "1"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                         check=True).stdout
    storages = json.loads(out.strip().splitlines()[-1])
    s3 = "storages.backends.s3.S3Storage"
    assert storages["default"] == ["core.s3.S3MediaStorage", "quang-ninh/media", "so-gddt", False]
    assert storages["materials"] == [s3, "quang-ninh/materials", "so-gddt", False]
    assert storages["attachments"] == [s3, "quang-ninh/attachments", "so-gddt", False]
    assert storages["reports"] == [s3, "quang-ninh/reports", "so-gddt", True]  # a re-run replaces
