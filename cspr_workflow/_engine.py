"""The engine: a review, and how a step is checked and taken.

A :class:`Review` is a handle on one immutable :class:`ReviewState` and the
:class:`ProcessDefinition` it follows. ``fire`` checks every rule (time, the
table, the actor's role and agency, the step's details, the guards), and only
when all pass drives the definition's one ``transitions.Machine`` on a
throw-away step object; the effect builds the next state there. The review's
state is replaced in a single assignment at the very end, so a refusal or an
exception anywhere leaves the review exactly as it was.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import pendulum

from ._clocks import DeadlineReport, deadline_report, start_clocks, track_clocks
from ._codec import entry_digest, opening_digest
from ._definition import (
    DetailKind,
    DetailSpec,
    ProcessDefinition,
    StepContext,
    TransitionSpec,
    TriggerSpec,
)
from ._errors import (
    InvalidTime,
    NotPermitted,
    Reason,
    StepProblems,
    TimeWentBackwards,
    TransitionRefused,
    UnknownTrigger,
)
from ._records import AuditEntry, Refusal, ReviewState
from ._time import Clock, as_instant
from .roles import Actor, Role
from .states import DEFAULT_DEFINITION, Stage

if TYPE_CHECKING:
    from ._diagrams import Diagram

__all__ = ["Option", "Review", "Verdict"]

_log = logging.getLogger("cspr_workflow")

_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,63}$")


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
        """The names of the unmet rules."""
        return tuple(r.rule for r in self.reasons)


@attrs.frozen
class Option:
    """A step the process offers from the current stage: who may take it, what blocks it."""

    trigger: str
    title: str
    dest: str
    roles: tuple[Role, ...]
    unmet: tuple[Reason, ...]

    @property
    def ready(self) -> bool:
        """True when nothing but the actor's identity and the step's details is missing."""
        return not self.unmet


class _Step:
    """The throw-away model the definition's machine moves for one step."""

    __slots__ = ("ctx", "definition", "result", "review", "state")

    def __init__(self, review: ReviewState, definition: ProcessDefinition, ctx: StepContext):
        self.state = review.stage
        self.review = review
        self.definition = definition
        self.ctx = ctx
        self.result = review

    def apply(self, row: TransitionSpec) -> None:
        if self.ctx.dest != row.target:  # the machine chose another row than the check did
            self.ctx = attrs.evolve(self.ctx, dest=row.target)
        self.result = _run_effect(self.definition, row, self.review, self.ctx)


_LATE_REASON = DetailSpec(
    "late_reason",
    DetailKind.TEXT,
    "why a clock this step stops is late (needed exactly when it is)",
    required=False,
)


