"""Where learning materials are stored: outside MEDIA_ROOT, so that no web server or DEBUG
static route serves them; they leave only through Wagtail's document view, after lms's
`before_serve_document` check (lms/wagtail_hooks.py).

With FILE_STORAGE=s3 they go to STORAGES["materials"], a private prefix of the shared bucket
(every host reads what another wrote); otherwise to LMS_MATERIALS_ROOT (default
var/materials/media, git-ignored; the tests use var/materials/test-media).
"""

import uuid
from pathlib import Path

from django.conf import settings

from core.files import StorageOf, WholeFileSystemStorage


def materials_root() -> Path:
    return Path(settings.LMS_MATERIALS_ROOT)


def _local_materials() -> WholeFileSystemStorage:
    # base_url points nowhere that serves files: a .url on this storage is never a way in.
    # location as text: Wagtail deletes a file through a task given the deconstructed storage,
    # and a task's arguments must be JSON (a Path fails after the commit, leaving the file).
    # Written whole or not at all (core/files.py): a full disk leaves no half document.
    return WholeFileSystemStorage(location=str(materials_root()), base_url="/khong-phuc-vu/")


_materials = StorageOf("materials", _local_materials)


def materials_storage():
    """The storage of lms.Material files and their old versions: STORAGES["materials"] with
    FILE_STORAGE=s3, else LMS_MATERIALS_ROOT (a callable, so the migrations name no storage)."""
    return _materials


def material_upload_to(instance, filename: str) -> str:
    """materials/<random>/<original name>: the name stays the download name, the random
    folder keeps two files of the same name apart."""
    return f"materials/{uuid.uuid4().hex}/{Path(filename).name}"


def version_upload_to(instance, filename: str) -> str:
    return f"versions/{uuid.uuid4().hex}/{Path(filename).name}"
