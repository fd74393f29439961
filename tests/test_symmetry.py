"""The verifier's symmetry reduction: states that differ only by which of the case's
agencies after the first did what, or by the order the panel's seats were filled in,
are explored once.

The reduction must never change a verdict. The cheap tests here hold the renaming and
the reading of lists to what they must do (and the verifier's tests catch every planted
bug with the reduction on); with ``CSPR_THOROUGH=1`` (CI sets it), two broken
definitions must be caught with three agencies either way, with counterexamples of one
length, and the full two- and three-agency proofs must give the same verdict, stages,
triggers and rows with and without the reduction (under half an hour of one core).
"""

from __future__ import annotations

import itertools
import os

import pytest

from benchmarks.run import with_agencies as _with_agencies
from cspr_workflow import DEFAULT_DEFINITION, ProcessDefinition, _verify, verify
from cspr_workflow._verify import _canonical, _named_guards
from cspr_workflow.demo import demo_review

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

    case = ("Police", *later)
    keys = {_canonical(case, facts(a), frozenset({a})) for a in later}
    assert len(keys) == 1  # whichever later agency confirmed, the state is the same
    (found, substitutes) = keys.pop()
    # "Health" inside "Mental Health" is not taken for the agency "Health"
    assert all("Mental Mental" not in message for _, message in found)
    assert len(substitutes) == 1
    # the first agency is never renamed: the examples treat it apart
    first = _canonical(case, facts("Police"), frozenset({"Police"}))
    assert first[1] == frozenset({"Police"})
    assert first != _canonical(case, facts("Health"), frozenset({"Health"}))


@pytest.mark.parametrize("case", [("Police", "Health"), ("Police", "Health", "Mental Health")])
def test_the_order_the_seats_were_filled_in_gives_one_key(case: tuple[str, ...]) -> None:
    """A guard lists agencies in the panel's order; listed in any order, the same
    agencies are the same fact (and "Mental Health" is one name, not "Health" in another)."""
    keys = set()
    for order in itertools.permutations(case):
        waiting = frozenset({("facts_confirmed", f"not confirmed by: {', '.join(order)}.")})
        keys.add(_canonical(case, waiting, frozenset()))
    assert len(keys) == 1
    ((_, message),) = keys.pop()[0]
    assert message == f"not confirmed by: {', '.join(sorted(case))}."
    # which agencies are listed still tells states apart
    fewer = frozenset({("facts_confirmed", f"not confirmed by: {', '.join(case[1:])}.")})
    assert _canonical(case, fewer, frozenset()) != _canonical(case, waiting, frozenset())


def test_the_first_agency_alone_is_not_renamed() -> None:
    """With two agencies there is nothing to rename: which of them did what still tells
    states apart (only the order of a list of them does not)."""
    case = ("Police", "Health")
    police = frozenset({("facts_confirmed", "not confirmed by: Police.")})
    health = frozenset({("facts_confirmed", "not confirmed by: Health.")})
    assert _canonical(case, police, frozenset()) != _canonical(case, health, frozenset())


@pytest.mark.parametrize("count", [2, 3])
def test_the_verifier_reduces_from_two_agencies(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default's case names two agencies: the reduction (reading each list of them
    as a set) runs for it, and for more; ``symmetry=False`` never runs it."""
    state = demo_review().state.evolve(case_agencies=AGENCIES[:count])
    guards = _named_guards(DEFAULT_DEFINITION)
    read: list[tuple[str, ...]] = []

    def canonical(agencies: tuple[str, ...], facts: object, substitutes: object) -> object:
        read.append(agencies)
        return facts, substitutes

    monkeypatch.setattr(_verify, "_canonical", canonical)
    _verify._key(guards, DEFAULT_DEFINITION, state, state.last_at, True)
    assert read == [AGENCIES[:count]]
    _verify._key(guards, DEFAULT_DEFINITION, state, state.last_at, False)
    assert read == [AGENCIES[:count]]


THOROUGH = pytest.mark.skipif(
    os.environ.get("CSPR_THOROUGH") != "1", reason="CSPR_THOROUGH=1: the full proofs"
)


@THOROUGH
@pytest.mark.parametrize("name", ["fact check dropped", "corrections skipped"])
def test_a_broken_definition_is_caught_with_three_agencies_either_way(name: str) -> None:
    build, broken = MUTATIONS[name]
    definition = with_agencies(build(), 3)
    reduced = verify(definition, stop_at_first=True)
    full = verify(definition, stop_at_first=True, symmetry=False)
    caught, also = reduced.violation(broken), full.violation(broken)
    assert caught is not None, reduced.summary()
    assert also is not None, full.summary()
    # both shortest: breadth first, the same length of counterexample
    assert len(caught.path) == len(also.path)


@THOROUGH
@pytest.mark.parametrize(("count", "at_most"), [(2, 0.97), (3, 0.7)])
def test_the_reduction_proves_what_the_full_search_proves(count: int, at_most: float) -> None:
    definition = with_agencies(DEFAULT_DEFINITION, count)
    reduced = verify(definition)
    full = verify(definition, symmetry=False)
    assert reduced.ok, reduced.summary()
    assert full.ok, full.summary()
    assert reduced.stages_reached == full.stages_reached
    assert reduced.triggers_fired == full.triggers_fired
    assert reduced.unfired_rows == full.unfired_rows
    assert reduced.states < full.states * at_most
    print(f"{count} agencies: {reduced.states} states reduced, {full.states} in full")
