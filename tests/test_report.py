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

from cspr_workflow import Review, Stage, Trigger, audit_report, diagram, dumps
from cspr_workflow._cli import main
from cspr_workflow.demo import demo_review
from cspr_workflow.persistence import dumps_refusals

from .builders import Walker
from .test_diagrams import golden, needs_dot
from .variants import RETITLED

T = Trigger

AT = pendulum.datetime(2027, 3, 2, 9, tz="Europe/London")
#: The demo review after its first 40 scripted steps (CRP agreed, no delay notified yet),
#: seen on 2026-08-10: 15 calendar days past its completion due date of 2026-07-26.
OVERDUE_STEPS = 40
OVERDUE_AT = pendulum.datetime(2026, 8, 10, 9, tz="Europe/London")
REQUIRED = os.environ.get("CSPR_REQUIRE_BROWSER") == "1"
ARTIFACTS = Path(
    os.environ.get("CSPR_ARTIFACTS", Path(__file__).parent.parent / "build/artifacts")
)


def _without_svg(html: str) -> str:
    """The report without its drawings: what Graphviz draws (its output varies between
    versions), and the timeline (golden by itself, in child-a-timeline.svg)."""
    html = re.sub(
        r'<svg xmlns="http://www.w3.org/2000/svg" class="cspr-timeline".*?</svg>',
        "<svg>(the timeline)</svg>",
        html,
        flags=re.S,
    )
    return re.sub(
        r"<svg(?!>\(the timeline\)).*?</svg>", "<svg>(drawn by Graphviz)</svg>", html, flags=re.S
    )


# -- content ------------------------------------------------------------------------------


def test_markdown_report_of_the_demo_is_golden() -> None:
    golden("child-a-report.md", audit_report(demo_review(), at=AT).markdown())


def test_html_report_of_the_demo_is_golden() -> None:
    needs_dot()  # (without Graphviz the report carries a note and Mermaid text instead)
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


# -- the first screen ------------------------------------------------------------------------


def _overdue() -> Any:
    return audit_report(demo_review(upto=OVERDUE_STEPS), at=OVERDUE_AT)


def _in_order(text: str, *parts: str) -> None:
    """Each of ``parts`` is in ``text``, in this order."""
    where = [text.find(p) for p in parts]
    assert -1 not in where, [p for p, i in zip(parts, where, strict=True) if i < 0]
    assert where == sorted(where), parts


def test_the_report_of_an_overdue_review_opens_with_its_trouble() -> None:
    md = _overdue().markdown()
    _in_order(
        md,
        "> **Needs attention**",
        "> - C3 completion is overdue: it was due 2026-07-26, 15 calendar days ago.",
        "> - Owed now: a delay notice (notify a delay), by PDEO, to National Panel and "
        "SSCP Executive: the review is past its completion due date 2026-07-26; "
        "progressing steps wait for it.",
        "## Where the review stands",
        "| Stage | CRP agreed |",
        "| On time? | Late: C3 completion is overdue by 15 calendar days (due 2026-07-26). |",
        "| Commissioned (starts C3 completion) | 2026-01-26 |",
        "| C3 completion due | 2026-07-26 |",
        "| Published (stops C3 completion) | not yet |",
        "| Delay notices owed | a delay notice (notify a delay), by PDEO",
        "| Delay notices given | none |",
        "## What must happen next",
        "- **notify a delay** (PDEO): owed now",
        "- **CRG approval** → CRG approved (Case Review Group): blocked",
        "    - six-month timing check: the review is past its completion due date 2026-07-26",
        "Also possible at this stage: ",
        "## Clocks",
        "| C3 completion | completion deadline | overdue | 2026-07-26 | - | "
        "15 calendar days overdue |",
        "| C4 pre-publication | minimum notice (not a deadline) | not started | - | - | "
        "starts on entering Pre-publication |",
        "## Verification",
        "| Hash chain | passed |",
        "## Path",
    )
    assert "Nothing needs attention" not in md


