"""The one sanitiser for markup that came from someone's typing: lesson rich text and formulas.

Everything else a person types (names, messages, comments, titles) reaches a page as text,
through Django's autoescape, and never needs this. Lesson bodies are different: a paragraph is
stored HTML and a formula becomes MathML, and both are printed as markup on pages other people
open (the moderator's preview, the published lesson, the board's JSON). Whatever the editor
checked on save, a stored value can arrive another way (a copied page, an import, the API, a
revision's JSON), so markup is cleaned when it is rendered, here, by nh3 (the Rust
`ammonia` sanitiser, maintained and parser-based: it parses as a browser does and writes the
tree back, so broken tags, namespace tricks and entity games end up as text or nothing).

The allow-lists are what our blocks produce and nothing more: a tag, attribute or URL scheme
not listed is dropped. The functions return SafeStrings, so templates print them without
`|safe` and this module is the only place that declares typed markup safe (the two other
mark_safe calls, the portal's cached body and the report card's QR, wrap markup we wrote).

It lives in `lms` because lessons are the only markup we have; `devices` (the board's JSON)
imports it from here, and `school` needs none of it.
"""

import nh3
from django.utils.safestring import SafeString, mark_safe

# Wagtail's rich text as our editor's features write it (lms.blocks.RICH_TEXT_FEATURES: bold,
# italic, superscript, subscript, ol, ul, link, document-link), after expand_db_html turned
# page and document links into plain <a href>. <strong>/<em> too: older content and pasted
# text use them and they mean the same.
RICH_TEXT_TAGS = {"p", "br", "b", "strong", "i", "em", "sup", "sub", "ol", "ul", "li", "a"}
RICH_TEXT_ATTRIBUTES = {"a": {"href"}}
# Links may go to web pages, e-mail and phone numbers; relative URLs (our pages, materials)
# pass. javascript:, vbscript:, data: and every other scheme are dropped with the href.
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# MathML as latex2mathml 3.81 writes it (converter.py and commands.py), presentation markup
# only. Deliberately absent: <semantics>/<annotation>/<annotation-xml> (annotation-xml with
# encoding="text/html" is an HTML integration point: HTML inside it is live), <maction>
# (actions), and every attribute that names a URL or a script (href, xlink:href, src, on*).
# (\href{url}{x} comes out as <mrow href="url">: the href is dropped, the x kept.)
MATHML_TAGS = {
    "math", "mrow", "mi", "mn", "mo", "mtext", "mspace", "msub", "msup", "msubsup", "mfrac",
    "msqrt", "mroot", "mstyle", "mover", "munder", "munderover", "mtable", "mtr", "mtd",
    "mpadded", "mphantom", "menclose",
}
_MATHML_PRESENTATION = {
    # Every attribute latex2mathml sets, on whichever element; none of them takes a URL.
    "accent", "columnalign", "columnlines", "columnspacing", "depth", "displaystyle", "fence",
    "form", "height", "largeop", "linebreak", "linethickness", "lspace", "mathbackground",
    "mathcolor", "mathsize", "mathvariant", "maxsize", "minsize", "movablelimits", "notation",
    "rowlines", "rowspacing", "rspace", "scriptlevel", "separator", "stretchy", "voffset",
    "width",
}
MATHML_ATTRIBUTES = {
    "math": {"xmlns", "display"} | _MATHML_PRESENTATION,
    **{tag: _MATHML_PRESENTATION for tag in MATHML_TAGS - {"math"}},
}


def clean_rich_text(html: str) -> SafeString:
    """`html` (a rendered rich-text value) with only our editor's tags and safe links left."""
    return mark_safe(
        nh3.clean(
            html,
            tags=RICH_TEXT_TAGS,
            attributes=RICH_TEXT_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            # No rel added: links have no target (it is not allowed), so there is no opener
            # to cut, and the boards' JSON keeps the links as they were written.
            link_rel=None,
        )
    )


def clean_mathml(markup: str) -> SafeString:
    """`markup` with only presentation MathML left: no link, no script, no HTML island."""
    return mark_safe(
        nh3.clean(markup, tags=MATHML_TAGS, attributes=MATHML_ATTRIBUTES, url_schemes=set())
    )
