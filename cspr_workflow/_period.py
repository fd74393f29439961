"""The partnership's report over a period (its yearly report, say): how many reviews
reached each stage in it, and each review whose completion clock stopped in it, on time
or late, with the reasons recorded.

Read from the reviews' histories and the definition each review runs on, so it counts
the stages a partnership declares (notified, commissioned, not commissioned, published,
the improvements published instead, ...) by their own titles.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs
import pendulum

from ._args import check_arg, check_many
from ._engine import Review
from ._errors import InvalidInput
from ._text import markdown_text
from ._time import as_date

__all__ = ["Completion", "PeriodReport", "period_report"]


@attrs.frozen
class Completion:
    """One review whose completion clock stopped in the period."""

    reference: str
    stage: str
    started: pendulum.Date
    due: pendulum.Date
    revised: pendulum.Date
    stopped: pendulum.Date
    reasons: tuple[str, ...]

    @property
    def on_time(self) -> bool:
        """Stopped by the due date the clock first set."""
        return self.stopped <= self.due

    @property
    def within_notified_delay(self) -> bool:
        """Late, but by the revised date of the delays notified."""
        return not self.on_time and self.stopped <= self.revised


@attrs.frozen
class PeriodReport:
    """Reviews over ``start`` to ``end`` (both included): stage entries and completions."""

    start: pendulum.Date
    end: pendulum.Date
    reviews: int
    entered: tuple[tuple[str, int], ...]
    completions: tuple[Completion, ...]

    @property
    def on_time(self) -> int:
        """Completions by the first due date."""
        return sum(c.on_time for c in self.completions)

    @property
    def late(self) -> int:
        """Completions after the first due date."""
        return len(self.completions) - self.on_time

    def to_markdown(self) -> str:
        """The report as Markdown: stage entries, then each completion."""
        lines = [
            f"## Reviews from {self.start.to_date_string()} to {self.end.to_date_string()}",
            "",
            f"{self.reviews} review(s) read; {len(self.completions)} completed in the period: "
            f"{self.on_time} on time, {self.late} late "
            f"({sum(c.within_notified_delay for c in self.completions)} of them within a "
            "notified delay).",
            "",
            "| Stage reached in the period | Reviews |",
            "|---|---|",
        ]
        lines += [f"| {markdown_text(stage)} | {count} |" for stage, count in self.entered]
        if self.completions:
            lines += [
                "",
                "| Review | Completed as | Due | Revised | Completed | On time | Reasons |",
                "|---|---|---|---|---|---|---|",
            ]
            for c in self.completions:
                if c.on_time:
                    verdict = "yes"
                elif c.within_notified_delay:
                    verdict = "late, within a notified delay"
                else:
                    verdict = "late"
                cells = (
                    c.reference,
                    c.stage,
                    c.due.to_date_string(),
                    c.revised.to_date_string(),
                    c.stopped.to_date_string(),
                    verdict,
                    "; ".join(c.reasons) or "-",
                )
                lines.append("| " + " | ".join(markdown_text(x) for x in cells) + " |")
        return "\n".join(lines) + "\n"


def period_report(reviews: Iterable[Review], *, start: object, end: object) -> PeriodReport:
    """How the ``reviews`` went from ``start`` to ``end`` (dates, both included): the
    reviews that entered each stage in the period (by the stage's title, in the order of
    the first review's definition), and every review whose completion clock stopped in
    the period, against its first due date and the revised date of the delays notified,
    with the reasons recorded (delay notices, and a late step's reason).

    For a partnership's yearly report: ``period_report((store.get(r) for r in
    store.references()), start="2026-04-01", end="2027-03-31")``.
    """
    first = as_date(start, "start")
    last = as_date(end, "end")
    if last < first:
        raise InvalidInput(
            "end", "period_order", "the period ends before it starts", "Pass end >= start."
        )
    counts: dict[str, int] = {}
    order: list[str] = []
    completions: list[Completion] = []
    read = 0
    check_many("reviews", reviews, "Reviews")
    for review in reviews:
        check_arg("reviews", review, Review, "Reviews")
        read += 1
        definition = review.definition
        for spec in definition.stages:
            title = spec.title
            if title not in order:
                order.append(title)
            if spec.initial:
                continue
            entry = next((e for e in review.history if e.enters(spec.name)), None)
            if entry is not None and first <= entry.at.date() <= last:
                counts[title] = counts.get(title, 0) + 1
        done = _completion(review, first, last)
        if done is not None:
            completions.append(done)
    entered = tuple((title, counts[title]) for title in order if title in counts)
    return PeriodReport(first, last, read, entered, tuple(completions))


def _completion(review: Review, first: pendulum.Date, last: pendulum.Date) -> Completion | None:
    definition = review.definition
    state = review.state
    clock = definition.policy.completion
    record = state.clock(clock.id)
    stopped = clock.stopped_at(state)
    if record is None or stopped is None or not first <= stopped.date() <= last:
        return None
    entry = next(e for e in state.history if e.at == stopped and e.dest in clock.stops)
    reasons = [n.reason for n in state.delay_notices]
    late = entry.details.get("late_reason")
    if isinstance(late, str):
        reasons.append(late)
    return Completion(
        reference=state.reference,
        stage=definition.stage(entry.dest).title,
        started=record.started_at.date(),
        due=record.due,
        revised=definition.completion_due(state) or record.due,
        stopped=stopped.date(),
        reasons=tuple(dict.fromkeys(reasons)),
    )
