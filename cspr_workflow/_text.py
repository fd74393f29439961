"""Free text made safe for where it is shown: a terminal, a Markdown cell, a diagram label.

Free text (a detail a member typed, a reason, a partnership's title) may hold
anything: control characters a terminal acts on (an escape sequence can rewrite
the screen), line breaks that end a Markdown table row or a diagram label,
bidirectional overrides that make text read other than it is, HTML a Markdown
renderer passes through, Markdown that turns into a link. The functions here
show such text as text, every character visible or escaped.
"""

from __future__ import annotations

import html
import re

__all__: list[str] = []

# Line breaks of every kind, shown as a space.
_BREAKS = re.compile("[\t\n\v\f\r\x1c-\x1e\x85\u2028\u2029]")
# Everything else a terminal or renderer acts on, shown as an escape: C0 and C1
# controls, DEL, bidirectional marks and overrides, lone surrogates.
_ACTIVE = re.compile(
    "[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff]"
)
# The characters Markdown gives a meaning to inside a line (not at its start): emphasis,
# code, links and images, table cells, strikethrough. ``<``, ``>`` and ``&`` become HTML
# entities instead, which also stops raw HTML and autolinks.
_MARKDOWN = re.compile(r"([\\`*_\[\]|~])")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object) -> str:
    """``text`` on one line, with every control character visible as an escape (``\\x1b``)
    and every line break a space: safe to print to a terminal or put in a table cell."""
    return _ACTIVE.sub(_escape, _BREAKS.sub(" ", str(text)))


def markdown_text(text: object) -> str:
    """``text`` as literal Markdown: on one line, controls escaped, Markdown's own
    characters backslash-escaped (no emphasis, link, image, code or table cell), and
    ``&``, ``<``, ``>`` as HTML entities (no raw HTML)."""
    escaped = _MARKDOWN.sub(r"\\\1", visible(text))
    return html.escape(escaped, quote=False)


def text_problem(value: object, max_length: int) -> str | None:
    """Why ``value`` is not text the library keeps, or None: it must be a ``str``, valid
    Unicode (no lone surrogate, which no file or database could store) and at most
    ``max_length`` characters."""
    if not isinstance(value, str):
        return f"expected text, got {type(value).__name__}"
    if len(value) > max_length:
        return f"longer than {max_length} characters ({len(value)})"
    if _SURROGATE.search(value):
        return "not valid Unicode text (it holds a lone surrogate)"
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,63}")


def shown(value: object) -> str:
    """``value`` for an error message: quoted when it is a short identifier (a role or
    stage id, say), else only what kind of value it is, since a value that is not one
    of a known list may be anything, a person's name included."""
    if isinstance(value, str) and _IDENTIFIER.fullmatch(value):
        return repr(value)
    if isinstance(value, str):
        return f"a text of {len(value)} character(s) (not shown)"
    return f"a value of type {type(value).__name__} (not shown)"
