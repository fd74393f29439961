"""Exhaustive verification of a process definition, and the oracle it checks paths with.

``verify(definition)`` explores, breadth first, every abstract state the real
engine can reach from a new review. From each state it fires every trigger the
table offers, for every role the table allows (each appointed person, each
seated panel member and recorded substitute), with each of the trigger's
example details (:meth:`TriggerSpec.example_details`). Time is a move of its
own: from each state the verifier may also wait until the day after the
completion due date, or until the pre-publication notice period is over.

A state is abstracted to finite values: its stage, the stage a held review left,
the agencies with a recorded substitute, the recipients of a delay notice still
waiting for its partner, and every guard's unmet reasons at that instant with
the digits taken out (so dates, draft numbers and counts do not make states
different, but *which* rule is unmet, for *which* agencies, does).

After every step the statutory properties (:data:`DEFAULT_PROPERTIES`) are
checked against the path that led there by code that reads only the recorded
history, never the guards: an oracle, not a copy. Breadth-first order makes
each state's path a shortest one, so every violated property is reported with
a shortest counterexample.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import attrs
import pendulum

from ._clocks import running_clocks
from ._definition import ProcessDefinition
from ._engine import Review
from ._errors import CsprWorkflowError
from ._records import AuditEntry, ClockKind, ReviewState
from ._time import LONDON, add_months
from .roles import Actor, Role
from .states import APPROVAL_TRIGGERS

__all__ = [
    "DEFAULT_PROPERTIES",
    "STATUTORY_OWNERS",
    "Counterexample",
    "PathSoFar",
    "Property",
    "VerificationResult",
    "Violation",
    "candidate_steps",
    "check_review",
    "verify",
]


@attrs.frozen
class PathSoFar:
    """What a property may read about a step: the review's opening and the steps before it."""

    definition: ProcessDefinition
    opened_at: pendulum.DateTime
    earlier: Sequence[AuditEntry]


Check = Callable[[PathSoFar, AuditEntry], "str | None"]


@attrs.frozen
class Property:
    """A statutory property of every path.

    ``check(path, step)`` looks at one step and the path before it, and returns
    None when the step keeps the property, else what is wrong.
    """

    id: str
    title: str
    check: Check = attrs.field(repr=False)


@attrs.frozen
class Violation:
    """A step of a history that breaks a property."""

    property: str
    title: str
    message: str
    seq: int

    def __str__(self) -> str:
        return f"step {self.seq}: [{self.title}] {self.message}"


# -- the oracle: properties read from the history alone -------------------------------

_DRAFT = "submit_draft"
_RESET = "return_to_drafting"
_CHAIN: tuple[str, ...] = APPROVAL_TRIGGERS

#: Who alone may take the statutory steps (DOMAIN.md, "Who is who", and the
#: partnership's role profiles). The verifier checks the table against this list,
#: never the other way round.
STATUTORY_OWNERS: Mapping[str, frozenset[Role]] = {
    "notify_national_panel": frozenset({Role.LOCAL_AUTHORITY}),
    "commission_review": frozenset({Role.EXECUTIVE}),
    "decline_review": frozenset({Role.EXECUTIVE}),
    "agree_methodology": frozenset({Role.CHAIR, Role.LEAD_REVIEWER}),
    "share_kloes": frozenset({Role.CHAIR}),
    "hold_panel_meeting": frozenset({Role.CHAIR}),
    "submit_draft": frozenset({Role.LEAD_REVIEWER}),
    "confirm_facts": frozenset({Role.PANEL_MEMBER}),
    "return_comments": frozenset({Role.PANEL_MEMBER}),
    "agree_report": frozenset({Role.CHAIR}),
    "crg_approve": frozenset({Role.CRG}),
    "executive_approve": frozenset({Role.EXECUTIVE}),
    "publish": frozenset({Role.EXECUTIVE}),
    "notify_delay": frozenset({Role.PDEO}),
}


def _index_of_last(earlier: Sequence[AuditEntry], trigger: str) -> int | None:
    for i in range(len(earlier) - 1, -1, -1):
        if earlier[i].trigger == trigger:
            return i
    return None


