"""The audit report of one review: a self-contained HTML file, or Markdown for papers.

The report is for governance staff and boards. It opens with what they ask first
(see ``_glance``): what needs attention (clocks overdue or at risk, delay notices
owed, checks failed; red in HTML), where the review stands (stage, on time or late
and by how much, the completion clock's key dates, delay notices owed and given),
what must happen next and who must do it, and every clock. Then come the result of
verifying its history (hash chain and seal, refusal log, replay through the engine,
the statutory properties), the review's path (in HTML, first as a timeline, see
``_timeline``, then on the process diagram), a table of its stages, how each clock's
due date was set, the full history and the refused steps from the review's refusal
log. People appear by role and agency; details that name a person are shown as kept
in the record, not printed.

The HTML works offline: styles are inline, the timeline and the diagram are inline
SVG (the diagram drawn by Graphviz), and there are no scripts, fonts or links to
fetch. It prints on A4: the opening first, the verification from a new page, the
timeline whole on one page with its text at 7 pt or more, headings kept with what
follows, table rows whole, dates unbroken. The process diagram is left out of print
(a note says so): it is the whole process, many pages at a readable size, while the
timeline shows what happened to this review.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import attrs
import pendulum

from ._args import check_arg
from ._deadlines import DeadlineReport
from ._diagrams import Diagram
from ._document import replay
from ._engine import Review
from ._errors import CsprWorkflowError, GraphvizMissing, InvalidInput
from ._glance import Glance, glance
from ._hashchain import verify_history, verify_refusals
from ._oracle import check_review
from ._records import AuditEntry
from ._text import markdown_text
from ._time import as_instant
from ._timeline import Timeline

__all__ = ["AuditReport", "audit_report"]


@attrs.frozen
class Check:
    """One verification of the history and what it found."""

    name: str
    ok: bool
    detail: str


def _checks(review: Review, head: str | None, refusals_head: str | None) -> list[Check]:
    steps = len(review.history)
    checks = []
    try:
        verify_history(review, head=head)
    except CsprWorkflowError as error:
        checks.append(Check("Hash chain", False, str(error)))
    else:
        anchored = (
            f"and the review is sealed by the head kept elsewhere ({head[:16]}...)"
            if head
            else f"(head {review.history_head[:16]}...; keep it elsewhere to compare later)"
        )
        checks.append(
            Check(
                "Hash chain",
                True,
                f"all {steps} steps link from the opening record, and the head seals them "
                f"with the review's facts {anchored}",
            )
        )
    try:
        verify_refusals(review, head=refusals_head)
    except CsprWorkflowError as error:
        checks.append(Check("Refusal log", False, str(error)))
    else:
        refused = len(review.refusals)
        anchored = (
            f"and close on the head kept elsewhere ({refusals_head[:16]}...)"
            if refusals_head
            else f"(head {review.refusals_head[:16]}...; keep it elsewhere to compare later)"
        )
        since = "" if review.refusals_complete else " since the review was loaded"
        checks.append(
            Check(
                "Refusal log",
                review.refusals_complete or refusals_head is None,
                f"all {refused} refusals{since} link from the log's opening record {anchored}"
                if review.refusals_complete
                else f"the refusal log was not supplied with the review: {refused} "
                f"refusal(s) noted since it was loaded {anchored}",
            )
        )
    try:
        replay(review)
    except CsprWorkflowError as error:
        checks.append(Check("Replay", False, str(error)))
    else:
        checks.append(
            Check(
                "Replay",
                True,
                f"the engine, fed the {steps} steps, rebuilds exactly this review",
            )
        )
    violations = check_review(review)
    if violations:
        checks.append(Check("Statutory properties", False, "; ".join(map(str, violations))))
    else:
        checks.append(
            Check("Statutory properties", True, "no step breaks an invariant of the process")
        )
    return checks


def _details(review: Review, entry: AuditEntry) -> str:
    definition = review.definition
    if not definition.has_trigger(entry.trigger):
        return ""
    specs = {d.name: d for d in definition.trigger(entry.trigger).details}
    order = [n for n in specs if n in entry.details]
    order += sorted(n for n in entry.details if n not in specs)  # late_reason
    parts = []
    for name in order:
        value = entry.details[name]
        spec = specs.get(name)
        if spec is not None and spec.personal:
            parts.append(f"{name}: (a name, kept in the record)")
        else:
            parts.append(f"{name}: {_plain(value)}")
    return "; ".join(parts)


def _plain(value: object) -> str:
    if isinstance(value, tuple | list | frozenset):
        items = sorted(value) if isinstance(value, frozenset) else value
        return ", ".join(
            f"{v[0]} {v[1]}" if isinstance(v, tuple) and len(v) == 2 else str(v) for v in items
        )
    if isinstance(value, pendulum.Date):
        return value.to_date_string()
    return str(value)


@attrs.frozen
class AuditReport:
    """One review's audit report at one instant; ``html()`` or ``markdown()``."""

    review: Review
    at: pendulum.DateTime
    head: str | None = None
    refusals_head: str | None = None
    whole: Review | None = None  # the review as recorded, when ``review`` is as at ``at``

    @property
    def deadlines(self) -> DeadlineReport:
        return self.review.deadlines(at=self.at)

    def _path(self) -> Diagram:
        return Diagram(self.review.definition, self.review, self.at)

    def _timeline_view(self) -> Timeline:
        return Timeline(self.review, self.at)

    def checks(self) -> list[Check]:
        """Hash chain, refusal log, replay and the statutory properties, with what each
        found: of the review as recorded, whatever the report's instant."""
        return _checks(self.whole or self.review, self.head, self.refusals_head)

    def _first(self) -> Glance:
        """The report's first screen: stage, on time or late, clocks, key dates, delay
        notices, what must happen next, and the trouble (see ``_glance``)."""
        failed = [f"{c.name}: {c.detail}" for c in self.checks() if not c.ok]
        return glance(self.review, self.at, failed)

    def _meta(self) -> str:
        then = " (the review as it stood then; later steps left out)" if self.whole else ""
        return (
            f"Process: {self.review.definition.name}. "
            f"Report as at {self.at.to_datetime_string()}{then}."
        )

    def _standing(self, first: Glance) -> list[tuple[str, str]]:
        return [
            ("Stage", first.stage),
            ("In this stage since", first.since + ("; the review is over" if first.over else "")),
            ("On time?", f"{first.verdict}: {first.verdict_detail}"),
            *first.key_dates,
            ("Delay notices owed", "; ".join(first.owed) if first.owed else "none"),
            ("Delay notices given", "; ".join(first.sent) if first.sent else "none"),
        ]

    def _clock_rows(self, first: Glance) -> list[tuple[str, ...]]:
        return [(c.clock, c.kind, c.status, c.due, c.revised, c.now) for c in first.clocks]

    def _record(self) -> list[tuple[str, str]]:
        review, state = self.review, self.review.state
        recorded = self.whole or review
        steps = str(len(state.history))
        if self.whole is not None:
            steps += f" by then ({len(self.whole.history)} in all)"
        return [
            ("Review", review.reference),
            ("Steps recorded", steps),
            (
                "Steps refused",
                str(len(review.refusals))
                if review.refusals_complete
                else f"{len(review.refusals)} since loaded (refusal log not supplied)",
            ),
            ("History head (SHA-256)", recorded.history_head),
            ("Refusal log head (SHA-256)", recorded.refusals_head),
        ]

    def _no_refusals(self) -> str:
        if self.review.refusals_complete:
            return "No step was refused."
        return (
            "The review's refusal log was not supplied with it (refusals are kept apart "
            "from the review's document), and no step has been refused since it was loaded."
        )

    def _partial_note(self) -> str | None:
        if self.review.refusals_complete or not self.review.refusals:
            return None
        return (
            "The review's refusal log was not supplied with it: these are the steps "
            "refused since it was loaded."
        )

    def _history(self) -> list[tuple[str, ...]]:
        review = self.review
        definition = review.definition
        titles = definition.titles
        rows: list[tuple[str, ...]] = []
        for e in review.history:
            title = definition.trigger(e.trigger).title
            move = (
                definition.stage(e.source).title
                if e.source == e.dest
                else f"{definition.stage(e.source).title} → {definition.stage(e.dest).title}"
            )
            rows.append(
                (
                    str(e.seq),
                    e.at.format("YYYY-MM-DD HH:mm"),
                    e.actor.describe(titles),
                    title,
                    move,
                    _details(review, e),
                )
            )
        return rows

    def _refusals(self) -> list[tuple[str, ...]]:
        definition = self.review.definition
        titles = definition.titles
        return [
            (
                r.at.format("YYYY-MM-DD HH:mm"),
                r.actor.describe(titles),
                definition.trigger(r.trigger).title
                if definition.has_trigger(r.trigger)
                else r.trigger,
                definition.stage(r.stage).title,
                "; ".join(f"{x.title}: {x.message}" for x in r.reasons),
            )
            for r in self.review.refusals
        ]

    def _timeline(self) -> list[tuple[str, str, str, int]]:
        definition = self.review.definition
        return [
            (
                definition.stage(stage).title,
                entered.to_date_string(),
                left.to_date_string() if left else "(now)",
                ((left or self.at).date() - entered.date()).in_days(),
            )
            for stage, entered, left in self.review.state.stage_visits()
        ]

    # -- Markdown ----------------------------------------------------------------------------

    def markdown(self) -> str:
        """The report as Markdown, with the path diagram as a Mermaid block. It opens with
        what needs attention, where the review stands, its clocks and what must happen
        next; the verification, path, timeline, clocks' provenance, history and refused
        steps follow."""
        first = self._first()
        out = [f"# Audit report: {markdown_text(self.review.reference)}", ""]
        out += [markdown_text(self._meta()), ""]
        if first.trouble:
            out += ["> **Needs attention**", ">"]
            out += [f"> - {markdown_text(t)}" for t in first.trouble]
        else:
            out.append(f"> **Nothing needs attention.** {markdown_text(_CLEAR)}")
        out += ["", "## Where the review stands", ""]
        out += _md_table(("Item", "Value"), self._standing(first))
        out += ["", "## What must happen next", ""]
        if first.over:
            out.append(markdown_text(f"Nothing: the review is over ({first.stage})."))
        elif not first.next:
            out.append(markdown_text(_NO_STEP_ON))
        for step in first.next:
            dest = f" → {step.dest}" if step.dest else ""
            out.append(
                f"- **{markdown_text(step.title)}**{markdown_text(dest)} "
                f"({markdown_text(step.who)}): {step.state}"
            )
            out += [f"    - {markdown_text(r)}" for r in step.reasons]
        if first.others:
            out += ["", markdown_text(_others(first))]
        out += ["", "## Clocks", ""]
        out += _md_table(_CLOCK_HEAD, self._clock_rows(first))
        out += ["", "## Verification", ""]
        out += _md_table(
            ("Check", "Result", "Detail"),
            [(c.name, "passed" if c.ok else "FAILED", c.detail) for c in self.checks()],
        )
        out += [""]
        out += _md_table(("Record", "Value"), self._record())
        out += ["", "## Path", "", "```mermaid"]
        out += self._path().mermaid().rstrip("\n").splitlines()
        out += ["```", "", "## Timeline of stages", ""]
        out += _md_table(("Stage", "Entered", "Left", "Days"), self._timeline())
        out += ["", "## How each clock's due date was set", ""]
        out += [self.deadlines.to_markdown().rstrip("\n"), "", "## History", ""]
        out += _md_table(("#", "When", "Who", "Step", "Stage", "Details"), self._history())
        out += ["", "## Refused steps", ""]
        refusals = self._refusals()
        note = self._partial_note()
        if note:
            out += [note, ""]
        if refusals:
            out += _md_table(("When", "Who", "Step", "At stage", "Refused by"), refusals)
        else:
            out.append(self._no_refusals())
        return "\n".join(out) + "\n"

    # -- HTML ---------------------------------------------------------------------------------

    def _html_first(self, first: Glance) -> list[str]:
        parts = []
        if first.trouble:
            parts.append("<section class='attention trouble'><h2>Needs attention</h2><ul>")
            parts += [f"<li>{_cell(t)}</li>" for t in first.trouble]
            parts.append("</ul></section>")
        else:
            parts.append(
                "<section class='attention clear'><h2>Nothing needs attention</h2>"
                f"<p>{_e(_CLEAR)}</p></section>"
            )
        parts.append("<h2>Where the review stands</h2><table class='standing'>")
        for label, value in self._standing(first):
            if label == "On time?":
                cls = "late" if first.late else "risk" if first.verdict == "At risk" else "ok"
                cell = (
                    f"<strong class='verdict {cls}'>{_e(first.verdict)}</strong>: "
                    f"{_cell(first.verdict_detail)}"
                )
            else:
                owed = label == "Delay notices owed" and bool(first.owed)
                cell = f"<span class='late'>{_cell(value)}</span>" if owed else _cell(value)
            parts.append(f"<tr><th>{_e(label)}</th><td>{cell}</td></tr>")
        parts.append("</table><h2>What must happen next</h2>")
        if first.over:
            parts.append(f"<p>Nothing: the review is over ({_e(first.stage)}).</p>")
        elif not first.next:
            parts.append(f"<p>{_e(_NO_STEP_ON)}</p>")
        if first.next:
            parts.append("<ul class='next'>")
            for step in first.next:
                dest = f" → {_e(step.dest)}" if step.dest else ""
                tag = step.state.replace(" now", "")
                reasons = "".join(f"<li>{_cell(r)}</li>" for r in step.reasons)
                parts.append(
                    f"<li class='step-{tag}'><strong>{_e(step.title)}</strong>{dest}"
                    f" <span class='who'>by {_e(step.who)}</span>"
                    f" <span class='tag {tag}'>{_e(step.state)}</span>"
                    + (f"<ul>{reasons}</ul>" if reasons else "")
                    + "</li>"
                )
            parts.append("</ul>")
        if first.others:
            parts.append(f"<p class='others'>{_e(_others(first))}</p>")
        parts.append("<h2>Clocks</h2><table class='glance-clocks'>")
        parts.append(
            "<thead><tr>" + "".join(f"<th>{h}</th>" for h in _CLOCK_HEAD) + "</tr></thead>"
        )
        for line, row in zip(first.clocks, self._clock_rows(first), strict=True):
            cls = " class='trouble'" if line.trouble else ""
            parts.append(f"<tr{cls}>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>")
        parts.append("</table>")
        return parts

    def html(self, *, diagram: bool = True) -> str:
        """The report as one self-contained HTML page (inline styles and SVG, no scripts).

        It opens with what needs attention (in red), where the review stands, its clocks
        and what must happen next. The path is shown first as a timeline of the review's
        stages, then on the process diagram. Printed (A4), the timeline is whole on one
        page, its text 7 pt or larger; the process diagram is left out, with a note.
        ``diagram=False`` leaves the process diagram out (drawing it is most of the time
        a report takes), with a note saying so; the timeline is always shown."""
        review = self.review
        path = self._path()
        if not diagram:
            figure = "<p class='note'>The path diagram was left out of this report.</p>"
        else:
            try:
                figure = path.svg(fit=True)
            except GraphvizMissing as missing:
                figure = (
                    f"<p class='note'>{html.escape(str(missing))}</p>"
                    f"<pre>{html.escape(path.mermaid())}</pre>"
                )
        first = self._first()
        checks = self.checks()
        timeline = self._timeline()
        longest = max((days for *_, days in timeline), default=1) or 1
        parts = [
            "<!DOCTYPE html>",
            "<html lang='en-GB'><head><meta charset='utf-8'>",
            "<meta name='viewport' content='width=device-width, initial-scale=1'>",
            f"<title>Audit report: {_e(review.reference)}</title>",
            f"<style>{_CSS}</style></head><body>",
            f"<h1>Audit report: {_e(review.reference)}</h1>",
            f"<p class='meta'>{_cell(self._meta())}</p>",
            *self._html_first(first),
            "<h2 class='verification'>Verification</h2><ul class='checks'>",
        ]
        for c in checks:
            mark = "passed" if c.ok else "failed"
            parts.append(
                f"<li class='{mark}'><strong>{_e(c.name)}: {mark}.</strong> {_cell(c.detail)}</li>"
            )
        parts.append("</ul>")
        parts.append(_html_table(("", ""), self._record(), header=False, cls="record"))
        parts += [
            "<section class='path'><h2>Path</h2>",
            f"<figure class='timeline'>{self._timeline_view().svg()}</figure>",
            "<h3 class='route'>The route on the process diagram</h3>",
            f"<figure class='diagram'>{figure}</figure>",
            f"<p class='print-note'>{_e(_NOT_PRINTED)}</p></section>",
        ]
        parts.append("<h2>Timeline of stages</h2><table class='timeline'>")
        parts.append(
            "<thead><tr><th>Stage</th><th>Entered</th><th>Left</th><th>Days</th><th></th></tr>"
            "</thead>"
        )
        for stage, entered, left, days in timeline:
            width = max(1, round(100 * days / longest))
            parts.append(
                f"<tr><td>{_e(stage)}</td><td>{_cell(entered)}</td><td>{_cell(left)}</td>"
                f"<td class='num'>{days}</td><td class='bar'>"
                f"<span style='width:{width}%'></span></td></tr>"
            )
        parts.append("</table>")
        report = self.deadlines
        parts.append("<h2>How each clock's due date was set</h2>")
        parts.append(
            _html_table(
                ("Clock", "Name", "Status", "Started", "Due", "Stopped", "Remaining"),
                report._rows(),
                cls="clocks",
            )
        )
        parts.append("<ul class='provenance'>")
        parts += [
            f"<li><strong>{d.clock.id}</strong>: {_cell(d.provenance)}</li>"
            for d in report.deadlines
        ]
        parts += [
            f"<li class='owed'><strong>Owed</strong>: {_cell(o.message)}</li>" for o in report.owed
        ]
        parts.append("</ul>")
        parts.append("<h2>History</h2>")
        parts.append(
            _html_table(
                ("#", "When", "Who", "Step", "Stage", "Details"), self._history(), cls="history"
            )
        )
        parts.append("<h2>Refused steps</h2>")
        refusals = self._refusals()
        note = self._partial_note()
        if note:
            parts.append(f"<p class='note'>{_e(note)}</p>")
        if refusals:
            parts.append(
                _html_table(
                    ("When", "Who", "Step", "At stage", "Refused by"), refusals, cls="refusals"
                )
            )
        else:
            parts.append(f"<p>{_e(self._no_refusals())}</p>")
        parts.append(
            "<footer>Generated by cspr_workflow. People are shown by role and agency; "
            "names are kept in the review's record only.</footer></body></html>"
        )
        return "\n".join(parts) + "\n"


