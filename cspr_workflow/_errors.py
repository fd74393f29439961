"""The exception tree of cspr_workflow, and the reasons a step is refused.

::

    CsprWorkflowError                    every error the library raises on purpose
    ├── InvalidDefinition (ValueError)   a process definition breaks its own rules
    ├── InvalidInput (ValueError, TypeError)  an argument the library cannot take
    ├── InvalidTime (ValueError)         an instant without a time zone, or not an instant
    ├── CalendarRangeError (ValueError)  a date outside the years a calendar knows
    ├── UnknownTrigger (LookupError)     a trigger the definition does not declare
    ├── UnknownName (KeyError)           a stage, trigger, role, guard or clock looked up by a
    │                                    name that is not there
    ├── TransitionRefused                a step the rules do not allow now
    │   ├── NotPermitted                 the actor's role or agency may not take it
    │   └── TimeWentBackwards            the step is dated before the last recorded one
    ├── InvalidDocument (ValueError)     a stored review (or refusal log) does not load:
    │                                    every problem, by path
    ├── HistoryTampered                  a hash chain (the history's, the refusal log's) or
    │                                    the review's seal is broken
    ├── ReplayMismatch                   replaying the history does not give the stored review
    ├── ReviewNotFound (LookupError)     no stored review has that reference
    ├── ReviewExists                     a review with that reference is already stored
    ├── NotAnExtension                   a save does not extend the stored review; nothing written
    ├── UnknownDefinition (LookupError)  a review follows a process the store was not given
    ├── GraphvizMissing (RuntimeError)   SVG, PNG or PDF asked for, and Graphviz is not installed
    ├── RenderFailed (RuntimeError)      Graphviz ran but could not draw the diagram
    ├── SimulationError (RuntimeError)   a simulated review could not go on under the rules
    ├── WorkersFailed (RuntimeError)     a simulation's worker processes could not start
    ├── MissingExtra (ImportError)       an optional package (pandas, matplotlib) is not installed
    └── ConcurrentUpdate                 another writer saved the review first; nothing was lost

Every message names the review (by its pseudonymous reference), the trigger,
the stage, the rule, and what would satisfy it; never a person's name. Each
refusal's :class:`Reason` carries the rule's stable id (``rule_id``), which is
what code should match on; its ``title`` is for people and may be reworded.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

__all__ = [
    "CalendarRangeError",
    "ConcurrentUpdate",
    "CsprWorkflowError",
    "GraphvizMissing",
    "HistoryTampered",
    "InvalidDefinition",
    "InvalidDocument",
    "InvalidInput",
    "InvalidTime",
    "MissingExtra",
    "NotAnExtension",
    "NotPermitted",
    "Problem",
    "Reason",
    "RenderFailed",
    "ReplayMismatch",
    "ReviewExists",
    "ReviewNotFound",
    "SimulationError",
    "TimeWentBackwards",
    "TransitionRefused",
    "UnknownDefinition",
    "UnknownName",
    "UnknownTrigger",
    "WorkersFailed",
]


@attrs.frozen
class Reason:
    """One unmet rule: which rule, what is wrong, and what would satisfy it.

    ``rule_id`` is stable (a guard's id such as ``"facts_confirmed"``, or one of
    the engine's own: ``"role"``, ``"own_agency"``, ``"time_forward"``,
    ``"available"``, ``"details"``, ``"late_reason"``); ``title`` is the rule's
    readable name. ``kind`` sorts the reason: ``"guard"`` (a process rule),
    ``"permission"`` (role or agency), ``"details"`` (the step's own details),
    ``"availability"`` (the trigger is not available from this stage) or ``"time"``.
    """

    rule_id: str
    title: str
    message: str
    remedy: str
    kind: str = "guard"

    def __str__(self) -> str:
        return f"[{self.title}] {self.message} To proceed: {self.remedy}"


@attrs.frozen
class Problem:
    """One problem found in a definition or a document: where it is, and what is wrong.

    ``path`` locates it: ``transitions[41].guards[0]`` in a definition,
    ``$.review.panel[2].agency`` in a document.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class CsprWorkflowError(Exception):
    """The root of every error this library raises on purpose."""


class InvalidDefinition(CsprWorkflowError, ValueError):
    """A process definition breaks one or more of the rules every definition keeps.

    ``problems`` lists every problem found, not just the first, each with the path
    to where it is in the definition.
    """

    def __init__(self, name: str, problems: Sequence[Problem]) -> None:
        self.name = name
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"process definition {name!r} is invalid ({len(self.problems)} problem(s)):\n{lines}\n"
            "Fix the definition's stages, triggers, transitions, guards, roles or rules and "
            "build it again."
        )

    @property
    def messages(self) -> tuple[str, ...]:
        """Each problem as one line, its path first."""
        return tuple(str(p) for p in self.problems)