def _chain_of_current_draft(earlier: Sequence[AuditEntry]) -> list[str] | None:
    """The approvals of the latest draft, in order (None before any draft).

    A return to drafting clears them: what counts is after the later of the last
    draft and the last return.
    """
    draft = _index_of_last(earlier, _DRAFT)
    if draft is None:
        return None
    reset = _index_of_last(earlier, _RESET)
    start = draft if reset is None or reset < draft else reset
    return [e.trigger for e in earlier[start + 1 :] if e.trigger in _CHAIN]


def _entered(entry: AuditEntry, stage: str) -> bool:
    return entry.dest == stage and entry.source != stage


def _approvals_in_order(path: PathSoFar, step: AuditEntry) -> str | None:
    earlier, definition = path.earlier, path.definition
    publishing = _entered(step, definition.policy.completion.stops)
    if step.trigger not in _CHAIN and not publishing:
        return None
    chain = _chain_of_current_draft(earlier)
    if chain is None:
        return f"{step.trigger} with no draft submitted"
    needed = list(_CHAIN) if publishing else list(_CHAIN[: _CHAIN.index(step.trigger)])
    if chain != needed:
        got = " then ".join(chain) or "no approval"
        want = " then ".join(needed) or "no earlier approval"
        return f"{step.trigger} after {got} of the current draft; needed {want}"
    return None


def _methodology_first(path: PathSoFar, step: AuditEntry) -> str | None:
    earlier = path.earlier
    if step.trigger != "hold_panel_meeting":
        return None
    latest: dict[Role, object] = {}
    for entry in earlier:
        if entry.trigger == "agree_methodology":
            latest[entry.actor.role] = entry.details.get("methodology")
    problems = []
    if Role.CHAIR not in latest or Role.LEAD_REVIEWER not in latest:
        problems.append("the methodology was not agreed by both the Chair and the Lead Reviewer")
    elif latest[Role.CHAIR] != latest[Role.LEAD_REVIEWER]:
        problems.append("the Chair and the Lead Reviewer agreed different methodologies")
    if not any(e.trigger == "share_kloes" for e in earlier):
        problems.append("the key lines of enquiry were not shared")
    return "; ".join(problems) or None


def _completion_due(
    earlier: Sequence[AuditEntry], definition: ProcessDefinition
) -> pendulum.Date | None:
    """The completion due date the history sets, or None when no clock is running."""
    clock = definition.policy.completion
    started = next((e for e in earlier if _entered(e, clock.starts)), None)
    if started is None or any(_entered(e, clock.stops) for e in earlier):
        return None
    due = add_months(started.at.date(), clock.limit)
    latest: dict[Role, pendulum.Date] = {}
    for entry in earlier:
        revised = entry.details.get("revised_date")
        if not isinstance(revised, pendulum.Date):
            continue
        if entry.trigger == "notify_delay":
            recipients: Any = entry.details.get("recipients", ())
        elif entry.trigger == "defer_publication":  # a deferral is a delay notified to both
            recipients = (Role.NATIONAL_PANEL, Role.EXECUTIVE)
        else:
            continue
        for recipient in recipients:
            latest[Role(recipient)] = revised
    if Role.NATIONAL_PANEL in latest and Role.EXECUTIVE in latest:
        due = max(due, min(latest[Role.NATIONAL_PANEL], latest[Role.EXECUTIVE]))
    return due


def _timing(path: PathSoFar, step: AuditEntry) -> str | None:
    earlier, definition = path.earlier, path.definition
    if step.trigger == "notify_delay":
        return None
    due = _completion_due(earlier, definition)
    if due is not None and step.at.date() > due:
        return (
            f"{step.trigger} taken on {step.at.date().to_date_string()}, past the due date "
            f"{due.to_date_string()}, with no delay notified to both the National Panel and "
            "the Executive"
        )
    return None


def _clock_start(path: PathSoFar, stage: str) -> pendulum.DateTime | None:
    """When the path first entered ``stage`` (the opening, for the initial stage)."""
    if stage == path.definition.initial_stage.name:
        return path.opened_at
    return next((e.at for e in path.earlier if _entered(e, stage)), None)


