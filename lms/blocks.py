"""The blocks of a lesson's body (LessonPage.body). Each has its icon and its template in
templates/blocks/. Templates receive the page's context: `show_answers` (the quiz key, for the
school's staff only) and `material_versions` (old files, when an old revision is shown)."""

import datetime
import html
from xml.etree import ElementTree

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from latex2mathml.converter import convert_to_element as latex_to_element
from wagtail import blocks
from wagtail.documents import get_document_model
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.rich_text import RichText
from wagtail.rich_text.rewriters import FIND_A_TAG, extract_attrs

from lms.markup import clean_mathml
from lms.validators import VIDEO_EXTENSIONS, extension_of

RICH_TEXT_FEATURES = [
    "bold", "italic", "superscript", "subscript", "ol", "ul", "link", "document-link",
]
CHOICE_LETTERS = "ABCDEF"  # clickers have up to six keys


# The context key (set by LessonPage.get_context) holding the ids of the materials a lesson
# may show: those of its own school. A block rendered without it shows no material at all.
USABLE_MATERIALS = "usable_material_ids"


def usable_material_ids(parent_context) -> frozenset:
    return frozenset((parent_context or {}).get(USABLE_MATERIALS) or ())


def _document_id(attrs: dict) -> int | None:
    """The document id of a stored rich-text link's attributes, None for any other link."""
    raw = attrs.get("id", "")
    if attrs.get("linktype") != "document" or not (raw.isascii() and raw.isdigit()):
        return None
    return int(raw)


def document_link_ids(html: str) -> list[int]:
    """Ids of the documents linked from stored rich text (`<a linktype="document" id="…">`,
    whatever the order of the attributes)."""
    found = (_document_id(extract_attrs(m.group(1))) for m in FIND_A_TAG.finditer(html or ""))
    return [i for i in found if i is not None]


def without_foreign_document_links(html: str, usable: frozenset) -> str:
    """`html` with each link to a document not in `usable` reduced to its text (`<a>`), so
    neither its address nor its file name reaches the page."""

    def keep_or_drop(match):
        attrs = extract_attrs(match.group(1))
        if attrs.get("linktype") != "document" or _document_id(attrs) in usable:
            return match.group(0)
        return "<a>"

    return FIND_A_TAG.sub(keep_or_drop, html or "")


def _usable_rich_text(value, parent_context) -> RichText:
    source = value.source if isinstance(value, RichText) else str(value or "")
    return RichText(without_foreign_document_links(source, usable_material_ids(parent_context)))


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["value"] = _usable_rich_text(value, parent_context)
        return context

    class Meta:
        icon = "pilcrow"
        template = "blocks/paragraph.html"
        label = _("Text")


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"), max_length=200)
    level = blocks.ChoiceBlock(
        choices=[("h2", _("Section")), ("h3", _("Subsection"))], default="h2", label=_("Level")
    )

    class Meta:
        icon = "title"
        template = "blocks/heading.html"
        label = _("Heading")


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=300)

    class Meta:
        icon = "image"
        template = "blocks/image.html"
        label = _("Image")