_CLEAR = (
    "No clock is overdue or at risk, no delay notice is owed, and every check of the "
    "history passed."
)
_NO_STEP_ON = "No step leads on from this stage towards the end of the review."
_CLOCK_HEAD = ("Clock", "Kind", "Status", "Due", "Revised to", "Now")
_NOT_PRINTED = (
    "The route on the whole process diagram is left out of print; it is in this report "
    "on screen, and drawn by itself with cspr-workflow diagram --review."
)
PAGE_MARGIN_MM = 12
"""The margin of every printed page, on each side (the report's ``@page`` rule)."""


def _others(first: Glance) -> str:
    return f"Also possible at this stage: {', '.join(first.others)}."


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?")


def _cell(text: object) -> str:
    """``text`` escaped, each date in it kept on one line (never "2026-01-" and "07")."""
    return _DATE.sub(lambda m: f"<span class='d'>{m.group()}</span>", _e(text))


def _html_table(
    head: Sequence[str], rows: Sequence[Sequence[object]], *, header: bool = True, cls: str = ""
) -> str:
    out = [f"<table class='{cls}'>"]
    if header:
        out.append("<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead>")
    for row in rows:
        if header:
            out.append("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>")
        else:
            label, *rest = row
            cells = "".join(f"<td>{_cell(c)}</td>" for c in rest)
            out.append(f"<tr><th>{_e(label)}</th>{cells}</tr>")
    out.append("</table>")
    return "".join(out)


