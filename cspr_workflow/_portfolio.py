"""The portfolio: every review of a partnership at one instant, on one page.

For a governance board overseeing all its reviews: each review's stage, every clock
with its status and due (or revised) date, the clocks overdue and the delay notices
owed, the action plan's progress, and a link to the review's own audit report; the
reviews that need action now (a clock overdue, a delay notice owed) first. With them,
the figures of :func:`~cspr_workflow.views.period_report` over a period (the
partnership's yearly report), as a table and as CSV.

Everything is read from each review's own definition (stage titles, clocks, the
trigger that gives a delay notice), so reviews of several processes can share a page.
"""

from __future__ import annotations

import csv
import enum
import hashlib
import html
import io
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import attrs
import pendulum

from ._args import check_arg
from ._clocks import OwedNotice
from ._deadlines import ClockStatus, Deadline
from ._engine import Review
from ._errors import CsprWorkflowError, InvalidInput
from ._period import PeriodReport, period_report
from ._records import ActionStatus, ClockKind
from ._time import as_date, as_instant, before

if TYPE_CHECKING:
    from ._store import ReviewStore

__all__ = ["Attention", "Portfolio", "PortfolioRow", "portfolio", "report_file"]


class Attention(enum.IntEnum):
    """How urgently a review needs the board's attention, most urgent first."""

    OVERDUE = 0
    """A clock is past its due date."""
    NOTICE_OWED = 1
    """A delay notice is owed (the completion clock is projected to miss its due date)."""
    AT_RISK = 2
    """A clock is projected to miss its due date."""
    NONE = 3
    """Nothing is overdue, owed or at risk."""

    @property
    def label(self) -> str:
        """The words the page shows ("" for none)."""
        return _LABELS[self]


_LABELS = {
    Attention.OVERDUE: "Overdue",
    Attention.NOTICE_OWED: "Notice owed",
    Attention.AT_RISK: "At risk",
    Attention.NONE: "",
}


# Clock statuses in the order a board reads them: trouble first, done last.
_STATUS_ORDER = {
    status: i
    for i, status in enumerate(
        (
            ClockStatus.OVERDUE,
            ClockStatus.AT_RISK,
            ClockStatus.DELAY_NOTIFIED,
            ClockStatus.ON_TRACK,
            ClockStatus.NOTICE_RUNNING,
            ClockStatus.NOT_STARTED,
            ClockStatus.MET_LATE,
            ClockStatus.MET_WITHIN_DELAY,
            ClockStatus.MET,
            ClockStatus.NOTICE_GIVEN,
            ClockStatus.NOT_NEEDED,
        )
    )
}

_STATUS_CLASS = {
    ClockStatus.OVERDUE: "bad",
    ClockStatus.AT_RISK: "warn",
    ClockStatus.DELAY_NOTIFIED: "warn",
    ClockStatus.MET_LATE: "late",
    ClockStatus.MET_WITHIN_DELAY: "late",
    ClockStatus.ON_TRACK: "run",
    ClockStatus.NOTICE_RUNNING: "run",
    ClockStatus.MET: "ok",
    ClockStatus.NOTICE_GIVEN: "ok",
    ClockStatus.NOT_STARTED: "idle",
    ClockStatus.NOT_NEEDED: "idle",
}


def report_file(reference: str) -> str:
    """The file name of a review's audit report beside the portfolio page: the reference
    in lower case with every run of other characters than letters and digits made one
    ``-``, then the first 8 hex digits of the reference's SHA-256, so that references
    differing only in case or punctuation ("Child A", "child-a") never share a file on
    any file system. ``report_file("Child 1")`` is ``"child-1-<8 hex digits>.html"``."""
    check_arg("reference", reference, str, "a review's reference")
    slug = re.sub(r"[^a-z0-9]+", "-", reference.lower()).strip("-")[:64] or "review"
    digest = hashlib.sha256(reference.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}.html"


