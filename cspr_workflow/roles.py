"""Who is who in the default process: the roles of a review, and who may act in each.

:class:`Role` names the roles; :data:`DEFAULT_ROLES` declares each one for the
default definition: its title, whether it acts for an agency, and the rules on
who may act in it on a given review (only the Chair and Lead Reviewer appointed
to the review act as such; a panel member sits for an agency on the panel, or
is its recorded substitute). Which role may fire which trigger is a column of
the one process table in :mod:`cspr_workflow.states`.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

import pendulum

from ._records import Actor, ReviewState, kept_actor
from ._specs import Guard, RoleSpec, Unmet

__all__ = ["DEFAULT_ROLES", "Role"]


class Role(enum.StrEnum):
    """The roles in a Local Child Safeguarding Practice Review (Working Together to
    Safeguard Children, and a safeguarding partnership's role profiles)."""

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
        """The default title of the role (a definition may rename it)."""
        return _TITLES[self]

    @property
    def recipient_only(self) -> bool:
        """True for roles that receive notices but never take a step themselves (as
        :data:`DEFAULT_ROLES` declares)."""
        return next(spec.receives_only for spec in DEFAULT_ROLES if spec.id == self)


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


# -- who may act in a role ------------------------------------------------------------------


def _appointed(role: Role, field: str) -> Guard:
    def rule(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
        appointed = getattr(review, field)
        if actor.name == appointed:
            return []
        return [
            f"the actor is not the {{role:{role}}} appointed to this review"
            + ("" if appointed else f" (no {{role:{role}}} has been appointed)")
            + "."
        ]

    return Guard(
        f"appointed_{role.value}",
        f"acts as the appointed {role.label}",
        f"Only the {role.label} appointed to the review acts as its {role.label}.",
        rule,
        ("appoint_reviewers",),
    )


def _seated(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    seat = review.panel_member(actor.agency or "")
    if seat is None:
        return [f"{actor.agency} has no seat on this review's panel."]
    if not actor.substitute and actor.name != seat.member:
        return [
            (
                f"the actor is not {actor.agency}'s recorded panel member.",
                "the recorded member acts, or a recorded substitute with substitute=True.",
            )
        ]
    return []


def _substitute_recorded(review: ReviewState, actor: Actor, at: pendulum.DateTime) -> list[Unmet]:
    seat = review.panel_member(actor.agency or "")
    if seat is None or not actor.substitute or actor.name in seat.substitutes:
        return []
    return [f"the actor is not a recorded substitute for {actor.agency}'s panel member."]


_SEATED = Guard(
    "seated_member",
    "a panel member sits for an agency on the panel",
    "A panel member acts only for an agency seated on the review's panel, as its recorded "
    "member or a recorded substitute.",
    _seated,
    ("appoint_panel_member",),
)
_SUBSTITUTE = Guard(
    "substitute_recorded",
    "a substitute is recorded before acting",
    "Someone acting for an agency's absent panel member is recorded as its substitute first.",
    _substitute_recorded,
    ("record_substitute",),
)


def _chair(review: ReviewState) -> Sequence[Actor]:
    return [kept_actor(review.chair or "Chair", Role.CHAIR)]


def _lead(review: ReviewState) -> Sequence[Actor]:
    return [kept_actor(review.lead_reviewer or "Lead Reviewer", Role.LEAD_REVIEWER)]


def _members(review: ReviewState) -> Sequence[Actor]:
    people = []
    for seat in review.panel:
        people.append(kept_actor(seat.member, Role.PANEL_MEMBER, seat.agency))
        people += [
            kept_actor(name, Role.PANEL_MEMBER, seat.agency, True) for name in seat.substitutes
        ]
    return people


def _council(review: ReviewState) -> Sequence[Actor]:
    return [kept_actor("Local authority", Role.LOCAL_AUTHORITY, "Council")]


def _national_panel(review: ReviewState) -> Sequence[Actor]:
    return [kept_actor("National Panel", Role.NATIONAL_PANEL)]


DEFAULT_ROLES: tuple[RoleSpec, ...] = (
    RoleSpec(
        Role.LOCAL_AUTHORITY,
        _TITLES[Role.LOCAL_AUTHORITY],
        "Notifies the National Panel of a serious incident.",
        cast=_council,
    ),
    RoleSpec(
        Role.EXECUTIVE,
        _TITLES[Role.EXECUTIVE],
        "The safeguarding partners: decide to commission, appoint, give final approval, publish.",
    ),
    RoleSpec(
        Role.CRG,
        _TITLES[Role.CRG],
        "Approves the report after the panel agrees it; signs off and monitors the action plan.",
    ),
    RoleSpec(
        Role.CHAIR,
        _TITLES[Role.CHAIR],
        "Chairs the review panel: KLOEs, methodology, panel breadth, meetings, action plan.",
        rules=(_appointed(Role.CHAIR, "chair"),),
        cast=_chair,
    ),
    RoleSpec(
        Role.LEAD_REVIEWER,
        _TITLES[Role.LEAD_REVIEWER],
        "The independent author of the report.",
        rules=(_appointed(Role.LEAD_REVIEWER, "lead_reviewer"),),
        cast=_lead,
    ),
    RoleSpec(
        Role.PANEL_MEMBER,
        _TITLES[Role.PANEL_MEMBER],
        "A senior manager representing one agency on the Case Review Panel.",
        agency=True,
        rules=(_SEATED, _SUBSTITUTE),
        cast=_members,
    ),
    RoleSpec(
        Role.PDEO,
        _TITLES[Role.PDEO],
        "Partnership Development and Engagement Officer: collates information, coordinates, "
        "keeps the timescale, notifies delays.",
    ),
    RoleSpec(
        Role.NATIONAL_PANEL,
        _TITLES[Role.NATIONAL_PANEL],
        "The Child Safeguarding Practice Review Panel: receives notifications, rapid reviews, "
        "delay notices and final reports; responds to each Rapid Review (it may disagree, or "
        "conclude that a local review is more appropriate) and may ask for information.",
        cast=_national_panel,
    ),
)
"""The default roles, in the order tables list them."""
