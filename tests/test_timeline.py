"""A review's path as a timeline: what it draws, read from the definition, and how it reads
in a real browser (no text over another, none over a bar it does not label; text at 7 pt
or more printed 180 mm wide). Screenshots go to ``$CSPR_ARTIFACTS``."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import attrs
import pendulum
import pytest

from cspr_workflow import Trigger
from cspr_workflow._cli import main
from cspr_workflow.demo import ACTORS, demo_review
from cspr_workflow.persistence import dumps, dumps_refusals
from cspr_workflow.simulation import simulated_review
from cspr_workflow.views import Timeline, timeline

from .builders import Walker
from .test_diagrams import golden
from .test_report import ARTIFACTS, _open
from .variants import LEGAL_REVIEW, RETITLED

T = Trigger
SVG = "{http://www.w3.org/2000/svg}"
AT = pendulum.datetime(2027, 3, 2, 9, tz="Europe/London")
MEETING = pendulum.datetime(2026, 8, 20, 9, tz="Europe/London")  # the board's meeting


def _tree(drawing: Timeline) -> ET.Element:
    return ET.fromstring(drawing.svg())


def _all(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    """The elements ``tag`` whose class list starts with ``cls`` (words in order)."""
    return [e for e in root.iter(SVG + tag) if (e.get("class") or "").startswith(cls)]


def _texts(root: ET.Element, cls: str) -> list[str]:
    return [e.text or "" for e in _all(root, "text", cls)]


def _held() -> Walker:
    """A review put on hold in scoping for a month, then resumed."""
    walker = Walker().to_scoping()
    walker.tick(days=10)
    walker(T.PUT_ON_HOLD, "executive", reason="Criminal proceedings")
    walker.tick(days=30)
    walker(T.RESUME, "executive")
    walker.tick(days=5)
    return walker


#: A partnership's own stage titles (and its own role titles, from RETITLED).
OWN_TITLES = RETITLED.evolve(
    name="Southshire own stages",
    stages=[
        attrs.evolve(s, title={"scoping": "Setting the scope", "on_hold": "Paused"}[s.name])
        if s.name in ("scoping", "on_hold")
        else s
        for s in RETITLED.stages
    ],
)


# -- content ------------------------------------------------------------------------------------


def test_a_lane_per_stage_visited_in_order_and_a_bar_per_stay() -> None:
    review = demo_review()
    root = _tree(timeline(review, at=AT))
    definition = review.definition
    visits = review.state.stage_visits()
    order = list(dict.fromkeys(stage for stage, _, _ in visits))
    assert [e.get("data-stage") for e in _all(root, "rect", "lane")] == order
    assert _texts(root, "lane-title") == [definition.stage(s).title for s in order]
    stays = _all(root, "rect", "stay")
    assert [(e.get("data-stage"), int(e.get("data-days", ""))) for e in stays] == [
        (stage, ((left or AT).date() - entered.date()).in_days())
        for stage, entered, left in visits
    ]
    assert len([e for e in stays if e.get("data-stage") == "drafting"]) == 2  # drafted twice
    assert [e.get("data-stage") for e in _all(root, "rect", "stay current")] == ["closed"]
    assert _all(root, "rect", "stay side") == []
    lefts = [float(e.get("x", "")) for e in stays]
    assert lefts == sorted(lefts)  # in time order, left to right


def test_a_marker_per_delay_notice_refusal_return_and_approval() -> None:
    review = demo_review()
    root = _tree(timeline(review, at=AT))
    marks = _all(root, "g", "mark")
    kinds = [m.get("class") for m in marks]
    assert kinds.count("mark delay") == len(review.state.delay_notices) == 1
    assert kinds.count("mark refusal") == len(review.refusals) == 2
    assert kinds.count("mark return") == 1
    assert kinds.count("mark approval") == 3
    labels = _texts(root, "label")
    assert labels == [
        "16 Feb refused: hold a panel meeting, by Chair",
        "20 May back from Fact check: return fact-check comments, by Panel member (Health)",
        "2 Jun refused: confirm factual accuracy, by Panel member (Police)",
        "10 Jun record CRP agreement, by Chair",
        "22 Jun notify a delay, by PDEO: due date revised to 30 Sep",
        "15 Jul CRG approval, by Case Review Group",
        "29 Jul Executive approval, by SSCP Executive",
    ]
    ids = {m.get("id") for m in marks}
    assert {e.get("data-for") for e in _all(root, "text", "label")} == ids
    # Each marker sits in the lane of the stage it happened in.
    lanes = {m.get("id"): m.get("data-stage") for m in marks}
    assert [lanes[f"refusal-{r.seq}"] for r in review.refusals] == ["scoping", "fact_check"]


def test_clock_due_and_revised_dates_and_the_instant_are_lines() -> None:
    root = _tree(timeline(demo_review(), at=AT))
    assert _texts(root, "clock-label") == [
        "as at 2 Mar 2027",
        "C3 completion revised to 30 Sep",
        "C4 pre-publication not before 12 Aug",
        "C3 completion due 26 Jul",
        "C2 rapid review, C5 decision due 28 Jan",
        "C1 notification due 12 Jan",
    ]
    lines = {e.get("class"): float(e.get("x1", "")) for e in _all(root, "line", "clock")}
    assert set(lines) == {"clock due", "clock revised", "clock notice", "clock now"}
    x = {e.get("class"): float(e.get("x1", "")) for e in _all(root, "line", "clock")}
    assert x["clock notice"] < x["clock revised"] < x["clock now"]


def test_every_label_belongs_to_a_step_taken() -> None:
    """Steps the demo never took (withdraw an action, put on hold) and stages it never
    reached (On hold) appear nowhere, not even in the key."""
    text = timeline(demo_review(), at=AT).svg()
    for never in ("withdraw an action", "put on hold", "On hold", "side path", "defer"):
        assert never not in text
    for person in (actor.name for actor in ACTORS.values()):
        assert person not in text  # people by role and agency only
    root = ET.fromstring(text)  # the key names only what is drawn: no side path above
    assert "delay notice" in _texts(root, "legend")
    assert "refused step" in _texts(root, "legend")


def test_a_hold_is_drawn_on_its_side_path_in_its_own_colour() -> None:
    walker = _held()
    root = _tree(timeline(walker.review, at=walker.now))
    (side,) = _all(root, "rect", "stay side")
    assert side.get("data-stage") == "on_hold"
    assert int(side.get("data-days", "")) == 30
    assert side.get("fill") != _all(root, "rect", "stay")[0].get("fill")
    assert [e.get("data-stage") for e in _all(root, "rect", "stay")] == [
        "aware",
        "notified",
        "rapid_review_submitted",
        "commissioned",
        "scoping",
        "on_hold",
        "scoping",
    ]
    assert any(t.endswith("put on hold, by SSCP Executive") for t in _texts(root, "label"))
    assert "a stay on a side path (On hold)" in _texts(root, "legend")


def test_the_same_review_always_gives_the_same_drawing() -> None:
    first = timeline(demo_review(), at=AT).svg()
    assert timeline(demo_review(), at=AT).svg() == first
    golden("child-a-timeline.svg", first)


def test_as_at_an_earlier_instant_shows_the_review_as_it_stood_then() -> None:
    review = demo_review()
    drawing = timeline(review, at=MEETING)
    assert drawing.svg() == timeline(review.as_at(MEETING), at=MEETING).svg()
    root = _tree(drawing)
    stages = [e.get("data-stage") for e in _all(root, "rect", "stay")]
    assert stages[-1] == "pre_publication"
    assert "monitoring" not in stages
    assert [e.get("data-stage") for e in _all(root, "rect", "stay current")] == ["pre_publication"]
    assert "as at 20 Aug 2026" in _texts(root, "clock-label")
    march = _tree(timeline(review, at=pendulum.datetime(2026, 3, 1, 9, tz="Europe/London")))
    assert [m.get("class") for m in _all(march, "g", "mark")] == ["mark refusal"]
    assert "C3 completion due 26 Jul" in _texts(march, "clock-label")
    assert not any("revised" in t for t in _texts(march, "clock-label"))


def test_the_default_instant_is_the_last_step() -> None:
    review = demo_review(upto=30)
    assert timeline(review).svg() == timeline(review, at=review.state.last_at).svg()


def test_a_local_definition_is_drawn_in_its_own_titles() -> None:
    walker = Walker(OWN_TITLES).to_scoping()
    walker(T.PUT_ON_HOLD, "executive", reason="Criminal proceedings")
    walker(T.RESUME, "executive")
    text = timeline(walker.review).svg()
    root = ET.fromstring(text)
    assert "Setting the scope" in _texts(root, "lane-title")
    assert "Paused" in _texts(root, "lane-title")
    assert "Scoping" not in text
    assert "On hold" not in text
    assert any("by Safeguarding Partnership Board" in t for t in _texts(root, "label"))
    assert "SSCP Executive" not in text
    legal = simulated_review(1, seed=5, definition=LEGAL_REVIEW)
    assert "Legal review" in _texts(_tree(timeline(legal)), "lane-title")


def test_a_label_too_wide_for_the_drawing_is_cut_short_and_kept_whole_in_its_tooltip() -> None:
    long_title = "put the review on hold while the criminal proceedings run their course " * 3
    wordy = RETITLED.evolve(
        triggers=[
            attrs.evolve(t, title=long_title.strip()) if t.name == T.PUT_ON_HOLD else t
            for t in RETITLED.triggers
        ]
    )
    walker = Walker(wordy).to_scoping()
    walker(T.PUT_ON_HOLD, "executive", reason="Criminal proceedings")
    root = _tree(timeline(walker.review))
    (label,) = _texts(root, "label side")
    assert label.endswith("…")
    assert len(label) < len(long_title)
    (mark,) = _all(root, "g", "mark side")
    assert long_title.strip() in (mark.find(SVG + "title").text or "")


def test_a_review_read_without_its_refusal_log_says_so() -> None:
    from cspr_workflow import loads

    review = loads(dumps(demo_review()))
    root = _tree(timeline(review, at=AT))
    assert _all(root, "g", "mark refusal") == []
    (note,) = _texts(root, "note")
    assert note.startswith("Refused steps: the review's refusal log was not supplied")


def test_the_text_is_7_pt_or_more_printed_180_mm_wide() -> None:
    text = timeline(demo_review(), at=AT).svg()
    (width,) = re.findall(r'viewBox="0 0 ([\d.]+) ', text)
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', text)]
    scale = (180 / 25.4 * 72) / float(width)  # points per unit, printed 180 mm wide
    assert min(sizes) * scale >= 7


# -- the command line ---------------------------------------------------------------------------


def test_cli_draws_the_timeline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    review = tmp_path / "child-a.json"
    review.write_text(dumps(demo_review()))
    log = tmp_path / "child-a.refusals.json"
    log.write_text(dumps_refusals(demo_review()))
    out = tmp_path / "path.svg"
    args = ["diagram", "--review", str(review), "--timeline", "--refusals", str(log)]
    assert main([*args, "--at", "2026-08-20", "-o", str(out)]) == 0
    drawn = out.read_text()
    assert drawn.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="cspr-timeline"')
    assert drawn.count('class="mark refusal"') == 2
    assert "as at 20 Aug 2026" in drawn
    assert main(["diagram", "--timeline"]) == 2
    assert "--timeline goes with --review" in capsys.readouterr().err
    assert main([*args, "--format", "png"]) == 2
    assert "--timeline is drawn as svg only" in capsys.readouterr().err
    assert main(["diagram", "--review", str(review), "--refusals", str(log)]) == 2


# -- in a real browser ---------------------------------------------------------------------------

_MEASURE = """() => {
  const svg = document.querySelector('svg.cspr-timeline');
  const box = (e) => { const r = e.getBoundingClientRect();
    return {x: r.left, y: r.top, w: r.width, h: r.height}; };
  const texts = [...svg.querySelectorAll('text')].map((t) => ({
    text: t.textContent, of: t.getAttribute('data-for'), ...box(t),
    size: parseFloat(getComputedStyle(t).fontSize)}));
  const bars = [...svg.querySelectorAll('rect.stay')].map((r) => ({id: r.id, ...box(r)}));
  const view = svg.viewBox.baseVal.width;
  return {texts, bars, scale: svg.getBoundingClientRect().width / view};
}"""


def _meet(a: dict[str, Any], b: dict[str, Any], slack: float = 0.5) -> bool:
    return (
        a["x"] + a["w"] > b["x"] + slack
        and b["x"] + b["w"] > a["x"] + slack
        and a["y"] + a["h"] > b["y"] + slack
        and b["y"] + b["h"] > a["y"] + slack
    )


def _reviews() -> dict[str, tuple[Any, Any]]:
    held = _held()
    return {
        "closed": (demo_review(), AT),
        "board meeting": (demo_review(), MEETING),
        "overdue": (demo_review(upto=40), pendulum.datetime(2026, 8, 10, 9, tz="Europe/London")),
        "held": (held.review, held.now),
        "legal review": (simulated_review(1, seed=5, definition=LEGAL_REVIEW), None),
    }


@pytest.mark.parametrize("which", ["closed", "board meeting", "overdue", "held", "legal review"])
def test_no_text_meets_another_or_a_bar_it_does_not_label(
    which: str, browser: Any, tmp_path: Path
) -> None:
    review, at = _reviews()[which]
    page_file = tmp_path / "timeline.html"
    drawn = timeline(review, at=at).svg()
    # Printed size: 180 mm wide, as on an A4 page.
    fitted = drawn.replace("<svg ", "<svg style='width:100%;height:auto' ", 1)
    page_file.write_text(
        "<!DOCTYPE html><html><body style='margin:0;background:#fff'>"
        f"<div style='width:180mm'>{fitted}</div></body></html>"
    )
    page, problems = _open(browser, page_file.as_uri())
    found = page.evaluate(_MEASURE)
    texts, bars = found["texts"], found["bars"]
    assert len(texts) > 20
    clashes = [
        (a["text"], b["text"]) for i, a in enumerate(texts) for b in texts[i + 1 :] if _meet(a, b)
    ]
    assert clashes == []
    over = [
        (t["text"], bar["id"])
        for t in texts
        for bar in bars
        if t["of"] != bar["id"] and _meet(t, bar)
    ]
    assert over == []
    px_per_pt = 96 / 72
    smallest = min(t["size"] for t in texts) * found["scale"] / px_per_pt
    assert smallest >= 7, f"text of {smallest:.2f} pt when printed 180 mm wide"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = (
        "path-timeline.png"
        if which == "closed"
        else f"path-timeline-{which.replace(' ', '-')}.png"
    )
    page.set_viewport_size({"width": 1100, "height": 900})
    page_file.write_text(
        f"<!DOCTYPE html><html><body style='margin:0;background:#fff'>{drawn}</body></html>"
    )
    page.goto(page_file.as_uri())
    page.locator("svg.cspr-timeline").screenshot(path=str(ARTIFACTS / name))
    assert problems == []
    page.close()
