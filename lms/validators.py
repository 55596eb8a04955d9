"""Checks on an uploaded learning material: its extension is one teachers need, its content
really is of that type (a renamed .exe is refused), and it is not too large. The messages say
what was wrong and what is allowed, in the user's language."""

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# extension -> the kinds `filetype` may recognise in the content. Office files are ZIP archives:
# a DOCX whose parts are in an unusual order is recognised only as "zip", which we accept.
CONTENT_KINDS = {
    "pdf": {"pdf"},
    "docx": {"docx", "zip"},
    "pptx": {"pptx", "zip"},
    "xlsx": {"xlsx", "zip"},
    "jpg": {"jpg"},
    "jpeg": {"jpg"},
    "png": {"png"},
    "gif": {"gif"},
    "webp": {"webp"},
    "mp3": {"mp3"},
    "m4a": {"m4a", "mp4"},
    "ogg": {"ogg"},
    "wav": {"wav"},
    "mp4": {"mp4", "m4v", "mov"},
    "webm": {"webm", "mkv"},
}
VIDEO_EXTENSIONS = {"mp4", "webm"}
SNIFF_BYTES = 64 * 1024


def allowed_extensions() -> list[str]:
    configured = getattr(settings, "WAGTAILDOCS_EXTENSIONS", None) or list(CONTENT_KINDS)
    return [ext for ext in configured if ext in CONTENT_KINDS]


def max_bytes() -> int | None:
    return getattr(settings, "WAGTAILDOCS_MAX_UPLOAD_SIZE", None)


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _allowed_message() -> str:
    return _(
        "Allowed: PDF, Word (DOCX), PowerPoint (PPTX), Excel (XLSX), images (JPG, PNG, GIF, "
        "WebP), audio (MP3, M4A, OGG, WAV) and video (MP4, WebM)."
    )


def _read_head(upload) -> bytes:
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(position)
    return head


def validate_material_upload(upload) -> None:
    """Raise ValidationError (one clear message) unless `upload` (a Django File) is an allowed
    material: extension, size, then content."""
    name = getattr(upload, "name", "") or ""
    ext = extension_of(name)
    if ext not in allowed_extensions():
        shown = f".{ext}" if ext else _("(no extension)")
        raise ValidationError(
            _("Files of type %(ext)s cannot be uploaded.") % {"ext": shown} + " " + _allowed_message(),
            code="file_type",
        )
    size = upload.size
    limit = max_bytes()
    if not size:
        raise ValidationError(_("The file is empty."), code="empty")
    if limit is not None and size > limit:
        raise ValidationError(
            _("This file is %(size)s; the largest file you can upload is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="file_too_large",
        )
    kind = filetype.guess(_read_head(upload))
    if kind is None or kind.extension not in CONTENT_KINDS[ext]:
        raise ValidationError(
            _(
                "The content of this file is not %(kind)s, although its name ends in .%(ext)s. "
                "Save it again in that format, or upload the original file."
            )
            % {"kind": ext.upper(), "ext": ext},
            code="file_content",
        )
