"""Markdown tables: the one renderer the definition's tables (and the docs) use."""

from __future__ import annotations

from collections.abc import Sequence

__all__: list[str] = []


def markdown_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table: a header row, a rule, one line per row."""
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