def test_the_html_report_of_an_overdue_review_puts_the_red_box_first() -> None:
    html = _overdue().html()
    _in_order(
        html,
        "<section class='attention trouble'><h2>Needs attention</h2>",
        "C3 completion is overdue",
        "</section>",
        "<strong class='verdict late'>Late</strong>",
        "<span class='tag owed'>owed now</span>",
        "<tr class='trouble'><td>C3 completion</td>",
        "<h2 class='verification'>Verification</h2>",
        "<li class='passed'>",
        "<section class='path",
    )


def test_the_report_of_the_closed_review_reads_on_time_within_its_delay() -> None:
    md = audit_report(demo_review(), at=AT).markdown()
    _in_order(
        md,
        "> **Nothing needs attention.** No clock is overdue or at risk, no delay notice is "
        "owed, and every check of the history passed.",
        "| Stage | Closed |",
        "| In this stage since | 2027-03-01 (1 day); the review is over |",
        "| On time? | On time, within a notified delay: C3 completion was met on 2026-09-01, "
        "37 calendar days after its first due date 2026-07-26 and 29 calendar days before "
        "the date a delay notice revised it to, 2026-09-30. |",
        "| C3 completion due | 2026-07-26, revised to 2026-09-30 |",
        "| Published (stops C3 completion) | 2026-09-01 |",
        "| Delay notices owed | none |",
        "| Delay notices given | 2026-06-22: notify a delay, by PDEO, to National Panel and "
        "SSCP Executive; revised date 2026-09-30; reason: CRG and Executive meet after the "
        "six-month date |",
        "Nothing: the review is over (Closed).",
        "| C3 completion | completion deadline | met within the notified delay | 2026-07-26 | "
        "2026-09-30 | met on 2026-09-01 |",
        "| C4 pre-publication | minimum notice (not a deadline) | notice given | "
        "not before 2026-08-12 | - | given; Published on 2026-09-01 |",
        "## Verification",
    )
    assert "Needs attention**" not in md
    assert "class='attention clear'" in audit_report(demo_review(), at=AT).html()


def test_a_clock_met_late_makes_the_review_late_by_its_own_unit() -> None:
    w = Walker()
    w.now = pendulum.datetime(2026, 1, 19, 9, tz="Europe/London")  # C1 was due 2026-01-12
    w(T.NOTIFY_NATIONAL_PANEL, "la", late_reason="Reported to the wrong team")
    md = audit_report(w.review, at=w.now).markdown()
    assert (
        "| On time? | Late: C1 notification was met 5 working days late "
        "(due 2026-01-12, met 2026-01-19). |"
    ) in md
    assert "| C1 notification | deadline | met late | 2026-01-12 | - | " in md
    assert "met on 2026-01-19, 5 working days late |" in md
    assert "| Commissioned (starts C3 completion) | not yet |" in md


def test_a_projected_miss_is_at_risk_and_its_notice_owed_without_blocking() -> None:
    review = demo_review(upto=33)  # at the fact check, projected to finish after 2026-07-26
    md = audit_report(review, at=review.state.last_at).markdown()
    assert "| On time? | At risk: C3 completion is at risk: at the expected stage durations" in md
    assert "it does not block other steps." in md.split("## Where", 1)[0]
    assert "- **notify a delay** (PDEO): owed now" in md


def test_a_notice_period_running_is_not_a_deadline() -> None:
    w = Walker().ready_to_publish()
    md = audit_report(w.review, at=w.now).markdown()
    _in_order(
        md,
        "> **Nothing needs attention.**",
        "| On time? | On time: C3 completion: 180 calendar days left (due 2026-07-05). |",
        "- **publish the report** → Published (SSCP Executive): blocked",
        "    - pre-publication notice period observed: ",
        "| C4 pre-publication | minimum notice (not a deadline) | notice running | "
        "not before 2026-01-15 | - | 7 working days of notice left |",
    )


