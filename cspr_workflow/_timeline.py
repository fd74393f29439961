"""A review's path as a timeline: its stages over time, drawn as SVG by hand.

The process diagram shows the whole process with the route painted on it; this shows
only what happened to one review, on a time axis:

- one lane per stage the review visited, in the order it first reached them (titled
  from the definition), each stay a bar; a stay on a side path (``side_path`` stages:
  holds, deferrals) in its own colour, the stage it is in now darker;
- markers, each labelled with its date, step and the role that took it (people by
  role and agency, never by name): delay notices (the completion rule's delay
  triggers), refused steps (from the review's refusal log), returns to an earlier
  stage (a move that leaves the review farther from its end stage), approvals (the
  approval chain's triggers) and the steps onto a side path;
- a vertical line at each started clock's first due date, at the date delay notices
  have revised it to (the latest; each notice's own date is in its label), at a notice
  period's earliest date, and at the instant drawn ("as at"); month ticks along the
  bottom; a legend of the samples used, and only those.

Every label belongs to something that happened by the instant drawn: lanes are the
stages visited, lines the clocks started. Labels are placed in rows (staggered when
they would meet) so that no text overlaps another text or a bar it does not label, and
a leader from a marker to its label crosses another label only when no row is clear of
one. Text widths are estimated from Arial's metrics, with a margin (the tests measure
the drawing in Chromium); a label wider than the drawing is cut short with an ellipsis
(its marker's tooltip holds it whole). The drawing is 760 units wide with no text
under 11 units, so printed 180 mm wide its text is at least 7.4 pt.

Nothing here names a stage, trigger or role of the default process: everything is read
from the review's definition. The output depends only on the review and the instant
(no dictionary or set order, no clock), so the same review always gives the same SVG.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import attrs
import pendulum

from ._deadlines import ClockStatus
from ._engine import Review
from ._records import ClockKind
from ._text import visible
from ._time import as_instant

__all__ = ["Timeline", "timeline"]

WIDTH = 760.0
"""The drawing's width in SVG units."""
FONT = 11.0
"""The size of all text but the title, in SVG units."""
TITLE_FONT = 14.0
_FAMILY = "'Liberation Sans', Arial, Helvetica, sans-serif"
_PAD = 10.0
_BAR_ROW = 24.0  # the height of a lane's first row, which holds its bars
_ROW = 16.0  # the height of each further row of labels
_BAR = 12.0  # the height of a bar
_GAP = 6.0  # the least space between two texts, or a text and a bar, in one row
_HEADER_ROW = 15.0

# Colours: main stays, the current stay, side paths, and each kind of marker and line.
_STAY = ("#93c5fd", "#1d4ed8")
_CURRENT = ("#2563eb", "#1e3a8a")
_SIDE = ("#fcd34d", "#b45309")
_REFUSAL = "#dc2626"
_DELAY = "#7c3aed"
_RETURN = "#db2777"
_APPROVAL = "#059669"
_DUE = "#b91c1c"
_NOTICE = "#6b7280"
_NOW = "#111827"

# Arial's advance widths (thousandths of an em) for printable ASCII, from the space on.
_WIDTHS = """
278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278
556 556 556 556 556 556 556 556 556 556 278 278 584 584 584 556
1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778
667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556
333 556 556 500 556 556 278 556 556 222 222 500 222 833 556 556
556 556 333 500 278 556 500 722 500 500 500 334 260 334 584
"""
_ADVANCE = tuple(int(w) for w in _WIDTHS.split())
_MARGIN = 1.12  # room for a font a little wider than Arial


def text_width(text: str, size: float = FONT, bold: bool = False) -> float:
    """An estimate of ``text``'s width at ``size``, a little wider than Arial draws it."""
    total = 0
    for char in text:
        code = ord(char) - 32
        total += _ADVANCE[code] if 0 <= code < len(_ADVANCE) else 600
    return total / 1000 * size * _MARGIN * (1.07 if bold else 1.0)


