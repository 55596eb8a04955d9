"""Stored files written whole or not at all.

Django's FileSystemStorage writes an upload straight under its final name, so a write cut
short (a full disk, a killed process) leaves half a file that looks like a whole one.
`WholeFileSystemStorage` writes into a temporary file beside it and links it under the final
name only once every byte is on disk; on any error the temporary file is removed.
"""

import errno
import os
import tempfile
from collections.abc import Callable
from typing import ClassVar

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

# The errors of a disk (or quota) that is full: the operator's problem, told as such.
DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


def is_disk_full(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in DISK_FULL


def write_whole(path: str, chunks) -> None:
    """Write `chunks` (bytes) to `path` through a temporary file in the same directory,
    replacing `path` atomically; nothing is left behind on error."""
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=directory, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


class WholeFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=directory, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                out.flush()
                os.fsync(out.fileno())
            if self.file_permissions_mode is not None:
                os.chmod(temporary, self.file_permissions_mode)
            while True:  # another writer may take the name first: link never overwrites
                try:
                    os.link(temporary, full_path)
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            os.unlink(temporary)
        return str(name).replace("\\", "/")


class StorageOf(LazyObject):
    """The storage of one kind of file: STORAGES[kind] when the settings name one
    (FILE_STORAGE=s3: a prefix of the shared bucket), else the local storage `local()` makes.
    Chosen on first use, and again when a test changes STORAGES or a local root (a *_ROOT
    setting): a model field takes its storage once, when its class is made, so it is given
    this stand-in."""

    _made: ClassVar[list["StorageOf"]] = []

    def __init__(self, kind: str, local: Callable[[], Storage]):
        self.__dict__["kind"] = kind
        self.__dict__["local"] = local
        super().__init__()
        StorageOf._made.append(self)

    def _setup(self):
        kind = self.__dict__["kind"]
        self._wrapped = storages[kind] if kind in settings.STORAGES else self.__dict__["local"]()


@receiver(setting_changed)
def _choose_again(setting, **kwargs) -> None:
    if setting == "STORAGES" or setting.endswith("_ROOT"):
        for storage in StorageOf._made:
            storage._wrapped = empty
