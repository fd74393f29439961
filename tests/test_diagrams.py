"""Diagrams: generated from the definition, faithful, deterministic and golden-tested.

Golden files live in ``tests/golden``; ``CSPR_REGENERATE_GOLDEN=1`` rewrites them
(then read the diff before committing it). Rendering through Graphviz is tested
where ``dot`` is installed, and required where ``CSPR_REQUIRE_GRAPHVIZ=1`` (CI).
"""

from __future__ import annotations

import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pendulum
import pytest

from cspr_workflow import DEFAULT_DEFINITION, Trigger, diagram, dumps
from cspr_workflow._cli import main
from cspr_workflow.demo import demo_review
from cspr_workflow.errors import GraphvizMissing
from cspr_workflow.views import Diagram

from .builders import Walker

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("CSPR_REGENERATE_GOLDEN") == "1"
AT = pendulum.datetime(2026, 8, 20, 12, tz="Europe/London")


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGENERATE:
        path.write_text(text)
    assert path.read_text() == text, f"{name} changed: regenerate and read the diff"


def needs_dot() -> None:
    if shutil.which("dot") is None:
        if os.environ.get("CSPR_REQUIRE_GRAPHVIZ") == "1":
            pytest.fail("CSPR_REQUIRE_GRAPHVIZ=1 but Graphviz's dot is not installed")
        pytest.skip("Graphviz's dot is not installed")


# -- golden text --------------------------------------------------------------------------


def test_process_diagram_mermaid_is_golden() -> None:
    golden("process.mmd", diagram().mermaid())


def test_process_diagram_dot_is_golden() -> None:
    golden("process.dot", diagram().dot())


def test_demo_path_is_golden() -> None:
    review = demo_review(upto=44)  # CRG approved: part of the way
    golden("child-a-path.mmd", diagram(review, at=AT).mermaid())
    golden("child-a-path.dot", diagram(review, at=AT).dot())


def test_output_is_deterministic() -> None:
    assert diagram().dot() == diagram().dot()
    assert diagram(DEFAULT_DEFINITION.evolve()).mermaid() == diagram().mermaid()


# -- faithful to the definition -------------------------------------------------------------


def test_every_stage_and_transition_is_drawn() -> None:
    dot = diagram().dot()
    for stage in DEFAULT_DEFINITION.stages:
        assert re.search(rf"^\s*{stage.name} \[label=\"{re.escape(stage.title)}", dot, re.M)
    text = " ".join(dot.replace("\\l  ", " ").replace("\\l", " ").split())
    for trigger in DEFAULT_DEFINITION.triggers:
        assert trigger.title in text, trigger.name
    named = {g for row in DEFAULT_DEFINITION.transitions for g in row.guards}
    for guard in DEFAULT_DEFINITION.all_guards.values():
        if guard.id != "within_due_date" and guard.id in named:
            assert guard.title in text, guard.id


def test_roles_are_named_as_the_partnership_names_them() -> None:
    text = diagram().mermaid()
    assert "by SSCP Executive" in text
    local = DEFAULT_DEFINITION.evolve(role_titles={})
    assert "by Executive" in diagram(local).mermaid()


def test_finals_and_side_paths_are_distinct() -> None:
    dot = diagram().dot()
    closed = next(line for line in dot.splitlines() if line.strip().startswith("closed ["))
    assert "peripheries=2" in closed
    on_hold = next(line for line in dot.splitlines() if line.strip().startswith("on_hold ["))
    assert "dashed" in on_hold
    mermaid = diagram().mermaid()
    sides = (
        "on_hold,publication_deferred,not_commissioned,national_review,"
        "notification_withdrawn,local_process_ended"
    )
    assert f"class {sides} side" in mermaid


def test_the_approval_chain_and_the_six_month_clock_are_boxed() -> None:
    dot = diagram().dot()
    approvals = dot.split("subgraph cluster_approvals {")[1].split("}")[0]
    for stage in ("crp_agreed", "crg_approved", "executive_approved"):
        assert f"      {stage} [" in approvals
    assert "Approval chain: CRP agreed → CRG approved → Executive approved" in dot
    clock = dot.split("subgraph cluster_clock {")[1]
    assert "C3 completion clock: 6 calendar months" in clock
    for stage in ("commissioned", "scoping", "fact_check", "pre_publication"):
        assert f"    {stage} [" in clock.split("subgraph cluster_approvals")[0]
    assert "published [" not in clock.split("\n  }\n")[0]


def test_hold_and_resume_are_drawn_once_for_the_whole_box() -> None:
    dot = diagram().dot()
    holds = [line for line in dot.splitlines() if "put on hold" in line]
    assert len(holds) == 1
    assert "ltail=cluster_clock" in holds[0]
    resumes = [line for line in dot.splitlines() if line.strip().startswith("on_hold -> ")]
    assert len(resumes) == 1
    assert "lhead=cluster_clock" in resumes[0]
    assert "back to the stage it left" in resumes[0]


def test_the_clock_and_its_check_are_named_from_the_definition() -> None:
    """A four-month completion clock is drawn as one, and its check named after it."""
    shorter = DEFAULT_DEFINITION.evolve(policy=DEFAULT_DEFINITION.policy.with_limits(C3=4))
    dot = diagram(shorter).dot()
    assert "C3 completion clock: 4 calendar months from entering Commissioned" in dot
    assert "the C3 completion clock (4 calendar months) runs" in dot
    assert "[no four-month timing check]" in dot
    assert "six" not in dot


