"""Text from files and people, shown by Streamlit exactly as written.

Streamlit renders the body of ``st.error``, ``st.warning``, ``st.info``, ``st.success``,
``st.markdown``, ``st.caption`` and ``st.subheader`` as Markdown, with its own additions:
colour and icon directives (``:red[…]``, ``:material/…:``), emoji short codes and LaTeX
between dollar signs. A file name, an attribute or an error message quoting an upload could
then show as bold, a heading, a link or an image. Pass every such piece of text through
:func:`plain` (and a list of problems through :func:`problem_list`); hiap's own wording around
it keeps its Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["plain", "problem_list"]

# why: every ASCII punctuation mark that can start Markdown or one of Streamlit's additions
# (CommonMark lets any ASCII punctuation be escaped with a backslash); ':' and '/' because
# Streamlit turns ':name[…]', ':short_code:' and ':material/…:' into directives, emoji and
# icons; '.' and ')' after a number, '-', '+', '=' and '#' start lists and headings
_MARKS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&=/^])")
_INDENT = re.compile(r"^[ \t]+")
# why: Streamlit's GFM turns bare web and e-mail addresses into links after escapes are
# undone (www.example.org, https://…, name@example.org), so a word joiner (U+2060, invisible
# and never a line break) goes where the link pattern needs two characters side by side
_ADDRESS = re.compile(r"(?i)(?<=www)(?=\.)|(?<=[a-z0-9]:)(?=//)|(?<=[\w.+-])(?=@)")
_JOINER = "\u2060"


def plain(text: object) -> str:
    """Return ``text`` as Markdown that Streamlit shows exactly as written.

    Every mark is escaped with a backslash, and a bare web or e-mail address gets an invisible
    word joiner so it is not made a link; each line break becomes a Markdown line break and
    each line's indentation (and a blank line) non-breaking spaces, so the text stays one
    paragraph with its own lines (such as a list of problems in an error message) and an
    indented line cannot become a code block.

    Parameters
    ----------
    text
        Untrusted text, or anything whose ``str()`` is (an exception, a name).

    Returns
    -------
    str
        Markdown whose rendering is the text itself.
    """
    lines = []
    for line in str(text).splitlines() or [""]:
        indent = _INDENT.match(line)
        width = len(indent.group(0)) if indent else 0
        # why: a blank line would end the paragraph, and the next line's indentation with it
        words = _ADDRESS.sub(_JOINER, line[width:])
        lines.append("\u00a0" * max(width, not words) + _MARKS.sub(r"\\\1", words))
    return "  \n".join(lines)


def problem_list(lead: str, problems: Iterable[object]) -> str:
    """Return hiap's lead sentence and a bulleted list of untrusted problems, as Markdown.

    Parameters
    ----------
    lead
        hiap's own sentence (Markdown), e.g. ``"The proposal cannot be used yet"``.
    problems
        The problems, each shown as written (:func:`plain`).

    Returns
    -------
    str
        ``lead:`` followed by one bullet per problem.
    """
    return f"{lead}:\n\n" + "\n".join(f"- {plain(problem)}" for problem in problems)