class VideoBlock(blocks.StructBlock):
    """A video from the materials library (MP4, WebM) or embedded from a video site."""

    title = blocks.CharBlock(label=_("Title"), required=False, max_length=200)
    file = DocumentChooserBlock(label=_("Video file from the library"), required=False)
    embed = EmbedBlock(label=_("Or a link to a video (YouTube…)"), required=False)

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("file")) == bool(value.get("embed")):
            raise blocks.StructBlockValidationError(
                non_block_errors=ErrorList([_("Choose a video file or give a video link (one of them).")])
            )
        document = value.get("file")
        if document and extension_of(document.filename) not in VIDEO_EXTENSIONS:
            raise blocks.StructBlockValidationError(
                block_errors={"file": ValidationError(_("Choose an MP4 or WebM video."))}
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        document = value.get("file")
        context["document"] = (
            document if document and document.pk in usable_material_ids(parent_context) else None
        )
        return context

    class Meta:
        icon = "media"
        template = "blocks/video.html"
        label = _("Video")


class MaterialBlock(blocks.StructBlock):
    """A learning material from the school's library: slides, worksheets, recordings…"""

    document = DocumentChooserBlock(label=_("Material"))
    note = blocks.CharBlock(label=_("Note for pupils"), required=False, max_length=300)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        document = value.get("document")
        context["document"] = (
            document if document and document.pk in usable_material_ids(parent_context) else None
        )
        return context

    class Meta:
        icon = "doc-full"
        template = "blocks/material.html"
        label = _("Learning material")


class FormulaBlock(blocks.StructBlock):
    """A formula in LaTeX, rendered on the server to MathML, which browsers draw natively:
    no script, no font download, no CDN."""

    latex = blocks.TextBlock(label=_("Formula (LaTeX)"), rows=2, help_text=_("E.g. x = \\frac{-b \\pm \\sqrt{\\Delta}}{2a}"))
    display = blocks.BooleanBlock(label=_("On its own line"), required=False, default=True)

    def clean(self, value):
        value = super().clean(value)
        try:
            latex_to_element(value["latex"])
        except Exception as error:  # latex2mathml raises several kinds on bad input
            raise blocks.StructBlockValidationError(
                block_errors={
                    "latex": ValidationError(
                        _("This formula could not be read: %(error)s") % {"error": error}
                    )
                }
            ) from error
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["mathml"] = render_formula(value["latex"], display=value.get("display", True))
        return context

    class Meta:
        icon = "code"
        template = "blocks/formula.html"
        label = _("Formula")


def render_formula(latex: str, *, display: bool = True) -> SafeString:
    """Sanitised MathML for `latex`; an empty string if it cannot be read.

    Not latex2mathml's convert(): it un-escapes its whole output (to turn the entity
    references it writes as text, "&#x27E8;", back into characters), so whatever the teacher
    typed in \\text{} came out as live markup. Here the tree's text is decoded node by node and
    then serialised, so typed text stays text; the sanitiser is the second wall."""
    try:
        tree = latex_to_element(latex, display="block" if display else "inline")
    except Exception:  # latex2mathml raises several kinds on bad input
        return SafeString("")
    for element in tree.iter():
        element.text = html.unescape(element.text) if element.text else element.text
        element.tail = html.unescape(element.tail) if element.tail else element.tail
    return clean_mathml(ElementTree.tostring(tree, encoding="unicode"))


class QuizChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Answer"), max_length=300)
    correct = blocks.BooleanBlock(label=_("Correct"), required=False)

    class Meta:
        icon = "radio-full"
        template = "blocks/quiz_choice.html"
        label = _("Answer")


class QuestionBlock(blocks.StructBlock):
    """A multiple-choice question with exactly one correct answer. Its id in the stored list
    (the ListBlock item id) never changes, so clickers can report answers against it."""

    prompt = blocks.TextBlock(label=_("Question"), rows=2)
    choices = blocks.ListBlock(QuizChoiceBlock(), min_num=2, max_num=len(CHOICE_LETTERS), label=_("Answers"))
    explanation = blocks.TextBlock(label=_("Explanation (shown with the answer key)"), required=False, rows=2)

    def clean(self, value):
        value = super().clean(value)
        correct = sum(1 for choice in value["choices"] if choice["correct"])
        if correct != 1:
            raise blocks.StructBlockValidationError(
                block_errors={"choices": ValidationError(_("Mark exactly one answer as correct."))}
            )
        return value

    class Meta:
        icon = "help"
        template = "blocks/question.html"
        label = _("Question")


class QuizBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=200, default=_("Quick quiz"))
    questions = blocks.ListBlock(QuestionBlock(), min_num=1, label=_("Questions"))

    class Meta:
        icon = "list-ul"
        template = "blocks/quiz.html"
        label = _("Quiz")