@attrs.frozen
class PortfolioRow:
    """One review in the portfolio, as it stood at the portfolio's instant.

    ``deadlines`` are its clocks (``Review.deadlines``); ``owed`` the delay notices it
    owes (``Review.owed``), and ``owed_titles`` each in words (the step that gives it, to
    whom, and why); ``actions`` counts its action plan's actions, of which
    ``completed`` are complete and ``closed`` closed without being completed.
    ``days_overdue`` is how many calendar days its most overdue clock is past its due
    date (0 if none is). ``report`` is the file name of its audit report
    (:func:`report_file`); ``review`` the review as recorded (the row is of the review as
    it stood at the portfolio's instant).
    """

    review: Review = attrs.field(repr=False, eq=False)
    reference: str
    process: str
    stage: str
    stage_order: int
    final: bool
    stage_since: pendulum.DateTime
    last_step: pendulum.DateTime
    deadlines: tuple[Deadline, ...]
    owed: tuple[OwedNotice, ...]
    owed_titles: tuple[str, ...]
    actions: int
    completed: int
    closed: int
    report: str
    days_overdue: int = 0

    @property
    def overdue(self) -> tuple[Deadline, ...]:
        """Its clocks past their due date."""
        return tuple(d for d in self.deadlines if d.status is ClockStatus.OVERDUE)

    @property
    def at_risk(self) -> tuple[Deadline, ...]:
        """Its clocks projected to miss their due date."""
        return tuple(d for d in self.deadlines if d.status is ClockStatus.AT_RISK)

    @property
    def in_trouble(self) -> bool:
        """A clock overdue or a delay notice owed: the board must see to it now."""
        return bool(self.overdue or self.owed)

    @property
    def attention(self) -> Attention:
        """How urgently it needs the board's attention: overdue, notice owed, at risk, none."""
        if self.overdue:
            return Attention.OVERDUE
        if self.owed:
            return Attention.NOTICE_OWED
        if self.at_risk:
            return Attention.AT_RISK
        return Attention.NONE

    def clock(self, clock_id: str) -> Deadline | None:
        """Its clock ``clock_id`` (None when its process has no such clock)."""
        return next((d for d in self.deadlines if d.clock.id == clock_id), None)


@attrs.frozen
class Portfolio:
    """Every review at one instant, those needing action first, with the figures of a
    period; ``html()`` is the page, ``figures_csv()`` and ``rows_csv()`` the CSV.

    ``rows`` are the reviews in the order a board reads them (see :func:`portfolio`);
    ``clocks`` each clock of their processes (id and name), one column each; ``figures``
    the :class:`PeriodReport` of the same reviews; ``not_yet_open`` the references of
    reviews opened after ``at``; ``unreadable`` each stored review that could not be
    read, with why.
    """

    at: pendulum.DateTime
    rows: tuple[PortfolioRow, ...]
    clocks: tuple[tuple[str, str], ...]
    figures: PeriodReport
    not_yet_open: tuple[str, ...] = ()
    unreadable: tuple[tuple[str, str], ...] = ()

    @property
    def in_trouble(self) -> tuple[PortfolioRow, ...]:
        """The reviews with a clock overdue or a delay notice owed."""
        return tuple(r for r in self.rows if r.in_trouble)

    def figure_rows(self) -> list[tuple[str, int]]:
        """The period's figures, in the order the page and the CSV give them."""
        f = self.figures
        within = sum(c.within_notified_delay for c in f.completions)
        return [
            ("Reviews read", f.reviews),
            *((f"Entered: {title}", count) for title, count in f.entered),
            ("Completed", len(f.completions)),
            ("Completed on time", f.on_time),
            ("Completed late", f.late),
            ("Completed late, within a notified delay", within),
        ]

    def figures_csv(self) -> str:
        """The period's figures as CSV: ``period_start,period_end,figure,count``."""
        start, end = self.figures.start.to_date_string(), self.figures.end.to_date_string()
        return _csv(
            ("period_start", "period_end", "figure", "count"),
            [(start, end, name, count) for name, count in self.figure_rows()],
        )

    def rows_csv(self) -> str:
        """One CSV row per review, in the page's order: its stage, each clock's status and
        due date, the clocks overdue, the notices owed, the actions and its report."""
        head: list[str] = ["reference", "process", "stage", "stage_since", "attention"]
        for clock_id, _ in self.clocks:
            head += [f"{clock_id}_status", f"{clock_id}_due"]
        head += ["overdue", "notices_owed", "actions", "actions_complete", "actions_closed"]
        head += ["last_step", "report"]
        rows = []
        for r in self.rows:
            cells: list[object] = [
                r.reference,
                r.process,
                r.stage,
                r.stage_since.date().to_date_string(),
                r.attention.label.lower(),
            ]
            for clock_id, _ in self.clocks:
                d = r.clock(clock_id)
                if d is None:
                    cells += ["", ""]
                else:
                    cells += [d.status.value, "" if d.due is None else d.due_text]
            cells += [
                " ".join(d.clock.id for d in r.overdue),
                "; ".join(r.owed_titles),
                r.actions,
                r.completed,
                r.closed,
                r.last_step.date().to_date_string(),
                r.report,
            ]
            rows.append(cells)
        return _csv(head, rows)

    def html(self, *, reports: str = "") -> str:
        """The portfolio as one self-contained HTML page (inline styles and a small inline
        script to sort the table; nothing fetched). Each reference links to
        ``reports + row.report`` (``reports`` is a folder, such as ``"reviews/"``)."""
        return _page(self, reports)


