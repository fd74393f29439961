"""Effects a partnership can bind to its own triggers: each records one kind of fact.

``TriggerSpec(..., effect=effects.record_draft)``; an effect is a pure function
``(state, step) -> next state`` (see :data:`cspr_workflow.extension.Effect`).
"""

from __future__ import annotations

from ._effects import (
    meeting,
    record_action,
    record_action_status,
    record_action_withdrawn,
    record_decision,
    record_decision_reason,
    record_draft,
    record_fact_check,
    record_family_answer,
    record_family_invited,
    record_family_told,
    record_held,
    record_information_missing,
    record_information_request,
    record_information_returned,
    record_information_shared,
    record_kloes_shared,
    record_methodology,
    record_notification,
    record_panel_seat,
    record_panel_substitute,
    record_publication,
    record_rapid_review,
    record_report_sent,
    record_resumed,
    record_reviewers,
    record_terms,
)

__all__ = [
    "meeting",
    "record_action",
    "record_action_status",
    "record_action_withdrawn",
    "record_decision",
    "record_decision_reason",
    "record_draft",
    "record_fact_check",
    "record_family_answer",
    "record_family_invited",
    "record_family_told",
    "record_held",
    "record_information_missing",
    "record_information_request",
    "record_information_returned",
    "record_information_shared",
    "record_kloes_shared",
    "record_methodology",
    "record_notification",
    "record_panel_seat",
    "record_panel_substitute",
    "record_publication",
    "record_rapid_review",
    "record_report_sent",
    "record_resumed",
    "record_reviewers",
    "record_terms",
]
