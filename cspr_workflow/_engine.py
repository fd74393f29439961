"""The engine: a review, and how a step is checked and taken.

A :class:`Review` is a handle on one immutable :class:`ReviewState` and the
:class:`ProcessDefinition` it follows. ``fire`` asks the definition for the
compiled step the trigger takes from the review's stage, checks every rule
(time, availability, the actor's role and agency, the step's details, the
guards), and only when all pass drives the definition's one
``transitions.Machine`` on a throw-away object; the step's effects build the
next state there. The review's state is replaced in a single assignment at the
very end, so a refusal or an exception anywhere leaves the review exactly as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import pendulum

from ._args import check_arg, check_function
from ._clocks import OwedNotice, notices_owed, start_clocks
from ._codec import chain_tip, seal
from ._deadlines import DeadlineReport, deadline_report
from ._definition import ProcessDefinition
from ._errors import (
    InvalidInput,
    InvalidTime,
    NotPermitted,
    Reason,
    ReplayMismatch,
    StepProblems,
    TimeWentBackwards,
    TransitionRefused,
    UnknownTrigger,
)
from ._fallback import default_definition
from ._limits import MAX_STEPS
from ._machine import Move
from ._records import Actor, AuditEntry, Refusal, ReviewState, reference_problem
from ._refusals import RefusalLog
from ._specs import StepContext
from ._steps import CompiledStep
from ._time import Clock, as_instant, before

__all__ = ["Option", "Review", "Verdict"]

_log = logging.getLogger("cspr_workflow")


@attrs.frozen
class Verdict:
    """Whether a step may be taken now, and every reason it may not.

    A verdict is truthy when the step is allowed.
    """

    trigger: str
    stage: str
    reasons: tuple[Reason, ...]

    @property
    def allowed(self) -> bool:
        """True when no rule refuses the step."""
        return not self.reasons

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def rules(self) -> tuple[str, ...]:
        """The stable ids of the unmet rules."""
        return tuple(r.rule_id for r in self.reasons)

    @property
    def titles(self) -> tuple[str, ...]:
        """The readable names of the unmet rules."""
        return tuple(r.title for r in self.reasons)


@attrs.frozen
class Option:
    """A step the process offers from the current stage: who may take it, what blocks it."""

    trigger: str
    title: str
    dest: str
    roles: tuple[str, ...]
    unmet: tuple[Reason, ...]

    @property
    def ready(self) -> bool:
        """True when nothing but the actor's identity and the step's details is missing."""
        return not self.unmet


_ANYONE = Actor("(anyone)", "(anyone)")


class Review:
    """One review, driven through its process definition.

    >>> import pendulum
    >>> from cspr_workflow import Actor, Review, Role, Trigger
    >>> aware = pendulum.datetime(2026, 1, 5, 9, tz="Europe/London")
    >>> review = Review.open("Child A", aware_at=aware)
    >>> la = Actor("Duty manager", Role.LOCAL_AUTHORITY, agency="Local authority")
    >>> entry = review.fire(Trigger.NOTIFY_NATIONAL_PANEL, by=la,
    ...                     at=pendulum.datetime(2026, 1, 7, 11, tz="Europe/London"))
    >>> review.stage
    <Stage.NOTIFIED: 'notified'>
    >>> entry.source, entry.dest
    ('aware', 'notified')
    """

    __slots__ = ("_clock", "_definition", "_log", "_state")

    def __init__(
        self,
        state: ReviewState,
        definition: ProcessDefinition | None = None,
        *,
        clock: Clock | None = None,
        refusals: RefusalLog | None = None,
    ) -> None:
        if not isinstance(state, ReviewState):
            raise InvalidInput(
                "state",
                "review_state",
                f"expected a ReviewState, got {type(state).__name__}",
                "Open a review with Review.open, or read one with loads.",
            )
        problem = reference_problem(state.reference)
        if problem is not None:
            raise InvalidInput(
                "state.reference", "reference", problem, "Refer to the review by its pseudonym."
            )
        _check_definition(definition)
        _check_clock(clock)
        check_arg("refusals", refusals, RefusalLog, "the review's RefusalLog", optional=True)
        definition = definition or default_definition()
        try:
            definition.stage(state.stage)
        except KeyError:
            raise InvalidInput(
                "definition",
                "stage_known",
                f"review {state.reference!r} is at stage {state.stage!r}, which process "
                f"definition {definition.name!r} does not have",
                "Pass the definition the review follows (the one its document names).",
            ) from None
        self._state = state
        self._definition = definition
        self._clock = clock
        if refusals is None:
            # Refusals made before this review object existed are not known to it.
            refusals = RefusalLog(state.reference, state.aware_at, complete=False)
        elif not refusals.matches(state.reference, state.aware_at) or refusals.problems():
            raise InvalidInput(
                "refusals",
                "refusal_log",
                f"the refusal log given for review {state.reference!r} is not its own, "
                "or its chain is broken",
                "Pass the review's own refusal log as it was kept, or none.",
            )
        self._log = refusals

    @classmethod
    def open(
        cls,
        reference: str,
        *,
        aware_at: object,
        definition: ProcessDefinition | None = None,
        clock: Clock | None = None,
    ) -> Review:
        """Open a review on the day it begins (for the default process: the day the local
        authority became aware of the serious incident).

        ``reference`` is pseudonymous ("Child A", "LCSPR 2026/03"): letters, digits,
        spaces and ``. _ / -``, at most 64 characters. Never a child's name.
        """
        problem = reference_problem(reference)
        if problem is not None:
            raise InvalidInput(
                "reference", "reference", problem, "Refer to the review by its pseudonym."
            )
        _check_definition(definition)
        _check_clock(clock)
        definition = definition or default_definition()
        state = opened(definition, reference, as_instant(aware_at, "aware_at"))
        log = RefusalLog(reference, state.aware_at)
        return cls(state, definition, clock=clock, refusals=log)

    # -- what the review is ------------------------------------------------------

    @property
    def reference(self) -> str:
        """The review's pseudonymous reference."""
        return self._state.reference

    @property
    def stage(self) -> str:
        """The current stage, as the definition names it (a :class:`~cspr_workflow.Stage`
        member for the default stages)."""
        return self._definition.stage(self._state.stage).name

    @property
    def state(self) -> ReviewState:
        """The current immutable snapshot of everything the review knows."""
        return self._state

    @property
    def history(self) -> Sequence[AuditEntry]:
        """Every step taken, in order: an immutable sequence, equal to the tuple of the same
        entries, that a step extends without copying the earlier ones."""
        return self._state.history

    @property
    def refusals(self) -> tuple[Refusal, ...]:
        """Every step ``fire`` refused, in order: who tried what, when, and the rules.

        A refusal changes nothing in the review's state, history or document; it
        is noted in the review's refusal log, apart from them, for the audit
        report (``dumps_refusals`` writes the log; a ``ReviewStore`` keeps it in a
        table of its own). See :attr:`refusals_complete`.
        """
        return self._log.entries

    @property
    def refusals_complete(self) -> bool:
        """True when :attr:`refusals` go back to the day the review opened; False for a
        review read from its document without its refusal log (it then notes only the
        refusals made since)."""
        return self._log.complete

    @property
    def refusals_head(self) -> str:
        """The SHA-256 that closes the refusal log's chain: keep it elsewhere, and a
        refusal erased or changed later shows (see ``verify_refusals``)."""
        return self._log.head

    @property
    def history_head(self) -> str:
        """The SHA-256 that seals the review: it closes the history's hash chain and
        covers every fact the review holds (drafts, approvals, fact checks, clocks...).
        The document carries it; keep it elsewhere too, and any later change to the
        stored review shows (see ``verify_history``)."""
        return seal(self._state)

    @property
    def definition(self) -> ProcessDefinition:
        """The process definition the review follows."""
        return self._definition

    @property
    def completion_due(self) -> pendulum.Date | None:
        """The date the review must be completed by, as it stands now: the completion
        clock's due date, moved by delay notices as the definition's completion rule says.
        None before the clock starts."""
        return self._definition.completion_due(self._state)

    @property
    def is_final(self) -> bool:
        """True once the review has reached a final stage."""
        return self._definition.stage(self._state.stage).final

    def __repr__(self) -> str:
        return f"<Review {self.reference!r} at {self._state.stage!r}, {len(self.history)} steps>"

    # -- checking and taking steps ----------------------------------------------

    def check(self, trigger: str, *, by: Actor, at: object = None, **details: Any) -> Verdict:
        """Every reason ``trigger`` would be refused for ``by`` at ``at``; changes nothing."""
        instant = self._now(at)
        reasons, step, parsed = self._evaluate(trigger, by, instant, details)
        if step is not None and parsed is not None and not _blocks_effect(reasons):
            reasons += step.effect_problems(self._state, self._context(step, by, instant, parsed))
        return Verdict(trigger, self._state.stage, tuple(reasons))

    def fire(self, trigger: str, *, by: Actor, at: object = None, **details: Any) -> AuditEntry:
        """Take the step, or raise with every reason it is refused.

        Raises :class:`TimeWentBackwards`, :class:`NotPermitted` or
        :class:`TransitionRefused` (all carrying every unmet rule), or
        :class:`UnknownTrigger`. On any error the review is unchanged.
        Returns the new history entry.
        """
        taken = self._take(trigger, by, self._now(at), details)
        if isinstance(taken, AuditEntry):
            return taken
        raise self._refusal(trigger, *taken)

    def _attempt(
        self, trigger: str, by: Actor, at: pendulum.DateTime, **details: Any
    ) -> AuditEntry | None:
        """Take the step if every rule allows it and return its entry, else leave the review
        as it was, note nothing and return None. For the library's own drivers (the
        simulation, the verifier), which ask the rules before acting: such a question is
        not a refused attempt to audit."""
        taken = self._take(trigger, by, as_instant(at), details)
        return taken if isinstance(taken, AuditEntry) else None

    def _take(
        self, trigger: str, by: Actor, instant: pendulum.DateTime, details: Mapping[str, Any]
    ) -> AuditEntry | tuple[list[Reason], Actor, pendulum.DateTime]:
        """The step's new entry, with the review moved on; or why it is refused."""
        before = self._state
        reasons, step, parsed = self._evaluate(trigger, by, instant, details)
        if reasons:
            if step is not None and parsed is not None and not _blocks_effect(reasons):
                ctx = self._context(step, by, instant, parsed)
                reasons += step.effect_problems(before, ctx)
            return reasons, by, instant
        assert step is not None
        assert parsed is not None
        move = Move(before, self._context(step, by, instant, parsed))
        try:
            moved = self._definition.execute(step, move)
        except StepProblems as problems:
            return [step.titled(r) for r in problems.reasons], by, instant
        if not moved:  # a selector changed its mind between check and move: impossible when pure
            return [self._not_available(trigger)], by, instant
        entry = AuditEntry(
            seq=len(before.history) + 1,
            at=instant,
            actor=by,
            trigger=str(trigger),
            source=before.stage,
            dest=move.state,
            details=parsed,
            prev=chain_tip(before),
        )
        self._state = _settle(before, move.result, move.state, entry)
        if _log.isEnabledFor(logging.INFO):
            _log.info(
                "review %s: %s by %s, %s -> %s",
                self.reference,
                trigger,
                self._definition.describe(by),
                entry.source,
                entry.dest,
            )
        return entry

    def as_at(self, at: object = None) -> Review:
        """The review as it stood at ``at``: the steps taken by then, replayed through the
        engine from its opening (so every fact is the one it held then), with the refusals
        noted by then. At or after the last step, this review itself.

        An instant before the review opened is refused (:class:`TimeWentBackwards`);
        a step the engine no longer takes as recorded (a definition changed since)
        raises :class:`ReplayMismatch` naming it.
        """
        instant = self._now(at)
        state = self._state
        if not before(instant, state.last_at):
            return self
        if before(instant, state.aware_at):
            raise TimeWentBackwards(
                self.reference,
                "as_at",
                state.stage,
                [
                    Reason(
                        "time_forward",
                        "time never runs backwards",
                        f"{instant.to_iso8601_string()} is before the review opened "
                        f"({state.aware_at.to_iso8601_string()}).",
                        "ask for the review as at an instant after it opened.",
                        "time",
                    )
                ],
            )
        then = self._replayed(until=instant)
        log = RefusalLog(
            state.reference,
            state.aware_at,
            (r for r in self._log.entries if not before(instant, r.at)),
            complete=self._log.complete,
        )
        return Review(then._state, self._definition, clock=self._clock, refusals=log)

    def _replayed(self, until: pendulum.DateTime | None = None) -> Review:
        """A new review opened from this one's opening record, with every step of its
        history taken by ``until`` (all of them when None) fired through the engine again.

        Raises :class:`ReplayMismatch` at the first step the engine refuses now or records
        differently. The one replay that :meth:`as_at` and ``persistence.replay`` share.
        """
        state = self._state
        then = Review.open(state.reference, aware_at=state.aware_at, definition=self._definition)
        for entry in state.history:
            if until is not None and before(until, entry.at):
                break
            taken = then._take(entry.trigger, entry.actor, entry.at, entry.details)
            if isinstance(taken, tuple):
                why = "the engine refuses it now: " + "; ".join(r.message for r in taken[0])
                raise ReplayMismatch(state.reference, entry.seq, why)
            if taken != entry:
                fields = [
                    f.name
                    for f in attrs.fields(AuditEntry)
                    if getattr(taken, f.name) != getattr(entry, f.name)
                ]
                why = f"the replayed step differs in {', '.join(fields)}"
                raise ReplayMismatch(state.reference, entry.seq, why)
        return then

    def deadlines(self, *, at: object = None) -> DeadlineReport:
        """Every clock at ``at``: start, due date, stop, status, time left, provenance.

        Before the last recorded step, the clocks are those of the review as it stood at
        ``at`` (:meth:`as_at`).
        """
        instant = self._now(at)
        if self._time_reasons(instant):
            return self.as_at(instant).deadlines(at=instant)
        return deadline_report(self._definition, self._state, instant)

    def owed(self, *, at: object = None) -> tuple[OwedNotice, ...]:
        """The delay notices the review owes at ``at``: past its completion due date, or
        projected to miss it at the expected stage durations (see
        :class:`~cspr_workflow.clocks.OwedNotice`; whether a projected miss blocks is the
        completion rule's ``projected_blocks``). Before the last recorded step, those the
        review owed as it stood at ``at`` (:meth:`as_at`)."""
        instant = self._now(at)
        if self._time_reasons(instant):
            return self.as_at(instant).owed(at=instant)
        d = self._definition
        return notices_owed(d.policy, d.completion, d.shortest_path, self._state, instant)

    def available(self, *, by: Actor, at: object = None) -> tuple[str, ...]:
        """The triggers ``by`` could fire now (the step's details aside): first any that
        gives a notice the review owes (:meth:`owed`), then the rest in table order."""
        instant = self._now(at)
        state = self._state
        if self._time_reasons(instant):
            return ()
        d = self._definition
        allowed: dict[str, None] = {}  # in table order
        known: dict[int, bool] = {}  # each guard's answer, asked once for all the steps
        for step in d.steps_from(state.stage):
            trigger = step.row.trigger
            if trigger in allowed or by.role not in step.roles or not step.applies(state):
                continue  # (a role the step is not for: permission would refuse it)
            if step.guards_met(state, by, instant, known) and not step.permission(
                state, by, instant, None
            ):
                allowed[trigger] = None
        if d.completion.notify not in allowed:  # (the trigger of every notice owed)
            return tuple(allowed)
        owed = notices_owed(d.policy, d.completion, d.shortest_path, state, instant)
        first = {o.trigger: None for o in owed if o.trigger in allowed}
        return tuple({**first, **allowed})

    def options(self, *, at: object = None) -> tuple[Option, ...]:
        """Every step the process offers from here, who may take it, and what blocks it.
        Before the last recorded step, those it offered as it stood at ``at``
        (:meth:`as_at`)."""
        instant = self._now(at)
        if self._time_reasons(instant):
            return self.as_at(instant).options(at=instant)
        state = self._state
        result = []
        for step in self._definition.steps_from(state.stage):
            if not step.applies(state):
                continue
            result.append(
                Option(
                    trigger=step.row.trigger,
                    title=step.trigger.title,
                    dest=step.target,
                    roles=tuple(sorted(step.roles)),
                    unmet=tuple(step.guard_reasons(state, _ANYONE, instant)),
                )
            )
        return tuple(result)

    # -- internals ---------------------------------------------------------------

    def _now(self, at: object) -> pendulum.DateTime:
        if at is None:
            if self._clock is None:
                raise InvalidTime("at (no clock was given to the review, so pass at=...)", at)
            at = self._clock()
        return as_instant(at)

    def _context(
        self, step: CompiledStep, actor: Actor, at: pendulum.DateTime, parsed: Mapping[str, Any]
    ) -> StepContext:
        return step.context(self._state, actor, at, parsed)

    def _evaluate(
        self, trigger: str, actor: Actor, at: pendulum.DateTime, details: Mapping[str, Any]
    ) -> tuple[list[Reason], CompiledStep | None, dict[str, Any] | None]:
        definition = self._definition
        state = self._state
        if not isinstance(trigger, str):
            raise InvalidInput(
                "trigger",
                "trigger_text",
                f"expected a trigger's name as text, got {type(trigger).__name__}",
                "Pass one of the definition's triggers (a Trigger member for the default).",
            )
        if not definition.has_trigger(trigger):
            raise UnknownTrigger(
                state.reference, str(trigger), [t.name for t in definition.triggers]
            )
        if not isinstance(actor, Actor):
            raise InvalidInput(
                "by",
                "actor",
                f"expected an Actor, got {type(actor).__name__}",
                "Pass by=Actor(name, role, agency=...).",
            )
        reasons = self._time_reasons(at)
        if len(state.history) >= MAX_STEPS:
            reasons.append(
                Reason(
                    "history_length",
                    "a review's history has a limit",
                    f"the review already holds {MAX_STEPS} steps, the most a review keeps.",
                    "check what is firing steps on it: a real review takes some tens.",
                    "availability",
                )
            )
        step = definition.select(trigger, state)
        if step is None:
            reasons.append(self._not_available(trigger))
            return reasons, None, None
        reasons += step.permission(state, actor, at, details)
        parsed, detail_reasons = step.parse(details)
        reasons += detail_reasons
        reasons += step.guard_reasons(state, actor, at)
        return reasons, step, parsed

    def _time_reasons(self, at: pendulum.DateTime) -> list[Reason]:
        last = self._state.last_at
        if not before(at, last):
            return []
        what = "the last recorded step" if self._state.history else "the day the review opened"
        return [
            Reason(
                "time_forward",
                "time never runs backwards",
                f"the step is dated {at.to_iso8601_string()}, before {what} "
                f"({last.to_iso8601_string()}).",
                "date the step at or after the latest recorded instant.",
                "time",
            )
        ]

    def _not_available(self, trigger: str) -> Reason:
        definition = self._definition
        sources = definition.sources(trigger)
        return Reason(
            "available",
            "the process table",
            f"{definition.trigger(trigger).title!r} is not available at stage "
            f"{definition.stage(self._state.stage).title!r}.",
            "it is available from: " + ", ".join(definition.stage(s).title for s in sources) + ".",
            "availability",
        )

    def _refusal(
        self, trigger: str, reasons: list[Reason], by: Actor, at: pendulum.DateTime
    ) -> TransitionRefused:
        """The error for a refused step, noted in the refusal log first."""
        stage = self._state.stage
        self._log.append(at, by, str(trigger), stage, reasons)
        kinds = {r.kind for r in reasons}
        cls: type[TransitionRefused] = (
            TimeWentBackwards
            if "time" in kinds
            else NotPermitted
            if "permission" in kinds
            else TransitionRefused
        )
        _log.info(
            "review %s: %s refused at %s (%s)",
            self.reference,
            trigger,
            stage,
            "; ".join(r.rule_id for r in reasons),
        )
        return cls(self.reference, str(trigger), stage, reasons)


