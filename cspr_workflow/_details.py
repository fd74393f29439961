"""The details a step takes (``fire(..., name=value)``): their kinds, parsing and samples."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence

import attrs
import pendulum

from ._errors import InvalidTime
from ._limits import MAX_TEXT
from ._records import checked_fields
from ._text import shown, text_problem
from ._time import as_date

__all__ = ["DetailKind", "DetailSpec"]


class DetailKind(enum.StrEnum):
    """The kinds of value a step's details may carry."""

    TEXT = "text"
    TEXTS = "texts"
    DATE = "date"
    BOOL = "bool"
    INT = "int"
    CHOICE = "choice"
    ROLES = "roles"
    RECOMMENDATIONS = "recommendations"


def _texts_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(field_transformer=checked_fields({_texts_tuple: "a list of choices"}))
class DetailSpec:
    """One named detail a trigger takes (``fire(..., name=value)``).

    ``choices`` lists the allowed values of a ``choice`` detail, and the role ids a
    ``roles`` detail may name. ``personal`` marks a detail that names a person: it
    is kept in the review's record but left out of reports.
    """

    name: str
    kind: DetailKind
    help: str
    required: bool = True
    choices: tuple[str, ...] = attrs.field(default=(), converter=_texts_tuple)
    personal: bool = False

    def samples(self, at: pendulum.DateTime) -> tuple[object, ...]:
        """Values of this detail worth trying at ``at``: the verifier's default examples.

        Every choice and both booleans are given, so that a rule reading the value
        is explored both ways; a ``roles`` detail names all its roles; other kinds
        get one plausible value (a date 30 days on).
        """
        later = at.date().add(days=30).to_date_string()
        samples: dict[DetailKind, tuple[object, ...]] = {
            DetailKind.TEXT: (f"Example {self.name}",),
            DetailKind.TEXTS: ((f"Example {self.name}",),),
            DetailKind.DATE: (later,),
            DetailKind.BOOL: (True, False),
            DetailKind.INT: (1,),
            DetailKind.CHOICE: self.choices,
            DetailKind.ROLES: (self.choices,),
            DetailKind.RECOMMENDATIONS: ({"R1": "Example recommendation"},),
        }
        return samples[self.kind]

    def parse(self, value: object) -> tuple[object, str | None]:
        """Return the normalised value, or an error message."""
        parser = _PARSERS[self.kind]
        try:
            return parser(self, value), None
        except (TypeError, ValueError, InvalidTime) as exc:
            return None, f"detail {self.name!r} ({self.help}): {exc}"


def _text(spec: DetailSpec, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected non-empty text")
    problem = text_problem(value, MAX_TEXT)
    if problem is not None:
        raise ValueError(problem)
    return value.strip()


def _texts(spec: DetailSpec, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValueError("expected a list of texts")
    items = tuple(_text(spec, v) for v in value)
    if not items:
        raise ValueError("expected at least one item")
    return items


def _date(spec: DetailSpec, value: object) -> pendulum.Date:
    return as_date(value, spec.name)


def _bool(spec: DetailSpec, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected True or False")
    return value


def _int(spec: DetailSpec, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("expected a whole number")
    return value


def _choice(spec: DetailSpec, value: object) -> str:
    text = str(value) if isinstance(value, str) else None
    if text is None or text not in spec.choices:
        raise ValueError(f"expected one of {', '.join(spec.choices)}")
    return text


def _roles(spec: DetailSpec, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError("expected a list of roles")
    roles = []
    for item in value:
        if not isinstance(item, str) or not item:
            raise ValueError("expected role ids as text")
        roles.append(str(item))
    unknown = sorted(set(roles) - set(spec.choices)) if spec.choices else []
    if unknown:
        raise ValueError(
            f"expected roles among {', '.join(spec.choices)}, not "
            f"{', '.join(shown(u).strip(chr(39)) for u in unknown)}"
        )
    if not roles:
        raise ValueError("expected at least one role")
    return tuple(sorted(set(roles)))


def _recommendations(spec: DetailSpec, value: object) -> tuple[tuple[str, str], ...]:
    """Texts (numbered R1, R2, ...), a mapping id -> text, or (id, text) pairs."""
    pairs: list[tuple[str, str]]
    if isinstance(value, Mapping):
        pairs = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, Sequence) and not isinstance(value, str):
        pairs = []
        for n, item in enumerate(value, start=1):
            if isinstance(item, str):
                pairs.append((f"R{n}", item))
            elif isinstance(item, Sequence) and len(item) == 2:
                pairs.append((str(item[0]), item[1]))
            else:
                raise ValueError("expected texts, a mapping of id to text, or (id, text) pairs")
    else:
        raise ValueError("expected texts, a mapping of id to text, or (id, text) pairs")
    result = tuple((_text(spec, k), _text(spec, v)) for k, v in pairs)
    if not result:
        raise ValueError("expected at least one recommendation")
    if len({k for k, _ in result}) != len(result):
        raise ValueError("recommendation ids must be unique")
    return result


_PARSERS: dict[DetailKind, Callable[[DetailSpec, object], object]] = {
    DetailKind.TEXT: _text,
    DetailKind.TEXTS: _texts,
    DetailKind.DATE: _date,
    DetailKind.BOOL: _bool,
    DetailKind.INT: _int,
    DetailKind.CHOICE: _choice,
    DetailKind.ROLES: _roles,
    DetailKind.RECOMMENDATIONS: _recommendations,
}

LATE_REASON = DetailSpec(
    "late_reason",
    DetailKind.TEXT,
    "why a clock this step stops is late (needed exactly when it is)",
    required=False,
)
"""The detail every step takes: the reason a clock it stops is late."""
