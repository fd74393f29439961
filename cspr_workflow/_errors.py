"""The exception tree of cspr_workflow.

::

    CsprWorkflowError                    every error the library raises on purpose
    ├── InvalidDefinition (ValueError)   a process definition breaks its own rules
    ├── InvalidTime (ValueError)         an instant without a time zone, or not an instant
    ├── CalendarRangeError (ValueError)  a date outside the years a calendar knows
    ├── UnknownTrigger (LookupError)     a trigger the definition does not declare
    ├── TransitionRefused                a step the rules do not allow now
    │   ├── NotPermitted                 the actor's role or agency may not take it
    │   └── TimeWentBackwards            the step is dated before the last recorded one
    ├── InvalidDocument (ValueError)     a stored review does not load: every problem, by path
    ├── HistoryTampered                  the history's hash chain is broken at a step
    ├── ReplayMismatch                   replaying the history does not give the stored review
    ├── ReviewNotFound (LookupError)     no stored review has that reference
    ├── ReviewExists                     a review with that reference is already stored
    ├── UnknownDefinition (LookupError)  a review follows a process the store was not given
    ├── GraphvizMissing (RuntimeError)   SVG, PNG or PDF asked for, and Graphviz is not installed
    ├── RenderFailed (RuntimeError)      Graphviz ran but could not draw the diagram
    ├── SimulationError (RuntimeError)   the engine refused a simulated step
    ├── MissingExtra (ImportError)       an optional package (pandas, matplotlib) is not installed
    └── ConcurrentUpdate                 another writer saved the review first; nothing was lost

Every message names the review (by its pseudonymous reference), the trigger,
the stage, the rule, and what would satisfy it; never a person's name.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

__all__ = [
    "ConcurrentUpdate",
    "CsprWorkflowError",
    "HistoryTampered",
    "InvalidDefinition",
    "InvalidDocument",
    "InvalidTime",
    "NotPermitted",
    "Problem",
    "Reason",
    "ReplayMismatch",
    "ReviewExists",
    "ReviewNotFound",
    "StepProblems",
    "TimeWentBackwards",
    "TransitionRefused",
    "UnknownDefinition",
    "UnknownTrigger",
]


@attrs.frozen
class Reason:
    """One unmet rule: which rule, what is wrong, and what would satisfy it.

    ``kind`` sorts the reason: ``"guard"`` (a process rule), ``"permission"``
    (role or agency), ``"details"`` (the step's own details), ``"availability"``
    (the trigger is not available from this stage) or ``"time"``.
    """

    rule: str
    message: str
    remedy: str
    kind: str = "guard"

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message} To proceed: {self.remedy}"


class CsprWorkflowError(Exception):
    """The root of every error this library raises on purpose."""


class InvalidDefinition(CsprWorkflowError, ValueError):
    """A process definition breaks one or more of the rules every definition keeps.

    ``problems`` lists every problem found, not just the first.
    """

    def __init__(self, name: str, problems: Sequence[str]) -> None:
        self.name = name
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"process definition {name!r} is invalid ({len(self.problems)} problem(s)):\n{lines}\n"
            "Fix the definition's stages, triggers, transitions or guards and build it again."
        )


class InvalidTime(CsprWorkflowError, ValueError):
    """An instant that is naive (no time zone) or not a date-time at all."""

    def __init__(self, what: str, value: object) -> None:
        self.what = what
        super().__init__(
            f"{what} must be a timezone-aware date-time (for example "
            f"pendulum.datetime(2026, 3, 2, 10, tz='Europe/London')); got {type(value).__name__} "
            f"{'without a time zone' if _is_naive(value) else 'instead'}."
        )


def _is_naive(value: object) -> bool:
    tzinfo = getattr(value, "tzinfo", None)
    return hasattr(value, "tzinfo") and tzinfo is None


class UnknownTrigger(CsprWorkflowError, LookupError):
    """A trigger name that the review's process definition does not declare."""

    def __init__(self, reference: str, trigger: str, known: Sequence[str]) -> None:
        self.reference = reference
        self.trigger = trigger
        self.known = tuple(known)
        super().__init__(
            f"review {reference!r}: trigger {trigger!r} is not part of this process definition. "
            f"Use one of: {', '.join(sorted(self.known))}."
        )


class TransitionRefused(CsprWorkflowError):
    """The step is not allowed now. ``reasons`` holds every unmet rule at once.

    The review is left exactly as it was.
    """

    def __init__(
        self, reference: str, trigger: str, stage: str, reasons: Sequence[Reason]
    ) -> None:
        self.reference = reference
        self.trigger = trigger
        self.stage = stage
        self.reasons = tuple(reasons)
        lines = "\n".join(f"  - {r}" for r in self.reasons)
        super().__init__(
            f"review {reference!r}: {trigger!r} refused at stage {stage!r} "
            f"({len(self.reasons)} unmet rule(s)):\n{lines}"
        )

    @property
    def rules(self) -> tuple[str, ...]:
        """The names of the unmet rules, in order."""
        return tuple(r.rule for r in self.reasons)


class NotPermitted(TransitionRefused):
    """The actor's role may not take this step, or a panel member spoke for another agency."""


class StepProblems(Exception):
    """Raised by an effect when the step's details do not fit the review's record.

    The engine turns it into a refusal carrying these reasons.
    """

    def __init__(self, reasons: Sequence[Reason]) -> None:
        super().__init__(reasons)
        self.reasons = tuple(reasons)


class TimeWentBackwards(TransitionRefused):
    """The step is dated before the last step recorded in the review's history."""


@attrs.frozen
class Problem:
    """One problem of a document: where (``$.review.panel[2].agency``) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class InvalidDocument(CsprWorkflowError, ValueError):
    """A review document that does not load. ``problems`` lists every one, with its path."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"the review document does not load ({len(self.problems)} problem(s)):\n{lines}\n"
            "Fix the document (or restore it from a good copy) and load it again."
        )


