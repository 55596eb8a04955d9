"""The one sanitiser for markup that came from someone's typing: lesson formulas.

Everything else a person types (names, messages, comments, titles) reaches a page as text,
through Django's autoescape, and never needs this. Lesson bodies are different: a formula
becomes MathML, printed as markup on pages other people open (the moderator's preview, the
published lesson, the board's JSON), so markup is cleaned when it is rendered, here, by nh3
(the Rust `ammonia` sanitiser, maintained and parser-based: it parses as a browser does and
writes the tree back, so broken tags, namespace tricks and entity games end up as text or
nothing).

The allow-lists are what our blocks produce and nothing more: a tag, attribute or URL scheme
not listed is dropped. The functions return SafeStrings, so templates print them without
`|safe` and this module is the only place that declares markup safe.

It lives in `lms` because lessons are the only markup we have; `devices` (the board's JSON)
imports it from here, and `school` needs none of it.
"""

import nh3
from django.utils.safestring import SafeString, mark_safe

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


def clean_mathml(markup: str) -> SafeString:
    """`markup` with only presentation MathML left: no link, no script, no HTML island."""
    return mark_safe(
        nh3.clean(markup, tags=MATHML_TAGS, attributes=MATHML_ATTRIBUTES, url_schemes=set())
    )