def _fit(text: str, width: float) -> str:
    """``text``, cut short with an ellipsis if it is wider than ``width``."""
    if text_width(text) <= width:
        return text
    while text and text_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _e(text: object) -> str:
    return html.escape(visible(text), quote=True)


def _n(value: float) -> str:
    return f"{value:.1f}"


def _short(day: pendulum.Date) -> str:
    """``16 Feb``."""
    return day.format("D MMM")


def _long(day: pendulum.Date) -> str:
    """``16 Feb 2026``."""
    return day.format("D MMM YYYY")


# -- what happened ------------------------------------------------------------------------------


@attrs.frozen
class _Stay:
    id: str
    stage: str
    start: pendulum.DateTime
    end: pendulum.DateTime
    side: bool
    current: bool
    final: bool
    days: int


@attrs.frozen
class _Mark:
    id: str
    kind: str  # delay, refusal, return, approval, side
    stage: str
    at: pendulum.DateTime
    label: str
    detail: str


@attrs.frozen
class _Line:
    kind: str  # due, revised, notice, now
    day: pendulum.DateTime
    label: str


@attrs.frozen
class _Move:
    at: pendulum.DateTime
    source: str
    dest: str
    back: bool


_KINDS = {
    "delay": "delay notice",
    "refusal": "refused step",
    "return": "return to an earlier stage",
    "approval": "approval",
}


def _noon(day: pendulum.Date) -> pendulum.DateTime:
    return pendulum.datetime(day.year, day.month, day.day, 12, tz="Europe/London")


def _read(
    review: Review, at: pendulum.DateTime
) -> tuple[list[str], list[_Stay], list[_Mark], list[_Line], list[_Move]]:
    definition, state = review.definition, review.state
    titles = definition.titles
    lanes: list[str] = []
    stays: list[_Stay] = []
    visits = state.stage_visits()
    for n, (stage, entered, left) in enumerate(visits):
        if stage not in lanes:
            lanes.append(stage)
        spec = definition.stage(stage)
        end = left or at
        stays.append(
            _Stay(
                f"stay-{n + 1}",
                stage,
                entered,
                end,
                spec.side_path,
                left is None,
                spec.final,
                (end.date() - entered.date()).in_days(),
            )
        )
    delays = set(definition.completion.delay_triggers)
    approvals = set(definition.approvals.triggers) if definition.approvals else set()
    notices = {n.at: n for n in state.delay_notices}
    marks: list[_Mark] = []
    moves: list[_Move] = []
    for entry in state.history:
        title = definition.trigger(entry.trigger).title
        who = entry.actor.describe(titles)
        day = _short(entry.at.date())
        source, dest = definition.stage(entry.source), definition.stage(entry.dest)
        moved = entry.source != entry.dest
        back = (
            moved
            and not (source.side_path or dest.side_path)
            and definition.distance_to_end(entry.dest) > definition.distance_to_end(entry.source)
        )
        if moved:
            moves.append(_Move(entry.at, entry.source, entry.dest, back))
        kind = (
            "delay"
            if entry.trigger in delays
            else "side"
            if moved and dest.side_path and not source.side_path
            else "return"
            if back
            else "approval"
            if entry.trigger in approvals
            else None
        )
        if kind is None:
            continue
        label = f"{day} {title}, by {who}"
        notice = notices.get(entry.at)
        if kind == "delay" and notice is not None:
            label += f": due date revised to {_short(notice.revised_date)}"
        if kind == "return":
            label = f"{day} back from {source.title}: {title}, by {who}"
        detail = f"{entry.at.format('YYYY-MM-DD HH:mm')} {title}, by {who}"
        if moved:
            detail += f" ({source.title} to {dest.title})"
        if notice is not None:
            detail += f"; revised date {notice.revised_date.to_date_string()}"
        marks.append(_Mark(f"mark-{entry.seq}", kind, entry.dest, entry.at, label, detail))
    for refusal in review.refusals:
        if refusal.stage not in lanes:
            continue
        title = (
            definition.trigger(refusal.trigger).title
            if definition.has_trigger(refusal.trigger)
            else refusal.trigger
        )
        who = refusal.actor.describe(titles)
        rules = "; ".join(dict.fromkeys(r.title for r in refusal.reasons))
        marks.append(
            _Mark(
                f"refusal-{refusal.seq}",
                "refusal",
                refusal.stage,
                refusal.at,
                f"{_short(refusal.at.date())} refused: {title}, by {who}",
                f"{refusal.at.format('YYYY-MM-DD HH:mm')} refused: {title}, by {who}; "
                f"unmet: {rules}",
            )
        )
    marks.sort(key=lambda m: (m.at, m.id))
    room = WIDTH - 2 * _PAD - 240  # the plot's width, whatever the stage titles' width
    marks = [attrs.evolve(m, label=_fit(m.label, room)) for m in marks]
    lines = _clock_lines(review, at)
    return lanes, stays, marks, lines, moves


