"""Arguments checked at the public boundary: a wrong type is an :class:`InvalidInput`
naming the argument, never a bare error from deep inside."""

from __future__ import annotations

from collections.abc import Iterable

from ._errors import InvalidInput
from ._records import ReviewState

__all__: list[str] = []


def check_arg(
    argument: str,
    value: object,
    kind: type | tuple[type, ...],
    what: str,
    *,
    optional: bool = False,
) -> None:
    """Raise :class:`InvalidInput` (rule ``argument_type``) unless ``value`` is a ``kind``
    (None too when ``optional``); ``what`` says what is expected, in words. A bool is
    not taken for an int."""
    if optional and value is None:
        return
    kinds = kind if isinstance(kind, tuple) else (kind,)
    wrong_bool = isinstance(value, bool) and bool not in kinds
    if wrong_bool or not isinstance(value, kinds):
        raise InvalidInput(
            argument,
            "argument_type",
            f"expected {what}, got {type(value).__name__}",
            f"Pass {what}{' or None' if optional else ''}.",
        )


def check_function(argument: str, value: object, rule: str, what: str, remedy: str) -> None:
    """Raise :class:`InvalidInput` (rule ``rule``) unless ``value`` is None or can be
    called; ``what`` says what the function does, ``remedy`` how to pass one."""
    if value is not None and not callable(value):
        raise InvalidInput(
            argument, rule, f"expected a function {what}, got {type(value).__name__}", remedy
        )


def check_many(argument: str, value: object, what: str) -> None:
    """Raise :class:`InvalidInput` (rule ``argument_type``) unless ``value`` is a
    collection to go through (a list, a tuple, a generator...), not text or a lone value;
    ``what`` says what it holds, in words."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidInput(
            argument,
            "argument_type",
            f"expected {what}, got {type(value).__name__}",
            f"Pass a list of {what}.",
        )


def check_review_arg(value: object, argument: str = "review") -> None:
    """Raise :class:`InvalidInput` unless ``value`` is a review (an object holding a
    :class:`ReviewState`, as :class:`Review` does); for modules below the engine."""
    if not isinstance(getattr(value, "state", None), ReviewState):
        raise InvalidInput(
            argument,
            "argument_type",
            f"expected a Review, got {type(value).__name__}",
            "Pass a Review (from Review.open, loads or store.get).",
        )
