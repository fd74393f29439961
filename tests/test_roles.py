"""Roles and actors: described by role and agency, never by name; role rules are declared."""

from __future__ import annotations

import pytest

from cspr_workflow import DEFAULT_DEFINITION, Actor, NotPermitted, Role, Stage, Trigger
from cspr_workflow.roles import DEFAULT_ROLES

from .builders import walker_at

D = DEFAULT_DEFINITION


def test_an_actor_of_a_role_acting_for_an_agency_must_name_it() -> None:
    walker = walker_at(Stage.FACT_CHECK)
    nameless = Actor("Police DCI", Role.PANEL_MEMBER)
    with pytest.raises(NotPermitted) as caught:
        walker(Trigger.CONFIRM_FACTS, nameless)
    assert caught.value.rules[0] == "role_agency"
    assert "names no agency" in str(caught.value)


def test_name_and_role_must_not_be_empty() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        Actor("  ", Role.CHAIR)
    with pytest.raises(ValueError, match="must not be empty"):
        Actor("Someone", "")


def test_describe_uses_role_and_agency_only() -> None:
    member = Actor("Jo Bloggs", Role.PANEL_MEMBER, agency="Police")
    assert D.describe(member) == "Panel member (Police)"
    deputy = Actor("Jo Bloggs", Role.PANEL_MEMBER, agency="Police", substitute=True)
    assert D.describe(deputy) == "Panel member substitute (Police)"
    assert Actor("Jo Bloggs", Role.EXECUTIVE).describe({Role.EXECUTIVE: "Board"}) == "Board"
    assert D.describe(Actor("Jo Bloggs", Role.EXECUTIVE)) == "SSCP Executive"
    assert Actor("Jo Bloggs", "crg").describe() == "Crg"  # no titles given: the id, readable


def test_repr_leaves_the_name_out() -> None:
    assert "Jo Bloggs" not in repr(Actor("Jo Bloggs", Role.CHAIR))


def test_roles_are_their_values() -> None:
    assert Actor("A", "chair").role == Role.CHAIR
    assert not Role.NATIONAL_PANEL.recipient_only  # it answers the Rapid Review
    assert not Role.PDEO.recipient_only
    assert Role.CRG.label == "Case Review Group"


def test_every_role_is_declared_once_with_its_title() -> None:
    assert [r.id for r in DEFAULT_ROLES] == list(Role)
    for spec in DEFAULT_ROLES:
        assert spec.title == Role(spec.id).label
        assert spec.receives_only == Role(spec.id).recipient_only
    assert D.role(Role.PANEL_MEMBER).agency
    assert {g.id for g in D.role(Role.CHAIR).rules} == {"appointed_chair"}


def test_each_role_casts_the_people_who_act_in_it() -> None:
    walker = walker_at(Stage.FACT_CHECK)
    state = walker.review.state
    members = D.role(Role.PANEL_MEMBER).people(state)
    assert {(a.agency, a.name) for a in members} == {
        (seat.agency, seat.member) for seat in state.panel
    }
    [chair] = D.role(Role.CHAIR).people(state)
    assert chair.name == state.chair
    [pdeo] = D.role(Role.PDEO).people(state)
    assert pdeo.role == Role.PDEO