def opened(
    definition: ProcessDefinition, reference: str, aware_at: pendulum.DateTime
) -> ReviewState:
    """The record of a review of ``definition`` opened at ``aware_at``."""
    state = ReviewState(
        reference=reference, aware_at=aware_at, stage=str(definition.initial_stage.name)
    )
    return start_clocks(definition.policy, state)


def opening(definition: ProcessDefinition, state: ReviewState) -> ReviewState:
    """The record ``state``'s review held when it opened, before its first step."""
    return opened(definition, state.reference, state.aware_at)


def recorded_after(
    definition: ProcessDefinition, state: ReviewState, entry: AuditEntry
) -> ReviewState | None:
    """The record after ``entry`` is applied to ``state``: the effects of the row its
    trigger selects (its guards and roles are not asked), the clocks it starts and stops,
    the entry appended. None when the definition cannot apply it so (the trigger is not
    offered from the stage, the row leads elsewhere, or an effect refuses the details).

    What a property reads to know what a step *did*, whatever its trigger is called.
    """
    step = definition.select(entry.trigger, state)
    if step is None or step.target != entry.dest or state.stage != entry.source:
        return None
    try:
        result = step.apply(state, step.context(state, entry.actor, entry.at, entry.details))
    except (StepProblems, KeyError, TypeError, ValueError):
        return None
    return _settle(state, result, entry.dest, entry)


def _settle(
    before: ReviewState, result: ReviewState, stage: str, entry: AuditEntry
) -> ReviewState:
    """The state after a step: the effect's result in its new stage, the entry appended.

    When the effect built a new state, this step alone holds it, so its stage and
    history are filled in place before anyone sees it (one copy of the state per
    step instead of two); otherwise the unchanged state is copied.
    """
    history = before.history.add(entry)
    if result is before:
        return before.evolve(stage=stage, history=history)
    object.__setattr__(result, "stage", stage)
    object.__setattr__(result, "history", history)
    return result


def _check_clock(clock: object) -> None:
    check_function(
        "clock",
        clock,
        "clock_callable",
        "returning the time",
        "Pass clock=lambda: pendulum.now('Europe/London'), or at= on each step.",
    )


def _check_definition(definition: object) -> None:
    if definition is not None and not isinstance(definition, ProcessDefinition):
        raise InvalidInput(
            "definition",
            "definition",
            f"expected a ProcessDefinition, got {type(definition).__name__}",
            "Pass a ProcessDefinition, or leave it out for the default process.",
        )


def _blocks_effect(reasons: list[Reason]) -> bool:
    """Details that did not parse cannot be checked against the record."""
    return any(r.kind in ("details", "availability") for r in reasons)
