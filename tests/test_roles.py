"""Roles and actors: described by role and agency, never by name."""

from __future__ import annotations

import pytest

from cspr_workflow import Actor, Role


def test_panel_member_needs_an_agency() -> None:
    with pytest.raises(ValueError, match="agency"):
        Actor("Police DCI", Role.PANEL_MEMBER)


def test_name_must_not_be_empty() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        Actor("  ", Role.CHAIR)


def test_describe_uses_role_and_agency_only() -> None:
    member = Actor("Jo Bloggs", Role.PANEL_MEMBER, agency="Police")
    assert member.describe() == "Panel member (Police)"
    deputy = Actor("Jo Bloggs", Role.PANEL_MEMBER, agency="Police", substitute=True)
    assert deputy.describe() == "Panel member substitute (Police)"
    assert Actor("Jo Bloggs", Role.EXECUTIVE).describe({Role.EXECUTIVE: "Board"}) == "Board"


def test_repr_leaves_the_name_out() -> None:
    assert "Jo Bloggs" not in repr(Actor("Jo Bloggs", Role.CHAIR))


def test_roles_accept_their_values() -> None:
    assert Actor("A", "chair").role is Role.CHAIR
    assert Role.NATIONAL_PANEL.recipient_only
    assert not Role.PDEO.recipient_only
    assert Role.CRG.label == "Case Review Group"
