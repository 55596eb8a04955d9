"""Where report runs' files (class PDFs, ZIPs) are stored.

With FILE_STORAGE=s3 they go to STORAGES["reports"], a prefix of the shared bucket: a worker on
one host writes a class PDF, an app server on another streams it. Otherwise they go under
REPORTS_ROOT (default var/reports), read at each call so that tests and commands may change it.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages

from core.files import WholeFileSystemStorage


def reports_storage() -> Storage:
    if "reports" in settings.STORAGES:
        return storages["reports"]
    # base_url points nowhere that serves files: a .url on this storage is never a way in.
    return WholeFileSystemStorage(location=str(settings.REPORTS_ROOT), base_url="/khong-phuc-vu/")


def is_local(storage: Storage) -> bool:
    return isinstance(storage, FileSystemStorage)
