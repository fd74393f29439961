"""The portfolio: every review of a store at one instant, those needing action first.

Content is checked against the reviews' own records (stages, clocks, actions written
out here, not read back from the portfolio); the figures against ``period_report``; the
command line's files and usage errors; and the page with 500 reviews in Chromium
(``$CSPR_ARTIFACTS/portfolio-500.png``).
"""

from __future__ import annotations

import csv
import io
import os
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

import pendulum
import pytest

from cspr_workflow import Review, ReviewStore
from cspr_workflow._cli import main
from cspr_workflow.demo import demo_review
from cspr_workflow.errors import InvalidInput
from cspr_workflow.simulation import simulated_review
from cspr_workflow.views import Attention, period_report, portfolio, report_file

from .builders import AWARE, Walker
from .test_report import _open

AT = pendulum.datetime(2027, 3, 2, 9, tz="Europe/London")
ARTIFACTS = Path(
    os.environ.get("CSPR_ARTIFACTS", Path(__file__).parent.parent / "build/artifacts")
)


def walker(reference: str, aware: pendulum.DateTime = AWARE) -> Walker:
    """A Walker whose review has ``reference`` (the builders' reviews are all "Child A")."""
    w = Walker()
    w.review = Review.open(reference, aware_at=aware)
    w.now = aware
    return w


@pytest.fixture(scope="module")
def four() -> list[Review]:
    """Four reviews at AT: one closed (the demo, with three actions), one stuck in drafting
    since December 2025 (its six months long past), one with its action plan drawn up a
    month later (overdue too, by a month less), one only just opened."""
    drafting = walker("Child 10", AWARE.subtract(months=1)).to_drafting().review
    approved = walker("Child 2").to_crg_approved().review
    fresh = Review.open("Child 3", aware_at=AT.subtract(days=1))
    return [demo_review(), drafting, approved, fresh]


# -- content ---------------------------------------------------------------------------------


def test_each_row_gives_the_stage_clocks_owed_notices_and_actions(four: list[Review]) -> None:
    board = portfolio(four, at=AT)
    rows = {row.reference: row for row in board.rows}
    assert set(rows) == {"Child A", "Child 10", "Child 2", "Child 3"}
    assert rows["Child A"].stage == "Closed"
    assert rows["Child 10"].stage == "Drafting"
    assert rows["Child 2"].stage == "CRG approved"
    assert rows["Child 3"].stage == "Serious incident known"
    # The demo's action plan: A1 and A2 complete, A3 closed (see demo.py's script).
    assert (rows["Child A"].actions, rows["Child A"].completed, rows["Child A"].closed) == (
        3,
        2,
        1,
    )
    # Walker.plan_actions adds one open action per recommendation of the draft (two).
    assert (rows["Child 2"].actions, rows["Child 2"].completed) == (2, 0)
    assert rows["Child 10"].actions == 0
    # Drafting since December 2025: its completion clock ran out six months after the decision.
    due = four[1].state.due_date
    assert due is not None
    stuck = rows["Child 10"]
    assert [d.clock.id for d in stuck.overdue] == ["C3"]
    assert stuck.days_overdue == (AT.date() - due).in_days()
    assert [o.kind for o in stuck.owed] == ["overdue"]
    assert stuck.owed_titles[0].startswith("notify a delay to ")
    assert stuck.attention is Attention.OVERDUE
    assert stuck.in_trouble
    assert rows["Child A"].clock("C3") is not None
    assert rows["Child A"].clock("C3").status.value == "met within the notified delay"  # type: ignore[union-attr]
    assert not rows["Child A"].in_trouble
    assert not rows["Child 3"].in_trouble  # notified within 5 working days: one day in
    assert rows["Child 3"].clock("C1").status.value == "on track"  # type: ignore[union-attr]
    assert board.clocks == (
        ("C1", "notification"),
        ("C2", "rapid review"),
        ("C3", "completion"),
        ("C4", "pre-publication"),
        ("C5", "decision"),
    )


def test_reviews_needing_action_come_first_the_most_overdue_first(four: list[Review]) -> None:
    board = portfolio(four, at=AT)
    order = [row.reference for row in board.rows]
    trouble = [row.reference for row in board.rows if row.in_trouble]
    assert order[: len(trouble)] == trouble
    # "Child 10" is a month more overdue than "Child 2"; the calm ones by reference, numbers
    # in order before letters.
    assert order == ["Child 10", "Child 2", "Child 3", "Child A"]
    days = [row.days_overdue for row in board.rows]
    assert days[0] > days[1] > 0