def _md_cell(value: object) -> str:
    return markdown_text(value)


def _md_table(head: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(_md_cell(h) for h in head) + " |"]
    lines.append("|" + "---|" * len(head))
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return lines


_CSS = f"""
body{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
margin:2rem auto;max-width:80rem;padding:0 1rem;color:#111827;line-height:1.4}}
h1{{font-size:1.6rem;margin-bottom:.2rem}}h2{{font-size:1.2rem;margin-top:1.6rem;
border-bottom:1px solid #e5e7eb;padding-bottom:.2rem}}p.meta{{margin:0 0 .8rem;color:#374151}}
table{{border-collapse:collapse;font-size:.85rem;margin:.5rem 0;width:100%}}
th,td{{border:1px solid #e5e7eb;padding:.25rem .45rem;text-align:left;vertical-align:top}}
th{{background:#f3f4f6}}table.record,table.standing{{width:auto}}
table.record th,table.standing th{{width:16rem}}table.record td{{word-break:break-all}}
span.d{{white-space:nowrap}}
section.attention{{border-radius:6px;padding:.2rem 1rem .5rem;margin:.8rem 0}}
section.attention h2{{border:0;margin:.4rem 0 .2rem;font-size:1.15rem}}
section.trouble{{background:#fef2f2;border:2px solid #dc2626;color:#7f1d1d}}
section.trouble h2{{color:#b91c1c}}section.trouble li{{margin:.2rem 0}}
section.clear{{background:#f9fafb;border:1px solid #d1d5db}}section.clear p{{margin:.2rem 0}}
.verdict.late,span.late{{color:#b91c1c}}.verdict.risk{{color:#b45309}}.verdict.ok{{color:#047857}}
table.glance-clocks tr.trouble td{{background:#fef2f2;color:#7f1d1d;font-weight:600}}
ul.next{{padding-left:1.2rem}}ul.next>li{{margin:.3rem 0}}ul.next ul{{font-size:.85rem;
color:#374151;margin:.1rem 0}}span.who{{color:#374151}}
span.tag{{font-size:.75rem;padding:.05rem .4rem;border-radius:3px;border:1px solid #9ca3af}}
span.tag.owed{{background:#dc2626;color:#fff;border-color:#dc2626}}
li.step-owed>strong{{color:#b91c1c}}
span.tag.ready{{background:#ecfdf5;border-color:#059669;color:#065f46}}
span.tag.blocked{{background:#fff7ed;border-color:#d97706;color:#92400e}}
p.others{{font-size:.85rem;color:#4b5563}}
td.num{{text-align:right}}td.bar{{width:30%}}td.bar span{{display:block;height:.7rem;
background:#60a5fa;border-radius:2px}}
ul.checks{{list-style:none;padding:0}}ul.checks li{{padding:.4rem .6rem;margin:.3rem 0;
border-radius:4px}}li.passed{{background:#ecfdf5;border-left:4px solid #059669}}
li.failed{{background:#fef2f2;border-left:4px solid #dc2626}}
figure.diagram{{overflow:auto;border:1px solid #e5e7eb;margin:0;padding:.5rem}}
figure.diagram svg{{max-width:100%;height:auto}}ul.provenance{{font-size:.8rem;color:#374151}}
li.owed{{color:#b91c1c;font-size:.9rem}}p.print-note{{display:none}}
figure.timeline{{margin:.5rem 0 1rem;border:1px solid #e5e7eb;padding:.5rem}}
figure.timeline svg{{display:block;width:100%;max-width:1100px;height:auto}}
h3.route{{font-size:1rem;margin:1.2rem 0 .4rem}}
p.note{{color:#92400e}}footer{{margin-top:2rem;font-size:.8rem;color:#6b7280}}
@page{{size:A4;margin:{PAGE_MARGIN_MM}mm}}
@media print{{
body{{margin:0;max-width:none;padding:0;font-size:9.5pt;line-height:1.3}}
h1{{font-size:16pt}}h2{{font-size:12pt;margin-top:10pt;break-after:avoid;page-break-after:avoid}}
h2+*{{break-before:avoid;page-break-before:avoid}}
tr,li,section.attention,figure.timeline{{break-inside:avoid;page-break-inside:avoid}}
thead{{display:table-header-group}}table{{font-size:8.5pt}}td{{overflow-wrap:break-word}}
table.history td:first-child{{text-align:right}}
table.standing,table.record{{width:100%}}table.standing th,table.record th{{width:38mm}}
section.path>h3.route,section.path>figure.diagram{{display:none}}
p.print-note{{display:block;font-size:8.5pt;color:#4b5563}}
figure.timeline{{border:0;padding:0;margin:0}}figure.timeline svg{{max-width:none}}
h2.verification,section.path+*{{break-before:page;page-break-before:always}}
}}
"""