def _late_explained(path: PathSoFar, step: AuditEntry) -> str | None:
    earlier, definition = path.earlier, path.definition
    policy = definition.policy
    for clock in policy.clocks:
        if clock.kind is not ClockKind.DEADLINE or not _entered(step, clock.stops):
            continue
        if any(_entered(e, clock.stops) for e in earlier):
            continue
        start = _clock_start(path, clock.starts)
        if start is None:
            continue
        due = clock.due(start.date(), policy.calendar)
        if step.at.date() > due and not step.details.get("late_reason"):
            return f"{clock.id} ({clock.name}) stopped after {due.to_date_string()} with no reason"
    return None


def _notice_period(path: PathSoFar, step: AuditEntry) -> str | None:
    definition = path.definition
    policy = definition.policy
    for clock in policy.clocks:
        if clock.kind is not ClockKind.NOTICE_PERIOD or not _entered(step, clock.stops):
            continue
        start = _clock_start(path, clock.starts)
        if start is None:
            return f"{step.trigger} with no notice ({clock.name}) given"
        due = clock.due(start.date(), policy.calendar)
        if step.at.date() < due:
            return (
                f"{step.trigger} on {step.at.date().to_date_string()}, before {due} ({clock.name})"
            )
    return None


def _fact_check(path: PathSoFar, step: AuditEntry) -> str | None:
    earlier = path.earlier
    if step.trigger != "agree_report":
        return None
    draft = _index_of_last(earlier, _DRAFT)
    if draft is None:
        return "the panel agreed a report with no draft"
    seated = {e.details["agency"] for e in earlier if e.trigger == "appoint_panel_member"}
    confirmed = {
        e.details.get("agency", e.actor.agency)
        for e in earlier[draft + 1 :]
        if e.trigger == "confirm_facts"
    }
    missing = sorted(str(a) for a in seated - confirmed)
    if missing:
        return f"the panel agreed a draft not confirmed by {', '.join(missing)}"
    return None


def _action_plan(path: PathSoFar, step: AuditEntry) -> str | None:
    earlier = path.earlier
    if step.trigger not in ("crg_approve", "executive_approve"):
        return None
    draft = _index_of_last(earlier, _DRAFT)
    if draft is None:
        return f"{step.trigger} with no draft and so no recommendations"
    recommendations: Any = earlier[draft].details["recommendations"]
    wanted = {str(rec_id) for rec_id, _ in recommendations}
    live: dict[str, str] = {}
    added = 0
    for entry in earlier:
        if entry.trigger == "add_action":
            added += 1
            live[f"A{added}"] = str(entry.details["recommendation"])
        elif entry.trigger == "withdraw_action":
            live.pop(str(entry.details["action"]), None)
    unanswered = sorted(wanted - set(live.values()))
    orphans = sorted(a for a, rec in live.items() if rec not in wanted)
    problems = []
    if unanswered:
        problems.append(f"recommendations with no action: {', '.join(unanswered)}")
    if orphans:
        problems.append(f"actions answering no recommendation: {', '.join(orphans)}")
    return "; ".join(problems) or None


def _owners(path: PathSoFar, step: AuditEntry) -> str | None:
    owners = STATUTORY_OWNERS.get(step.trigger)
    if owners is not None and step.actor.role not in owners:
        return f"{step.trigger} was taken by the {step.actor.role.label}"
    return None


def _own_agency(path: PathSoFar, step: AuditEntry) -> str | None:
    earlier = path.earlier
    if step.actor.role is not Role.PANEL_MEMBER:
        return None
    spoken = step.details.get("agency")
    if spoken is not None and spoken != step.actor.agency:
        return f"a panel member for {step.actor.agency} took {step.trigger} for {spoken}"
    seats = [e for e in earlier if e.trigger == "appoint_panel_member"]
    seat = next((e for e in reversed(seats) if e.details["agency"] == step.actor.agency), None)
    if seat is None:
        return f"{step.trigger} by a panel member for {step.actor.agency}, which has no seat"
    if step.actor.substitute:
        recorded = any(
            e.trigger == "record_substitute"
            and e.details["agency"] == step.actor.agency
            and e.details["substitute"] == step.actor.name
            for e in earlier
        )
        if not recorded:
            return f"{step.trigger} by an unrecorded substitute for {step.actor.agency}"
    elif step.actor.name != seat.details["member"]:
        return f"{step.trigger} by someone other than {step.actor.agency}'s panel member"
    return None