def portfolio(
    reviews: ReviewStore | Iterable[Review],
    *,
    at: object,
    start: object = None,
    end: object = None,
) -> Portfolio:
    """Every review of ``reviews`` (a :class:`~cspr_workflow.persistence.ReviewStore`, or
    any iterable of :class:`~cspr_workflow.Review`) as it stood at ``at``, those needing
    action first, with the figures of :func:`period_report` from ``start`` to ``end``.

    Each review is read as at ``at`` (``Review.as_at``: before its last step, as it
    stood then): its stage, its clocks (``deadlines``), the delay notices it owes
    (``owed``) and its actions. A review opened after ``at`` is left out (its
    reference is in ``not_yet_open``); so is a stored review that cannot be read (its
    history tampered with, say), listed with the error in ``unreadable``. The figures
    count the same reviews, as they stood at ``at``; ``end`` defaults to ``at``'s date
    and ``start`` to a year before ``end`` (the day after the same date a year earlier).

    Rows come in the order a board reads them: overdue first (the most overdue
    first), then a delay notice owed, then at risk, then the rest; by reference
    (numbers in order: "Child 2" before "Child 10") within each.
    """
    instant = as_instant(at)
    last = instant.date() if end is None else as_date(end, "end")
    first = last.subtract(years=1).add(days=1) if start is None else as_date(start, "start")
    if last < first:
        raise InvalidInput(
            "end", "period_order", "the period ends before it starts", "Pass end >= start."
        )
    thens: list[tuple[Review, Review]] = []
    later: list[str] = []
    seen: set[str] = set()
    unreadable: list[tuple[str, str]] = []
    for review in _reviews(reviews, unreadable):
        if review.reference in seen:
            raise InvalidInput(
                "reviews",
                "duplicate_reference",
                f"review {review.reference!r} is given twice",
                "Pass each review once.",
            )
        seen.add(review.reference)
        if before(instant, review.state.aware_at):
            later.append(review.reference)
            continue
        thens.append((review, review.as_at(instant)))
    rows = [_row(review, then, instant) for review, then in thens]
    rows.sort(key=_default_order)
    clocks: dict[str, str] = {}
    for _, then in thens:
        for spec in then.definition.policy.clocks:
            clocks.setdefault(spec.id, spec.name)
    figures = period_report((then for _, then in thens), start=first, end=last)
    return Portfolio(
        instant, tuple(rows), tuple(clocks.items()), figures, tuple(later), tuple(unreadable)
    )


def _reviews(source: object, unreadable: list[tuple[str, str]]) -> Iterable[Review]:
    from ._store import ReviewStore

    if isinstance(source, ReviewStore):

        def stored() -> Iterable[Review]:
            for reference in source.references():
                try:
                    yield source.get(reference)
                except CsprWorkflowError as error:
                    unreadable.append((reference, str(error)))

        return stored()
    if isinstance(source, Review) or not isinstance(source, Iterable):
        raise InvalidInput(
            "reviews",
            "argument_type",
            f"expected a ReviewStore or an iterable of Reviews, got {type(source).__name__}",
            "Pass a ReviewStore, or a list of Reviews.",
        )

    def checked() -> Iterable[Review]:
        for review in source:
            check_arg("reviews", review, Review, "Reviews (from Review.open, loads or store.get)")
            yield review

    return checked()