def _clock_lines(review: Review, at: pendulum.DateTime) -> list[_Line]:
    """A line per date a started clock falls due (first and revised), or may first be
    met (a notice period), those of one kind and date under one label; then ``at``."""
    dates: dict[tuple[str, pendulum.Date], list[str]] = {}
    for d in review.deadlines(at=at).deadlines:
        if d.due is None or d.status in (ClockStatus.NOT_STARTED, ClockStatus.NOT_NEEDED):
            continue
        name = f"{d.clock.id} {d.clock.name}"
        if d.clock.kind is ClockKind.NOTICE_PERIOD:
            dates.setdefault(("notice", d.due), []).append(name)
            continue
        first = d.first_due or d.due
        dates.setdefault(("due", first), []).append(name)
        if first != d.due:
            dates.setdefault(("revised", d.due), []).append(name)
    words = {"due": "due", "revised": "revised to", "notice": "not before"}
    lines = [
        _Line(kind, _noon(day), f"{', '.join(names)} {words[kind]} {_short(day)}")
        for (kind, day), names in sorted(dates.items(), key=lambda item: (item[0][1], item[0][0]))
    ]
    lines.append(_Line("now", at, f"as at {_long(at.date())}"))
    room = WIDTH - 2 * _PAD - 240
    return [attrs.evolve(line, label=_fit(line.label, room)) for line in lines]


# -- placing labels -------------------------------------------------------------------------


@attrs.define
class _Rows:
    """Rows of labels stacked away from an origin row (row 0): each label in the first row
    where it meets no other text, no bar, and no leader from the origin to a label
    farther out; and whose own leader crosses no label nearer the origin."""

    left: float
    right: float
    taken: dict[int, list[tuple[float, float]]] = attrs.field(factory=dict)
    leaders: list[tuple[float, int]] = attrs.field(factory=list)
    pending: list[float] = attrs.field(factory=list)  # anchors still to be labelled

    def block(self, row: int, start: float, end: float) -> None:
        self.taken.setdefault(row, []).append((start, end))

    def free(self, row: int, start: float, end: float) -> bool:
        if start < self.left or end > self.right:
            return False
        if any(start < b + _GAP and a - _GAP < end for a, b in self.taken.get(row, [])):
            return False
        return not any(r > row and start - 2 <= x <= end + 2 for x, r in self.leaders)

    def crosses(self, x: float, row: int) -> bool:
        """Whether a leader at ``x`` from row 0 out to ``row`` would cross a label."""
        return any(a - 2 <= x <= b + 2 for r in range(1, row) for a, b in self.taken.get(r, []))

    def covers(self, x: float, start: float, end: float) -> bool:
        """Whether a label from ``start`` to ``end`` would lie over another anchor still to
        be labelled (whose leader would then have to cross it)."""
        return any(p != x and start - 2 <= p <= end + 2 for p in self.pending)

    def place(self, x: float, width: float, first: int = 1) -> tuple[int, float]:
        """The row and start of a label for ``x``: from ``x`` on, or ending at ``x`` when it
        would run off the right; in the first row from ``first`` where it fits and its
        leader crosses no label (or, when no row is clear of that, where it fits)."""
        for strict in (True, False):
            row = first
            while row <= first + 40 or not strict:
                for start in (x - 3, x + 3 - width):
                    start = max(self.left, min(start, self.right - width))
                    end = start + width
                    if not self.free(row, start, end):
                        continue
                    if strict and (self.crosses(x, row) or self.covers(x, start, end)):
                        continue
                    self.block(row, start, end)
                    self.leaders.append((x, row))
                    if x in self.pending:
                        self.pending.remove(x)
                    return row, start
                row += 1
        raise AssertionError("unreachable: a row beyond every label is free")

    @property
    def rows(self) -> int:
        return max((r for r, spans in self.taken.items() if spans), default=0)


