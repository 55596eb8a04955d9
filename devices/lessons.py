"""A published lesson as JSON for classroom boards, and the ETags that let a board on a slow
link download a lesson (and each material) once.

The lesson's ETag is computed from small reads before the body is built, so a board that
already has the lesson gets a 304 without the StreamField being converted at all."""

import hashlib
import json
from collections.abc import Callable

from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse
from django.urls import reverse
from django.utils.html import escape
from wagtail.images import get_image_model
from wagtail.rich_text import RichText
from wagtail.rich_text.rewriters import EmbedRewriter, LinkRewriter

from lms.blocks import CHOICE_LETTERS, render_formula
from lms.markup import clean_rich_text
from lms.media import device_url
from lms.models import LessonMaterial, LessonPage, Material
from school.exceptions import NotFound

# Changing the JSON's shape changes every ETag, so boards download the new shape.
# 2: `mathml` and rich text sanitised (lms.markup): a board holding a lesson fetched before
# must not keep serving it from its cache.
FORMAT_VERSION = "2"
# Boards are at most Full HD: images are scaled down to fit (never enlarged).
IMAGE_SPEC = "max-1920x1080"

AbsoluteUrl = Callable[[str], str]


def lesson_etag(lesson: LessonPage) -> str:
    """A strong ETag for the lesson's JSON: its live revision and when it was published, and
    the title and file of each material and image it shows. A material or image whose file is
    replaced changes the JSON (file name, size, image URL) without a new revision, hence the
    second part. Two small queries (one when the lesson has no image)."""
    materials = list(
        LessonMaterial.objects.filter(lesson=lesson)
        .order_by("material_id")
        .values_list("material_id", "material__title", "material__file", "material__file_size")
    )
    image_ids = sorted(_image_ids(lesson))
    images = (
        list(
            get_image_model().objects.filter(id__in=image_ids)
            .order_by("id")
            .values_list("id", "title", "file", "focal_point_x", "focal_point_y")
        )
        if image_ids
        else []
    )
    published = lesson.last_published_at.isoformat() if lesson.last_published_at else ""
    parts = [FORMAT_VERSION, lesson.pk, lesson.live_revision_id, published, materials, images]
    digest = hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()
    return f'"{digest[:40]}"'


def _image_ids(lesson: LessonPage) -> set[int]:
    return {
        int(item["value"]["image"])
        for item in lesson.body.raw_data
        if item["type"] == "image" and (item.get("value") or {}).get("image")
    }


def material_etag(material: Material) -> str:
    """A strong ETag of the file: its SHA-1 (Wagtail computes it on upload), or the stored
    file's name and size for a file saved without one."""
    if material.file_hash:
        return f'"{material.file_hash}"'
    fallback = f"{material.file.name}:{material.file_size}".encode()
    return f'"{hashlib.sha256(fallback).hexdigest()[:40]}"'


def material_file_response(material: Material) -> FileResponse:
    """The material's file as a download named after it, streamed from storage; NotFound when
    the stored file is gone."""
    try:
        handle = material.file.open("rb")
    except OSError:
        raise NotFound(field="material_id") from None
    response = FileResponse(
        handle, content_type=material.content_type, as_attachment=True, filename=material.filename
    )
    # The same guards as the site's own document view: never sniffed, never run inline.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match against our strong ETag, with the weak comparison RFC 9110 asks for
    here (W/"x" matches "x"); "*" matches any."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


def material_url(material_id: int, absolute: AbsoluteUrl) -> str:
    return absolute(reverse("api:device_material", kwargs={"material_id": material_id}))


def lesson_content(lesson: LessonPage, absolute: AbsoluteUrl) -> dict:
    """The lesson and its blocks, shaped as devices.schemas.LessonOut; `absolute` turns a path
    into a URL the device can fetch. A fixed number of queries, whatever the number of
    blocks: one per kind of chooser (images, material documents, video documents) and one
    for the images' renditions. The quiz's answer key is never included."""
    bound = list(lesson.body)  # converts every block, one bulk query per chooser kind
    images = [b.value["image"] for b in bound if b.block_type == "image" and b.value["image"]]
    renditions = _renditions(images)
    builder = _BlockValues(absolute, renditions, lesson)
    blocks = []
    for block in bound:
        value = builder.value(block.block_type, block.value)
        if value is not None:
            blocks.append({"type": block.block_type, "id": block.id, "value": value})
    return {
        "id": lesson.pk,
        "title": lesson.title,
        "intro": lesson.intro,
        "subject": {"code": lesson.subject.code, "name": lesson.subject.name},
        "published_at": lesson.last_published_at,
        "blocks": blocks,
    }


