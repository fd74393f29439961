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
from typing import Any

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


# -- reading well: a legend of samples, long text once, no collisions (issue 15) ----------------

ARTIFACTS = Path(
    os.environ.get("CSPR_ARTIFACTS", Path(__file__).parent.parent / "build/artifacts")
)
REQUIRE_BROWSER = os.environ.get("CSPR_REQUIRE_BROWSER") == "1"
LONG_GUARD = "fully_approved"  # named by four transitions of the default process


def test_long_guard_text_is_given_once_in_a_key() -> None:
    guard = DEFAULT_DEFINITION.guard(LONG_GUARD)
    users = [r for r in DEFAULT_DEFINITION.transitions if LONG_GUARD in r.guards]
    assert len(users) >= 3
    dot, mermaid = diagram().dot(), diagram().mermaid()
    for text in (dot, mermaid):
        assert text.count(guard.title) == 1, "the title is in the key, once"
    before = dot[: dot.index(f"<B>{guard.title}</B>")]
    g = re.findall(r"<B>(G\d+)</B>", before)[-1]  # the key in the row of its title
    assert f"<b>{g} {guard.title}</b>" in mermaid
    # the description, wrapped, is there in full: every word of it, in order
    words = guard.description.split()
    dot_key = dot.split(f"<B>{g}</B>")[1].split("<B>G")[0]
    found = " ".join(re.sub(r"<[^>]+>", " ", dot_key).split())
    assert " ".join(words) in found
    # and each step that needs it says so by its key
    publish = next(line for line in dot.splitlines() if "publish the report" in line)
    assert re.search(rf"if {g}\b|if G\d+\u2013G\d+", publish)
    hold = next(line for line in dot.splitlines() if line.strip().startswith("scoping -> panel"))
    assert "if G3\u2013G8" in hold  # six guards, one range


def test_every_guard_named_by_a_step_has_one_key_and_one_entry() -> None:
    dot = diagram().dot()
    named = {g for row in DEFAULT_DEFINITION.transitions for g in row.guards}
    named.discard(DEFAULT_DEFINITION.completion.guard)
    keys = re.findall(r"<B>(G\d+)</B>", dot)
    assert sorted(keys) == sorted(f"G{n}" for n in range(1, len(named) + 1))
    for g in named:
        assert dot.count(f"<B>{DEFAULT_DEFINITION.guard(g).title}</B>") == 1, g


def test_staying_steps_are_keyed_and_listed_once() -> None:
    dot = diagram().dot()
    # replace the Chair is offered in eight stages: one entry in the key, eight loops name it
    assert dot.count("replace the Chair or the Lead Reviewer") == 1
    s = re.search(r"<B>(S\d+)</B></TD></TR></TABLE></TD>.{0,200}?replace the Chair", dot)
    assert s is not None
    loops = [
        line
        for line in dot.splitlines()
        if re.match(r"\s*(\w+) -> \1 \[", line) and "steps " in line
    ]
    assert len(loops) >= 8
    assert max(len(line) for line in loops) < 120, "a loop's label is a list of keys"


def test_ranges_of_keys() -> None:
    from cspr_workflow._diagrams import _runs

    assert _runs(["G4", "G3", "G5", "G7", "G9", "G10", "S1"]) == "G3\u2013G5, G7, G9, G10, S1"


def _legend_cells(dot: str) -> str:
    return dot.split("label=<<TABLE", 1)[1].split("</TABLE>>;", 1)[0]


def test_the_legend_has_a_sample_of_each_colour_and_line_it_names() -> None:
    dot = diagram().dot()
    legend = _legend_cells(dot)
    clock = dot.split("subgraph cluster_clock {")[1].split("subgraph cluster_approvals")[0]
    approvals = dot.split("subgraph cluster_approvals {")[1].split("}")[0]
    # the samples are in the colours the boxes are drawn in
    assert 'color="#2563eb"' in clock
    assert 'fillcolor="#eff6ff"' in clock
    assert 'COLOR="#2563eb" BGCOLOR="#eff6ff"' in legend
    assert 'fillcolor="#f0fdf4"; color="#15803d"' in approvals
    assert 'COLOR="#15803d" BGCOLOR="#f0fdf4"' in legend
    assert "blue box: the C3 completion clock (6 calendar months) runs" in legend
    assert 'SIDES="B" STYLE="dashed"' in legend  # a dashed line, drawn
    assert "double" not in legend  # the final stage's sample is drawn, not described
    assert 'CELLBORDER="1" CELLSPACING="2"' in legend  # ... as a border in a border
    # a process diagram has no review: no sample of what only a path shows
    assert "yellow" not in legend
    assert "#fde68a" not in legend


