"""The payload battery checks itself (each payload is caught by `live_markup` where it would
be live, so a page test that passes means something), and the sanitiser holds against all of
it, NUL included, without a database."""

import pytest
from django.template import Context, Template

from lms.blocks import render_formula
from lms.markup import clean_mathml, clean_rich_text
from tests.security.payloads import NUL, PAYLOADS, assert_shown_as_text, live_markup, text_of

ALL = [*PAYLOADS, NUL]


def test_the_battery_holds_at_least_thirty_distinct_payloads():
    assert len(PAYLOADS) >= 30
    assert len({p.name for p in ALL}) == len(ALL) and len({p.text for p in ALL}) == len(ALL)


@pytest.mark.parametrize("payload", [p for p in ALL if p.context], ids=str)
def test_each_payload_pasted_raw_is_caught_as_live(payload):
    assert live_markup(payload.context.format(payload.text)) != []


@pytest.mark.parametrize("payload", [p for p in ALL if not p.context], ids=str)
def test_a_payload_that_is_text_even_raw_names_what_a_reader_must_see(payload):
    assert payload.visible or payload.name == "script-nested"  # aims at one-pass strippers


@pytest.mark.parametrize("payload", ALL, ids=str)
def test_autoescape_prints_each_payload_as_text_in_text_and_attributes(payload):
    page = Template(
        "<title>{{ v }}</title><p title='{{ v }}'>{{ v }}</p><input value=\"{{ v }}\">"
        "<textarea>{{ v }}</textarea>"
    ).render(Context({"v": payload.text}))
    assert_shown_as_text(page, payload)


@pytest.mark.parametrize("payload", ALL, ids=str)
def test_the_sanitiser_leaves_no_live_markup(payload):
    for wrapped in (payload.text, f"<p>{payload.text}</p>", f"<a href='{payload.text}'>x</a>"):
        assert live_markup(clean_rich_text(wrapped)) == [], wrapped
        assert live_markup(clean_mathml(f"<math><mtext>{wrapped}</mtext></math>")) == []
    assert live_markup(render_formula(rf"\text{{{payload.text}}}")) == []


def test_the_sanitiser_keeps_what_our_editor_writes():
    html = (
        '<p><b>Đậm</b> <i>nghiêng</i> x<sup>2</sup> H<sub>2</sub>O <a href="/hoc-lieu/bai-16/">'
        'bài 16</a> <a href="https://vi.wikipedia.org/wiki/Parabol">parabol</a></p>'
        "<ul><li>một</li></ul><ol><li>hai</li></ol>"
    )
    cleaned = clean_rich_text(html)
    for kept in ("<b>Đậm</b>", "<i>nghiêng</i>", "<sup>2</sup>", "<sub>2</sub>",
                 'href="/hoc-lieu/bai-16/"', 'href="https://vi.wikipedia.org/wiki/Parabol"',
                 "<ul><li>một</li></ul>", "<ol><li>hai</li></ol>"):
        assert kept in cleaned


def test_a_formula_keeps_its_mathml_and_shows_typed_text_as_text():
    mathml = render_formula(r"x = \frac{-b \pm \sqrt{\Delta}}{2a} \text{ với a<b & c}")
    assert mathml.startswith('<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">')
    assert "<mfrac>" in mathml and "<msqrt>" in mathml and "<mi>Δ</mi>" in mathml
    assert "a&lt;b" in mathml and "a<b & c" in text_of(mathml).replace("\xa0", " ")
    assert render_formula(r"\frac{1}{") == ""