def _renditions(images: list) -> dict:
    """{image id: rendition at IMAGE_SPEC}: existing ones in one query; a missing one is made
    once (the first board to open the lesson pays for it). An image whose file is gone is
    left out."""
    if not images:
        return {}
    rendition_model = get_image_model().get_rendition_model()
    prefetch_related_objects(
        images,
        Prefetch(
            "renditions",
            queryset=rendition_model.objects.filter(filter_spec=IMAGE_SPEC),
            to_attr="prefetched_renditions",
        ),
    )
    found = {}
    for image in images:
        try:
            found[image.pk] = image.get_rendition(IMAGE_SPEC)
        except OSError:  # Wagtail's SourceImageIOError: the original file is missing
            continue
    return found


class _BlockValues:
    """The JSON value of each block type (None: leave the block out)."""

    def __init__(self, absolute: AbsoluteUrl, renditions: dict, lesson: LessonPage):
        self.absolute = absolute
        self.renditions = renditions
        self.lesson = lesson
        self._usable = None
        # Links to materials go to the device's download URL; links to pages of the site,
        # which a device cannot open, keep their text without an href; external links stay.
        self._links = LinkRewriter(
            rules={"document": self._document_link, "page": lambda attrs: "<a>"}
        )
        self._embeds = EmbedRewriter()  # lessons' rich text has none; drop any left over

    def value(self, kind: str, value) -> dict | None:
        build = getattr(self, f"_{kind}", None)  # a block type added later: left out until
        return build(value) if build else None  # it has a schema here

    def html(self, rich_text) -> str:
        """The rich text as boards show it: links rewritten, then lms.markup's sanitiser (a
        board renders this HTML; the stored body may not have come through the editor)."""
        source = rich_text.source if isinstance(rich_text, RichText) else str(rich_text or "")
        return clean_rich_text(self._embeds(self._links(source)))

    def _document_link(self, attrs: dict) -> str:
        raw = attrs.get("id", "")
        if not (raw.isascii() and raw.isdigit()):
            return "<a>"
        if self._usable is None:  # one query, and only for a lesson that links a document
            self._usable = self.lesson.usable_material_ids()
        if int(raw) not in self._usable:  # another school's material: its text only
            return "<a>"
        return f'<a href="{escape(material_url(int(raw), self.absolute))}">'

    def own(self, material: Material | None) -> Material | None:
        """The material if it is in the lesson's own school's library (another school's is
        left out: neither its title nor its file name reaches a board)."""
        if material is None or material.school_id != self.lesson.school_id:
            return None
        return material

    def material(self, material: Material) -> dict:
        return {
            "id": material.pk,
            "title": material.title,
            "filename": material.filename,
            "content_type": material.content_type,
            "size": material.file_size,
            "url": material_url(material.pk, self.absolute),
        }

    def _paragraph(self, value) -> dict:
        return {"html": self.html(value)}

    def _heading(self, value) -> dict:
        return {"text": value["text"], "level": value["level"] or "h2"}

    def _image(self, value) -> dict | None:
        image = value["image"]
        rendition = self.renditions.get(image.pk) if image else None
        if rendition is None:
            return None
        return {
            # A board has no session: the URL carries the file's key (lms/media.py).
            "url": self.absolute(device_url(rendition.file)),
            "width": rendition.width,
            "height": rendition.height,
            "alt": image.title,
            "caption": value["caption"] or "",
        }

    def _video(self, value) -> dict | None:
        document, embed = self.own(value["file"]), value["embed"]
        embed_url = getattr(embed, "url", None) or None
        if value["file"] is not None and document is None:
            return None
        if document is None and not embed_url:
            return None
        return {
            "title": value["title"] or "",
            "file": self.material(document) if document else None,
            "embed_url": None if document else embed_url,
        }

    def _material(self, value) -> dict | None:
        document = self.own(value["document"])
        if document is None:
            return None
        return {**self.material(document), "note": value["note"] or ""}

    def _formula(self, value) -> dict:
        display = bool(value["display"])
        return {
            "latex": value["latex"],
            "display": display,
            "mathml": render_formula(value["latex"], display=display),
        }

    def _quiz(self, value) -> dict:
        return {"title": value["title"], "questions": questions_without_answers(value)}

    def _homework(self, value) -> dict:
        return {"instructions": self.html(value["instructions"]), "due": value["due_date"]}


def questions_without_answers(quiz_value) -> list[dict]:
    """A quiz block's questions as clickers show them: id, prompt, lettered choices; never
    which one is correct, nor the explanation (which gives it away)."""
    return [
        {
            "id": child.id,
            "prompt": child.value["prompt"],
            "choices": [
                {"key": CHOICE_LETTERS[i], "text": choice["text"]}
                for i, choice in enumerate(child.value["choices"])
            ],
        }
        for child in quiz_value["questions"].bound_blocks
    ]
