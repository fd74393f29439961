"""The verifier's symmetry reduction: states that differ only by which of the case's
agencies after the first did what are explored once.

The reduction must never change a verdict. The cheap tests here hold the renaming to
what it must do; with ``CSPR_THOROUGH=1`` (CI sets it), two broken definitions must be
caught with three agencies either way, with counterexamples of one length, and the
full three-agency proof must give the same verdict, stages and triggers with and
without the reduction (about ten minutes of one core).
"""

from __future__ import annotations

import os

import pytest

from benchmarks.run import with_agencies as _with_agencies
from cspr_workflow import DEFAULT_DEFINITION, ProcessDefinition, verify
from cspr_workflow._verify import _canonical

from .mutations import MUTATIONS

AGENCIES = ("Police", "Health", "Mental Health", "Education")


def with_agencies(definition: ProcessDefinition, count: int) -> ProcessDefinition:
    """``definition`` whose Rapid Review example names ``count`` agencies for the case
    ("Mental Health" among them: a name with another agency's name inside it)."""
    built: ProcessDefinition = _with_agencies(count, definition, AGENCIES)
    return built


def test_renaming_the_later_agencies_gives_one_key() -> None:
    later = ("Health", "Mental Health", "Education")

    def facts(confirmed: str) -> frozenset[tuple[str, str]]:
        waiting = ", ".join(a for a in ("Police", *later) if a != confirmed)
        return frozenset({("facts_confirmed", f"not yet confirmed by: {waiting}")})

    keys = {_canonical(later, facts(a), frozenset({a})) for a in later}
    assert len(keys) == 1  # whichever later agency confirmed, the state is the same
    (found, substitutes) = keys.pop()
    # "Health" inside "Mental Health" is not taken for the agency "Health"
    assert all("Mental Mental" not in message for _, message in found)
    assert len(substitutes) == 1
    # the first agency is never renamed: the examples treat it apart
    first = _canonical(later, facts("Police"), frozenset({"Police"}))
    assert first[1] == frozenset({"Police"})
    assert first != _canonical(later, facts("Health"), frozenset({"Health"}))


def test_two_agencies_are_not_reduced() -> None:
    """The default definition's example names two agencies: nothing to rename, so the
    default proof's states are those it always had."""
    two = with_agencies(DEFAULT_DEFINITION, 2)
    assert (
        verify(two, max_states=1500).states == verify(two, max_states=1500, symmetry=False).states
    )


THOROUGH = pytest.mark.skipif(
    os.environ.get("CSPR_THOROUGH") != "1", reason="CSPR_THOROUGH=1: the 3-agency proofs"
)


@THOROUGH
@pytest.mark.parametrize("name", ["fact check dropped", "corrections skipped"])
def test_a_broken_definition_is_caught_with_three_agencies_either_way(name: str) -> None:
    build, broken = MUTATIONS[name]
    definition = with_agencies(build(), 3)
    reduced = verify(definition, stop_at_first=True)
    full = verify(definition, stop_at_first=True, symmetry=False)
    assert reduced.violation(broken) is not None, reduced.summary()
    assert full.violation(broken) is not None, full.summary()
    # both shortest: breadth first, the same length of counterexample
    assert len(reduced.violation(broken).path) == len(full.violation(broken).path)


@THOROUGH
def test_three_agencies_prove_the_same_with_and_without_the_reduction() -> None:
    definition = with_agencies(DEFAULT_DEFINITION, 3)
    reduced = verify(definition)
    full = verify(definition, symmetry=False)
    assert reduced.ok, reduced.summary()
    assert full.ok, full.summary()
    assert reduced.stages_reached == full.stages_reached
    assert reduced.triggers_fired == full.triggers_fired
    assert reduced.states < full.states * 0.7
    print(f"3 agencies: {reduced.states} states reduced, {full.states} in full")
