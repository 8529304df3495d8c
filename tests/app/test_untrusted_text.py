"""Text from an upload (its name, its attributes, errors quoting them) shows as written.

Streamlit renders error boxes, headings and captions as Markdown, with its own additions
(``:red[…]`` colours, ``:material/…:`` icons, emoji short codes, LaTeX between dollar signs), so
a hostile file name or attribute could show as bold, a heading, a link or an image. Each test
uploads such text, then renders what the page sent as a reader's browser would (CommonMark)
and checks the marks come out as the characters typed, and that no Streamlit directive, short
code, formula or bare address is left to Streamlit.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from hiap.ui.text import plain, problem_list
from tests.app.apptest import marks, open_page, shown

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = (
    "# **Approved** _by_ :red[council] :smile: $x^2$ <b>hi</b> ~~gone~~ [click](x.org) "
    "www.evil.example https://evil.example/fix name@evil.example"
)
"""Marks of every kind an attribute could carry."""
HOSTILE_NAME = "# **Approved** _by_ :red[council] :smile: <b>hi<b> [click]"
"""The marks a file name keeps (display_name() keeps its last path part and turns '$', '~'
and '](' into '?')."""


def _streamlit_marks(markdown: str) -> list[str]:
    """Return Streamlit's own marks left unescaped (directives, short codes, formulas), and
    bare addresses, which its GFM makes links of even when their marks are escaped."""
    unescaped = re.sub(r"\\.", "", markdown)  # why: drop every escaped character
    addresses = re.findall(r"(?i)www\.|[a-z0-9]://|[\w.+-]@", markdown.replace("\\", ""))
    return re.findall(r":[A-Za-z_]|\$", unescaped) + addresses


def _assert_literal(markdown: str, text: str, *, allowed: frozenset[str] = frozenset()) -> None:
    assert marks(markdown) <= allowed, (markdown, marks(markdown))
    assert text in shown(markdown), (text, shown(markdown))
    assert _streamlit_marks(markdown) == [], markdown


def test_plain_keeps_every_mark_and_the_lines_of_a_message() -> None:
    text = f"{HOSTILE}\n  - 1. a listed problem\n\n    an indented line\n---\n> quoted | a | b |"
    markdown = plain(text)
    assert marks(markdown) == set()
    assert shown(markdown).splitlines() == [
        HOSTILE, "  - 1. a listed problem", " ", "    an indented line", "---", "> quoted | a | b |"
    ]  # fmt: skip
    assert _streamlit_marks(markdown) == []
    listed = problem_list("The proposal cannot be used yet", [HOSTILE, "www.example.org/x"])
    assert marks(listed) == {"ul", "li"}
    assert shown(listed).splitlines()[-2:] == [HOSTILE, "www.example.org/x"]


def test_a_hostile_upload_name_shows_literally_in_the_error_box() -> None:
    app = AppTest.from_file(str(ROOT / "pages" / "home.py"), default_timeout=60)
    app.run()
    name = f"{HOSTILE_NAME}.geojson"
    app.file_uploader[0].set_value((name, b"{}", "application/geo+json")).run()
    next(b for b in app.button if "Check and use" in b.label).click().run()
    assert not app.exception
    (error,) = app.error
    _assert_literal(error.value, HOSTILE_NAME)


def test_a_hostile_scheme_name_shows_literally_in_the_heading() -> None:
    collection = json.loads((ROOT / "sample_schemes" / "hampton.geojson").read_text())
    for feature in collection["features"]:
        feature["properties"]["name"] = HOSTILE
    app = AppTest.from_file(str(ROOT / "pages" / "home.py"), default_timeout=60)
    app.run()
    data = json.dumps(collection).encode()
    app.file_uploader[0].set_value((f"{HOSTILE_NAME}.geojson", data, "application/geo+json")).run()
    next(b for b in app.button if "Check and use" in b.label).click().run()
    assert not app.exception and not app.error
    _assert_literal(app.subheader[0].value, HOSTILE)
    outline = next(c.value for c in app.caption if "as read from" in c.value)
    _assert_literal(outline, f"Your boundary, as read from {HOSTILE_NAME}.geojson.")


def test_a_hostile_proposal_layer_name_shows_literally_in_the_problem_list(
    app_state: Path,
) -> None:
    # a layer file is named after its layer; the problem list quotes the name it was given
    app = open_page("pages/proposal.py", timeout_s=60)
    app.radio(key="proposal-source").set_value("Upload the proposal").run()
    data = (ROOT / "sample_schemes" / "hampton.geojson").read_bytes()
    app.file_uploader(key="proposal-upload").set_value(
        [(f"{HOSTILE_NAME}.geojson", data, "application/geo+json")]
    ).run()
    assert not app.exception
    (error,) = app.error
    _assert_literal(error.value, HOSTILE_NAME.lower(), allowed=frozenset({"ul", "li"}))