def test_the_delay_notice_is_named_once_on_the_box() -> None:
    dot = diagram().dot()
    assert "in every stage here: notify a delay (PDEO) [no six-month timing check]" in dot
    assert dot.count("notify a delay") == 1


# -- a review's path ---------------------------------------------------------------------------


def test_a_path_shows_the_steps_taken_with_date_and_role() -> None:
    dot = diagram(demo_review(upto=44), at=AT).dot()
    assert "2026-01-07 Local authority (Northshire Council)" in dot
    assert "2026-07-15 Case Review Group" in dot
    current = next(line for line in dot.splitlines() if line.strip().startswith("crg_approved ["))
    assert 'fillcolor="#fde68a"' in current
    assert "Police DCI" not in dot  # people by role and agency only
    assert "Panel chair" not in dot


def test_a_path_names_the_clocks_at_risk_or_overdue() -> None:
    walker = Walker().to_drafting()
    late = pendulum.datetime(2026, 7, 10, tz="Europe/London")
    text = diagram(walker.review, at=late).mermaid()
    assert "C3 completion overdue (due 2026-07-05)" in text
    assert "class drafting alert" in text


def test_loops_and_holds_taken_are_counted() -> None:
    walker = Walker().to_drafting()
    walker(Trigger.PUT_ON_HOLD, "executive", reason="Trial")
    walker(Trigger.RESUME, "executive")
    dot = diagram(walker.review).dot()
    hold = next(line for line in dot.splitlines() if "put on hold" in line)
    assert "(from Drafting)" in hold
    resume = next(line for line in dot.splitlines() if line.strip().startswith("on_hold -> "))
    assert "(to Drafting)" in resume


# -- rendering -------------------------------------------------------------------------------


def test_svg_has_every_stage() -> None:
    needs_dot()
    svg = diagram().svg()
    root = ET.fromstring(svg)
    titles = {t.text for t in root.iter("{http://www.w3.org/2000/svg}title")}
    assert {s.name for s in DEFAULT_DEFINITION.stages} <= titles


@pytest.mark.parametrize(("fmt", "magic"), [("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_binary_formats(fmt: str, magic: bytes) -> None:
    needs_dot()
    assert diagram().render(fmt).startswith(magic)


def test_without_graphviz_text_still_works(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(GraphvizMissing, match="apt-get install graphviz"):
        diagram().render("svg")
    assert diagram().render("mermaid").startswith(b"---")
    assert diagram()._repr_svg_() is None
    assert diagram()._repr_markdown_().startswith("```mermaid")


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown diagram format"):
        diagram().render("gif")


def test_notebooks_see_diagrams() -> None:
    assert isinstance(diagram(DEFAULT_DEFINITION), Diagram)
    assert diagram(DEFAULT_DEFINITION)._repr_markdown_().startswith("```mermaid")
    review = demo_review(upto=10)
    assert "Child A" in diagram(review)._repr_markdown_()
    if shutil.which("dot"):
        assert (diagram(review)._repr_svg_() or "").startswith("<svg")


def test_diagram_of_something_else() -> None:
    with pytest.raises(TypeError, match="ProcessDefinition or a Review"):
        diagram("Child A")  # type: ignore[arg-type]


# -- the command line ---------------------------------------------------------------------------


@pytest.fixture
def review_file(tmp_path: Path) -> Path:
    path = tmp_path / "child-a.json"
    path.write_text(dumps(demo_review()))
    return path


@pytest.mark.parametrize("fmt", ["mermaid", "dot", "svg", "png", "pdf"])
def test_cli_diagram_in_every_format(fmt: str, review_file: Path, tmp_path: Path) -> None:
    if fmt in ("svg", "png", "pdf"):
        needs_dot()
    out = tmp_path / f"path.{fmt}"
    assert main(["diagram", "--review", str(review_file), "--format", fmt, "-o", str(out)]) == 0
    data = out.read_bytes()
    assert data == diagram(demo_review()).render(fmt) or fmt in ("png", "pdf")
    assert len(data) > 1000


def test_cli_process_diagram_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram", "--format", "dot"]) == 0
    assert capsys.readouterr().out == diagram().dot()


def test_cli_diagram_without_graphviz(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert main(["diagram", "--format", "svg", "-o", str(tmp_path / "x.svg")]) == 1
    assert "Install Graphviz" in capsys.readouterr().err
    assert not (tmp_path / "x.svg").exists()


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["diagram", "--review", "/nonexistent/review.json"], "cannot read the review file"),
        (["diagram", "--at", "2026-01-01"], "--at goes with --review"),
        (["diagram", "--format", "gif"], "invalid choice"),
        (["diagram", "-o", "/nonexistent/dir/x.mmd"], "cannot write"),
    ],
)
def test_cli_diagram_usage_errors(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) if "invalid choice" in says else _nothing():
        assert main(argv) == 2
    assert says in capsys.readouterr().err


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_cli_bad_at(review_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram", "--review", str(review_file), "--at", "next tuesday"]) == 2
    assert "--at takes an ISO 8601" in capsys.readouterr().err
