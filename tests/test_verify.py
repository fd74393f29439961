"""The exhaustive verifier, the history oracle it uses, and ``cspr-workflow verify``.

Three layers: the oracle (``check_review``) must flag each kind of broken history
written by hand; the verifier must prove the default definition and a local
variant, and find a shortest counterexample for every deliberately broken
definition in ``tests/mutations.py``; the command line must say so with its
exit code.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import attrs
import pendulum
import pytest

from cspr_workflow import (
    DEFAULT_DEFINITION,
    DEFAULT_PROPERTIES,
    STATUTORY_OWNERS,
    Actor,
    AuditEntry,
    PathSoFar,
    ProcessDefinition,
    Review,
    Role,
    Stage,
    StageSpec,
    TransitionSpec,
    Trigger,
    TriggerSpec,
    VerificationResult,
    check_review,
    demo_review,
    verify,
)
from cspr_workflow._cli import main

from .mutations import MUTATIONS

T = Trigger
PROPERTY_IDS = {p.id for p in DEFAULT_PROPERTIES}


@functools.cache
def default_result() -> VerificationResult:
    return verify()


@functools.cache
def mutant_result(name: str) -> VerificationResult:
    build, _ = MUTATIONS[name]
    return verify(build(), stop_at_first=True)


# -- the oracle ----------------------------------------------------------------------------


def tampered(edit: Callable[[list[AuditEntry]], None]) -> Review:
    """The demo review with its history edited by hand, then renumbered."""
    review = demo_review()
    history = list(review.history)
    edit(history)
    history = [attrs.evolve(e, seq=n) for n, e in enumerate(history, start=1)]
    return Review(attrs.evolve(review.state, history=tuple(history)), review.definition)


def drop(trigger: str, nth: int = -1) -> Callable[[list[AuditEntry]], None]:
    def edit(history: list[AuditEntry]) -> None:
        matches = [i for i, e in enumerate(history) if e.trigger == trigger]
        del history[matches[nth]]

    return edit


def change(trigger: str, nth: int = -1, **changes: object) -> Callable[[list[AuditEntry]], None]:
    def edit(history: list[AuditEntry]) -> None:
        i = [i for i, e in enumerate(history) if e.trigger == trigger][nth]
        history[i] = attrs.evolve(history[i], **changes)

    return edit


def violated(review: Review) -> set[str]:
    return {v.property for v in check_review(review)}


def test_the_demo_review_keeps_every_property() -> None:
    assert check_review(demo_review()) == ()


def test_every_property_has_a_distinct_id_and_a_title() -> None:
    assert len(PROPERTY_IDS) == len(DEFAULT_PROPERTIES)
    assert all(p.title for p in DEFAULT_PROPERTIES)


_LONDON = "Europe/London"
_PDEO = Actor("Partnership officer", Role.PDEO)
_POLICE = Actor("Police DCI", Role.PANEL_MEMBER, agency="Police")


@pytest.mark.parametrize(
    ("edit", "prop"),
    [
        (drop(T.CRG_APPROVE), "approvals"),
        (drop(T.AGREE_REPORT), "approvals"),
        (drop(T.AGREE_METHODOLOGY), "methodology"),
        (drop(T.SHARE_KLOES), "methodology"),
        (drop(T.NOTIFY_DELAY), "timing"),
        (drop(T.CONFIRM_FACTS), "fact_check"),
        (drop(T.ADD_ACTION), "action_plan"),
        (change(T.PUBLISH, actor=_PDEO), "owners"),
        (change(T.CONFIRM_FACTS, nth=1, details={"agency": "Health"}), "own_agency"),
        (
            change(T.CONFIRM_FACTS, nth=1, actor=attrs.evolve(_POLICE, name="Someone")),
            "own_agency",
        ),
        (
            change(T.CONFIRM_FACTS, actor=attrs.evolve(_POLICE, substitute=True)),
            "own_agency",
        ),
        (
            change(T.NOTIFY_NATIONAL_PANEL, at=pendulum.datetime(2026, 1, 20, tz=_LONDON)),
            "late_explained",
        ),
        (
            change(T.PUBLISH, at=pendulum.datetime(2026, 8, 5, 9, tz=_LONDON)),
            "notice_period",
        ),
        (change(T.AGREE_REPORT, at=pendulum.datetime(2026, 6, 1, tz=_LONDON)), "forward"),
        (
            lambda h: h.append(attrs.evolve(h[-1], trigger=T.UPDATE_ACTION, source="closed")),
            "final",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_the_oracle_flags_each_broken_history(
    edit: Callable[[list[AuditEntry]], None], prop: str
) -> None:
    assert prop in violated(tampered(edit))


def test_a_return_to_drafting_voids_the_earlier_approvals() -> None:
    def approve_return_then_publish(history: list[AuditEntry]) -> None:
        i = next(i for i, e in enumerate(history) if e.trigger == T.EXECUTIVE_APPROVE)
        back = attrs.evolve(history[i], trigger=T.RETURN_TO_DRAFTING, details={"reason": "R"})
        history.insert(i, back)

    assert "approvals" in violated(tampered(approve_return_then_publish))


def test_violations_name_the_step_and_the_rule() -> None:
    review = tampered(drop(T.CRG_APPROVE))
    [first, *_] = check_review(review)
    step = review.history[first.seq - 1]
    assert step.trigger == T.EXECUTIVE_APPROVE
    assert f"step {first.seq}" in str(first)
    assert "agree_report then crg_approve" in first.message


def test_check_review_can_start_after_the_steps_already_checked() -> None:
    review = tampered(drop(T.CRG_APPROVE))
    last = len(review.history)
    assert check_review(review, since=last + 1) == ()
    assert check_review(review, since=1)


def test_properties_read_only_the_path() -> None:
    """A property sees the opening instant and the earlier steps, nothing else."""
    review = demo_review()
    path = PathSoFar(DEFAULT_DEFINITION, review.state.aware_at, review.history[:-1])
    for prop in DEFAULT_PROPERTIES:
        assert prop.check(path, review.history[-1]) is None


def test_statutory_owners_agree_with_the_default_table() -> None:
    permissions = DEFAULT_DEFINITION.permissions()
    for trigger, owners in STATUTORY_OWNERS.items():
        assert permissions[trigger] <= owners, trigger


# -- the verifier ----------------------------------------------------------------------------


def test_the_default_definition_is_proved() -> None:
    result = default_result()
    assert result.ok, result.summary()
    assert result.violations == ()
    assert not result.truncated
    assert result.states > 5_000
    assert result.transitions > result.states
    assert result.attempts > result.transitions
    assert result.unreached == ()
    assert result.unfired == ()
    assert result.stages_reached == {s.name for s in DEFAULT_DEFINITION.stages}


def test_the_summary_says_what_was_explored() -> None:
    summary = default_result().summary()
    assert summary.startswith("LCSPR (England): ")
    assert "states" in summary
    assert "0 violated properties" in summary


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_the_verifier_catches_each_mutation(name: str) -> None:
    _, prop = MUTATIONS[name]
    result = mutant_result(name)
    assert not result.ok
    counterexample = result.violation(prop)
    assert counterexample is not None, result.summary()
    *earlier, last = counterexample.path
    definition = MUTATIONS[name][0]()
    check = next(p for p in DEFAULT_PROPERTIES if p.id == prop).check
    path = PathSoFar(definition, pendulum.datetime(2026, 1, 5, 9, tz=_LONDON), earlier)
    assert check(path, last) == counterexample.message
    assert counterexample.describe().splitlines()[1] == f"  violated: {counterexample.message}"


def test_counterexamples_are_shortest() -> None:
    """Breadth first: the methodology counterexample is the first meeting without it."""
    path = mutant_result("methodology skipped").violations[0].path
    triggers = [e.trigger for e in path]
    assert triggers[-1] == T.HOLD_PANEL_MEETING
    assert T.AGREE_METHODOLOGY not in triggers
    assert len(path) == 9  # notify, rapid review, commission, appoint, terms, KLOEs, 2 seats
    assert T.INVITE_FAMILY not in triggers


def test_a_state_limit_is_reported_as_partial() -> None:
    result = verify(max_states=50)
    assert result.truncated
    assert not result.ok
    assert "partial" in result.summary()


def with_legal_review(*clear_guards: str) -> ProcessDefinition:
    """The default process with a legal review between CRG and Executive approval,
    left by a step with ``clear_guards``."""
    legal = StageSpec("legal_review", "Legal review", "Legal reads the approved report")
    clear = TriggerSpec("clear_legal_review", "clear legal review", "No legal concerns")
    return DEFAULT_DEFINITION.extend(
        name="with legal review",
        stages=[legal],
        triggers=[clear],
        transitions=[
            TransitionSpec(
                T.EXECUTIVE_APPROVE,
                Stage.CRG_APPROVED,
                "legal_review",
                {Role.EXECUTIVE},
                ("within_due_date", "crg_approved", "action_plan_complete"),
            ),
            TransitionSpec(
                "clear_legal_review",
                "legal_review",
                Stage.EXECUTIVE_APPROVED,
                {Role.EXECUTIVE},
                clear_guards,
            ),
        ],
        without=lambda row: row.trigger == T.EXECUTIVE_APPROVE,
    )


def test_a_local_variant_with_a_legal_review_is_proved() -> None:
    result = verify(with_legal_review("within_due_date"))
    assert result.ok, result.summary()
    assert "legal_review" in result.stages_reached
    assert "clear_legal_review" in result.triggers_fired


def test_a_local_step_without_the_timing_check_is_caught() -> None:
    """A partnership's new step that forgets the six-month check fails verification."""
    result = verify(with_legal_review(), stop_at_first=True)
    counterexample = result.violation("timing")
    assert counterexample is not None
    assert counterexample.path[-1].trigger == "clear_legal_review"


# -- the command line ---------------------------------------------------------------------------


def test_cli_verify_proves_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify"]) == 0
    out = capsys.readouterr().out
    assert "0 violated properties" in out


def test_cli_verify_fails_a_broken_definition(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["verify", "--definition", "tests.mutations:methodology_skipped", "--max-states", "2000"]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "1 violated property" in out
    assert "violated: the methodology was not agreed" in out
    assert "hold_panel_meeting (scoping -> panel_review)" in out


def test_cli_verify_accepts_a_definition_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--definition", "cspr_workflow:DEFAULT_DEFINITION"]) == 0


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_colon", "takes module:object"),
        ("no_such_module_xyz:thing", "cannot import"),
        ("cspr_workflow:nothing_here", "has no"),
        ("cspr_workflow:Role", "not a ProcessDefinition"),
    ],
)
def test_cli_verify_rejects_bad_definitions(
    spec: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", "--definition", spec]) == 2
    assert message in capsys.readouterr().err


def test_cli_verify_reports_a_partial_exploration(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--max-states", "10"]) == 3
    assert "--max-states" in capsys.readouterr().err