def test_the_mermaid_legend_and_boxes_agree_on_colour() -> None:
    text = diagram().mermaid()
    assert "style clock fill:#eff6ff,stroke:#2563eb" in text  # not Mermaid's own yellow
    assert "style approval_chain fill:#f0fdf4,stroke:#15803d" in text
    assert "classDef clockbox fill:#eff6ff,stroke:#2563eb" in text
    assert "classDef approvalbox fill:#f0fdf4,stroke:#15803d" in text
    sample = re.search(r'(Legend\d+)\["blue box: the C3 completion clock', text)
    assert sample is not None
    assert f"class {sample[1]} clockbox" in text
    path = diagram(demo_review(upto=44), at=AT).mermaid()
    current = re.search(r'(Legend\d+)\("yellow fill: the current stage"\)', path)
    assert current is not None
    assert f"class {current[1]} current" in path
    assert "classDef current fill:#fde68a" in path  # yellow, as the legend says
    assert "==>" in path.split('subgraph Legend["Legend"]')[1].split("\n  end")[0]


def test_the_legend_follows_the_definition() -> None:
    """The clock's words in the legend are the definition's."""
    shorter = DEFAULT_DEFINITION.evolve(policy=DEFAULT_DEFINITION.policy.with_limits(C3=4))
    legend = _legend_cells(diagram(shorter).dot())
    assert "(4 calendar months) runs" in legend
    assert "(6 calendar" not in legend


_MEASURE_SVG = """() => {
  const svg = document.querySelector('svg');
  const box = (e) => { const r = e.getBoundingClientRect();
                       return {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; };
  const texts = [...svg.querySelectorAll('text')].map((t) => ({
    ...box(t), text: t.textContent,
    owner: (t.closest('g.node, g.edge, g.cluster, g.graph') || {id: ''}).id}));
  const shapes = [];
  for (const g of svg.querySelectorAll('g.node')) {
    for (const s of g.querySelectorAll(':scope > polygon, :scope > path, :scope > ellipse')) {
      shapes.push({...box(s), owner: g.id, text: g.querySelector('title').textContent});
    }
  }
  return {texts, shapes};
}"""

_MEASURE_MERMAID = """() => {
  const svg = document.querySelector('#out svg');
  const box = (e) => { const r = e.getBoundingClientRect();
                       return {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; };
  const texts = [], clipped = [];
  for (const fo of svg.querySelectorAll('foreignObject')) {
    const inner = fo.querySelector('div') || fo.querySelector('span');
    if (!inner || !inner.textContent.trim()) continue;
    const owner = fo.closest('g.node, g.edgeLabel, g.cluster');
    const r = box(inner), f = box(fo);
    texts.push({...r, text: inner.textContent, owner: owner ? owner.id : ''});
    if (r.x1 - r.x0 > f.x1 - f.x0 + 1 || r.y1 - r.y0 > f.y1 - f.y0 + 1
        || inner.scrollWidth > inner.clientWidth + 1) clipped.push(inner.textContent);
  }
  const shapes = [];
  for (const g of svg.querySelectorAll('g.node')) {
    const parts = ':scope > rect, :scope > path, :scope > polygon, :scope > circle, '
                  + ':scope > g > path';
    for (const s of g.querySelectorAll(parts)) shapes.push({...box(s), owner: g.id, text: g.id});
  }
  return {texts, shapes, clipped};
}"""