def _row(whole: Review, review: Review, at: pendulum.DateTime) -> PortfolioRow:
    definition = review.definition
    state = review.state
    report = review.deadlines(at=at)
    stages = [s.name for s in definition.stages]
    spec = definition.stage(state.stage)
    actions = state.actions
    return PortfolioRow(
        review=whole,
        reference=review.reference,
        process=definition.name,
        stage=spec.title,
        stage_order=stages.index(spec.name),
        final=spec.final,
        stage_since=state.entered_current_at(),
        last_step=state.last_at,
        deadlines=report.deadlines,
        owed=report.owed,
        owed_titles=tuple(_owed_text(review, o) for o in report.owed),
        actions=len(actions),
        completed=sum(a.status is ActionStatus.COMPLETE for a in actions),
        closed=sum(a.status is ActionStatus.CLOSED for a in actions),
        report=report_file(review.reference),
        days_overdue=max(
            (
                (at.date() - d.due).in_days()
                for d in report.deadlines
                if d.status is ClockStatus.OVERDUE and d.due is not None
            ),
            default=0,
        ),
    )


def _step_title(review: Review, trigger: str) -> str:
    definition = review.definition
    return definition.trigger(trigger).title if definition.has_trigger(trigger) else trigger


def _owed_text(review: Review, notice: OwedNotice) -> str:
    definition = review.definition
    step = _step_title(review, notice.trigger)
    to = " and ".join(definition.role_title(r) for r in notice.recipients)
    if notice.kind == "overdue":
        why = f"past its due date {notice.due.to_date_string()}"
    else:
        projected = notice.projected.to_date_string() if notice.projected else "-"
        why = f"projected to finish {projected}, after {notice.due.to_date_string()}"
    waits = "; progress waits for it" if notice.blocks else ""
    return f"{step} to {to}: {why}{waits}"


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key putting numbers in order: "Child 2" before "Child 10"."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.lower())
        for part in re.split(r"(\d+)", text)
        if part
    )


def _default_order(row: PortfolioRow) -> tuple[object, ...]:
    return (row.attention, -row.days_overdue, _natural(row.reference))