def _forward(path: PathSoFar, step: AuditEntry) -> str | None:
    earlier = path.earlier
    if not earlier:
        return None if step.seq == 1 else f"the first step is numbered {step.seq}"
    last = earlier[-1]
    if step.at < last.at:
        return "the step is dated before the one it follows"
    if step.seq != last.seq + 1 or step.source != last.dest:
        return "the step does not follow on from the one before it"
    return None


def _after_final(path: PathSoFar, step: AuditEntry) -> str | None:
    definition = path.definition
    if definition.stage(step.source).final:
        return f"{step.trigger} was taken from the final stage {step.source!r}"
    return None


def _p(id: str, title: str, check: Check) -> Property:
    return Property(id, title, check)


DEFAULT_PROPERTIES: tuple[Property, ...] = (
    _p(
        "approvals",
        "CRP, CRG and Executive approve the published draft in that order, none skipped",
        _approvals_in_order,
    ),
    _p(
        "methodology",
        "no panel meeting before the KLOEs are shared and both Chair and Lead Reviewer "
        "agree the methodology",
        _methodology_first,
    ),
    _p(
        "timing",
        "no step past the completion due date without a delay notified to both the "
        "National Panel and the Executive",
        _timing,
    ),
    _p("late_explained", "a clock stopped late carries the reason", _late_explained),
    _p(
        "notice_period",
        "publication only after the pre-publication notice period",
        _notice_period,
    ),
    _p(
        "fact_check",
        "no CRP agreement before every panel agency confirmed that exact draft",
        _fact_check,
    ),
    _p(
        "action_plan",
        "no CRG or Executive sign-off of an action plan not tied to the recommendations",
        _action_plan,
    ),
    _p("owners", "statutory steps are taken only by the role that owns them", _owners),
    _p("own_agency", "a panel member speaks only for their own seat and agency", _own_agency),
    _p("forward", "the history runs forward: numbered, chained and never back in time", _forward),
    _p("final", "nothing happens after a final stage", _after_final),
)
"""The statutory properties checked on every path (DOMAIN.md, "Invariants")."""


def check_review(
    review: Review, *, properties: Sequence[Property] = DEFAULT_PROPERTIES, since: int = 1
) -> tuple[Violation, ...]:
    """Every step of ``review``'s history that breaks one of ``properties``, in order.

    Reads the opening instant and the history alone (never the guards), so it
    audits a review however it was produced. ``since`` skips the steps numbered
    before it (already checked).

    >>> from cspr_workflow import demo_review
    >>> check_review(demo_review())
    ()
    """
    return _violations(review.definition, review.state, properties, since)


def _violations(
    definition: ProcessDefinition,
    state: ReviewState,
    properties: Sequence[Property],
    since: int = 1,
) -> tuple[Violation, ...]:
    history = state.history
    found = []
    for i in range(max(since, 1) - 1, len(history)):
        step = history[i]
        path = PathSoFar(definition, state.aware_at, history[:i])
        for prop in properties:
            problem = prop.check(path, step)
            if problem is not None:
                found.append(Violation(prop.id, prop.title, problem, step.seq))
    return tuple(found)


# -- results ---------------------------------------------------------------------------


@attrs.frozen
class Counterexample:
    """A shortest path that breaks one property: the steps, then what went wrong."""

    property: str
    title: str
    message: str
    path: tuple[AuditEntry, ...]

    def describe(self) -> str:
        """The path, a step a line, then what went wrong."""
        lines = [f"{self.property}: {self.title}", f"  violated: {self.message}"]
        for e in self.path:
            lines.append(
                f"  {e.seq:>3}. {e.at.to_date_string()} {e.actor.describe():<34} "
                f"{e.trigger} ({e.source} -> {e.dest})"
            )
        return "\n".join(lines)