class HomeworkBlock(blocks.StructBlock):
    instructions = blocks.RichTextBlock(label=_("Instructions"), features=RICH_TEXT_FEATURES)
    due_date = blocks.DateBlock(label=_("Due date"), required=False)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["instructions"] = _usable_rich_text(value.get("instructions"), parent_context)
        return context

    class Meta:
        icon = "date"
        template = "blocks/homework.html"
        label = _("Homework")


class LessonBodyBlock(blocks.StreamBlock):
    paragraph = ParagraphBlock()
    heading = HeadingBlock()
    image = ImageBlock()
    video = VideoBlock()
    material = MaterialBlock()
    formula = FormulaBlock()
    quiz = QuizBlock()
    homework = HomeworkBlock()

    class Meta:
        icon = "doc-full-inverse"
        template = "blocks/lesson_body.html"


def parse_date(raw) -> datetime.date | None:
    if isinstance(raw, datetime.date):
        return raw
    try:
        return datetime.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


# ------------------------------------------------------------- materials of another school


def _foreign_material_message():
    return _(
        "This material is not in your school's library: choose one of your school's materials."
    )


def _foreign_link_message():
    return _(
        "This text links to a material that is not in your school's library: remove the link "
        "or link one of your school's materials."
    )


CHOSEN_MATERIAL = {"material": "document", "video": "file"}  # block type -> its chooser


def _linked_ids(child) -> list[int]:
    """The documents a text or homework block (a bound block of a StreamValue) links to."""
    if child.block_type == "paragraph":
        return document_link_ids(getattr(child.value, "source", ""))
    if child.block_type == "homework":
        return document_link_ids(getattr(child.value["instructions"], "source", ""))
    return []


def _own_linked_ids(body, school_id) -> frozenset:
    """The documents linked from `body`'s texts that are in the library of `school_id`: one
    query, none when no text links a document."""
    ids = {i for child in body for i in _linked_ids(child)}
    if not ids or not school_id:
        return frozenset()
    own = get_document_model().objects.filter(id__in=ids, school_id=school_id)
    return frozenset(own.values_list("id", flat=True))


def _is_foreign(document, school_id) -> bool:
    return document is not None and (school_id is None or document.school_id != school_id)


def foreign_material_errors(body, school_id) -> dict:
    """{index of the block: its error} for each block of `body` (a cleaned StreamValue) that
    uses a material (a material or video block, a document link in a text or homework) that is
    not in the library of `school_id`. A lesson shows only its own school's materials: its
    school's parents and boards may download whatever it shows (lms.access)."""
    own = _own_linked_ids(body, school_id)
    errors = {}
    for index, child in enumerate(body):
        field = CHOSEN_MATERIAL.get(child.block_type)
        if field and _is_foreign(child.value.get(field), school_id):
            errors[index] = blocks.StructBlockValidationError(
                block_errors={field: ValidationError(_foreign_material_message())}
            )
        elif set(_linked_ids(child)) - own:
            error = ValidationError(_foreign_link_message())
            if child.block_type == "homework":
                error = blocks.StructBlockValidationError(block_errors={"instructions": error})
            errors[index] = error
    return errors


def without_foreign_materials(body, school_id):
    """A copy of `body` (a StreamValue) in which another school's materials are gone: a
    material or video block chooses nothing, a text link to one keeps its text only. For
    the editor, which would otherwise show a posted or stored foreign material's title and
    file name."""
    if not body:
        return body
    usable = {USABLE_MATERIALS: _own_linked_ids(body, school_id)}
    children = []
    for child in body:
        kind, value = child.block_type, child.value
        field = CHOSEN_MATERIAL.get(kind)
        if field and _is_foreign(value.get(field), school_id):
            value = blocks.StructValue(child.block, [*value.items()])
            value[field] = None
        elif kind == "paragraph":
            value = _usable_rich_text(value, usable)
        elif kind == "homework":
            value = blocks.StructValue(child.block, [*value.items()])
            value["instructions"] = _usable_rich_text(value["instructions"], usable)
        children.append((kind, value, child.id))
    return blocks.StreamValue(body.stream_block, children)