def test_the_page_marks_trouble_in_red_and_links_each_report(four: list[Review]) -> None:
    board = portfolio(four, at=AT)
    page = board.html(reports="reviews/")
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr class='([^']*)' data-order='\d+'>(.*?)</tr>", body, re.S)
    assert len(rows) == 4
    first_class, first = rows[0]
    assert first_class == "trouble"
    assert "Child 10" in first
    assert "<span class='badge a0'>Overdue</span>" in first
    assert f"C3 by {board.rows[0].overdue[0].remaining * -1} calendar days" in first  # type: ignore[operator]
    assert "notify a delay" in first
    assert "past due; progress waits" in first
    assert [cls for cls, _ in rows[1:]].count("trouble") == sum(
        r.in_trouble for r in board.rows
    ) - 1
    for row in board.rows:
        assert f"<a href='reviews/{row.report}'>{row.reference}</a>" in page
    assert "2 of 3 complete, 1 closed" in page
    assert "0 of 2 complete" in page
    # Offline: no external address, no file fetched.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<script src" not in page
    assert "@import" not in page


def test_report_file_names_are_safe_and_distinct() -> None:
    references = ["Child A", "child a", "Child-A", "LCSPR 2026/03", "LCSPR 2026.03", "A_b c"]
    names = [report_file(r) for r in references]
    assert len(set(names)) == len(names)
    for name in names:
        assert re.fullmatch(r"[a-z0-9-]+-[0-9a-f]{8}\.html", name), name
    assert names[3].startswith("lcspr-2026-03-")


def test_a_review_twice_or_a_wrong_input_is_refused(four: list[Review]) -> None:
    with pytest.raises(InvalidInput, match="given twice"):
        portfolio([four[0], four[0]], at=AT)
    with pytest.raises(InvalidInput, match="ReviewStore or an iterable of Reviews"):
        portfolio(four[0], at=AT)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="period ends before it starts"):
        portfolio(four, at=AT, start="2027-01-01", end="2026-01-01")


def test_a_review_opened_later_is_left_out_and_earlier_ones_shown_as_they_stood() -> None:
    review = demo_review()
    meeting = pendulum.datetime(2026, 8, 20, 9, tz="Europe/London")
    later = Review.open("Child Z", aware_at=meeting.add(days=3))
    board = portfolio([review, later], at=meeting)
    assert board.not_yet_open == ("Child Z",)
    (row,) = board.rows
    assert row.stage == "Pre-publication"  # as it stood at the meeting (as in test_report)
    assert row.review is review  # the whole record, for its audit report


def test_the_figures_are_period_reports(four: list[Review]) -> None:
    board = portfolio(four, at=AT, start="2026-04-01", end="2027-03-01")
    expected = period_report(four, start="2026-04-01", end="2027-03-01")
    assert board.figures == expected
    figures = _figures(board.figures_csv())
    assert figures["Reviews read"] == expected.reviews == 4
    assert figures["Completed"] == len(expected.completions) == 1
    assert figures["Completed on time"] == expected.on_time == 0
    assert figures["Completed late"] == expected.late == 1
    assert figures["Completed late, within a notified delay"] == 1
    for title, count in expected.entered:
        assert figures[f"Entered: {title}"] == count
    assert figures["Entered: Published"] == 1
    # The default period: the year to the portfolio's day.
    assert portfolio(four, at=AT).figures.start == pendulum.Date(2026, 3, 3)


def test_the_rows_csv_has_a_row_per_review(four: list[Review]) -> None:
    board = portfolio(four, at=AT)
    rows = list(csv.DictReader(io.StringIO(board.rows_csv())))
    assert [r["reference"] for r in rows] == [r.reference for r in board.rows]
    stuck = rows[0]
    assert stuck["stage"] == "Drafting"
    assert stuck["attention"] == "overdue"
    assert stuck["C3_status"] == "overdue"
    assert stuck["overdue"] == "C3"
    assert stuck["notices_owed"].startswith("notify a delay")
    closed = next(r for r in rows if r["reference"] == "Child A")
    assert (closed["actions"], closed["actions_complete"], closed["actions_closed"]) == (
        "3",
        "2",
        "1",
    )
    assert closed["C4_due"] == "not before 2026-08-12"


def _figures(text: str) -> dict[str, int]:
    return {row["figure"]: int(row["count"]) for row in csv.DictReader(io.StringIO(text))}


# -- a store and the command line -----------------------------------------------------------


@pytest.fixture
def store_url(tmp_path: Path, four: list[Review]) -> str:
    url = f"sqlite:///{tmp_path / 'reviews.db'}"
    store = ReviewStore(url)
    for review in four:
        store.add(review)
    return url