# -- the drawing -----------------------------------------------------------------------------


def _wrap(text: str, width: float, bold: bool = False) -> list[str]:
    lines: list[str] = []
    for word in text.split(" "):
        if lines and text_width(f"{lines[-1]} {word}", FONT, bold) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _glyph(kind: str, x: float, y: float) -> str:
    """A marker's shape centred on (x, y)."""
    if kind == "refusal":
        return (
            f'<path d="M{_n(x - 4.5)},{_n(y - 4.5)}L{_n(x + 4.5)},{_n(y + 4.5)}'
            f'M{_n(x - 4.5)},{_n(y + 4.5)}L{_n(x + 4.5)},{_n(y - 4.5)}" '
            f'stroke="{_REFUSAL}" stroke-width="2.6" stroke-linecap="round"/>'
        )
    if kind == "delay":
        return (
            f'<path d="M{_n(x)},{_n(y - 6.5)}L{_n(x + 6.5)},{_n(y)}L{_n(x)},{_n(y + 6.5)}'
            f'L{_n(x - 6.5)},{_n(y)}Z" fill="{_DELAY}" stroke="#fff" stroke-width="1.2"/>'
        )
    if kind == "return":
        return (
            f'<path d="M{_n(x - 6.5)},{_n(y)}L{_n(x + 4.5)},{_n(y - 6)}L{_n(x + 4.5)},'
            f'{_n(y + 6)}Z" fill="{_RETURN}" stroke="#fff" stroke-width="1.2"/>'
        )
    if kind == "approval":
        return (
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="6" fill="{_APPROVAL}" stroke="#fff" '
            f'stroke-width="1.2"/><path d="M{_n(x - 3)},{_n(y)}L{_n(x - 0.8)},{_n(y + 2.5)}'
            f'L{_n(x + 3.2)},{_n(y - 2.6)}" fill="none" stroke="#fff" stroke-width="1.8"/>'
        )
    # a step onto a side path: a pause sign
    return (
        f'<rect x="{_n(x - 5.5)}" y="{_n(y - 6)}" width="11" height="12" rx="2" '
        f'fill="{_SIDE[1]}"/><path d="M{_n(x - 2)},{_n(y - 3.5)}V{_n(y + 3.5)}'
        f'M{_n(x + 2)},{_n(y - 3.5)}V{_n(y + 3.5)}" stroke="#fff" stroke-width="1.8"/>'
    )


def _line_style(kind: str) -> str:
    return {
        "due": f'stroke="{_DUE}" stroke-width="1.4" stroke-dasharray="6 3"',
        "revised": f'stroke="{_DELAY}" stroke-width="1.4" stroke-dasharray="6 3"',
        "notice": f'stroke="{_NOTICE}" stroke-width="1.4" stroke-dasharray="2 3"',
        "now": f'stroke="{_NOW}" stroke-width="1.8"',
    }[kind]


def _text(
    x: float,
    y: float,
    text: str,
    *,
    cls: str,
    of: str = "",
    fill: str = "#111827",
    anchor: str = "start",
    bold: bool = False,
    size: float = FONT,
    halo: bool = True,
) -> str:
    extra = f' data-for="{of}"' if of else ""
    weight = ' font-weight="bold"' if bold else ""
    anchor_ = f' text-anchor="{anchor}"' if anchor != "start" else ""
    size_ = f' font-size="{_n(size)}"' if size != FONT else ""
    halo_ = ' stroke="#fff" stroke-width="3" paint-order="stroke"' if halo else ""
    return (
        f'<text class="{cls}"{extra} x="{_n(x)}" y="{_n(y)}"{anchor_}{size_}{weight} '
        f'fill="{fill}"{halo_}>{_e(text)}</text>'
    )


