from django import template
from django.utils.safestring import SafeString
from wagtail.rich_text import RichText, expand_db_html

from lms.markup import clean_rich_text

register = template.Library()


@register.filter
def clean_richtext(value) -> SafeString:
    """Wagtail's |richtext (links and documents expanded), then lms.markup's sanitiser: a
    stored body is printed as markup, and it may not have come through the editor."""
    source = value.source if isinstance(value, RichText) else str(value or "")
    return clean_rich_text(expand_db_html(source))
