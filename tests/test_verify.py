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
    Actor,
    ProcessDefinition,
    Review,
    Role,
    TransitionRefused,
    Trigger,
    check_review,
    verify,
)
from cspr_workflow._cli import main
from cspr_workflow._time import LONDON
from cspr_workflow._verify import _key, _named_guards, _small_hours
from cspr_workflow.demo import ACTORS, SCRIPT, demo_review
from cspr_workflow.errors import InvalidDefinition
from cspr_workflow.records import AuditEntry
from cspr_workflow.statutory import APPROVAL_OWNERS, DEFAULT_PROPERTIES, STATUTORY_OWNERS
from cspr_workflow.verification import PathSoFar, VerificationResult

from .mutations import CORRECT, DEEP, MUTATIONS, REFUSED_AT_BUILD
from .profile import THOROUGH

T = Trigger
PROPERTY_IDS = {p.id for p in DEFAULT_PROPERTIES}


@functools.cache
def default_result() -> VerificationResult:
    return verify()


# The tests that read default_result() run in one worker process, so the proof runs once.
DEFAULT_PROOF = pytest.mark.xdist_group("default-proof")


@functools.cache
def mutant_result(name: str) -> VerificationResult:
    build, _ = MUTATIONS[name]
    return verify(build(), stop_at_first=True)


def _thorough_if_deep(name: str) -> object:
    deep = pytest.mark.skipif(not THOROUGH, reason="a deep counterexample: the ci profile")
    return pytest.param(name, marks=deep) if name in DEEP else name


PROVABLE = [_thorough_if_deep(n) for n in sorted(set(MUTATIONS) - set(REFUSED_AT_BUILD))]


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
    chain = DEFAULT_DEFINITION.approvals
    assert chain is not None
    for step in chain.steps:
        assert permissions[step.trigger] <= APPROVAL_OWNERS[step.body], step.body


def test_the_owners_of_an_approval_are_its_bodys_whatever_the_trigger_is_called() -> None:
    from .variants import RENAMED_BODY

    review = demo_review()
    renamed = [
        attrs.evolve(e, trigger="board_endorse") if e.trigger == T.CRG_APPROVE else e
        for e in review.history
    ]
    by_pdeo = [
        attrs.evolve(e, actor=_PDEO) if e.trigger == "board_endorse" else e for e in renamed
    ]
    state = attrs.evolve(review.state, history=tuple(by_pdeo))
    found = check_review(Review(state, RENAMED_BODY))
    assert [v.property for v in found] == ["owners"]
    assert "board_endorse was taken by the PDEO" in found[0].message


# -- the verifier ----------------------------------------------------------------------------


@DEFAULT_PROOF
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


# Rows of the default table that the verifier's examples never take (each has a reason;
# an example that reached one would be welcome, and then this list must shrink): seats
# are all filled in scoping, substitutes are recorded only once there is a draft, and
# in monitoring every recommendation already has its action.
UNTAKEN_ROWS = (
    "appoint_panel_member (panel_review -> panel_review)",
    "record_substitute (scoping -> scoping)",
    "record_substitute (panel_review -> panel_review)",
    "withdraw_substitute (scoping -> scoping)",
    "withdraw_substitute (panel_review -> panel_review)",
)


@DEFAULT_PROOF
def test_each_row_of_the_table_is_taken_or_declared_unexplored() -> None:
    result = default_result()
    assert result.unfired_rows == UNTAKEN_ROWS
    assert result.unexplained_rows == ()
    assert len(DEFAULT_DEFINITION.unexplored) == len(UNTAKEN_ROWS)
    assert "not explored, each with its declared reason: appoint_panel_member" in (
        result.summary()
    )


def test_a_step_starting_a_notice_is_tried_again_in_the_small_hours_of_summer() -> None:
    """The report sent at nine is to be sent again at half past midnight on the first later day
    still the day before in UTC; such a notice is a state of its own; a step that starts
    no notice, or one already sent in that hour, is not tried again."""
    sent = next(n for n, s in enumerate(SCRIPT) if s.trigger == Trigger.SEND_FINAL_REPORT)
    before, after = demo_review(upto=sent).state, demo_review(upto=sent + 1).state
    at = after.history[-1].at  # 3 August 2026, nine o'clock
    assert _small_hours(before, after, at) == pendulum.datetime(2026, 8, 4, 0, 30, tz=LONDON)
    winter = pendulum.datetime(2026, 1, 5, 9, tz=LONDON)  # in GMT: the first BST day is
    moved = attrs.evolve(  # 29 March, but its 00:30 is still GMT; the 30th's is not
        after,
        clocks=tuple(
            attrs.evolve(c, started_at=winter) if c.id == "C4" else c for c in after.clocks
        ),
    )
    assert _small_hours(before, moved, winter) == pendulum.datetime(2026, 3, 30, 0, 30, tz=LONDON)
    assert _small_hours(before, before, at) is None  # no notice started
    night = pendulum.datetime(2026, 8, 4, 0, 30, tz=LONDON)
    small = attrs.evolve(
        after,
        clocks=tuple(
            attrs.evolve(c, started_at=night) if c.id == "C4" else c for c in after.clocks
        ),
    )
    assert _small_hours(before, small, night) is None  # already UTC's day before
    guards = _named_guards(DEFAULT_DEFINITION)
    keys = {_key(guards, DEFAULT_DEFINITION, s, night) for s in (after, small)}
    assert len(keys) == 2