def test_a_held_review_must_resume_next() -> None:
    w = Walker().to_drafting()
    w(T.PUT_ON_HOLD, "executive", reason="Criminal proceedings")
    md = audit_report(w.review, at=w.now).markdown()
    _in_order(
        md,
        "| Stage | On hold |",
        "## What must happen next",
        "- **resume** → Drafting (SSCP Executive): ready",
        "Also possible at this stage: notify a delay, review the time and quality.",
    )


def test_a_failed_check_is_trouble_above_the_verification() -> None:
    review = demo_review()
    history = list(review.history)
    history[30] = attrs.evolve(history[30], at=history[30].at.add(minutes=5))
    tampered = Review(attrs.evolve(review.state, history=tuple(history)), review.definition)
    report = audit_report(tampered, at=AT, head=review.history_head)
    _in_order(report.markdown(), "> - Verification failed: Hash chain: ", "## Verification")
    _in_order(report.html(), "class='attention trouble'", "Verification failed: Hash chain")


def test_the_first_screen_reads_titles_and_limits_from_the_definition() -> None:
    """A partnership's own words (roles, a stage title) and a four-month completion clock:
    nothing on the first screen is the default process's."""
    local = RETITLED.evolve(
        policy=RETITLED.policy.with_limits(C3=4),
        stages=[
            attrs.evolve(s, title="Local review agreed") if s.name == Stage.COMMISSIONED else s
            for s in RETITLED.stages
        ],
    )
    w = Walker(local).to_drafting()
    at = pendulum.datetime(2026, 5, 20, 9, tz="Europe/London")
    md = audit_report(w.review, at=at).markdown()
    first = md.split("## Verification", 1)[0]
    assert "| Local review agreed (starts C3 completion) | 2026-01-05 |" in first
    assert "C3 completion is overdue by 15 calendar days (due 2026-05-05)" in first
    assert (
        "a delay notice (notify a delay), by Business Manager, to Child Safeguarding Practice "
        "Review Panel and Safeguarding Partnership Board"
    ) in first
    assert "- **notify a delay** (Business Manager): owed now" in first
    for default in ("SSCP Executive", "PDEO", "Commissioned", "6 calendar months"):
        assert default not in first


# -- the path in print ------------------------------------------------------------------------


def test_the_path_opens_with_the_timeline_and_the_diagram_follows_on_screen_only() -> None:
    html = audit_report(demo_review(), at=AT).html()
    path = html[
        html.index("<section class='path'>") : html.index(
            "</section>", html.index("<section class='path'>")
        )
    ]
    assert path.index("<figure class='timeline'><svg") < path.index("<figure class='diagram'>")
    assert "Child A: path as at 2 Mar 2027" in path
    assert (
        "<p class='print-note'>The route on the whole process diagram is left out of print" in path
    )
    css = html[html.index("@media print") :]
    assert "section.path>h3.route,section.path>figure.diagram{display:none}" in css


