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
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from lms.markup import clean_mathml
from lms.validators import VIDEO_EXTENSIONS, extension_of

RICH_TEXT_FEATURES = [
    "bold", "italic", "superscript", "subscript", "ol", "ul", "link", "document-link",
]
CHOICE_LETTERS = "ABCDEF"  # clickers have up to six keys


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

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

    class Meta:
        icon = "media"
        template = "blocks/video.html"
        label = _("Video")


class MaterialBlock(blocks.StructBlock):
    """A learning material from the school's library: slides, worksheets, recordings…"""

    document = DocumentChooserBlock(label=_("Material"))
    note = blocks.CharBlock(label=_("Note for pupils"), required=False, max_length=300)

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
