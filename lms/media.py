"""Lesson images and their renditions: the files under MEDIA_ROOT (MEDIA_URL), served by
lms.views.media_file only after an access check, in every DEBUG mode (no web server and no
`static()` route serves MEDIA_ROOT). A path that is not a Wagtail image's file or one of its
renditions is a 404, like a path one may not see.

Who may load one: lms.access.can_view_image (the school's staff, the operator, whoever may
open a published lesson that shows it). A classroom board, which authenticates with a token
and has no session, gets each image of a lesson in the device API with a key bound to that
file's path (device_url): the device API checked that the board may read the lesson, and the
key opens that one file and no other. The key does not expire (a board keeps the lesson's
JSON for as long as its ETag holds); a replaced image has a new path, and so a new key.
"""

import mimetypes

from django.core import signing
from django.http import FileResponse
from django.utils.crypto import constant_time_compare
from wagtail.images import get_image_model

SALT = "lms.media.device"
KEY_PARAMETER = "k"


def _key(name: str) -> str:
    return signing.Signer(salt=SALT).signature(name)


def device_url(file) -> str:
    """The URL of a stored image file (an image's or a rendition's `file`) that a board may
    load without a session: its address with the key of its path."""
    return f"{file.url}?{KEY_PARAMETER}={_key(file.name)}"


def has_device_key(name: str, key: str | None) -> bool:
    return bool(key) and constant_time_compare(key, _key(name))


def find_image_file(name: str):
    """(the image, the stored file) for `name`, a path under MEDIA_ROOT that is an image's
    original file or one of its renditions; None for anything else. Two queries at most."""
    Image = get_image_model()
    image = Image.objects.filter(file=name).first()
    if image is not None:
        return image, image.file
    rendition = (
        Image.get_rendition_model().objects.filter(file=name).select_related("image").first()
    )
    if rendition is not None:
        return rendition.image, rendition.file
    return None


def file_response(file) -> FileResponse:
    """The stored file, inline, never cached by a shared cache nor kept by the browser (it may
    show a pupil, and who may see it can change); OSError when the file is gone."""
    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if not content_type.startswith("image/"):
        content_type = "application/octet-stream"
    response = FileResponse(file.storage.open(file.name, "rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
