"""The audit report, the status command, and both checked in a real browser.

The browser tests open the report in headless Chromium (Debian's, driven by
Playwright): it must render with no console error, and a screenshot is written
to ``$CSPR_ARTIFACTS`` (``build/artifacts`` by default). Mermaid diagrams are
rendered with mermaid.js when ``CSPR_MERMAID_JS`` names it (``.ci/run`` fetches it
from the npm registry). ``CSPR_REQUIRE_BROWSER=1`` (CI) turns skips into failures.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import attrs
import pendulum
import pytest

from cspr_workflow import Review, audit_report, diagram, dumps
from cspr_workflow._cli import main
from cspr_workflow.demo import demo_review
from cspr_workflow.persistence import dumps_refusals

from .builders import Walker
from .test_diagrams import golden

AT = pendulum.datetime(2027, 3, 2, 9, tz="Europe/London")
REQUIRED = os.environ.get("CSPR_REQUIRE_BROWSER") == "1"
ARTIFACTS = Path(
    os.environ.get("CSPR_ARTIFACTS", Path(__file__).parent.parent / "build/artifacts")
)


def _without_svg(html: str) -> str:
    return re.sub(r"<svg.*?</svg>", "<svg>(drawn by Graphviz)</svg>", html, flags=re.S)


# -- content ------------------------------------------------------------------------------


def test_markdown_report_of_the_demo_is_golden() -> None:
    golden("child-a-report.md", audit_report(demo_review(), at=AT).markdown())


def test_html_report_of_the_demo_is_golden() -> None:
    html = audit_report(demo_review(), at=AT).html()
    golden("child-a-report.html", _without_svg(html))


def test_the_report_is_self_contained() -> None:
    html = audit_report(demo_review(), at=AT).html()
    assert "<script" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html
    assert "url(" not in html
    if shutil.which("dot"):
        assert "<svg" in html


def test_the_report_shows_verification_history_and_refusals() -> None:
    report = audit_report(demo_review(), at=AT)
    md = report.markdown()
    assert "| Hash chain | passed |" in md
    assert "| Replay | passed |" in md
    assert "| Statutory properties | passed |" in md
    assert "| 52 | 2027-03-01 10:00 | Case Review Group | close the review |" in md
    assert "a panel member speaks only for their own agency" in md  # a refusal
    assert "## Timeline of stages" in md
    assert "| C3 | completion | met within the notified delay |" in md


def test_the_report_names_no_one() -> None:
    md = audit_report(demo_review(), at=AT).markdown()
    for name in ("Panel chair", "Independent reviewer", "Police DCI", "Designated nurse"):
        assert name not in md
    assert "chair: (a name, kept in the record)" in md


def test_a_tampered_review_fails_its_report() -> None:
    review = demo_review()
    history = list(review.history)
    history[30] = attrs.evolve(history[30], at=history[30].at.add(minutes=5))
    tampered = Review(attrs.evolve(review.state, history=tuple(history)), review.definition)
    report = audit_report(tampered, at=AT, head=review.history_head)
    checks = {c.name: c for c in report.checks()}
    assert not checks["Hash chain"].ok
    assert "step 32" in checks["Hash chain"].detail
    assert "| Hash chain | FAILED |" in report.markdown()
    assert "class='failed'" in report.html()


def test_a_report_at_an_instant_shows_the_clocks_then() -> None:
    walker = Walker().to_drafting()
    late = pendulum.datetime(2026, 7, 10, tz="Europe/London")
    md = audit_report(walker.review, at=late).markdown()
    assert "| C3 | completion | overdue |" in md
    assert "C3 completion overdue (due 2026-07-05)" in md  # on the path diagram


# -- the command line ---------------------------------------------------------------------------


@pytest.fixture
def review_file(tmp_path: Path) -> Path:
    path = tmp_path / "child-a.json"
    path.write_text(dumps(demo_review()))
    (tmp_path / "child-a.refusals.json").write_text(dumps_refusals(demo_review()))
    return path


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_cli_report(fmt: str, review_file: Path, tmp_path: Path) -> None:
    out = tmp_path / f"report.{fmt}"
    argv = [
        "report",
        str(review_file),
        "--refusals",
        str(review_file.with_suffix(".refusals.json")),
        "--format",
        fmt,
        "--at",
        "2027-03-02T09:00",
        "-o",
        str(out),
    ]
    assert main(argv) == 0
    expected = audit_report(demo_review(), at=AT)
    assert out.read_text() == (expected.html() if fmt == "html" else expected.markdown())


def test_cli_report_fails_when_verification_fails(
    review_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong_head = "0" * 64
    out = tmp_path / "r.md"
    code = main(
        ["report", str(review_file), "--head", wrong_head, "--format", "md", "-o", str(out)]
    )
    assert code == 1
    assert "| Hash chain | FAILED |" in out.read_text()


def test_cli_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "drafting.json"
    path.write_text(dumps(Walker().to_drafting().review))
    assert main(["status", str(path), "--at", "2026-07-10"]) == 0
    out = capsys.readouterr().out
    assert "stage: Drafting" in out
    assert "C3     completion       overdue" in out
    assert "- submit a draft -> Fact check; by Lead Reviewer; blocked" in out
    assert "six-month timing check: the review is past its completion due date" in out
    assert "- notify a delay -> Drafting; by PDEO; ready" in out


def test_cli_status_of_a_closed_review(
    review_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", str(review_file)]) == 0
    assert "Nothing can happen next" in capsys.readouterr().out


def test_cli_rejects_a_bad_review_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"schema_version": 2, "review": 5}')
    assert main(["report", str(path)]) == 1
    assert "$.review: expected an object" in capsys.readouterr().err


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("demo", "table", "verify", "schema", "diagram", "report", "status"):
        with pytest.raises(SystemExit) as exited:
            main([command, "--help"])
        assert exited.value.code == 0
        assert "usage: cspr-workflow" in capsys.readouterr().out


def test_demo_can_save_the_review(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "child-a.json"
    assert main(["demo", "--save", str(out)]) == 0
    assert out.read_text() == dumps(demo_review())
    log = tmp_path / "child-a.refusals.json"
    assert log.read_text() == dumps_refusals(demo_review())
    report = tmp_path / "r.md"
    argv = ["report", str(out), "--refusals", str(log), "--format", "md", "-o", str(report)]
    assert main(argv) == 0
    assert "| Steps refused | 2 |" in report.read_text()
    assert main(["report", str(out), "--format", "md", "-o", str(report)]) == 0
    assert "0 since loaded (refusal log not supplied)" in report.read_text()


# -- in a real browser ---------------------------------------------------------------------------


def _open(browser: Any, url: str) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.goto(url)
    return page, problems


def test_the_html_report_renders_in_chromium(browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "child-a.html"
    path.write_text(audit_report(demo_review(), at=AT).html())
    page, problems = _open(browser, path.as_uri())
    assert page.title() == "Audit report: Child A"
    assert page.locator("h2").all_inner_texts()[:2] == ["Verification", "Path"]
    assert page.locator("li.passed").count() == 4
    if shutil.which("dot"):
        box = page.locator("figure.diagram svg").bounding_box()
        assert box is not None
        assert box["width"] > 500
        assert box["height"] > 500
    assert page.locator("table.history tr").count() == 1 + 52
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "child-a-report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    assert problems == []
    page.close()


def test_mermaid_diagrams_render_with_mermaid_js(browser: Any, tmp_path: Path) -> None:
    script = os.environ.get("CSPR_MERMAID_JS")
    if not script or not Path(script).is_file():
        if REQUIRED:
            pytest.fail("CSPR_REQUIRE_BROWSER=1 but CSPR_MERMAID_JS names no mermaid.min.js")
        pytest.skip("set CSPR_MERMAID_JS to a mermaid.min.js to check the Mermaid text")
    page_file = tmp_path / "mermaid.html"
    page_file.write_text(
        f"<html><body><script src='{Path(script).as_uri()}'></script></body></html>"
    )
    page, problems = _open(browser, page_file.as_uri())
    sources = [
        diagram(demo_review()).mermaid(),
        diagram(Walker().to_drafting().review).mermaid(),
        diagram(Review.open("Child B", aware_at=AT).definition).mermaid(),
    ]
    for source in sources:
        result = page.evaluate(
            """async (src) => {
                mermaid.initialize({startOnLoad: false});
                try { const {svg} = await mermaid.render('d' + Date.now(), src); return svg; }
                catch (e) { return 'ERROR ' + e.message; }
            }""",
            source,
        )
        assert not result.startswith("ERROR"), result
        assert "<svg" in result
    assert problems == []
    page.close()


def test_cli_stops_quietly_when_the_reader_goes_away(review_file: Path) -> None:
    """Like `cspr-workflow status FILE | head -1`: no traceback when the pipe closes."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "cspr_workflow._cli", "status", str(review_file)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.close()  # gone before the command has written anything
    _, err = process.communicate(timeout=60)
    assert b"Traceback" not in err
    assert b"BrokenPipeError" not in err