def test_a_row_never_taken_without_a_reason_fails_the_proof() -> None:
    proved = verify(max_states=400)
    unexplained = attrs.evolve(
        proved, truncated=False, unexplained_rows=("close_review (monitoring -> closed)",)
    )
    assert not unexplained.ok
    assert "with no reason declared (not proved): close_review" in unexplained.summary()
    assert attrs.evolve(unexplained, unexplained_rows=(), violations=()).ok


def test_an_unexplored_row_must_name_a_row_and_say_why() -> None:
    with pytest.raises(InvalidDefinition) as caught:
        DEFAULT_DEFINITION.evolve(
            unexplored={("close_review", "drafting"): "never", (T.PUBLISH, "pre_publication"): " "}
        )
    messages = [p.message for p in caught.value.problems]
    assert any("names no transition row" in m for m in messages)
    assert any("give the reason" in m for m in messages)


def test_a_step_renamed_correctly_is_not_flagged() -> None:
    """The demo review's delay notice taken by a renamed trigger (the completion rule's own
    notice step, by the PDEO): the properties read what it does, and it keeps them."""
    renamed = CORRECT["delay notice renamed"]()
    review = Review.open(
        "Child A", aware_at=demo_review(upto=0).state.aware_at, definition=renamed
    )
    for step in SCRIPT:
        trigger = "report_delay" if step.trigger == T.NOTIFY_DELAY else step.trigger
        try:
            review.fire(trigger, by=ACTORS[step.actor], at=step.at, **step.details)
        except TransitionRefused:
            assert step.refused
    assert "report_delay" in [e.trigger for e in review.history]
    assert check_review(review) == ()


@pytest.mark.skipif(not THOROUGH, reason="a full proof: the ci profile")
@pytest.mark.parametrize("name", sorted(CORRECT))
def test_a_definition_correct_but_for_its_names_is_proved(name: str) -> None:
    result = verify(CORRECT[name]())
    assert result.ok, result.summary()


def test_a_row_never_taken_is_reported_though_its_trigger_fires() -> None:
    partial = verify(max_states=300)
    fired = {row.split(" ")[0] for row in partial.unfired_rows} & partial.triggers_fired
    assert fired  # rows of triggers fired elsewhere are still listed one by one
    assert len(partial.unfired_rows) > len(partial.unfired)


@DEFAULT_PROOF
def test_the_summary_says_what_was_explored() -> None:
    summary = default_result().summary()
    assert summary.startswith("LCSPR (England): ")
    assert "states" in summary
    assert "13 properties checked, 0 violated" in summary


@pytest.mark.parametrize("name", sorted(REFUSED_AT_BUILD))
def test_some_mutations_cannot_even_be_built(name: str) -> None:
    build, _ = MUTATIONS[name]
    with pytest.raises(InvalidDefinition) as caught:
        build()
    assert any(REFUSED_AT_BUILD[name] in p.message for p in caught.value.problems)


@pytest.mark.parametrize("name", PROVABLE)
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


def test_a_definition_without_properties_proves_nothing() -> None:
    result = verify(DEFAULT_DEFINITION.evolve(properties=()), max_states=20)
    assert result.properties == 0
    assert not result.ok
    assert "nothing was proved" in result.summary()


# -- the command line ---------------------------------------------------------------------------


@DEFAULT_PROOF
def test_cli_verify_proves_the_default(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command prints the verifier's summary and exits 0 (the proof itself is
    test_the_default_definition_is_proved's, not run twice)."""
    import cspr_workflow._verify

    seen = []

    def cached(definition: ProcessDefinition | None = None, **options: object) -> object:
        seen.append((definition, options))
        return default_result()

    monkeypatch.setattr(cspr_workflow._verify, "verify", cached)
    assert main(["verify"]) == 0
    out = capsys.readouterr().out
    assert "13 properties checked, 0 violated" in out
    assert seen == [(DEFAULT_DEFINITION, {"max_states": 200_000})]


def test_cli_verify_fails_a_row_never_taken_without_a_reason(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Complete and with no violation, a proof with a row no step took and no reason
    declared for it still fails: exit 4, the row named."""
    import cspr_workflow._verify

    row = "close_review (monitoring -> closed)"
    partial = verify(max_states=50)
    unexplained = attrs.evolve(partial, truncated=False, unexplained_rows=(row,))
    monkeypatch.setattr(cspr_workflow._verify, "verify", lambda *a, **k: unexplained)
    assert main(["verify"]) == 4
    captured = capsys.readouterr()
    assert f"with no reason declared (not proved): {row}" in captured.out
    assert "declare each in the definition's `unexplored`" in captured.err


def test_cli_verify_fails_a_broken_definition(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["verify", "--definition", "tests.mutations:methodology_skipped", "--max-states", "2000"]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "13 properties checked, 1 violated" in out
    assert "violated: the methodology was not agreed" in out
    assert "hold_panel_meeting (scoping -> panel_review)" in out


def test_cli_verify_accepts_a_definition_object(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["verify", "--definition", "tests.variants:LEGAL_REVIEW", "--max-states", "50"])
    assert code == 3
    assert capsys.readouterr().out.startswith("Northshire with legal review: ")


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