def audit_report(
    review: Review,
    *,
    at: object = None,
    head: str | None = None,
    refusals_head: str | None = None,
) -> AuditReport:
    """The audit report of ``review`` as at ``at`` (default: its last step).

    Before the last step, the report shows the review as it stood then
    (:meth:`Review.as_at`: its stage, steps, refusals, clocks and path by then); its
    verification checks are of the review as recorded, so the heads kept elsewhere
    are compared with the whole record.

    ``head`` is the history head kept elsewhere, if any: the report then says
    whether the review is still sealed by it. ``refusals_head`` is the refusal
    log's head kept elsewhere: the report says whether the log still closes on it
    (a refusal erased since shows). The refused steps are those of the review's
    refusal log; a review read from its document without its log says so.
    """
    check_arg("review", review, Review, "a Review (from Review.open, loads or store.get)")
    for name, value in (("head", head), ("refusals_head", refusals_head)):
        if value is not None and not isinstance(value, str):
            raise InvalidInput(
                name, "head", f"expected a SHA-256 as text, got {type(value).__name__}", ""
            )
    instant = review.state.last_at if at is None else as_instant(at)
    then = review.as_at(instant)
    if then is review:
        return AuditReport(review, instant, head, refusals_head)
    return AuditReport(then, instant, head, refusals_head, whole=review)