def test_a_report_as_at_an_earlier_instant_shows_the_review_as_it_stood_then() -> None:
    """The board's "where did this review stand at our meeting": stage, steps and clocks
    as they were; the checks still cover the whole record and its heads."""
    review = demo_review()
    meeting = pendulum.datetime(2026, 8, 20, 9, tz="Europe/London")
    report = audit_report(review, at=meeting, head=review.history_head)
    text = report.markdown()
    by_then = sum(1 for e in review.history if e.at <= meeting)
    assert f"| Steps recorded | {by_then} by then ({len(review.history)} in all) |" in text
    assert "| Stage | Pre-publication |" in text
    assert "the review as it stood then" in text
    assert "| Hash chain | passed |" in text  # the head kept elsewhere seals the whole record
    assert f"| Steps recorded | {len(review.history)} |" in audit_report(review).markdown()
    assert report.deadlines == review.as_at(meeting).deadlines(at=meeting)
    later = [e for e in review.history if e.at > meeting]
    assert later
    assert f"| {later[0].seq} |" not in text.split("## History", 1)[-1].split("##", 1)[0]


def test_cli_status_as_at_a_board_meeting(
    review_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command the governance how-to gives."""
    assert main(["status", str(review_file), "--at", "2026-08-20"]) == 0
    out = capsys.readouterr().out
    assert "as at 2026-08-20 00:00:00: later steps are left out" in out
    assert "stage: Pre-publication" in out
    assert "(52 in all)" in out
    assert "- publish the report -> Published; by SSCP Executive; ready" in out


def test_a_diagram_as_at_an_earlier_instant_draws_the_path_by_then() -> None:
    review = demo_review()
    early = pendulum.datetime(2026, 3, 1, 9, tz="Europe/London")
    assert diagram(review, at=early).mermaid() == diagram(review.as_at(early), at=early).mermaid()
    assert diagram(review, at=early).mermaid() != diagram(review).mermaid()
