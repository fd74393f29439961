"""One exception root; messages name the rule, the review and what to do."""

from __future__ import annotations

import pytest

from cspr_workflow import (
    CsprWorkflowError,
    NotPermitted,
    Reason,
    TimeWentBackwards,
    TransitionRefused,
)
from cspr_workflow.errors import InvalidDefinition, InvalidTime, UnknownTrigger


@pytest.mark.parametrize(
    ("error", "builtin"),
    [(InvalidDefinition, ValueError), (InvalidTime, ValueError), (UnknownTrigger, LookupError)],
)
def test_errors_subclass_the_builtin_they_resemble(error: type, builtin: type) -> None:
    assert issubclass(error, CsprWorkflowError)
    assert issubclass(error, builtin)


def test_refusals_share_one_family() -> None:
    for error in (NotPermitted, TimeWentBackwards):
        assert issubclass(error, TransitionRefused)
    assert issubclass(TransitionRefused, CsprWorkflowError)


def test_refusal_message_carries_every_reason() -> None:
    reasons = [
        Reason("rule_one", "rule one", "first problem.", "fix one."),
        Reason("rule_two", "rule two", "second problem.", "fix two."),
    ]
    error = TransitionRefused("Child A", "publish", "pre_publication", reasons)
    text = str(error)
    assert "review 'Child A': 'publish' refused at stage 'pre_publication'" in text
    assert "[rule one] first problem. To proceed: fix one." in text
    assert "[rule two]" in text
    assert error.rules == ("rule_one", "rule_two")
    assert error.titles == ("rule one", "rule two")
