"""The demo is the whole process as a test, and the CLI runs it."""

from __future__ import annotations

import io
import itertools

import pytest

from cspr_workflow import Stage
from cspr_workflow._cli import main
from cspr_workflow.demo import ACTORS, SCRIPT, demo_review, run_demo
from cspr_workflow.states import ApprovalBody


def test_demo_review_runs_from_awareness_to_closure() -> None:
    review = demo_review()
    state = review.state
    assert review.stage == Stage.CLOSED
    assert len(review.history) == sum(1 for s in SCRIPT if not s.refused)
    assert len(state.drafts) == 2
    published = state.current_draft.version
    assert [a.body for a in state.approvals if a.version == published] == [
        ApprovalBody.CRP,
        ApprovalBody.CRG,
        ApprovalBody.EXECUTIVE,
    ]
    assert len(state.delay_notices) == 1
    assert state.published_at.date() > state.due_date
    assert state.published_at.date() <= review.completion_due


def test_history_is_ordered_and_consistent() -> None:
    history = demo_review().history
    assert [e.seq for e in history] == list(range(1, len(history) + 1))
    assert all(a.at <= b.at for a, b in itertools.pairwise(history))
    assert all(a.dest == b.source for a, b in itertools.pairwise(history))


def test_demo_shows_two_refusals_with_their_rules() -> None:
    out = io.StringIO()
    run_demo(out)
    text = out.getvalue()
    assert text.count("REFUSED") == 2
    assert "[methodology agreed by Chair and Lead Reviewer]" in text
    assert "[a panel member speaks only for their own agency]" in text
    assert "final stage                        Closed" in text
    assert "Case Review Panel, Case Review Group, SSCP Executive" in text
    for actor in ACTORS.values():
        assert actor.name not in text


def test_cli_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    assert "Summary" in capsys.readouterr().out


def test_cli_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["table"]) == 0
    assert "`publish`" in capsys.readouterr().out
    assert main(["table", "stages"]) == 0
    assert "`on_hold`" in capsys.readouterr().out


def test_cli_needs_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main([])
    assert caught.value.code == 2


def test_cli_permission_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["table", "permissions"]) == 0
    assert "| `notify_delay` |" in capsys.readouterr().out
