"""The S3-compatible store (FILE_STORAGE=s3) for lesson images and their renditions, the
"default" storage Wagtail's images use.

Images are private like every other file of a school: `.url` is not the bucket's address but
our own MEDIA_URL path, which lms.views.media_file serves after an access check, streaming the
object from the bucket (`storage.open`). So a page's <img> and a board's device URL are the
same on every host and on local disk, and no signed bucket URL ever leaves the app.
"""

from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


class S3MediaStorage(S3Storage):
    def url(self, name, parameters=None, expire=None, http_method=None):
        return settings.MEDIA_URL + filepath_to_uri(name).lstrip("/")
