"""Frozen value records: everything a review knows, and its history.

A :class:`ReviewState` is one immutable snapshot. The engine never edits it in
place: a step builds the next snapshot and swaps it in only when everything
succeeded, which is what makes steps atomic.
"""

from __future__ import annotations

import enum
import functools
import operator
import re
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
import pendulum

from ._errors import CsprWorkflowError, InvalidInput, Reason
from ._sequence import AppendOnly, append_only
from ._text import text_problem

__all__ = [
    "Action",
    "ActionStatus",
    "Actor",
    "Approval",
    "AuditEntry",
    "ClockKind",
    "ClockRecord",
    "ClockUnit",
    "DelayNotice",
    "Draft",
    "FactCheck",
    "FamilyResponse",
    "InformationRequest",
    "Meeting",
    "MeetingKind",
    "MethodologyAgreement",
    "PanelMember",
    "Recommendation",
    "Refusal",
    "ReviewState",
]


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _non_empty(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    problem = "must not be empty" if value == "" else text_problem(value, _ACTOR_TEXT)
    if problem is not None:
        raise InvalidInput(
            f"Actor.{attribute.name}",
            "actor_text",
            problem,
            f"Give the actor's {attribute.name} as non-empty text.",
        )


def _agency(instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None:
        _non_empty(instance, attribute, value)


def _flag(instance: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if type(value) is not bool:
        raise InvalidInput(
            f"Actor.{attribute.name}", "actor_flag", "expected True or False", "Pass a bool."
        )


_ACTOR_TEXT = 200

_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._/-]{0,63}")


def reference_problem(value: object) -> str | None:
    """Why ``value`` is not a review reference, or None.

    A reference is a pseudonym such as "Child A" or "LCSPR 2026/03": 1-64 letters,
    digits, spaces or ``. _ / -``, starting with a letter or digit. It is what
    messages, logs, diagrams and the store name a review by, so it never holds a name
    and address, markup or a line break.
    """
    if not isinstance(value, str):
        return f"expected text, got {type(value).__name__}"
    if not _REFERENCE.fullmatch(value):
        return (
            "a review reference is a pseudonym such as 'Child A' or 'LCSPR 2026/03': 1-64 "
            "letters, digits, spaces or . _ / -, starting with a letter or digit"
        )
    return None


def _humanise(role: str) -> str:
    return role.replace("_", " ").capitalize()


@attrs.frozen
class Actor:
    """A person acting in a role, for an agency where the role has one.

    ``role`` is the id of one of the definition's roles (the default roles are
    :class:`~cspr_workflow.Role`). ``name`` identifies the person for the
    review's own records (the panel, the appointments, the history). It never
    appears in error messages, logs or diagrams: :meth:`describe` gives the role
    and agency instead.

    ``substitute=True`` marks someone acting for their agency's absent member,
    which the default process allows once the substitute is recorded on the panel.
    """

    name: str = attrs.field(converter=_stripped, validator=_non_empty, repr=False)
    role: str = attrs.field(converter=_stripped, validator=_non_empty)
    agency: str | None = attrs.field(default=None, converter=_stripped, validator=_agency)
    substitute: bool = attrs.field(default=False, validator=_flag)

    def describe(self, titles: Mapping[str, str] | None = None) -> str:
        """Role and agency, fit for messages and logs (no name).

        ``titles`` maps role ids to the partnership's names for them
        (``definition.titles``); without it the role id is made readable.
        """
        title = (titles or {}).get(self.role) or _humanise(self.role)
        who = f"{title} substitute" if self.substitute else title
        return f"{who} ({self.agency})" if self.agency else who


@functools.lru_cache(maxsize=1024, typed=True)
def kept_actor(name: str, role: str, agency: str | None = None, substitute: bool = False) -> Actor:
    """The actor of these fields, built and checked once (actors never change): who acts
    in a role, which the simulation and the verifier ask at every step they consider."""
    return Actor(name, role, agency=agency, substitute=substitute)


class MeetingKind(enum.StrEnum):
    """The kinds of meeting and event a review records."""

    PANEL = "panel_meeting"
    LEARNING_EVENT = "practitioner_learning_event"
    FEEDBACK_SESSION = "practitioner_feedback_session"


class FamilyResponse(enum.StrEnum):
    """How the family answered the invitation to contribute."""

    CONTRIBUTED = "contributed"
    DECLINED = "declined"
    NO_RESPONSE = "no_response"


class ClockUnit(enum.StrEnum):
    """The unit a clock's limit is counted in."""

    WORKING_DAYS = "working_days"
    CALENDAR_MONTHS = "calendar_months"


class ClockKind(enum.StrEnum):
    """What a clock demands.

    ``deadline``: stop by the due date (a late stop needs a recorded reason).
    ``completion``: the review's completion clock: also checked on every step,
    and moved only by delay notices. ``notice_period``: the stop may not come
    before the due date (publication after the pre-publication notice).
    """

    DEADLINE = "deadline"
    COMPLETION = "completion"
    NOTICE_PERIOD = "notice_period"


@attrs.frozen
class ClockRecord:
    """A clock as it was started: when, its due date, and the rule that set it."""

    id: str
    kind: ClockKind
    started_at: pendulum.DateTime
    due: pendulum.Date
    limit: int
    unit: ClockUnit
    calendar: str


class ActionStatus(enum.StrEnum):
    """Where an action of the action plan stands."""

    OPEN = "open"
    COMPLETE = "complete"
    CLOSED = "closed"


@attrs.frozen
class MethodologyAgreement:
    """One of the roles that agree the review's methodology, agreeing it (by role id)."""

    role: str
    methodology: str
    at: pendulum.DateTime


@attrs.frozen
class PanelMember:
    """One agency's seat on the review's panel.

    ``independent`` is False when the member had direct involvement with the
    case; that is allowed only with a recorded ``justification``.
    """

    agency: str
    member: str = attrs.field(repr=False)
    independent: bool
    justification: str | None = None
    substitutes: tuple[str, ...] = attrs.field(default=(), repr=False)


@attrs.frozen
class Meeting:
    """A panel meeting, Practitioner Learning Event or Practitioner Feedback session."""

    kind: MeetingKind
    at: pendulum.DateTime


@attrs.frozen
class InformationRequest:
    """A request for an agency's information, and what became of it."""

    number: int
    agency: str
    requested_at: pendulum.DateTime
    returned_at: pendulum.DateTime | None = None
    absence_reason: str | None = None
    shared_at: pendulum.DateTime | None = None

    @property
    def answered(self) -> bool:
        """Returned, or its absence explained."""
        return self.returned_at is not None or self.absence_reason is not None


@attrs.frozen
class Recommendation:
    """One recommendation of a draft report."""

    id: str
    text: str


@attrs.frozen
class Draft:
    """Draft *n* of the report, with its findings and recommendations."""

    version: int
    at: pendulum.DateTime
    findings: tuple[str, ...]
    recommendations: tuple[Recommendation, ...]

    def recommendation_ids(self) -> frozenset[str]:
        """The identifiers of this draft's recommendations."""
        return frozenset(r.id for r in self.recommendations)


@attrs.frozen
class FactCheck:
    """One agency confirming that one draft version is factually accurate."""

    agency: str
    version: int
    at: pendulum.DateTime


@attrs.frozen
class Approval:
    """One body of the definition's approval chain signing off one draft version.

    ``body`` is the body's id in the chain (the default chain's are ``crp``, ``crg``
    and ``executive``).
    """

    body: str
    version: int
    at: pendulum.DateTime


@attrs.frozen
class Action:
    """One action of the action plan, answering one recommendation."""

    id: str
    recommendation: str
    owner: str
    due: pendulum.Date
    description: str
    status: ActionStatus = ActionStatus.OPEN
    closing_reason: str | None = None


@attrs.frozen
class DelayNotice:
    """A delay against the completion clock, notified to some roles (by id) with a reason
    and a revised date. The definition's completion rule says which recipients must all
    have been told before a revised date counts."""

    recipients: frozenset[str]
    reason: str
    revised_date: pendulum.Date
    at: pendulum.DateTime


def as_name(value: str) -> str:
    """A name of a stage, trigger, role or body as given: a ``StrEnum`` member stays one (so
    the default definition's names read back as its enum members); other text stays text."""
    return value if isinstance(value, str) else str(value)


def as_names(value: Iterable[str]) -> tuple[str, ...]:
    """Names as given (see :func:`as_name`)."""
    return tuple(as_name(v) for v in value)


FieldTransformer = Callable[[type, list["attrs.Attribute[Any]"]], list["attrs.Attribute[Any]"]]


def checked_fields(
    converters: Mapping[Callable[[Any], Any], str], *, text: Iterable[Callable[[Any], Any]] = ()
) -> FieldTransformer:
    """An attrs ``field_transformer`` for declarations: each field converted by one of
    ``converters`` (each with what it takes, in words) refuses a value the converter
    cannot take, and text where a collection is meant (a name's letters are not names;
    the converters in ``text`` take one name alone), as an :class:`InvalidInput` naming
    the field (``TransitionSpec.guards``), instead of the converter's own error."""
    text_ok = set(text)

    def transform(cls: type, fields: list[attrs.Attribute[Any]]) -> list[attrs.Attribute[Any]]:
        result = []
        for field in fields:
            convert = getattr(field.converter, "__wrapped__", field.converter)  # (inherited)
            if callable(convert) and convert in converters:
                what = converters[convert]
                if " of " not in what and isinstance(field.type, str):
                    what += f" ({field.type})"  # "a list (tuple[StageSpec, ...])"
                argument = f"{cls.__name__}.{field.name}"
                checked = _checked(convert, argument, what, convert in text_ok)
                field = field.evolve(converter=checked)
            result.append(field)
        return result

    return transform


def _checked(
    convert: Callable[[Any], Any], argument: str, what: str, text: bool
) -> Callable[[Any], Any]:
    def run(value: Any) -> Any:
        if text or not isinstance(value, str | bytes):
            try:
                return convert(value)
            except CsprWorkflowError:
                raise
            except (TypeError, ValueError, AttributeError, LookupError):
                pass
        raise InvalidInput(
            argument,
            "argument_type",
            f"expected {what}, got {type(value).__name__}",
            f"Pass {what}.",
        )

    run.__wrapped__ = convert  # type: ignore[attr-defined]
    return run


def _read_only(value: Mapping[str, object]) -> Mapping[str, object]:
    return types.MappingProxyType(dict(value))


def _detail_names(details: Mapping[str, object]) -> str:
    """A step's details in a repr: their names only, since a value may name a person."""
    return "<details: " + (", ".join(details) or "none") + ">"


@attrs.frozen
class AuditEntry:
    """One step of a review's append-only history.

    ``prev`` is the SHA-256 of the previous entry's canonical JSON (for the first
    entry, of the review's opening record): the links of a hash chain that shows
    any edited, deleted, inserted or reordered entry.
    """

    seq: int
    at: pendulum.DateTime
    actor: Actor
    trigger: str
    source: str
    dest: str
    details: Mapping[str, object] = attrs.field(
        factory=dict, converter=_read_only, repr=_detail_names
    )
    prev: str = ""

    @property
    def role(self) -> str:
        """The role the step was taken in."""
        return self.actor.role

    @property
    def agency(self) -> str | None:
        """The agency the actor spoke for, where the role has one."""
        return self.actor.agency

    def enters(self, stage: str) -> bool:
        """True when this step moved the review into ``stage`` (from another stage)."""
        return self.dest == stage and self.source != stage


@attrs.frozen
class Refusal:
    """A step that was attempted and refused: when, by whom, which trigger, at which
    stage, and every rule that refused it.

    Refusals are never part of the review: they are kept in the review's refusal
    log, numbered from 1 and hash-chained like the history (``prev`` is the SHA-256
    of the refusal before it, or of the log's opening record).
    """

    at: pendulum.DateTime
    actor: Actor
    trigger: str
    stage: str
    reasons: tuple[Reason, ...]
    seq: int
    prev: str

    @property
    def rules(self) -> tuple[str, ...]:
        """The stable ids of the rules that refused the step."""
        return tuple(r.rule_id for r in self.reasons)


def _meetings(items: Iterable[Meeting]) -> AppendOnly[Meeting]:
    return append_only(items)


def _entries(items: Iterable[AuditEntry]) -> AppendOnly[AuditEntry]:
    return append_only(items)


@attrs.frozen
class ReviewState:
    """Everything a review knows at one moment. Immutable; see :class:`Review`."""

    reference: str
    aware_at: pendulum.DateTime
    stage: str
    held_from: str | None = None
    notified_at: pendulum.DateTime | None = None
    rapid_review_at: pendulum.DateTime | None = None
    case_agencies: tuple[str, ...] = ()
    kloes: tuple[str, ...] = ()
    decided_at: pendulum.DateTime | None = None
    decision_reason: str | None = None
    chair: str | None = attrs.field(default=None, repr=False)
    lead_reviewer: str | None = attrs.field(default=None, repr=False)
    kloes_shared_at: pendulum.DateTime | None = None
    terms_of_reference: str | None = None
    methodology: tuple[MethodologyAgreement, ...] = ()
    panel: tuple[PanelMember, ...] = ()
    meetings: AppendOnly[Meeting] = attrs.field(default=AppendOnly(), converter=_meetings)
    information_requests: tuple[InformationRequest, ...] = ()
    family_invited_at: pendulum.DateTime | None = None
    family_response: FamilyResponse | None = None
    family_told_at: pendulum.DateTime | None = None
    drafts: tuple[Draft, ...] = ()
    fact_checks: tuple[FactCheck, ...] = ()
    approvals: tuple[Approval, ...] = ()
    actions: tuple[Action, ...] = ()
    delay_notices: tuple[DelayNotice, ...] = ()
    report_sent_at: pendulum.DateTime | None = None
    published_at: pendulum.DateTime | None = None
    clocks: tuple[ClockRecord, ...] = ()
    history: AppendOnly[AuditEntry] = attrs.field(default=AppendOnly(), converter=_entries)

    def clock(self, id: str) -> ClockRecord | None:
        """The record of clock ``id``, once it has started."""
        for record in self.clocks:
            if record.id == id:
                return record
        return None

    def clock_of_kind(self, kind: ClockKind) -> ClockRecord | None:
        """The first started clock of ``kind``."""
        for record in self.clocks:
            if record.kind is kind:
                return record
        return None

    @property
    def due_date(self) -> pendulum.Date | None:
        """The completion clock's due date as set when it started (before any delay notice;
        the date as it stands now is ``Review.completion_due``)."""
        record = self.clock_of_kind(ClockKind.COMPLETION)
        return None if record is None else record.due

    @property
    def current_draft(self) -> Draft | None:
        """The latest draft, or None before the first."""
        return self.drafts[-1] if self.drafts else None

    def panel_member(self, agency: str) -> PanelMember | None:
        """The panel seat of ``agency``, if it has one."""
        for seat in self.panel:
            if seat.agency == agency:
                return seat
        return None

    def meetings_of(self, kind: MeetingKind) -> tuple[Meeting, ...]:
        """The meetings of one kind, in order."""
        return tuple(m for m in self.meetings if m.kind is kind)

    @property
    def last_at(self) -> pendulum.DateTime:
        """The instant of the latest recorded step (or of awareness, before any)."""
        return self.history[-1].at if self.history else self.aware_at

    def entered_at(self, stage: str) -> pendulum.DateTime | None:
        """When a step first moved the review into ``stage`` (None if none has)."""
        entry = first_entering(self.history, stage)
        return None if entry is None else entry.at

    def entered_current_at(self) -> pendulum.DateTime:
        """When the review entered its current stage (awareness, before any move)."""
        for entry in reversed(self.history):
            if entry.source != entry.dest:
                return entry.at
        return self.aware_at

    def stage_visits(self) -> list[tuple[str, pendulum.DateTime, pendulum.DateTime | None]]:
        """Each stretch of time in one stage, in order: (stage, entered, left); the last is
        still open (left is None). The first starts when the review was opened."""
        first = self.history[0].source if self.history else self.stage
        visits: list[tuple[str, pendulum.DateTime, pendulum.DateTime | None]] = [
            (first, self.aware_at, None)
        ]
        for entry in self.history:
            if entry.source != entry.dest:
                stage, entered, _ = visits[-1]
                visits[-1] = (stage, entered, entry.at)
                visits.append((entry.dest, entry.at, None))
        return visits

    def evolve(self, **changes: Any) -> ReviewState:
        """A copy with ``changes`` (``attrs.evolve``, about twice as fast: steps use it)."""
        new: ReviewState = _evolve_review_state(self, changes)
        return new


def first_entering(history: Iterable[AuditEntry], stage: str) -> AuditEntry | None:
    """The first step of ``history`` that moved the review into ``stage`` (None if none)."""
    return next((entry for entry in history if entry.enters(stage)), None)


def _compile_evolve(cls: type) -> Callable[[Any, dict[str, Any]], Any]:
    """A function building a copy of ``cls`` with some fields changed, without the
    generic machinery of ``attrs.evolve`` (same result, checked by the tests): read
    every field at once, replace the changed ones, call the class."""
    names = [a.name for a in attrs.fields(cls)]
    read = operator.attrgetter(*names)
    position = {name: i for i, name in enumerate(names)}

    def evolve(self: Any, changes: dict[str, Any]) -> Any:
        values = list(read(self))
        for name, value in changes.items():
            try:
                values[position[name]] = value
            except KeyError:
                raise TypeError(f"{cls.__name__} has no field(s) {[name]}") from None
        return cls(*values)

    return evolve


_evolve_review_state = _compile_evolve(ReviewState)