class InvalidInput(CsprWorkflowError, ValueError, TypeError):
    """An argument the library cannot take: ``argument`` names it, ``rule`` is the stable
    id of the rule it breaks. The value itself is never repeated (it may name a person);
    only the process's own names (stages, triggers, a scenario's keys and parameters) and
    review references are.

    It is a ``ValueError`` and a ``TypeError`` too, for code that caught those.
    """

    def __init__(self, argument: str, rule: str, message: str, remedy: str) -> None:
        self.argument = argument
        self.rule = rule
        super().__init__(f"{argument}: {message} [{rule}]. {remedy}")


class InvalidTime(CsprWorkflowError, ValueError):
    """An instant that is naive (no time zone) or not a date-time at all."""

    def __init__(self, what: str, value: object, problem: str | None = None) -> None:
        self.what = what
        if problem is None:
            problem = f"{'without a time zone' if _is_naive(value) else 'instead'}"
        super().__init__(
            f"{what} must be a timezone-aware date-time (for example "
            f"pendulum.datetime(2026, 3, 2, 10, tz='Europe/London')); got {type(value).__name__} "
            f"{problem}."
        )


def _is_naive(value: object) -> bool:
    tzinfo = getattr(value, "tzinfo", None)
    return hasattr(value, "tzinfo") and tzinfo is None


class CalendarRangeError(CsprWorkflowError, ValueError):
    """A date outside the years a calendar knows the holidays of."""

    def __init__(self, calendar: str, date: str, first: int, last: int) -> None:
        self.calendar = calendar
        super().__init__(
            f"calendar {calendar!r} knows bank holidays for {first}-{last} only; "
            f"{date} is outside that range. Build a calendar covering it "
            f"(WorkingDayCalendar.from_holidays_package(years=...))."
        )


class UnknownName(CsprWorkflowError, KeyError):
    """A lookup by a name that is not there: a stage, trigger, role or guard of a process
    definition, a clock of a policy or of a deadline report. ``kind`` says which, ``name``
    is the name asked for, ``known`` the names there are, and ``rule`` is ``known_<kind>``.

    It is a ``KeyError`` too, for code that looks names up as in a mapping.
    """

    def __init__(self, where: str, kind: str, name: str, known: Sequence[str]) -> None:
        self.kind = kind
        self.name = name
        self.known = tuple(known)
        self.rule = f"known_{kind}"
        listed = ", ".join(sorted(self.known)) or "none"
        super().__init__(f"{where} has no {kind} {name!r} [{self.rule}]. Use one of: {listed}.")

    def __str__(self) -> str:  # (KeyError would show the message quoted)
        return str(self.args[0])


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
        """The stable ids of the unmet rules, in order (match on these)."""
        return tuple(r.rule_id for r in self.reasons)

    @property
    def titles(self) -> tuple[str, ...]:
        """The readable names of the unmet rules, in order."""
        return tuple(r.title for r in self.reasons)


class NotPermitted(TransitionRefused):
    """The actor's role may not take this step, or a panel member spoke for another agency."""