class HistoryTampered(CsprWorkflowError):
    """The history's hash chain is broken: ``seq`` is the first step that does not link."""

    def __init__(self, reference: str, seq: int, detail: str) -> None:
        self.reference = reference
        self.seq = seq
        super().__init__(
            f"review {reference!r}: the history is not as it was recorded ({detail}). "
            "Restore the review from a trusted copy and compare the two from that step on."
        )


class ReplayMismatch(CsprWorkflowError):
    """Replaying the history through the engine does not give the stored review."""

    def __init__(self, reference: str, seq: int, detail: str) -> None:
        self.reference = reference
        self.seq = seq
        super().__init__(
            f"review {reference!r}: replaying the history parts from the stored review at "
            f"step {seq}: {detail}. The stored review was changed outside the engine, or "
            "follows another process definition."
        )


class ReviewNotFound(CsprWorkflowError, LookupError):
    """No stored review has this reference."""

    def __init__(self, reference: str) -> None:
        self.reference = reference
        super().__init__(
            f"no stored review {reference!r}: check the reference, or add the review first."
        )


class ReviewExists(CsprWorkflowError):
    """A review with this reference is already stored."""

    def __init__(self, reference: str) -> None:
        self.reference = reference
        super().__init__(
            f"a review {reference!r} is already stored: load it, or give the new review "
            "another reference."
        )


class ConcurrentUpdate(CsprWorkflowError):
    """Another writer saved the review after it was read: this write was not applied."""

    def __init__(self, reference: str, expected: int, found: int | None) -> None:
        self.reference = reference
        self.expected = expected
        self.found = found
        now = "it was deleted" if found is None else f"it is now at version {found}"
        super().__init__(
            f"review {reference!r} changed since it was read at version {expected} ({now}); "
            "nothing was written. Load it again and retry the step on the current review."
        )


class UnknownDefinition(CsprWorkflowError, LookupError):
    """A review follows a process definition the store was not given."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        super().__init__(
            f"no process definition {name!r} in this store (it knows: {', '.join(known)}); "
            "pass it in ReviewStore(definitions=[...])."
        )