@attrs.frozen
class VerificationResult:
    """What :func:`verify` explored and found."""

    definition: str
    states: int
    transitions: int
    attempts: int
    seconds: float
    violations: tuple[Counterexample, ...]
    stages_reached: frozenset[str]
    triggers_fired: frozenset[str]
    unreached: tuple[str, ...]
    unfired: tuple[str, ...]
    truncated: bool

    @property
    def ok(self) -> bool:
        """True when no property is violated and the exploration was complete."""
        return not self.violations and not self.truncated

    def violation(self, property: str) -> Counterexample | None:
        """The counterexample of ``property``, if it is violated."""
        return next((v for v in self.violations if v.property == property), None)

    def summary(self) -> str:
        """A few lines for people: what was explored, then each counterexample."""
        n = len(self.violations)
        lines = [
            f"{self.definition}: {self.states} states, {self.transitions} transitions "
            f"({self.attempts} attempts) in {self.seconds:.1f} s; "
            f"{n} violated propert{'y' if n == 1 else 'ies'}"
        ]
        if self.truncated:
            lines.append("  exploration stopped at the state limit: the result is partial")
        if self.unreached:
            lines.append("  stages never reached: " + ", ".join(self.unreached))
        if self.unfired:
            lines.append("  triggers never fired: " + ", ".join(self.unfired))
        lines += [v.describe() for v in self.violations]
        return "\n".join(lines)


# -- exploration -------------------------------------------------------------------------

_DIGITS = re.compile(r"\d+")
_START = pendulum.datetime(2026, 1, 5, 9, tz=LONDON)
_ANYONE = Actor("verifier", Role.EXECUTIVE)


def _default(definition: ProcessDefinition | None) -> ProcessDefinition:
    if definition is not None:
        return definition
    from .states import DEFAULT_DEFINITION

    return DEFAULT_DEFINITION


def _key(definition: ProcessDefinition, state: ReviewState, now: pendulum.DateTime) -> Any:
    facts = frozenset(
        (gid, _DIGITS.sub("#", reason.message))
        for gid, guard in definition.guards.items()
        for reason in guard(state, _ANYONE, now)
    )
    substitutes = frozenset(s.agency for s in state.panel if s.substitutes)
    due = state.completion_due
    waiting = frozenset(
        r for n in state.delay_notices if due is None or n.revised_date > due for r in n.recipients
    )
    overdue = _overdue(definition, state, now)
    return (state.stage, state.held_from, substitutes, waiting, overdue, facts)


def _actors(state: ReviewState, role: Role) -> list[Actor]:
    if role is Role.CHAIR:
        return [Actor(state.chair or "Chair", role)]
    if role is Role.LEAD_REVIEWER:
        return [Actor(state.lead_reviewer or "Lead Reviewer", role)]
    if role is Role.PANEL_MEMBER:
        actors = []
        for seat in state.panel:
            actors.append(Actor(seat.member, role, agency=seat.agency))
            actors += [
                Actor(s, role, agency=seat.agency, substitute=True) for s in seat.substitutes
            ]
        return actors
    agency = "Council" if role is Role.LOCAL_AUTHORITY else None
    return [Actor(role.label, role, agency=agency)]


def _at_nine(date: pendulum.Date) -> pendulum.DateTime:
    return pendulum.datetime(date.year, date.month, date.day, 9, tz=LONDON)


def _overdue(
    definition: ProcessDefinition, state: ReviewState, at: pendulum.DateTime
) -> frozenset[str]:
    """The deadline clocks (C1, C2) running past their due date at ``at``."""
    return frozenset(
        spec.id
        for spec, due in running_clocks(definition.policy, state)
        if spec.kind is ClockKind.DEADLINE and at.date() > due
    )


def _waits(
    definition: ProcessDefinition, state: ReviewState, now: pendulum.DateTime
) -> Iterator[pendulum.DateTime]:
    """The instants worth waiting for: the day after a running clock's due date, or the
    end of a notice period."""
    for spec, due in running_clocks(definition.policy, state):
        if spec.kind is ClockKind.NOTICE_PERIOD:
            if now.date() < due:
                yield _at_nine(due)
        elif now.date() <= due:
            yield _at_nine(due.add(days=1))


