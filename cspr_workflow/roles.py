"""Who is who: the roles of a review and the people acting in them.

Which role may fire which trigger is a column of the one process table in
:mod:`cspr_workflow.states`; ``ProcessDefinition.permissions()`` reads it back
as a permission table. This module declares the roles, the :class:`Actor` value
and how an actor is described without personal data.
"""

from __future__ import annotations

import enum

import attrs

__all__ = ["Actor", "Role"]


class Role(enum.StrEnum):
    """The roles in a Local Child Safeguarding Practice Review (DOMAIN.md, "Who is who")."""

    LOCAL_AUTHORITY = "local_authority"
    EXECUTIVE = "executive"
    CRG = "crg"
    CHAIR = "chair"
    LEAD_REVIEWER = "lead_reviewer"
    PANEL_MEMBER = "panel_member"
    PDEO = "pdeo"
    NATIONAL_PANEL = "national_panel"

    @property
    def label(self) -> str:
        """The default display name of the role (a definition may rename it)."""
        return _TITLES[self]

    @property
    def recipient_only(self) -> bool:
        """True for roles that receive notices but never take a step themselves."""
        return self is Role.NATIONAL_PANEL


_TITLES: dict[Role, str] = {
    Role.LOCAL_AUTHORITY: "Local authority",
    Role.EXECUTIVE: "Executive",
    Role.CRG: "Case Review Group",
    Role.CHAIR: "Chair",
    Role.LEAD_REVIEWER: "Lead Reviewer",
    Role.PANEL_MEMBER: "Panel member",
    Role.PDEO: "PDEO",
    Role.NATIONAL_PANEL: "National Panel",
}


def _non_empty(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value.strip():
        raise ValueError(f"Actor.{attribute.name} must not be empty")


@attrs.frozen
class Actor:
    """A person acting in a role, for an agency where the role has one.

    ``name`` identifies the person for the review's own records (the panel, the
    appointments, the history). It never appears in error messages, logs or
    diagrams: :meth:`describe` gives the role and agency instead.

    A panel member needs an ``agency``; ``substitute=True`` marks someone acting
    for their agency's absent member, which is allowed once the substitute is
    recorded on the panel.
    """

    name: str = attrs.field(validator=_non_empty, repr=False)
    role: Role = attrs.field(converter=Role)
    agency: str | None = None
    substitute: bool = False

    def __attrs_post_init__(self) -> None:
        if self.role is Role.PANEL_MEMBER and not (self.agency and self.agency.strip()):
            raise ValueError("a panel member Actor needs the agency they represent")

    def describe(self, titles: dict[Role, str] | None = None) -> str:
        """Role and agency, fit for messages and logs (no name)."""
        title = (titles or _TITLES).get(self.role, self.role.label)
        who = f"{title} substitute" if self.substitute else title
        return f"{who} ({self.agency})" if self.agency else who