def _csv(head: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(head)
    for row in rows:
        writer.writerow([_csv_cell(c) for c in row])
    return out.getvalue()


def _csv_cell(value: object) -> object:
    """A cell a spreadsheet shows as text: text starting ``= + - @`` (a formula to Excel)
    gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


# -- the page -------------------------------------------------------------------------------


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _small(text: str) -> str:
    """``text`` as a second, smaller line of a cell; its dates never break at a hyphen."""
    return "<small>" + _DATE.sub(r"<span class='nw'>\g<0></span>", _e(text)) + "</small>"


def _day(value: pendulum.DateTime | pendulum.Date) -> str:
    date = value.date() if isinstance(value, pendulum.DateTime) else value
    return date.to_date_string()


def _clock_cell(d: Deadline | None) -> str:
    if d is None:
        return "<td data-sort='99'>-</td>"
    due = "" if d.due is None else d.due.to_date_string()
    key = f"{_STATUS_ORDER[d.status]:02d} {due}"
    status = d.status.value
    if d.status is ClockStatus.OVERDUE and d.remaining is not None:
        status += f" by {-d.remaining} {d.remaining_unit}"
    elif d.remaining is not None and d.clock.kind is not ClockKind.NOTICE_PERIOD:
        status += f", {d.remaining} {d.remaining_unit} left"
    text = "" if d.due is None else d.due_text
    text = text if not text or text.startswith("not before") else f"due {text}"
    small = _small(text) if text else ""
    cls = _STATUS_CLASS[d.status]
    return f"<td data-sort='{_e(key)}' class='clock {cls}'><span>{_e(status)}</span>{small}</td>"


def _owed_cell(row: PortfolioRow) -> str:
    if not row.owed:
        return "<td data-sort='0'>-</td>"
    parts = []
    for notice in row.owed:
        step = _step_title(row.review, notice.trigger)
        if notice.kind == "overdue":
            why = "past due"
        else:
            projected = notice.projected.to_date_string() if notice.projected else "-"
            why = f"projected to finish {projected}"
        waits = "; progress waits" if notice.blocks else ""
        parts.append(f"<span>{_e(step)}</span>{_small(why + waits)}")
    return f"<td data-sort='{-len(row.owed)}' class='bad'>{''.join(parts)}</td>"


def _row_html(row: PortfolioRow, clocks: Sequence[tuple[str, str]], reports: str, i: int) -> str:
    level = row.attention
    label = level.label
    badge = f"<span class='badge a{level.value}'>{_e(label)}</span>" if label else ""
    overdue = [
        f"{d.clock.id}" + ("" if d.remaining is None else f" by {-d.remaining} {d.remaining_unit}")
        for d in row.overdue
    ]
    badge += "".join(_small(text) for text in overdue)
    urgency = level.value * 100000 - row.days_overdue  # the most overdue first
    cells = [
        f"<td data-sort='{urgency}' class='attention'>{badge}</td>",
        f"<th scope='row' data-sort='{_e(row.reference)}'>"
        f"<a href='{_e(reports + row.report)}'>{_e(row.reference)}</a></th>",
        f"<td data-sort='{row.stage_order}'>{_e(row.stage)}"
        f"{_small('since ' + _day(row.stage_since))}</td>",
    ]
    cells += [_clock_cell(row.clock(clock_id)) for clock_id, _ in clocks]
    cells.append(_owed_cell(row))
    if row.actions:
        done = f"{row.completed} of {row.actions} complete"
        if row.closed:
            done += f", {row.closed} closed"
        share = (row.completed + row.closed) / row.actions
        bar = f"<span class='bar'><span style='width:{round(100 * share)}%'></span></span>"
        cells.append(f"<td data-sort='{share:.4f}'>{_e(done)}{bar}</td>")
    else:
        cells.append("<td data-sort='-1'>none yet</td>")
    cells.append(f"<td class='day'>{_day(row.last_step)}</td>")
    cls = "trouble" if row.in_trouble else ("risk" if level == Attention.AT_RISK else "")
    return f"<tr class='{cls}' data-order='{i}'>" + "".join(cells) + "</tr>"


def _page(p: Portfolio, reports: str) -> str:
    at = p.at.format("D MMMM YYYY, HH:mm")
    trouble = p.in_trouble
    overdue = sum(1 for r in p.rows if r.overdue)
    owing = sum(1 for r in p.rows if r.owed and not r.overdue)
    risk = sum(1 for r in p.rows if r.attention == Attention.AT_RISK)
    final = sum(1 for r in p.rows if r.final)
    running = len(p.rows) - len(trouble) - risk - final
    processes = sorted({r.process for r in p.rows})
    head = [
        (
            "Attention",
            "number",
            "How urgently the review needs action: overdue, a delay notice owed, at risk",
        ),
        ("Review", "text", "The review's reference; the link opens its audit report"),
        ("Stage", "number", "The stage the review is at, since when (in the process's order)"),
    ]
    head += [
        (f"{cid} {name}", "text", f"Clock {cid}: its status and due date")
        for cid, name in p.clocks
    ]
    head += [
        ("Delay notice owed", "number", "Delay notices the review owes now, and to whom"),
        ("Action plan", "number", "Actions complete (or closed) of all actions"),
        ("Last step", "text", ""),
    ]
    ths = []
    for i, (title, kind, hint) in enumerate(head):
        sort = " aria-sort='ascending'" if i == 0 else ""
        tip = f" title='{_e(hint)}'" if hint else ""
        ths.append(
            f"<th scope='col' data-type='{kind}'{sort}{tip}>"
            f"<button type='button'>{_e(title)}</button></th>"
        )
    figures = p.figures
    period = f"{figures.start.to_date_string()} to {figures.end.to_date_string()}"
    parts = [
        "<!DOCTYPE html>",
        "<html lang='en-GB'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>Reviews as at {_e(at)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Reviews as at {_e(at)}</h1>",
        f"<p class='lede'>{len(p.rows)} review{'s' if len(p.rows) != 1 else ''}"
        + (f" following {_e(' and '.join(processes))}" if processes else "")
        + ". Those needing action now (a clock overdue, a delay notice owed) are listed "
        "first, in red.</p>",
        "<div class='cards'>",
        f"<div class='card c0'><strong>{len(trouble)}</strong> need action now"
        f"<small>{overdue} with a clock overdue; {owing} more owing a delay notice</small></div>",
        f"<div class='card c2'><strong>{risk}</strong> at risk"
        "<small>projected to miss a due date, nothing owed now</small></div>",
        f"<div class='card c3'><strong>{running}</strong> running"
        "<small>no clock overdue or at risk</small></div>",
        f"<div class='card c4'><strong>{final}</strong> finished"
        "<small>at a final stage</small></div>",
        "</div>",
    ]
    if p.unreadable:
        parts.append(
            f"<div class='unreadable'><strong>{len(p.unreadable)} stored review(s) could not "
            "be read and are not shown:</strong><ul>"
            + "".join(f"<li><strong>{_e(r)}</strong>: {_e(why)}</li>" for r, why in p.unreadable)
            + "</ul></div>"
        )
    if p.not_yet_open:
        parts.append(
            f"<p class='note'>{len(p.not_yet_open)} review(s) opened after this instant are "
            f"not shown: {_e(', '.join(p.not_yet_open))}.</p>"
        )
    parts += [
        "<p class='help'>Select a column heading to sort by it (again to reverse). "
        f"<a href='#figures'>Figures for {_e(period)}</a>.</p>",
        "<p id='sorted' class='sr' aria-live='polite'></p>",
        "<table id='reviews'><caption class='sr'>Reviews, those needing action first"
        "</caption><thead><tr>" + "".join(ths) + "</tr></thead><tbody>",
    ]
    parts += [_row_html(row, p.clocks, reports, i) for i, row in enumerate(p.rows)]
    parts.append("</tbody></table>")
    parts.append(f"<h2 id='figures'>Figures for {_e(period)}</h2>")
    parts.append(
        "<p class='help'>Counted from the reviews as they stood at this instant: the reviews "
        "that entered each stage in the period, and those whose completion clock stopped "
        "in it, on time (by the first due date) or late.</p>"
    )
    parts.append(
        "<table class='figures'><thead><tr><th scope='col'>Figure</th>"
        "<th scope='col'>Reviews</th></tr></thead><tbody>"
    )
    parts += [
        f"<tr><th scope='row'>{_e(name)}</th><td class='num'>{count}</td></tr>"
        for name, count in p.figure_rows()
    ]
    parts.append("</tbody></table>")
    if figures.completions:
        parts.append(
            f"<details><summary>The {len(figures.completions)} review(s) completed in the "
            "period</summary><table class='completions'><thead><tr>"
            + "".join(
                f"<th scope='col'>{h}</th>"
                for h in ("Review", "Completed as", "Due", "Revised", "Completed", "On time")
            )
            + "</tr></thead><tbody>"
        )
        for c in sorted(figures.completions, key=lambda c: _natural(c.reference)):
            verdict = (
                "yes"
                if c.on_time
                else ("late, within a notified delay" if c.within_notified_delay else "late")
            )
            cls = "" if c.on_time else " class='late'"
            parts.append(
                f"<tr{cls}><td>{_e(c.reference)}</td><td>{_e(c.stage)}</td>"
                f"<td>{_day(c.due)}</td><td>{_day(c.revised)}</td><td>{_day(c.stopped)}</td>"
                f"<td>{_e(verdict)}</td></tr>"
            )
        parts.append("</tbody></table></details>")
    parts.append(
        "<footer>Generated by cspr_workflow. Reviews are shown by their reference; "
        "people are not named.</footer>"
    )
    parts.append(f"<script>{_JS}</script></body></html>")
    return "\n".join(parts) + "\n"


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
margin:1.5rem auto;max-width:110rem;padding:0 1rem;color:#111827;line-height:1.35}
h1{font-size:1.6rem;margin:0 0 .3rem}h2{font-size:1.2rem;margin-top:2rem;
border-bottom:1px solid #e5e7eb;padding-bottom:.2rem}
.lede{margin:.2rem 0 .8rem;color:#374151}
.cards{display:flex;gap:.8rem;flex-wrap:wrap;margin:.5rem 0 1rem}
.card{border-radius:6px;padding:.5rem .9rem;min-width:11rem;background:#f3f4f6;
border-left:6px solid #9ca3af}.card strong{font-size:1.8rem;display:block;line-height:1.1}
.card small{display:block;font-size:.8rem;color:#374151}
.card.c0{background:#fef2f2;border-color:#b91c1c;color:#7f1d1d}
.card.c0 strong{color:#b91c1c}.card.c2{background:#fffbeb;border-color:#d97706}
.card.c3{background:#eff6ff;border-color:#2563eb}.card.c4{border-color:#059669;
background:#ecfdf5}
.unreadable{background:#fef2f2;border-left:6px solid #b91c1c;padding:.4rem .8rem;
margin:.5rem 0;color:#7f1d1d}.unreadable ul{margin:.2rem 0}
.help{font-size:.85rem;color:#4b5563;margin:.3rem 0}.note{color:#92400e}
table{border-collapse:collapse;font-size:.8rem;width:100%}
th,td{border-bottom:1px solid #e5e7eb;padding:.3rem .4rem;text-align:left;vertical-align:top}
thead th{background:#f3f4f6;border-bottom:2px solid #9ca3af}
#reviews thead th{position:sticky;top:0;z-index:1;padding:0}
thead th button{font:inherit;font-weight:600;background:none;border:0;width:100%;
text-align:left;padding:.4rem;cursor:pointer;color:#111827}
thead th button:hover{background:#e5e7eb}
thead th button:focus-visible{outline:3px solid #2563eb;outline-offset:-3px}
th[aria-sort=ascending] button::after{content:" \\25B2";font-size:.7em}
th[aria-sort=descending] button::after{content:" \\25BC";font-size:.7em}
tbody th{font-weight:600;white-space:nowrap}td.day{white-space:nowrap}
td.attention small{color:#991b1b;font-weight:600;white-space:nowrap}
td small{display:block;color:#4b5563}.nw{white-space:nowrap}
tr.trouble{background:#fef2f2}tr.trouble>*:first-child{box-shadow:inset 5px 0 #b91c1c}
tr.trouble a{color:#991b1b}tr.risk>*:first-child{box-shadow:inset 5px 0 #d97706}
td.bad>span,td.clock.bad>span{color:#b91c1c;font-weight:600}
td.clock.warn>span{color:#b45309;font-weight:600}td.clock.late>span{color:#92400e}
td.clock.ok>span{color:#047857}td.clock.idle>span{color:#6b7280}
.badge{display:inline-block;border-radius:3px;padding:.05rem .4rem;font-weight:700;
font-size:.75rem;white-space:nowrap}.badge.a0,.badge.a1{background:#b91c1c;color:#fff}
.badge.a2{background:#fde68a;color:#78350f}
.bar{display:block;height:.35rem;background:#e5e7eb;border-radius:2px;margin-top:.15rem;
max-width:8rem}.bar span{display:block;height:100%;background:#059669;border-radius:2px}
table.figures{width:auto;min-width:28rem}td.num{text-align:right}
table.completions{width:auto}tr.late td{color:#92400e}
details{margin:.8rem 0}summary{cursor:pointer}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
white-space:nowrap}
footer{margin-top:2rem;font-size:.8rem;color:#6b7280}
@media print{#reviews thead th{position:static}tr{break-inside:avoid}}
"""

# Sorts the reviews table by the column whose heading button is pressed: by each cell's
# data-sort (or its text), numbers as numbers, text with numbers in order ("Child 2"
# before "Child 10"); ties keep the page's own order.
_JS = """
(function () {
  var table = document.getElementById('reviews');
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  var words = new Intl.Collator('en-GB', {numeric: true, sensitivity: 'base'});
  var status = document.getElementById('sorted');
  function key(row, i) {
    var cell = row.cells[i];
    var value = cell.getAttribute('data-sort');
    return value === null ? cell.textContent : value;
  }
  function sortBy(i, direction) {
    var numeric = heads[i].getAttribute('data-type') === 'number';
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, i), y = key(b, i);
      var c = numeric ? parseFloat(x) - parseFloat(y) : words.compare(x, y);
      if (c === 0) { return a.getAttribute('data-order') - b.getAttribute('data-order'); }
      return direction === 'ascending' ? c : -c;
    });
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(row); });
    body.appendChild(fragment);
    for (var j = 0; j < heads.length; j++) { heads[j].removeAttribute('aria-sort'); }
    heads[i].setAttribute('aria-sort', direction);
    status.textContent = 'Sorted by ' + heads[i].textContent + ', ' + direction + '.';
  }
  Array.prototype.forEach.call(heads, function (th, i) {
    th.querySelector('button').addEventListener('click', function () {
      var now = th.getAttribute('aria-sort');
      sortBy(i, now === 'ascending' ? 'descending' : 'ascending');
    });
  });
})();
"""