def _months(per_month: float) -> int:
    """How many months apart the ticks are: the first of 1, 2, 3, 6, 12 at which two
    neighbouring month names do not meet (``per_month``: the width of a month)."""
    needed = text_width("Sep", FONT) + 2 * _GAP
    return next((m for m in (1, 2, 3, 6, 12) if m * per_month >= needed), 12)


def _draw(review: Review, at: pendulum.DateTime) -> str:
    definition = review.definition
    lanes, stays, marks, lines, moves = _read(review, at)
    title_w = min(max(text_width(definition.stage(s).title, bold=True) for s in lanes), 220.0)
    x0, x1 = _PAD + title_w + 12, WIDTH - _PAD
    span_start = review.state.aware_at.subtract(days=3)
    last = max([at, *(line.day for line in lines)])
    total = max((last - span_start).total_seconds(), 86_400.0)
    span_end = span_start.add(seconds=int(total * 1.03) + 86_400)
    seconds = (span_end - span_start).total_seconds()

    def x_of(when: pendulum.DateTime) -> float:
        return x0 + (when - span_start).total_seconds() / seconds * (x1 - x0)

    out: list[str] = []
    # The header: the title, then the labels of the vertical lines, in rows upwards.
    heading = f"{review.reference}: path as at {_long(at.date())}"
    header = _Rows(x0 - 4, x1, pending=[x_of(line.day) for line in lines])
    placed_lines: list[tuple[_Line, float, int, float, float]] = []
    for line in sorted(lines, key=lambda item: -x_of(item.day)):  # right to left
        x = x_of(line.day)
        width = text_width(line.label)
        row, start = header.place(x, width)
        placed_lines.append((line, x, row, start, width))
    header_rows = header.rows
    top = _PAD + TITLE_FONT + 6 + FONT + 8
    axis_top = top + header_rows * _HEADER_ROW + 4

    # The lanes: bars and their day counts in row 0, then marker labels in rows below.
    lane_rows: dict[str, _Rows] = {
        s: _Rows(x0, x1, pending=[x_of(m.at) for m in marks if m.stage == s]) for s in lanes
    }
    bar_texts: dict[str, tuple[str, float, str]] = {}  # stay id -> text, x, where
    for stay in stays:
        a = x_of(stay.start)
        b = max(x_of(stay.end), a + 3)
        lane_rows[stay.stage].block(0, a, b)
    for mark in marks:  # the markers' shapes, which no text may hide
        x = x_of(mark.at)
        lane_rows[mark.stage].block(0, x - 7, x + 7)
    for stay in stays:
        a = x_of(stay.start)
        b = max(x_of(stay.end), a + 3)
        if stay.final and stay.current:
            words = f"since {_short(stay.start.date())}"
        elif stay.days == 0:
            words = "same day"
        else:
            plural = "" if stay.days == 1 else "s"
            words = f"{stay.days} day{plural}" + (" so far" if stay.current else "")
        width = text_width(words)
        rows = lane_rows[stay.stage]
        after, before = b + _GAP + 1, a - _GAP - 1 - width
        mid = (a + b) / 2
        hidden = any(abs(x_of(m.at) - mid) < width / 2 + 9 for m in marks if m.stage == stay.stage)
        if b - a >= width + 8 and not hidden:
            bar_texts[stay.id] = (words, (a + b) / 2, "inside")
        elif rows.free(0, after, after + width):
            rows.block(0, after, after + width)
            bar_texts[stay.id] = (words, after, "right")
        elif rows.free(0, before, before + width):
            rows.block(0, before, before + width)
            bar_texts[stay.id] = (words, before, "left")
    mark_at: dict[str, tuple[int, float]] = {}
    for mark in sorted(marks, key=lambda m: (-x_of(m.at), m.id)):  # right to left
        x = x_of(mark.at)
        rows = lane_rows[mark.stage]
        width = text_width(mark.label)
        mark_at[mark.id] = rows.place(x, width)
    tops: dict[str, float] = {}
    y = axis_top
    heights: dict[str, float] = {}
    for stage in lanes:
        title_lines = _wrap(definition.stage(stage).title, title_w, bold=True)
        height = max(_BAR_ROW + lane_rows[stage].rows * _ROW, 8 + len(title_lines) * 13) + 4
        tops[stage], heights[stage] = y, height
        y += height
    lanes_bottom = y

    def bar_y(stage: str) -> float:
        return tops[stage] + _BAR_ROW / 2

    # Lanes' backgrounds and titles.
    for i, stage in enumerate(lanes):
        fill = "#f3f4f6" if i % 2 else "#ffffff"
        out.append(
            f'<rect class="lane" data-stage="{_e(stage)}" x="{_n(_PAD)}" y="{_n(tops[stage])}" '
            f'width="{_n(WIDTH - 2 * _PAD)}" height="{_n(heights[stage])}" fill="{fill}"/>'
        )
        title_lines = _wrap(definition.stage(stage).title, title_w, bold=True)
        for j, word in enumerate(title_lines):
            out.append(
                _text(
                    _PAD + 4,
                    tops[stage] + _BAR_ROW / 2 + 4 + j * 13,
                    word,
                    cls="lane-title",
                    bold=True,
                    halo=False,
                )
            )
    # Month ticks and grid.
    per_month = (x1 - x0) / (seconds / 86_400) * 30.44
    step = _months(per_month)
    month = span_start.start_of("month").add(months=1)
    ticks: list[str] = []
    years: list[str] = []
    last_year = None
    while month <= span_end:
        if (month.month - 1) % step == 0:
            x = x_of(month)
            out.append(
                f'<line class="grid" x1="{_n(x)}" y1="{_n(axis_top)}" x2="{_n(x)}" '
                f'y2="{_n(lanes_bottom + 4)}" stroke="#d1d5db" stroke-width="0.8"/>'
            )
            ticks.append(
                _text(
                    x,
                    lanes_bottom + 16,
                    month.format("MMM"),
                    cls="tick",
                    anchor="middle",
                    fill="#374151",
                    halo=False,
                )
            )
            if month.year != last_year:
                years.append(
                    _text(
                        x,
                        lanes_bottom + 30,
                        str(month.year),
                        cls="tick year",
                        anchor="middle",
                        fill="#374151",
                        bold=True,
                        halo=False,
                    )
                )
                last_year = month.year
        month = month.add(months=1)
    # Connectors between consecutive stays.
    for move in moves:
        if move.source not in tops or move.dest not in tops:
            continue
        x = x_of(move.at)
        ya, yb = bar_y(move.source), bar_y(move.dest)
        style = (
            f'stroke="{_RETURN}" stroke-width="1.6" stroke-dasharray="4 2"'
            if move.back
            else 'stroke="#6b7280" stroke-width="1"'
        )
        out.append(
            f'<line class="move{" back" if move.back else ""}" x1="{_n(x)}" y1="{_n(ya)}" '
            f'x2="{_n(x)}" y2="{_n(yb)}" {style}/>'
        )
    # Bars.
    for stay in stays:
        a = x_of(stay.start)
        b = max(x_of(stay.end), a + 3)
        fill, stroke = _SIDE if stay.side else _CURRENT if stay.current else _STAY
        cls = "stay" + (" side" if stay.side else "") + (" current" if stay.current else "")
        dash = ' stroke-dasharray="3 2"' if stay.side else ""
        out.append(
            f'<rect id="{stay.id}" class="{cls}" data-stage="{_e(stay.stage)}" '
            f'data-days="{stay.days}" x="{_n(a)}" y="{_n(bar_y(stay.stage) - _BAR / 2)}" '
            f'width="{_n(b - a)}" height="{_n(_BAR)}" rx="2" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1"{dash}>'
            f"<title>{_e(definition.stage(stay.stage).title)}: "
            f"{stay.start.format('YYYY-MM-DD')} to "
            f"{'(now)' if stay.current else stay.end.format('YYYY-MM-DD')}, "
            f"{stay.days} days</title></rect>"
        )
        if stay.id in bar_texts:
            words, tx, where = bar_texts[stay.id]
            inside = where == "inside"
            dark = inside and (stay.current and not stay.side)
            out.append(
                _text(
                    tx,
                    bar_y(stay.stage) + 4,
                    words,
                    cls="days",
                    of=stay.id,
                    anchor="middle" if inside else "start",
                    fill="#ffffff" if dark else "#111827",
                    halo=not inside,
                )
            )
    # Vertical lines (due dates and the instant drawn), their labels above the lanes.
    for line, x, row, _start, _width in placed_lines:
        label_y = axis_top - 4 - (row - 1) * _HEADER_ROW - 4
        out.append(
            f'<line class="clock {line.kind}" x1="{_n(x)}" y1="{_n(label_y + 3)}" '
            f'x2="{_n(x)}" y2="{_n(lanes_bottom)}" {_line_style(line.kind)}/>'
        )
    for line, _x, row, start, _width in placed_lines:
        label_y = axis_top - 4 - (row - 1) * _HEADER_ROW - 4
        colour = {"due": _DUE, "revised": _DELAY, "notice": "#374151", "now": _NOW}[line.kind]
        out.append(
            _text(
                start,
                label_y,
                line.label,
                cls=f"clock-label {line.kind}",
                fill=colour,
                bold=line.kind == "now",
            )
        )
    # Markers and their labels.
    colours = {
        "refusal": _REFUSAL,
        "delay": _DELAY,
        "return": _RETURN,
        "approval": _APPROVAL,
        "side": _SIDE[1],
    }
    for mark in marks:
        x, y0 = x_of(mark.at), bar_y(mark.stage)
        row, start = mark_at[mark.id]
        label_y = tops[mark.stage] + _BAR_ROW + (row - 1) * _ROW + 11
        leader = (
            f'<line x1="{_n(x)}" y1="{_n(y0)}" x2="{_n(x)}" y2="{_n(label_y - 9)}" '
            f'stroke="{colours[mark.kind]}" stroke-width="1"/>'
        )
        out.append(
            f'<g class="mark {mark.kind}" id="{mark.id}" data-stage="{_e(mark.stage)}">'
            f"<title>{_e(mark.detail)}</title>{leader}{_glyph(mark.kind, x, y0)}</g>"
        )
        out.append(
            _text(
                start,
                label_y,
                mark.label,
                cls=f"label {mark.kind}",
                of=mark.id,
                fill=colours[mark.kind] if mark.kind != "side" else "#92400e",
            )
        )
    out += ticks + years
    # The legend: a sample of each thing drawn, and only of those.
    legend_top = lanes_bottom + 44
    items = _legend(review, stays, marks, lines)
    legend, legend_bottom = _draw_legend(items, legend_top)
    if not review.refusals_complete:
        note = (
            "Refused steps: the review's refusal log was not supplied with it; only those "
            "refused since it was loaded are shown."
        )
        legend.append(_text(_PAD, legend_bottom + 8, note, cls="note", fill="#92400e", halo=False))
        legend_bottom += 16
    height = legend_bottom + _PAD
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cspr-timeline" '
        f'viewBox="0 0 {_n(WIDTH)} {_n(height)}" width="{_n(WIDTH)}" height="{_n(height)}" '
        f'font-family="{_FAMILY}" font-size="{_n(FONT)}" role="img">',
        f"<title>{_e(heading)}</title>",
        f'<rect x="0" y="0" width="{_n(WIDTH)}" height="{_n(height)}" fill="#ffffff"/>',
        _text(
            _PAD, _PAD + TITLE_FONT, heading, cls="title", bold=True, size=TITLE_FONT, halo=False
        ),
        _text(
            _PAD,
            _PAD + TITLE_FONT + 6 + FONT,
            f"Process: {definition.name}. One lane per "
            "stage, in the order first reached; each bar a stay.",
            cls="subtitle",
            fill="#4b5563",
            halo=False,
        ),
    ]
    return "\n".join([*head, *out, *legend, "</svg>"]) + "\n"