def candidate_steps(
    definition: ProcessDefinition, state: ReviewState, at: pendulum.DateTime
) -> Iterator[tuple[str, Actor, Mapping[str, Any]]]:
    """Every (trigger, actor, details) worth trying in ``state`` at ``at``.

    Each trigger the table offers from the stage once, for every role any of its
    rows allows (each appointed person, each seated member and recorded substitute),
    with each of the trigger's example details.
    """
    roles: dict[str, set[Role]] = {}
    for row in definition.rows_from(state.stage):
        roles.setdefault(row.trigger, set()).update(row.roles)
    late = {definition.policy.clock(c).stops for c in _overdue(definition, state, at)}
    for trigger, allowed in roles.items():
        examples = list(definition.trigger(trigger).example_details(state, at))
        if any(r.target in late for r in definition.rows(trigger, state.stage)):
            examples += [{**e, "late_reason": "Example reason for the delay"} for e in examples]
        for role in sorted(allowed):
            for actor in _actors(state, role):
                for details in examples:
                    yield trigger, actor, details


def verify(
    definition: ProcessDefinition | None = None,
    *,
    properties: Sequence[Property] = DEFAULT_PROPERTIES,
    max_states: int = 200_000,
    stop_at_first: bool = False,
) -> VerificationResult:
    """Explore every reachable abstract state of ``definition`` and check ``properties``.

    Returns the counts explored and, for each violated property, a shortest
    counterexample. ``max_states`` bounds the exploration (``truncated`` says when
    it was reached); ``stop_at_first`` stops at the first violation found.
    ``verify().ok`` is True for the default definition (about ten seconds).
    """
    definition = _default(definition)
    started = time.perf_counter()
    first = Review.open("Verifier", aware_at=_START, definition=definition).state
    seen = {_key(definition, first, _START)}
    queue: deque[tuple[ReviewState, pendulum.DateTime]] = deque([(first, _START)])
    found: dict[str, Counterexample] = {}
    stages = {first.stage}
    fired: set[str] = set()
    transitions = attempts = 0
    truncated = False

    def visit(state: ReviewState, now: pendulum.DateTime) -> None:
        nonlocal truncated
        key = _key(definition, state, now)
        if key in seen:
            return
        if len(seen) >= max_states:
            truncated = True
            return
        seen.add(key)
        queue.append((state, now))

    while queue and not (stop_at_first and found):
        state, now = queue.popleft()
        for later in _waits(definition, state, now):
            visit(state, later)
        handle = Review(state, definition)
        for trigger, actor, details in candidate_steps(definition, state, now):
            attempts += 1
            try:
                entry = handle.fire(trigger, by=actor, at=now, **details)
            except CsprWorkflowError:
                continue
            after = handle.state
            handle = Review(state, definition)
            transitions += 1
            fired.add(trigger)
            stages.add(after.stage)
            _record(properties, definition, state, entry, after, found)
            visit(after, now)
    return VerificationResult(
        definition=definition.name,
        states=len(seen),
        transitions=transitions,
        attempts=attempts,
        seconds=time.perf_counter() - started,
        violations=tuple(found[p.id] for p in properties if p.id in found),
        stages_reached=frozenset(stages),
        triggers_fired=frozenset(fired),
        unreached=tuple(s.name for s in definition.stages if s.name not in stages),
        unfired=tuple(t.name for t in definition.triggers if t.name not in fired),
        truncated=truncated,
    )


def _record(
    properties: Sequence[Property],
    definition: ProcessDefinition,
    before: ReviewState,
    entry: AuditEntry,
    after: ReviewState,
    found: dict[str, Counterexample],
) -> None:
    path = PathSoFar(definition, before.aware_at, before.history)
    for prop in properties:
        if prop.id in found:
            continue
        problem = prop.check(path, entry)
        if problem is not None:
            found[prop.id] = Counterexample(prop.id, prop.title, problem, after.history)
