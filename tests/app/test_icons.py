"""The app's icons come from Streamlit's Material set, which it serves itself: emoji are empty
boxes in a browser without an emoji font (a locked-down council desktop)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Emoji blocks and the emoji presentation selector (U+FE0F); the terminal's check marks are not
# emoji and are not in the app.
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u26ff\u2705\u274c\u2b50\u2b55\ufe0f]")


def _app_sources() -> list[Path]:
    return [
        ROOT / "streamlit_app.py",
        *(ROOT / "pages").glob("*.py"),
        *(ROOT / "hiap").rglob("*.py"),
    ]


def test_no_emoji_in_the_app() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _app_sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if EMOJI.search(line)
    ]
    assert not found, "\n".join(found)


def test_navigation_icons_are_material() -> None:
    router = (ROOT / "streamlit_app.py").read_text(encoding="utf-8")
    icons = re.findall(r'\bicon="([^"]*)"', router)
    assert len(icons) >= 10
    assert all(re.fullmatch(r":material/[a-z_]+:", icon) for icon in icons), icons