def test_without_graphviz_the_report_keeps_the_timeline_and_a_note(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cspr_workflow._diagrams import Diagram
    from cspr_workflow.errors import GraphvizMissing

    def missing(self: Any, *, fit: bool = False) -> str:
        raise GraphvizMissing("svg")

    monkeypatch.setattr(Diagram, "svg", missing)
    html = audit_report(demo_review(), at=AT).html()
    assert "<figure class='timeline'><svg" in html
    assert "<figure class='diagram'><p class='note'>" in html


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


def test_the_command_line_says_its_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"cspr-workflow {version('cspr-workflow')}\n"


def test_a_usage_error_shows_that_commands_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report"]) == 2  # neither REVIEW nor --store: found after parsing
    err = capsys.readouterr().err
    assert err.startswith("usage: cspr-workflow report ")
    assert "report takes a review's JSON document" in err


@pytest.mark.parametrize("option", ["--head", "--refusals-head"])
def test_a_head_is_checked_before_anything_is_read(
    option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["report", "/nonexistent/review.json", option, "abc123"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: cspr-workflow report ")
    assert f"argument {option}: a SHA-256 head is 64 hexadecimal digits" in err


def test_a_report_without_graphviz_says_so_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = tmp_path / "child-a.json"
    saved.write_text(dumps(demo_review()))
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` here
    assert main(["report", str(saved), "-o", str(tmp_path / "r.html")]) == 0
    err = capsys.readouterr().err
    assert "note: Graphviz's `dot` is not installed" in err
    assert "<pre>" in (tmp_path / "r.html").read_text()  # the Mermaid text instead
    assert main(["report", str(saved), "--format", "md", "-o", str(tmp_path / "r.md")]) == 0
    assert "Graphviz" not in capsys.readouterr().err  # Markdown has no drawing to miss


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
    assert page.locator("h2").all_inner_texts()[:6] == [
        "Nothing needs attention",
        "Where the review stands",
        "What must happen next",
        "Clocks",
        "Verification",
        "Path",
    ]
    assert page.locator("li.passed").count() == 4
    if shutil.which("dot"):
        box = page.locator("figure.diagram svg").bounding_box()
        assert box is not None
        assert box["width"] > 500
        assert box["height"] > 500
        timeline = page.locator("figure.timeline svg").bounding_box()
        assert timeline is not None
        assert timeline["y"] + timeline["height"] <= box["y"]  # the timeline comes first
        assert not page.locator("p.print-note").is_visible()  # print only
    assert page.locator("table.history tr").count() == 1 + 52
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    first = ARTIFACTS / "report-closed.png"
    page.screenshot(path=str(first))  # the first screen, as a board member opens it
    shot = ARTIFACTS / "child-a-report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    page.locator("section.path figure.timeline").screenshot(
        path=str(ARTIFACTS / "report-path.png")
    )
    assert problems == []
    page.close()


def test_the_report_of_an_overdue_review_shows_its_trouble_on_the_first_screen(
    browser: Any, tmp_path: Path
) -> None:
    path = tmp_path / "overdue.html"
    path.write_text(_overdue().html())
    page, problems = _open(browser, path.as_uri())
    screen = page.viewport_size["height"]
    trouble = page.locator("section.attention.trouble")
    box = trouble.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] < screen / 2  # at the top
    assert "C3 completion is overdue" in trouble.inner_text()
    red = page.evaluate(
        "() => getComputedStyle(document.querySelector('section.trouble')).borderTopColor"
    )
    assert red == "rgb(220, 38, 38)"
    verdict = page.locator("strong.verdict")
    assert verdict.inner_text() == "Late"
    assert (
        page.evaluate("() => getComputedStyle(document.querySelector('strong.verdict')).color")
        == "rgb(185, 28, 28)"
    )
    owed = page.locator("ul.next > li").first
    assert owed.inner_text().startswith("notify a delay by PDEO owed now")
    owed_box = owed.bounding_box()
    assert owed_box is not None
    assert owed_box["y"] + owed_box["height"] < screen
    verification = page.locator("h2.verification").bounding_box()
    assert verification is not None
    assert verification["y"] > box["y"] + box["height"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-overdue.png"))
    assert problems == []
    page.close()


def _pdfium() -> Any:
    try:
        import pypdfium2
    except ImportError:  # pragma: no cover - the test extra installs it
        if REQUIRED:
            pytest.fail("CSPR_REQUIRE_BROWSER=1 but pypdfium2 (the test extra) is not installed")
        pytest.skip("pypdfium2 is not installed: pip install -e '.[test]'")
    return pypdfium2


@attrs.frozen
class _Printed:
    """One printed page: its text, the size on paper of each character (points), the
    right-most character edge (points from the left), and how much of it is inked."""

    text: str
    sizes: tuple[float, ...]
    right: float
    width: float
    ink: float
    image: Any


def _printed_pages(pdf: bytes) -> list[_Printed]:
    import ctypes

    pdfium = _pdfium()
    raw = pdfium.raw
    pages = []
    document = pdfium.PdfDocument(pdf)
    for page in document:
        textpage = page.get_textpage()
        matrix = raw.FS_MATRIX()
        sizes, right = [], 0.0
        left_, right_, bottom_, top_ = (ctypes.c_double() for _ in range(4))
        for i in range(textpage.count_chars()):
            if chr(raw.FPDFText_GetUnicode(textpage, i)).isspace():
                continue
            raw.FPDFText_GetMatrix(textpage, i, ctypes.byref(matrix))
            scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
            sizes.append(raw.FPDFText_GetFontSize(textpage, i) * scale)
            raw.FPDFText_GetCharBox(
                textpage, i, *(ctypes.byref(v) for v in (left_, right_, bottom_, top_))
            )
            right = max(right, right_.value)
        image = page.render(scale=1.25).to_pil()
        grey = image.convert("L")
        histogram = grey.histogram()
        ink = sum(histogram[:200]) / (grey.width * grey.height)
        pages.append(
            _Printed(textpage.get_text_range(), tuple(sizes), right, page.get_width(), ink, image)
        )
    return pages


def _montage(pages: list[_Printed], path: Path) -> None:
    from PIL import Image

    w, h = pages[0].image.width // 2, pages[0].image.height // 2
    columns = min(len(pages), 6)
    rows = -(-len(pages) // columns)
    sheet = Image.new("RGB", (columns * w, rows * h), "white")
    for i, printed in enumerate(pages):
        sheet.paste(printed.image.resize((w, h)), ((i % columns) * w, (i // columns) * h))
    sheet.save(path)


@pytest.mark.parametrize("which", ["overdue", "closed"])
def test_the_report_prints_on_a4_with_no_blank_page(
    which: str, browser: Any, tmp_path: Path
) -> None:
    """Printed to PDF by Chromium: the first page answers the board; no page is blank or
    ends on a heading; no text is under 7 pt (the path: the timeline prints whole on one
    page, the process diagram not at all); no date is split; every table and the timeline
    fit the page's width."""
    report = _overdue() if which == "overdue" else audit_report(demo_review(), at=AT)
    path = tmp_path / f"{which}.html"
    path.write_text(report.html())
    page, problems = _open(browser, path.as_uri())
    headings = set(page.locator("h2").all_inner_texts())
    pdf = page.pdf(format="A4", print_background=True)
    page.close()
    assert problems == []
    pages = _printed_pages(pdf)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _montage(pages, ARTIFACTS / f"report-printed-{which}.png")
    if which == "overdue":
        for n, printed in enumerate(pages, 1):
            printed.image.save(ARTIFACTS / f"report-printed-page-{n}.png")

    first = pages[0].text
    _in_order(first, "Audit report: Child A", "attention", "Where the review stands")
    assert "What must happen next" in first
    assert ("Needs attention" in first) == (which == "overdue")
    assert "Verification" not in first  # it starts the next page
    timeline = [p for p in pages if "Child A: path as at" in p.text]
    assert len(timeline) == 1, "the timeline prints whole, on one page"
    assert "Key" in timeline[0].text
    assert "The route on the whole process diagram is left out of print" in timeline[0].text
    assert len(pages) <= 8, f"{len(pages)} pages"
    for n, printed in enumerate(pages, 1):
        assert printed.text.strip(), f"page {n} has no text"
        assert printed.ink > 0.002, f"page {n} is (nearly) blank: {printed.ink:.4f} inked"
        assert min(printed.sizes) >= 6.95, f"page {n} has text of {min(printed.sizes):.1f} pt"
        lines = [line.strip() for line in printed.text.splitlines() if line.strip()]
        assert lines[-1] not in headings, f"page {n} ends on the heading {lines[-1]!r}"
        assert not re.search(r"\d{4}-(\d{2}-)?\s*$", printed.text, flags=re.M), (
            f"a date is split at the end of a line on page {n}"
        )
        margin = 12 * 72 / 25.4
        assert printed.right <= printed.width - margin + 1, f"page {n} is too wide"


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
