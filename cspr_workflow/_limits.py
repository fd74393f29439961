"""How big a review, a document and a piece of free text may be.

A review's real history is some tens of steps, its texts a few paragraphs. The
limits here are far above that, and exist so that a document from elsewhere (a
backup, another system, someone's edit) cannot make loading, replaying or
reporting take hours or exhaust memory. The engine keeps its reviews within the
same limits, so that every review it makes can be written and read back.
"""

from __future__ import annotations

import attrs

from ._errors import InvalidInput

__all__ = ["DocumentLimits"]

MAX_STEPS = 10_000
"""The most steps a review's history holds."""

MAX_TEXT = 20_000
"""The longest text (in characters) a step's detail, or any text in a document, may be."""


def _at_least_one(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int or value < 1:
        raise InvalidInput(
            f"DocumentLimits.{attribute.name}",
            "limit",
            "expected a whole number, at least 1",
            "Give each limit as a positive int.",
        )


@attrs.frozen
class DocumentLimits:
    """The limits ``loads`` holds a review document (and a refusal log) to.

    ``max_bytes`` is the size of the JSON text, ``max_depth`` how deeply its arrays
    and objects nest, ``max_steps`` the steps in the history, ``max_refusals`` the
    refusals in a log, ``max_text`` the characters of any one text. A document over
    a limit is refused with the limit it breaks; pass larger limits to read it
    (``loads(text, limits=DocumentLimits(max_steps=50_000))``).
    """

    max_bytes: int = attrs.field(default=32 * 1024 * 1024, validator=_at_least_one)
    max_depth: int = attrs.field(default=32, validator=_at_least_one)
    max_steps: int = attrs.field(default=MAX_STEPS, validator=_at_least_one)
    max_refusals: int = attrs.field(default=100_000, validator=_at_least_one)
    max_text: int = attrs.field(default=MAX_TEXT, validator=_at_least_one)
