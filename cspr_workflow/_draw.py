"""``diagram()``: the one entry point to a definition's or a review's diagram."""

from __future__ import annotations

from ._definition import ProcessDefinition
from ._diagrams import Diagram
from ._engine import Review
from ._errors import InvalidInput
from ._fallback import default_definition
from ._time import as_instant

__all__ = ["diagram"]


def diagram(subject: ProcessDefinition | Review | None = None, *, at: object = None) -> Diagram:
    """The diagram of a process definition (the default one if none is given), or of a
    review's path on its definition, with its clocks as they stand at ``at`` (before its
    last step: the review as it stood then, see :meth:`Review.as_at`)."""
    if subject is None:
        return Diagram(default_definition())
    if isinstance(subject, ProcessDefinition):
        if at is not None:
            raise InvalidInput(
                "at",
                "diagram_at",
                "at= goes with a review's diagram (a process diagram has no clocks)",
                "Leave at= out, or draw a review.",
            )
        return Diagram(subject)
    if isinstance(subject, Review):
        if at is None:
            return Diagram(subject.definition, subject, None)
        instant = as_instant(at)
        return Diagram(subject.definition, subject.as_at(instant), instant)
    raise InvalidInput(
        "subject",
        "diagram_subject",
        f"a diagram is of a ProcessDefinition or a Review, not {type(subject).__name__}",
        "Pass a ProcessDefinition, a Review, or nothing for the default process.",
    )