def test_cli_writes_the_portfolio_its_figures_and_every_report(
    store_url: str, tmp_path: Path, four: list[Review], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "board"
    argv = ["report", "--store", store_url, "--out", str(out), "--at", "2027-03-02T09:00"]
    argv += ["--from", "2026-04-01", "--to", "2027-03-01"]
    assert main(argv) == 0
    page = (out / "index.html").read_text()
    links = re.findall(r"<a href='(reviews/[^']+)'>([^<]+)</a>", page)
    assert sorted(ref for _, ref in links) == sorted(r.reference for r in four)
    for link, reference in links:
        report = (out / link).read_text()
        assert f"<title>Audit report: {reference}</title>" in report
    assert sorted(p.name for p in (out / "reviews").iterdir()) == sorted(
        report_file(r.reference) for r in four
    )
    expected = period_report(four, start="2026-04-01", end="2027-03-01")
    figures = _figures((out / "figures.csv").read_text())
    assert figures["Completed late"] == expected.late
    assert figures["Reviews read"] == 4
    assert len((out / "reviews.csv").read_text().splitlines()) == 1 + 4
    assert "4 reviews as at 2027-03-02 09:00:00, 2 needing action now" in capsys.readouterr().err


def test_cli_reports_without_diagrams(store_url: str, tmp_path: Path) -> None:
    out = tmp_path / "board"
    argv = ["report", "--store", store_url, "--out", str(out), "--at", "2027-03-02"]
    assert main([*argv, "--no-diagrams", "--jobs", "1"]) == 0
    report = (out / "reviews" / report_file("Child A")).read_text()
    assert "The path diagram was left out of this report." in report
    assert report.count("<svg") == 1  # the timeline only (drawn without Graphviz)
    assert "<figure class='timeline'><svg" in report


def test_a_tampered_stored_review_is_listed_and_fails_the_command(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = store_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as conn:
        (document,) = conn.execute(
            "SELECT document FROM cspr_reviews WHERE reference = 'Child 2'"
        ).fetchone()
        edited = document.replace('"Criteria met"', '"Criteria not met"', 1)
        assert edited != document
        conn.execute("UPDATE cspr_reviews SET document = ? WHERE reference = 'Child 2'", (edited,))
    board = portfolio(ReviewStore(store_url), at=AT)
    assert [r for r, _ in board.unreadable] == ["Child 2"]
    assert "Child 2" not in [row.reference for row in board.rows]
    assert "1 stored review(s) could not be read" in board.html()
    out = tmp_path / "board"
    assert main(["report", "--store", store_url, "--out", str(out), "--at", "2027-03-02"]) == 1
    assert "Child 2 could not be read" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report"], "report takes a review's JSON document (REVIEW), or --store URL --out DIR"),
        (["report", "r.json", "--store", "STORE", "--out", "o"], "not both"),
        (["report", "--store", "STORE"], "pass --out DIR"),
        (["report", "--store", "STORE", "--out", "o", "--format", "md"], "--format md goes"),
        (["report", "--store", "STORE", "--out", "o", "-o", "x.html"], "-o/--output goes"),
        (["report", "--store", "STORE", "--out", "o", "--head", "0" * 64], "--head goes"),
        (["report", "--store", "STORE", "--out", "o", "--from", "1 April"], "--from takes a date"),
        (["report", "r.json", "--out", "o"], "--out goes with --store"),
        (["report", "--store", "sqlite:///nowhere/none.db", "--out", "o"], "no SQLite database"),
        (["report", "--store", "not a url", "--out", "o"], "--store takes a database URL"),
        (["report", "--store", "nosuch://host/db", "--out", "o"], "dialect or database driver"),
    ],
)
def test_cli_usage_errors(
    argv: list[str],
    message: str,
    store_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = [
        store_url if a == "STORE" else str(tmp_path / a) if a in ("o", "r.json") else a
        for a in argv
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.startswith("usage: cspr-workflow")
    assert not (tmp_path / "o").exists()
    assert not (tmp_path / "nowhere").exists()


# -- 500 reviews in a real browser -----------------------------------------------------------

BOARD_AT = pendulum.datetime(2027, 2, 1, 9, tz="Europe/London")


def five_hundred() -> list[Review]:
    """500 reviews at varied stages: "Child 1".."Child 500", each the steps of one of 50
    simulated reviews taken by an instant between 0 and 27 days before BOARD_AT (so the
    reviews opened across 2026 stand anywhere from notification to monitoring, some
    overdue or owing a delay notice). Every step is fired through the engine."""
    templates = [simulated_review(j, seed=15) for j in range(50)]
    reviews = []
    for i in range(500):
        cut = BOARD_AT.subtract(days=3 * (i // 50))
        j = i % 50
        while templates[j].state.aware_at > cut:
            j = (j + 1) % 50
        template = templates[j]
        review = Review.open(f"Child {i + 1}", aware_at=template.state.aware_at)
        for entry in template.history:
            if entry.at > cut:
                break
            review.fire(entry.trigger, by=entry.actor, at=entry.at, **entry.details)
        reviews.append(review)
    return reviews


@pytest.fixture(scope="module")
def board_of_500() -> tuple[ReviewStore, list[Review]]:
    """The 500 reviews, and a store holding them (SQLite in memory: a file's syncs would
    add seconds, and the store reads and checks each document the same way)."""
    began = time.perf_counter()
    reviews = five_hundred()
    built = time.perf_counter()
    store = ReviewStore("sqlite://")
    for review in reviews:
        store.add(review)
    stored = time.perf_counter() - built
    print(f"500 reviews built in {built - began:.1f} s, stored in {stored:.1f} s")
    return store, reviews


def test_500_reviews_in_chromium(
    browser: Any, board_of_500: tuple[ReviewStore, list[Review]], tmp_path: Path
) -> None:
    store, reviews = board_of_500
    began = time.perf_counter()
    board = portfolio(store, at=BOARD_AT)
    print(f"portfolio of 500 stored reviews in {time.perf_counter() - began:.1f} s")
    assert len(board.rows) == 500
    stages = {row.stage for row in board.rows}
    assert len(stages) >= 10  # varied stages
    trouble = len(board.in_trouble)
    assert 0 < trouble < 500
    in_the_store = sorted(reviews, key=lambda r: r.reference)  # the order the store reads
    assert board.figures == period_report(in_the_store, start="2026-02-02", end="2027-02-01")
    path = tmp_path / "index.html"
    path.write_text(board.html(reports="reviews/"))

    page, problems = _open(browser, path.as_uri())
    body = page.locator("#reviews tbody tr")
    assert body.count() == 500
    assert page.locator("#reviews tbody tr.trouble").count() == trouble
    # Trouble first: the first `trouble` rows are the red ones.
    classes = page.eval_on_selector_all("#reviews tbody tr", "rows => rows.map(r => r.className)")
    assert classes[:trouble] == ["trouble"] * trouble
    assert "trouble" not in classes[trouble:]
    color = page.eval_on_selector(
        "#reviews tbody tr.trouble .badge", "b => getComputedStyle(b).backgroundColor"
    )
    assert color == "rgb(185, 28, 28)"  # red
    assert page.locator(".card.c0 strong").inner_text() == str(trouble)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "portfolio-500.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 50_000

    def references() -> list[str]:
        return page.eval_on_selector_all(
            "#reviews tbody tr th a", "links => links.map(a => a.textContent)"
        )

    review_heading = page.locator("#reviews thead th").nth(1)
    review_heading.locator("button").click()
    assert review_heading.get_attribute("aria-sort") == "ascending"
    assert references()[:3] == ["Child 1", "Child 2", "Child 3"]
    assert references()[-1] == "Child 500"
    review_heading.locator("button").click()
    assert review_heading.get_attribute("aria-sort") == "descending"
    assert references()[:2] == ["Child 500", "Child 499"]
    # By keyboard: the headings are buttons; Enter on the Stage heading sorts by stage, in
    # the process's order.
    stage_heading = page.locator("#reviews thead th").nth(2)
    stage_heading.locator("button").focus()
    page.keyboard.press("Enter")
    assert stage_heading.get_attribute("aria-sort") == "ascending"
    assert review_heading.get_attribute("aria-sort") is None
    firsts = page.eval_on_selector_all(
        "#reviews tbody tr td:nth-child(3)", "cells => cells.map(c => c.firstChild.textContent)"
    )
    order = [s.title for s in reviews[0].definition.stages]
    assert [order.index(s) for s in firsts] == sorted(order.index(s) for s in firsts)
    assert page.locator("#sorted").inner_text().startswith("Sorted by Stage")
    # Back to the board's order: attention, ascending.
    page.locator("#reviews thead th").nth(0).locator("button").click()
    classes = page.eval_on_selector_all("#reviews tbody tr", "rows => rows.map(r => r.className)")
    assert classes[:trouble] == ["trouble"] * trouble
    assert problems == []
    page.close()