def _collisions(measured: dict[str, Any]) -> list[str]:
    """Every pair of texts whose boxes overlap, and every text on a shape not its own
    (by more than half a pixel: touching is not overlapping)."""

    def overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
        wide = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
        high = min(a["y1"], b["y1"]) - max(a["y0"], b["y0"])
        return wide > 0.5 and high > 0.5

    texts, shapes = measured["texts"], measured["shapes"]
    found = []
    for i, a in enumerate(texts):
        found += [f"{a['text']!r} on {b['text']!r}" for b in texts[i + 1 :] if overlap(a, b)]
        found += [
            f"{a['text']!r} on the stage {s['text']!r}"
            for s in shapes
            if s["owner"] != a["owner"] and overlap(a, s)
        ]
    return found


@pytest.mark.parametrize("subject", ["process", "path"])
def test_no_label_collides_in_the_svg(browser: Any, tmp_path: Path, subject: str) -> None:
    """Measured in Chromium: no text of the SVG overlaps another, or a stage it is not in."""
    needs_dot()
    drawn = diagram() if subject == "process" else diagram(demo_review(upto=44), at=AT)
    page_file = tmp_path / "diagram.html"
    page_file.write_text(f"<html><body style='margin:0'>{drawn.svg()}</body></html>")
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(page_file.as_uri())
    measured = page.evaluate(_MEASURE_SVG)
    assert len(measured["texts"]) > 150  # labels, legend and key: all measured
    assert len(measured["shapes"]) >= len(DEFAULT_DEFINITION.stages)
    assert _collisions(measured) == []
    if subject == "process":
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "process-diagram.png"), full_page=True)
    page.close()


def test_the_overlap_check_finds_an_overlap() -> None:
    """The measure above can fail: two boxes sharing more than half a pixel collide."""
    a = {"x0": 0, "y0": 0, "x1": 10, "y1": 10, "text": "a", "owner": "e1"}
    b = {"x0": 9, "y0": 9, "x1": 20, "y1": 20, "text": "b", "owner": "e2"}
    c = {"x0": 10, "y0": 0, "x1": 20, "y1": 9, "text": "c", "owner": "e3"}  # touches both
    assert _collisions({"texts": [a, b, c], "shapes": []}) == ["'a' on 'b'"]
    assert _collisions({"texts": [a], "shapes": [{**b, "owner": "n1"}]}) == [
        "'a' on the stage 'b'"
    ]
    assert _collisions({"texts": [a], "shapes": [{**b, "owner": "e1"}]}) == []  # its own


@pytest.mark.parametrize("subject", ["process", "path"])
def test_no_label_collides_or_is_clipped_in_mermaid(
    browser: Any, tmp_path: Path, subject: str
) -> None:
    """The Mermaid text rendered by mermaid.js in Chromium: no label overlaps another or
    a stage, and none is cut off by its box ("ember for every agency")."""
    script = os.environ.get("CSPR_MERMAID_JS")
    if not script or not Path(script).is_file():
        if REQUIRE_BROWSER:
            pytest.fail("CSPR_REQUIRE_BROWSER=1 but CSPR_MERMAID_JS names no mermaid.min.js")
        pytest.skip("set CSPR_MERMAID_JS to a mermaid.min.js to check the Mermaid text")
    drawn = diagram() if subject == "process" else diagram(demo_review(upto=44), at=AT)
    page_file = tmp_path / "mermaid.html"
    page_file.write_text(
        "<html><body style='margin:0'><div id='out'></div>"
        f"<script src='{Path(script).as_uri()}'></script></body></html>"
    )
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(page_file.as_uri())
    result = page.evaluate(
        """async (src) => {
            mermaid.initialize({startOnLoad: false});
            try {
                const {svg} = await mermaid.render('d1', src);
                document.getElementById('out').innerHTML = svg;
                const s = document.querySelector('#out svg'), vb = s.viewBox.baseVal;
                s.style.maxWidth = 'none';
                s.setAttribute('width', vb.width); s.setAttribute('height', vb.height);
                return 'drawn';
            } catch (e) { return 'ERROR ' + e.message; }
        }""",
        drawn.mermaid(),
    )
    assert result == "drawn"
    measured = page.evaluate(_MEASURE_MERMAID)
    assert len(measured["texts"]) > 50
    assert measured["clipped"] == []
    assert _collisions(measured) == []
    if subject == "process":
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "process-diagram-mermaid.png"), full_page=True)
    page.close()