class TimeWentBackwards(TransitionRefused):
    """The step is dated before the last step recorded in the review's history."""


class StepProblems(Exception):
    """Raised by an effect when the step's details do not fit the review's record.

    The engine turns it into a refusal carrying these reasons. Not part of the
    public API: an effect raises it, the engine catches it.
    """

    def __init__(self, reasons: Sequence[Reason]) -> None:
        super().__init__(reasons)
        self.reasons = tuple(reasons)


class InvalidDocument(CsprWorkflowError, ValueError):
    """A review document (or refusal log) that does not load. ``problems`` lists every
    one, with its path."""

    def __init__(self, problems: Sequence[Problem], what: str = "review document") -> None:
        self.problems = tuple(problems)
        self.what = what
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"the {what} does not load ({len(self.problems)} problem(s)):\n{lines}\n"
            f"Fix the {what} (or restore it from a good copy) and load it again."
        )


class HistoryTampered(CsprWorkflowError):
    """A hash chain is broken: the history's (``seq`` is the first step that does not
    link), or the refusal log's (``what="refusal log"``; ``seq`` is a refusal's number)."""

    def __init__(self, reference: str, seq: int, detail: str, *, what: str = "history") -> None:
        self.reference = reference
        self.seq = seq
        self.what = what
        super().__init__(
            f"review {reference!r}: the {what} is not as it was recorded ({detail}). "
            "Restore the review from a trusted copy and compare the two from that "
            f"{'step' if what == 'history' else 'refusal'} on."
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


class NotAnExtension(CsprWorkflowError):
    """A save that does not extend what the store holds: a step stored was changed or
    dropped, a new step is not what the engine makes of it, or the review's refusal log
    does not continue the stored one. Nothing was written."""

    def __init__(self, reference: str, detail: str) -> None:
        self.reference = reference
        super().__init__(
            f"review {reference!r}: what is being saved does not extend what the store holds "
            f"({detail}); nothing was written. Load the review from the store, take the "
            "steps on it, and save that."
        )


class UnknownDefinition(CsprWorkflowError, LookupError):
    """A review follows a process definition the store was not given."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        super().__init__(
            f"no process definition {name!r} in this store (it knows: {', '.join(known)}); "
            "pass it in ReviewStore(definitions=[...])."
        )


class GraphvizMissing(CsprWorkflowError, RuntimeError):
    """Rendering to SVG, PNG or PDF needs Graphviz's ``dot`` program, which is not installed."""

    def __init__(self, fmt: str) -> None:
        super().__init__(
            f"rendering a diagram as {fmt} needs Graphviz's `dot` program, which is not on "
            "this machine's PATH. Install Graphviz (Debian/Ubuntu: apt-get install graphviz; "
            "macOS: brew install graphviz; Windows: winget install graphviz), or ask for the "
            "text formats, which need nothing: mermaid or dot."
        )


class RenderFailed(CsprWorkflowError, RuntimeError):
    """Graphviz's ``dot`` ran but failed."""

    def __init__(self, fmt: str, stderr: str) -> None:
        super().__init__(f"Graphviz could not render the diagram as {fmt}: {stderr.strip()}")


class SimulationError(CsprWorkflowError, RuntimeError):
    """A simulated review could not go on: the engine refused every way forward, or the
    scenario does not fit the process definition. The message names the review, the
    stage and the rules in the way."""


class WorkersFailed(CsprWorkflowError, RuntimeError):
    """A simulation's worker processes could not start or do their work. The message
    says why and what to do (most often: guard the script's work with
    ``if __name__ == "__main__":``, or simulate with ``workers=1``)."""


class MissingExtra(CsprWorkflowError, ImportError):
    """A feature needs an optional package: install the ``analysis`` extra."""

    def __init__(self, package: str, feature: str) -> None:
        super().__init__(
            f"{feature} needs {package}: pip install 'cspr-workflow[analysis]' "
            f"(pandas, matplotlib and tqdm)."
        )