def _run_effect(
    definition: ProcessDefinition, row: TransitionSpec, review: ReviewState, ctx: StepContext
) -> ReviewState:
    """The trigger's effect, then the clocks: those the step starts, and a late stop's reason."""
    effect = definition.trigger(row.trigger).effect
    after = review if effect is None else effect(review, ctx)
    late_reason = ctx.details.get(_LATE_REASON.name)
    return track_clocks(
        definition.policy, review, after, review.stage, row.target, ctx.at, late_reason
    )


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

    __slots__ = ("_clock", "_definition", "_refusals", "_state")

    def __init__(
        self,
        state: ReviewState,
        definition: ProcessDefinition = DEFAULT_DEFINITION,
        *,
        clock: Clock | None = None,
        refusals: Iterable[Refusal] = (),
    ) -> None:
        try:
            definition.stage(state.stage)
        except KeyError:
            raise ValueError(
                f"review {state.reference!r} is at stage {state.stage!r}, which process "
                f"definition {definition.name!r} does not have"
            ) from None
        self._state = state
        self._definition = definition
        self._clock = clock
        self._refusals = tuple(refusals)

    @classmethod
    def open(
        cls,
        reference: str,
        *,
        aware_at: object,
        definition: ProcessDefinition = DEFAULT_DEFINITION,
        clock: Clock | None = None,
    ) -> Review:
        """Open a review on the day the local authority became aware of the incident.

        ``reference`` is pseudonymous ("Child A", "LCSPR 2026/03"): letters, digits,
        spaces and ``. _ / -``, at most 64 characters. Never a child's name.
        """
        if not isinstance(reference, str) or not _REFERENCE.match(reference):
            raise ValueError(
                "a review reference is a pseudonym such as 'Child A' or 'LCSPR 2026/03': "
                "1-64 letters, digits, spaces or . _ / -, starting with a letter or digit"
            )
        state = ReviewState(
            reference=reference,
            aware_at=as_instant(aware_at, "aware_at"),
            stage=definition.initial_stage.name,
        )
        return cls(start_clocks(definition.policy, state), definition, clock=clock)

    # -- what the review is ------------------------------------------------------

    @property
    def reference(self) -> str:
        """The review's pseudonymous reference."""
        return self._state.reference

    @property
    def stage(self) -> str:
        """The current stage (a :class:`Stage` member for the default stages)."""
        return _as_stage(self._state.stage)

    @property
    def state(self) -> ReviewState:
        """The current immutable snapshot of everything the review knows."""
        return self._state

    @property
    def history(self) -> tuple[AuditEntry, ...]:
        """Every step taken, in order (append-only)."""
        return self._state.history

    @property
    def refusals(self) -> tuple[Refusal, ...]:
        """Every step ``fire`` refused, in order: who tried what, when, and the rules.

        A refusal changes nothing in the review's state or history; it is noted
        here, beside them, for the audit report.
        """
        return self._refusals

    @property
    def history_head(self) -> str:
        """The SHA-256 that closes the history's hash chain: keep it elsewhere, and any
        later change to the stored history shows (see ``verify_history``)."""
        return _head(self._state)

    @property
    def definition(self) -> ProcessDefinition:
        """The process definition the review follows."""
        return self._definition

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
        reasons, row, parsed = self._evaluate(trigger, by, instant, details)
        if row is not None and parsed is not None and not _blocks_effect(reasons):
            reasons += self._effect_problems(row, by, instant, parsed)
        return Verdict(trigger, self._state.stage, tuple(reasons))

    def fire(self, trigger: str, *, by: Actor, at: object = None, **details: Any) -> AuditEntry:
        """Take the step, or raise with every reason it is refused.

        Raises :class:`TimeWentBackwards`, :class:`NotPermitted` or
        :class:`TransitionRefused` (all carrying every unmet rule), or
        :class:`UnknownTrigger`. On any error the review is unchanged.
        Returns the new history entry.
        """
        instant = self._now(at)
        before = self._state
        reasons, row, parsed = self._evaluate(trigger, by, instant, details)
        if reasons:
            if row is not None and parsed is not None and not _blocks_effect(reasons):
                reasons += self._effect_problems(row, by, instant, parsed)
            raise self._refusal(trigger, reasons, by, instant)
        assert row is not None
        assert parsed is not None
        ctx = StepContext(by, instant, parsed, before.stage, row.target, self._definition.policy)
        step = _Step(before, self._definition, ctx)
        try:
            moved = self._definition.execute(row, step)
        except StepProblems as problems:
            raise self._refusal(trigger, list(problems.reasons), by, instant) from None
        if not moved:  # a selector changed its mind between check and move: impossible when pure
            reason = _not_available(self._definition, trigger, before.stage)
            raise self._refusal(trigger, [reason], by, instant)
        entry = AuditEntry(
            seq=len(before.history) + 1,
            at=instant,
            actor=by,
            trigger=str(trigger),
            source=before.stage,
            dest=step.state,
            details=parsed,
            prev=_head(before),
        )
        self._state = _settle(before, step.result, step.state, entry)
        if _log.isEnabledFor(logging.INFO):
            _log.info(
                "review %s: %s by %s, %s -> %s",
                self.reference,
                trigger,
                by.describe(dict(self._definition.role_titles)),
                entry.source,
                entry.dest,
            )
        return entry

    def deadlines(self, *, at: object = None) -> DeadlineReport:
        """Every clock at ``at``: start, due date, stop, status, time left, provenance.

        The report is of the review as it stands, so ``at`` may not be earlier
        than its last recorded step (:class:`TimeWentBackwards`).
        """
        instant = self._now(at)
        reasons = self._time_reasons(instant)
        if reasons:
            raise TimeWentBackwards(self.reference, "deadlines", self._state.stage, reasons)
        return deadline_report(self._definition, self._state, instant)

    def diagram(self, *, at: object = None) -> Diagram:
        """The review's path on its process diagram: steps taken (date and role), the
        current stage, and the clocks at risk or overdue at ``at`` (default: the last step)."""
        from ._diagrams import diagram

        return diagram(self, at=at)

    def _repr_svg_(self) -> str | None:
        return self.diagram()._repr_svg_()

    def _repr_markdown_(self) -> str:
        return self.diagram()._repr_markdown_()

    def available(self, *, by: Actor, at: object = None) -> tuple[str, ...]:
        """The triggers ``by`` could fire now (the step's details aside), in table order."""
        instant = self._now(at)
        found: dict[str, None] = {}
        for row in self._definition.rows_from(self._state.stage):
            if row.trigger in found:
                continue
            reasons, _, _ = self._evaluate(row.trigger, by, instant, None)
            if not reasons:
                found[row.trigger] = None
        return tuple(found)

    def options(self, *, at: object = None) -> tuple[Option, ...]:
        """Every step the process offers from here, who may take it, and what blocks it."""
        instant = self._now(at)
        state = self._state
        result = []
        for row in self._definition.rows_from(state.stage):
            if row.selector is not None and not self._definition.selectors[row.selector](
                state, row.target
            ):
                continue
            unmet = self._guard_reasons(row, instant)
            time = self._time_reasons(instant)
            result.append(
                Option(
                    trigger=row.trigger,
                    title=self._definition.trigger(row.trigger).title,
                    dest=row.target,
                    roles=tuple(sorted(row.roles)),
                    unmet=tuple(time + unmet),
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

    def _evaluate(
        self, trigger: str, actor: Actor, at: pendulum.DateTime, details: Mapping[str, Any] | None
    ) -> tuple[list[Reason], TransitionSpec | None, dict[str, Any] | None]:
        definition = self._definition
        state = self._state
        if not definition.has_trigger(trigger):
            raise UnknownTrigger(
                state.reference, str(trigger), [t.name for t in definition.triggers]
            )
        if not isinstance(actor, Actor):
            raise TypeError(f"by= must be an Actor, not {type(actor).__name__}")
        reasons = self._time_reasons(at)
        row = self._select(trigger)
        if row is None:
            reasons.append(_not_available(definition, trigger, state.stage))
            return reasons, None, None
        reasons += self._permission_reasons(row, actor, details)
        parsed: dict[str, Any] | None = None
        if details is not None:
            parsed, detail_reasons = self._parse_details(row.trigger, details)
            reasons += detail_reasons
        reasons += self._guard_reasons(row, at, actor)
        return reasons, row, parsed

    def _time_reasons(self, at: pendulum.DateTime) -> list[Reason]:
        last = self._state.last_at
        if at >= last:
            return []
        what = "the last recorded step" if self._state.history else "the day of awareness"
        return [
            Reason(
                "time never runs backwards",
                f"the step is dated {at.to_iso8601_string()}, before {what} "
                f"({last.to_iso8601_string()}).",
                "date the step at or after the latest recorded instant.",
                "time",
            )
        ]

    def _select(self, trigger: str) -> TransitionSpec | None:
        rows = self._definition.rows(trigger, self._state.stage)
        for row in rows:
            if row.selector is None or self._definition.selectors[row.selector](
                self._state, row.target
            ):
                return row
        return None

    def _permission_reasons(
        self, row: TransitionSpec, actor: Actor, details: Mapping[str, Any] | None
    ) -> list[Reason]:
        definition = self._definition
        state = self._state
        if actor.role not in row.roles:
            who = actor.describe(dict(definition.role_titles))
            trigger_title = definition.trigger(row.trigger).title
            allowed = ", ".join(sorted(definition.role_title(r) for r in row.roles))
            return [
                Reason(
                    "only the role that owns a step may take it",
                    f"{who} may not {trigger_title} at stage {state.stage!r}.",
                    f"it is for: {allowed}.",
                    "permission",
                )
            ]
        reasons = []
        appointed = (
            {Role.CHAIR: state.chair, Role.LEAD_REVIEWER: state.lead_reviewer}
            if actor.role in _APPOINTED
            else {}
        )
        if actor.role in appointed and actor.name != appointed[actor.role]:
            title = definition.role_title(actor.role)
            reasons.append(
                Reason(
                    f"acts as the appointed {title}",
                    f"the actor is not the {title} appointed to this review"
                    + ("" if appointed[actor.role] else f" (no {title} has been appointed)")
                    + ".",
                    f"the appointed {title} takes this step (appoint_reviewers records who).",
                    "permission",
                )
            )
        if actor.role is Role.PANEL_MEMBER:
            reasons += _seat_reasons(state, actor)
            spec = definition.trigger(row.trigger)
            named = (details or {}).get(spec.agency_detail) if spec.agency_detail else None
            if named is not None and named != actor.agency:
                who = actor.describe(dict(definition.role_titles))
                trigger_title = spec.title
                reasons.append(
                    Reason(
                        "a panel member speaks only for their own agency",
                        f"{who} may not {trigger_title} for {named}.",
                        f"{named}'s panel member (or recorded substitute) takes this step.",
                        "permission",
                    )
                )
        return reasons

    def _parse_details(
        self, trigger: str, details: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[Reason]]:
        trigger = str(trigger)
        known = _known_details(self._definition.trigger(trigger))
        parsed: dict[str, Any] = {}
        reasons = []
        for name in details:
            if name not in known:
                accepted = ", ".join(known) or "none"
                reasons.append(
                    Reason(
                        "the step's details",
                        f"{trigger!r} takes no detail {name!r}.",
                        f"pass only its details ({accepted}).",
                        "details",
                    )
                )
        for name, detail in known.items():
            if details.get(name) is None:
                if detail.required:
                    reasons.append(
                        Reason(
                            "the step's details",
                            f"{trigger!r} needs {name}= ({detail.help}).",
                            f"pass {name}=...",
                            "details",
                        )
                    )
                continue
            value, error = detail.parse(details[name])
            if error is None:
                parsed[name] = value
            else:
                reasons.append(
                    Reason("the step's details", error + ".", f"pass a valid {name}=", "details")
                )
        return parsed, reasons

    def _guard_reasons(
        self, row: TransitionSpec, at: pendulum.DateTime, actor: Actor | None = None
    ) -> list[Reason]:
        who = actor if actor is not None else _NOBODY
        state = self._state
        reasons: list[Reason] = []
        for guard in self._definition.guards_of(row):
            unmet = guard.function(state, who, at)
            if unmet:
                reasons += [Reason(guard.title, message, remedy) for message, remedy in unmet]
        return reasons

    def _effect_problems(
        self, row: TransitionSpec, actor: Actor, at: pendulum.DateTime, parsed: dict[str, Any]
    ) -> list[Reason]:
        ctx = StepContext(
            actor, at, parsed, self._state.stage, row.target, self._definition.policy
        )
        try:
            _run_effect(self._definition, row, self._state, ctx)
        except StepProblems as problems:
            return list(problems.reasons)
        return []

    def _refusal(
        self, trigger: str, reasons: list[Reason], by: Actor, at: pendulum.DateTime
    ) -> TransitionRefused:
        """The error for a refused step, noted in :attr:`refusals` first."""
        stage = self._state.stage
        self._refusals = (*self._refusals, Refusal(at, by, str(trigger), stage, tuple(reasons)))
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
            self._state.stage,
            "; ".join(r.rule for r in reasons),
        )
        return cls(self.reference, str(trigger), self._state.stage, reasons)


_NOBODY = Actor("(anyone)", Role.EXECUTIVE)
_APPOINTED = frozenset({Role.CHAIR, Role.LEAD_REVIEWER})


@functools.lru_cache(maxsize=1024)
def _known_details(spec: TriggerSpec) -> dict[str, DetailSpec]:
    """The details a trigger takes, by name, and ``late_reason``, which every step takes."""
    return {d.name: d for d in (*spec.details, _LATE_REASON)}


def _settle(
    before: ReviewState, result: ReviewState, stage: str, entry: AuditEntry
) -> ReviewState:
    """The state after a step: the effect's result in its new stage, the entry appended.

    When the effect built a new state, this step alone holds it, so its stage and
    history are filled in place before anyone sees it (one copy of the state per
    step instead of two); otherwise the unchanged state is copied.
    """
    history = (*before.history, entry)
    if result is before:
        return before.evolve(stage=stage, history=history)
    object.__setattr__(result, "stage", stage)
    object.__setattr__(result, "history", history)
    return result


def _head(state: ReviewState) -> str:
    """The digest of the last entry, or of the opening record before the first step."""
    if state.history:
        return entry_digest(state.history[-1])
    return opening_digest(state.reference, state.aware_at)


def _blocks_effect(reasons: list[Reason]) -> bool:
    """Details that did not parse cannot be checked against the record."""
    return any(r.kind in ("details", "availability") for r in reasons)


def _seat_reasons(state: ReviewState, actor: Actor) -> list[Reason]:
    seat = state.panel_member(actor.agency or "")
    if seat is None:
        return [
            Reason(
                "a panel member sits for an agency on the panel",
                f"{actor.agency} has no seat on this review's panel.",
                "appoint the agency's member first (appoint_panel_member).",
                "permission",
            )
        ]
    if actor.substitute and actor.name not in seat.substitutes:
        return [
            Reason(
                "a substitute is recorded before acting",
                f"the actor is not a recorded substitute for {actor.agency}'s panel member.",
                "record the substitute first (record_substitute).",
                "permission",
            )
        ]
    if not actor.substitute and actor.name != seat.member:
        return [
            Reason(
                "a panel member sits for an agency on the panel",
                f"the actor is not {actor.agency}'s recorded panel member.",
                "the recorded member acts, or a recorded substitute with substitute=True.",
                "permission",
            )
        ]
    return []


def _not_available(definition: ProcessDefinition, trigger: str, stage: str) -> Reason:
    sources = definition.sources(trigger)
    return Reason(
        "the process table",
        f"{definition.trigger(trigger).title!r} is not available at stage "
        f"{definition.stage(stage).title!r}.",
        "it is available from: " + ", ".join(definition.stage(s).title for s in sources) + ".",
        "availability",
    )


def _as_stage(name: str) -> str:
    try:
        return Stage(name)
    except ValueError:
        return name