def _legend(
    review: Review, stays: list[_Stay], marks: list[_Mark], lines: list[_Line]
) -> list[tuple[str, str]]:
    definition = review.definition
    kinds = {m.kind for m in marks}
    items: list[tuple[str, str]] = []
    if any(not s.side and not s.current for s in stays):
        items.append(("stay", "a stay in a stage"))
    if any(s.current and not s.side for s in stays):
        items.append(("current", "the stage it is in"))
    side = [s.stage for s in stays if s.side]
    if side:
        names = ", ".join(dict.fromkeys(definition.stage(s).title for s in side))
        items.append(("side", f"a stay on a side path ({names})"))
    if "side" in kinds:
        items.append(("mark-side", "a step onto a side path"))
    for kind in ("delay", "refusal", "return", "approval"):
        if kind in kinds:
            items.append((f"mark-{kind}", _KINDS[kind]))
    drawn = {line.kind for line in lines}
    words = {
        "due": "a clock's due date",
        "revised": "a due date revised by a delay notice",
        "notice": "a notice period's earliest date",
        "now": "the instant drawn",
    }
    items += [(f"line-{k}", words[k]) for k in ("due", "revised", "notice", "now") if k in drawn]
    return items


def _draw_legend(items: Iterable[tuple[str, str]], top: float) -> tuple[list[str], float]:
    out = [_text(_PAD, top + 11, "Key", cls="legend-title", bold=True, halo=False)]
    x, y = _PAD + text_width("Key", bold=True) + 14, top
    for sample, words in items:
        width = 26 + text_width(words) + 18
        if x + width > WIDTH - _PAD:
            x, y = _PAD + text_width("Key", bold=True) + 14, y + 18
        cy = y + 7
        if sample in ("stay", "current", "side"):
            fill, stroke = {"stay": _STAY, "current": _CURRENT, "side": _SIDE}[sample]
            dash = ' stroke-dasharray="3 2"' if sample == "side" else ""
            out.append(
                f'<rect class="legend-sample" x="{_n(x)}" y="{_n(cy - 5)}" width="20" '
                f'height="10" rx="2" fill="{fill}" stroke="{stroke}"{dash}/>'
            )
        elif sample.startswith("mark-"):
            out.append(f'<g class="legend-sample">{_glyph(sample[5:], x + 10, cy)}</g>')
        else:
            kind = sample[5:]
            out.append(
                f'<line class="legend-sample" x1="{_n(x + 10)}" y1="{_n(cy - 7)}" '
                f'x2="{_n(x + 10)}" y2="{_n(cy + 7)}" {_line_style(kind)}/>'
            )
        out.append(_text(x + 26, cy + 4, words, cls="legend", halo=False))
        x += width
    return out, y + 18


@attrs.frozen(eq=False)
class Timeline:
    """A review's path as a timeline as at one instant: ``svg()`` draws it.

    One lane per stage the review visited, each stay a bar; markers for its delay
    notices, refused steps, returns to an earlier stage, approvals and steps onto a
    side path, each labelled with its date, step and role; its clocks' due and revised
    dates and the instant drawn as vertical lines. Everything is read from the
    review's definition. In Jupyter, a timeline shows itself.
    """

    review: Review
    at: pendulum.DateTime

    def svg(self) -> str:
        """The timeline as SVG text (no XML prolog: ready to inline in HTML or write to a
        ``.svg`` file), 760 units wide, its text 11 units or larger (7 pt or larger when
        printed 180 mm wide)."""
        return _draw(self.review, self.at)

    def _repr_svg_(self) -> str:
        return self.svg()


def timeline(review: Review, *, at: object = None) -> Timeline:
    """The timeline of ``review``'s path as at ``at`` (default: its last step). Before
    its last step, the review as it stood then (:meth:`Review.as_at`)."""
    from ._args import check_arg

    check_arg("review", review, Review, "a Review (from Review.open, loads or store.get)")
    instant = review.state.last_at if at is None else as_instant(at)
    return Timeline(review.as_at(instant), instant)
