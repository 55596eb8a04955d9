"""Learning materials: what may be uploaded (type, content, size, with a clear message), where
files live (never under MEDIA_ROOT), and the old file kept when a material is replaced,
reachable from the lesson's history."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from lms import services
from lms.models import LessonPage, Material, MaterialVersion
from tests.lms.conftest import PDF, log_in, pdf

pytestmark = pytest.mark.django_db


def xlsx() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def ooxml(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360"
    "000002000154a24f5d0000000049454e44ae426082"
)


@pytest.mark.parametrize(
    "name,content",
    [
        ("de-cuong.pdf", PDF),
        ("bai-giang.pptx", ooxml("ppt/presentation.xml")),
        ("phieu.docx", ooxml("word/document.xml")),
        ("diem.xlsx", xlsx()),
        ("hinh.png", PNG),
    ],
)
def test_teachers_upload_the_usual_kinds_of_material(cast, name, content):
    material = services.add_material(school=cast.school_a, title=name, file=SimpleUploadedFile(name, content))
    assert material.file_size == len(content) and material.school_id == cast.school_a.pk


@pytest.mark.parametrize(
    "name,content,code,shown",
    [
        ("virus.exe", b"MZ\x90\x00" + b"\0" * 64, "file_type", ".exe"),
        ("ghi-chu.txt", b"hello", "file_type", ".txt"),
        ("gia.pdf", b"MZ\x90\x00" + b"\0" * 64, "file_content", "PDF"),  # an .exe renamed .pdf
        ("bai-giang.pptx", PDF, "file_content", "PPTX"),
    ],
)
def test_other_files_are_refused_with_a_clear_message(cast, name, content, code, shown):
    with pytest.raises(ValidationError) as refused:
        services.add_material(school=cast.school_a, title=name, file=SimpleUploadedFile(name, content))
    (error,) = refused.value.error_dict["file"]
    assert error.code == code
    assert shown in " ".join(refused.value.message_dict["file"])  # names what was wrong


def test_a_file_above_the_limit_is_refused(cast, settings):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 1024
    with pytest.raises(ValidationError) as refused:
        services.add_material(school=cast.school_a, title="Lớn", file=pdf(content=PDF + b"0" * 2048))
    (error,) = refused.value.error_dict["file"]
    assert error.code == "file_too_large"


def test_the_admin_upload_form_shows_the_message_on_the_field(cast, library, client):
    log_in(client, cast.principal)
    response = client.post(
        reverse("wagtaildocs:add"),
        {"title": "Gia", "file": SimpleUploadedFile("gia.pdf", b"MZ\x90\x00" + b"\0" * 64),
         "collection": library.course.get_parent().specific.collection_id},
    )
    assert response.status_code == 200
    assert "PDF" in str(response.context["form"].errors["file"])


def test_files_are_stored_outside_media_root_and_served_only_by_the_view(cast, library, client):
    path = Path(library.material.file.path)
    assert Path(settings.MEDIA_ROOT) not in path.parents
    assert library.material.url == f"/tai-lieu/{library.material.pk}/{library.material.filename}"
    response = log_in(client, cast.parent_a1).get(library.material.url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


def test_replacing_a_file_keeps_the_old_one_for_the_lessons_history(cast, library, client):
    lesson = library.lesson
    old_revision = lesson.latest_revision
    new_pdf = PDF.replace(b"Catalog", b"Catalog /Lang (vi)")
    material = services.replace_material_file(
        material=library.material, file=pdf("phieu-hoc-tap-v2.pdf", new_pdf), user=cast.teacher_a1
    )
    version = MaterialVersion.objects.get(material=material)
    assert version.replaced_by == cast.teacher_a1 and version.file.read() == PDF

    # The live lesson links to the new file.
    live = log_in(client, cast.parent_a1).get(lesson.url).content.decode()
    assert material.url in live
    # A later revision, then the old one seen from the history shows the file of its day.
    LessonPage.objects.get(pk=lesson.pk).save_revision(user=cast.teacher_a1)
    view = reverse("wagtailadmin_pages:revisions_view", args=[lesson.pk, old_revision.pk])
    old = log_in(client, cast.teacher_a1).get(view).content.decode()
    old_url = reverse("lms:material_version", args=[version.pk, version.filename])
    assert old_url in old and material.url not in old
    # That old file is for the school's staff only.
    assert log_in(client, cast.teacher_a1).get(old_url).status_code == 200
    assert log_in(client, cast.parent_a1).get(old_url).status_code == 404
    assert log_in(client, cast.other_school_admin).get(old_url).status_code == 404


def test_replacing_in_the_admin_keeps_the_old_file_too(cast, library, client):
    log_in(client, cast.principal)
    material = library.material
    response = client.post(
        reverse("wagtaildocs:edit", args=[material.pk]),
        {"title": material.title, "file": SimpleUploadedFile("moi.pdf", PDF + b"%more\n"),
         "collection": material.collection_id, "tags": ""},
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    version = MaterialVersion.objects.get(material=material)
    assert version.file.storage.exists(version.file.name)
    assert version.replaced_by == cast.principal


def test_deleting_a_material_in_the_admin_removes_its_file(
    cast, library, client, django_capture_on_commit_callbacks
):
    """Wagtail deletes a document's file after the commit, through a task given the storage's
    deconstructed arguments: they must be serialisable, or the delete answers 500 once the row
    is already gone and the file stays on disk."""
    material = services.add_material(school=cast.school_a, title="Đề cũ", file=pdf("de-cu.pdf"))
    path = Path(material.file.path)
    log_in(client, cast.principal)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("wagtaildocs:delete", args=[material.pk]))
    assert response.status_code == 302
    assert not Material.objects.filter(pk=material.pk).exists()
    assert not path.exists()
