"""The ``cspr-workflow`` command line.

Exit codes: 0 success; 1 a library error (an invalid document, a violated
property, a refused rule: the message says which and what to do); 2 a usage
error (a bad option, a file that cannot be read or written); 3 a verification
cut short by ``--max-states``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ._errors import CsprWorkflowError, InvalidInput

if TYPE_CHECKING:
    import pendulum

    from ._definition import ProcessDefinition
    from ._engine import Review
    from ._store import ReviewStore

__all__: list[str] = []


class _UsageError(Exception):
    """A bad option or file: reported on stderr with exit code 2."""


# -- shared helpers ----------------------------------------------------------------------


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cspr-workflow")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


def _sha256(text: str) -> str:
    """A history head as the command line takes it: 64 hexadecimal digits."""
    import re

    if not re.fullmatch(r"[0-9a-fA-F]{64}", text):
        raise argparse.ArgumentTypeError(
            'a SHA-256 head is 64 hexadecimal digits (as `dumps` writes it under "head")'
        )
    return text.lower()


def _load_definition(spec: str) -> ProcessDefinition:
    """``module:object``: a ProcessDefinition, or a function returning one."""
    import importlib
    import os

    from ._definition import ProcessDefinition

    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise _UsageError(f"--definition takes module:object, not {spec!r}")
    if os.getcwd() not in sys.path:  # like `python -m`, find the partnership's own modules
        sys.path.insert(0, os.getcwd())
    try:
        value: object = importlib.import_module(module_name)
    except Exception as error:
        raise _UsageError(
            f"--definition: cannot import {module_name!r} ({type(error).__name__}: {error})"
        ) from None
    for part in attribute.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise _UsageError(f"--definition: {module_name!r} has no {attribute!r}") from None
    if callable(value) and not isinstance(value, type | ProcessDefinition):
        try:
            value = value()
        except Exception as error:
            raise _UsageError(
                f"--definition: {spec} is a function, and calling it with no arguments "
                f"failed ({type(error).__name__}); name a ProcessDefinition, or a function "
                "returning one"
            ) from None
    if not isinstance(value, ProcessDefinition):
        raise _UsageError(
            f"--definition: {spec} is a {type(value).__name__}, not a ProcessDefinition "
            "(or a function returning one)"
        )
    return value


def _definition(args: argparse.Namespace) -> ProcessDefinition:
    spec = getattr(args, "definition", None)
    if spec:
        return _load_definition(spec)
    from .default import DEFAULT_DEFINITION

    return DEFAULT_DEFINITION


def _read_review(path: str, definition: ProcessDefinition, refusals: str | None = None) -> Review:
    from ._document import loads

    text = _read(path, "review file")
    log = _read(refusals, "refusal log") if refusals is not None else None
    return loads(text, definition=definition, refusals=log)


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise _UsageError(f"cannot read the {what} {path!r}: {error.strerror}") from None


def _log_path(path: str) -> str:
    """Where ``demo --save FILE`` writes the refusal log: beside the review's document."""
    stem = path[: -len(".json")] if path.endswith(".json") else path
    return f"{stem}.refusals.json"


def _instant(text: str | None) -> pendulum.DateTime | None:
    """``--at``: ISO 8601; without an offset, a London wall-clock time."""
    if text is None:
        return None
    import pendulum

    try:
        parsed = pendulum.parse(text, tz="Europe/London")
    except (ValueError, pendulum.parsing.exceptions.ParserError):
        raise _UsageError(f"--at takes an ISO 8601 date or date-time, not {text!r}") from None
    if not isinstance(parsed, pendulum.DateTime):
        raise _UsageError(f"--at takes a date or date-time, not {text!r}")
    return parsed.in_timezone("Europe/London")


def _write(out: str | None, data: bytes, *, binary: bool) -> None:
    if out in (None, "-"):
        if binary and sys.stdout.isatty():
            raise _UsageError("a binary format goes to a file: pass -o FILE")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        Path(out).write_bytes(data)
    except OSError as error:
        raise _UsageError(f"cannot write {out!r}: {error.strerror}") from None
    print(f"wrote {out} ({len(data)} bytes)", file=sys.stderr)


# -- commands --------------------------------------------------------------------------------


def _demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    review = run_demo(sys.stdout)
    if args.save:
        from ._document import dumps, dumps_refusals

        if args.save == "-":
            raise _UsageError("--save takes a file name (the refusal log is written beside it)")
        _write(args.save, dumps(review).encode("utf-8"), binary=False)
        _write(_log_path(args.save), dumps_refusals(review).encode("utf-8"), binary=False)
    return 0


def _table(args: argparse.Namespace) -> int:
    definition = _definition(args)
    tables = {
        "transitions": definition.process_table,
        "stages": definition.stage_table,
        "permissions": definition.permission_table,
        "guards": definition.guard_table,
        "roles": definition.role_table,
        "clocks": definition.clock_table,
    }
    sys.stdout.write(tables[args.what]())
    return 0


def _verify(args: argparse.Namespace) -> int:
    from ._verify import verify

    result = verify(_definition(args), max_states=args.max_states)
    print(result.summary())
    if result.violations:
        return 1
    if result.truncated:
        print(
            "cspr-workflow: the exploration reached --max-states before it was complete; "
            "raise the limit to prove the properties.",
            file=sys.stderr,
        )
        return 3
    if result.unexplained_rows:
        print(
            "cspr-workflow: some rows of the table were never taken, so no property was "
            "checked on them: give their examples, or declare each in the definition's "
            "`unexplored` with the reason.",
            file=sys.stderr,
        )
        return 4
    return 0


def _schema(args: argparse.Namespace) -> int:
    import json

    from ._schema import json_schema

    schema = json_schema("refusals") if args.refusals else json_schema()
    print(json.dumps(schema, indent=2, sort_keys=True))
    return 0


def _diagram(args: argparse.Namespace) -> int:
    from ._draw import diagram

    definition = _definition(args)
    if args.timeline:
        if not args.review:
            raise _UsageError("--timeline goes with --review (it draws a review's path)")
        if args.format not in (None, "svg"):
            raise _UsageError("--timeline is drawn as svg only: leave --format out")
        from ._timeline import timeline

        review = _read_review(args.review, definition, args.refusals)
        drawn = timeline(review, at=_instant(args.at)).svg()
        _write(args.output, drawn.encode("utf-8"), binary=False)
        return 0
    if args.refusals:
        raise _UsageError("--refusals goes with --timeline (the diagram shows no refusals)")
    if args.review:
        subject = diagram(_read_review(args.review, definition), at=_instant(args.at))
    else:
        if args.at:
            raise _UsageError("--at goes with --review (a process diagram has no clocks)")
        subject = diagram(definition)
    fmt = args.format or "mermaid"
    _write(args.output, subject.render(fmt), binary=fmt in ("png", "pdf"))
    return 0


def _note_without_graphviz(instead: str) -> None:
    """Say on stderr when a drawing could not be made for want of Graphviz."""
    import shutil

    if shutil.which("dot") is None:
        print(
            f"cspr-workflow: note: Graphviz's `dot` is not installed, so {instead} "
            "(install Graphviz, e.g. `apt install graphviz`, to draw it)",
            file=sys.stderr,
        )


def _report(args: argparse.Namespace) -> int:
    if args.store is not None:
        return _portfolio_report(args)
    if args.review is None:
        raise _UsageError(
            "report takes a review's JSON document (REVIEW), or --store URL --out DIR for "
            "the portfolio of every stored review"
        )
    for option, value in (
        ("--out", args.out),
        ("--from", args.start),
        ("--to", args.end),
        ("--no-diagrams", args.no_diagrams or None),
        ("--jobs", args.jobs or None),
    ):
        if value is not None:
            raise _UsageError(f"{option} goes with --store (the portfolio of a store's reviews)")
    from ._report import audit_report

    review = _read_review(args.review, _definition(args), args.refusals)
    report = audit_report(
        review, at=_instant(args.at), head=args.head, refusals_head=args.refusals_head
    )
    text = report.html() if args.format == "html" else report.markdown()
    if args.format == "html":
        _note_without_graphviz("the report shows the route on the process diagram as Mermaid text")
    _write(args.output, text.encode("utf-8"), binary=False)
    return 0 if all(check.ok for check in report.checks()) else 1


def _day(text: str | None, option: str) -> pendulum.Date | None:
    """``--from``/``--to``: an ISO 8601 date."""
    if text is None:
        return None
    import pendulum

    try:
        parsed = pendulum.Date.fromisoformat(text)
    except ValueError:
        raise _UsageError(f"{option} takes a date (YYYY-MM-DD), not {text!r}") from None
    return pendulum.Date(parsed.year, parsed.month, parsed.day)


def _open_store(url: str, definition: ProcessDefinition) -> ReviewStore:
    """The store at ``url``; a SQLite file must exist (a mistyped path would otherwise make
    a new, empty store and an empty portfolio)."""
    import sqlalchemy as sa

    from ._store import ReviewStore

    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise _UsageError(
            f"--store takes a database URL (sqlite:///reviews.db, postgresql+psycopg://...), "
            f"not {url!r}"
        ) from None
    database = parsed.database or ""
    sqlite_file = parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:")
    if sqlite_file and not Path(database).is_file():
        raise _UsageError(f"--store: there is no SQLite database {database!r}")
    try:
        return ReviewStore(url, definitions=[definition])
    except InvalidInput as error:  # (a scheme with no dialect or driver installed)
        raise _UsageError(f"--store: {error}") from None
    except sa.exc.SQLAlchemyError as error:
        raise _UsageError(f"--store: cannot open {url!r} ({type(error).__name__})") from None


def _portfolio_report(args: argparse.Namespace) -> int:
    import os
    import time
    from concurrent.futures import ThreadPoolExecutor

    import pendulum

    from ._portfolio import PortfolioRow, portfolio
    from ._report import audit_report

    if args.review is not None:
        raise _UsageError("give a review's JSON document (REVIEW) or --store, not both")
    if args.out is None:
        raise _UsageError("--store writes the portfolio and each review's report: pass --out DIR")
    for option, value in (
        ("--refusals", args.refusals),
        ("--head", args.head),
        ("--refusals-head", args.refusals_head),
        ("-o/--output", args.output),
    ):
        if value is not None:
            raise _UsageError(f"{option} goes with a REVIEW document, not with --store")
    if args.format != "html":
        raise _UsageError("--store writes HTML (and CSV); --format md goes with a REVIEW document")
    if args.jobs < 0:
        raise _UsageError("--jobs must be 0 (one per core) or more")
    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    # The portfolio is of now unless --at says otherwise: a board reads it on the day.
    at = _instant(args.at) or pendulum.now("Europe/London")
    began = time.perf_counter()
    store = _open_store(args.store, _definition(args))
    view = portfolio(store, at=at, start=start, end=end)
    if not args.no_diagrams:  # (after every usage error, which starts with the usage)
        _note_without_graphviz(
            "each review's report shows the route on the process diagram as Mermaid text"
        )
    out = Path(args.out)
    folder = out / _REPORTS
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _UsageError(f"cannot make the folder {str(folder)!r}: {error.strerror}") from None

    def write(path: Path, text: str) -> None:
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise _UsageError(f"cannot write {str(path)!r}: {error.strerror}") from None

    write(out / "index.html", view.html(reports=f"{_REPORTS}/"))
    write(out / "figures.csv", view.figures_csv())
    write(out / "reviews.csv", view.rows_csv())
    read = time.perf_counter() - began

    def report(row: PortfolioRow) -> tuple[str, bool]:
        written = audit_report(row.review, at=at)
        write(folder / row.report, written.html(diagram=not args.no_diagrams))
        return row.reference, all(check.ok for check in written.checks())

    jobs = args.jobs or os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=jobs) as pool:  # Graphviz runs beside Python
        results = list(pool.map(report, view.rows))
    failed = [reference for reference, ok in results if not ok]
    seconds = time.perf_counter() - began
    print(
        f"wrote {out / 'index.html'} ({len(view.rows)} reviews as at "
        f"{at.to_datetime_string()}, {len(view.in_trouble)} needing action now), "
        f"figures.csv, reviews.csv ({read:.1f} s) and {len(results)} audit reports in "
        f"{folder} ({seconds - read:.1f} s)",
        file=sys.stderr,
    )
    for reference, why in view.unreadable:
        print(f"cspr-workflow: {reference} could not be read: {why}", file=sys.stderr)
    for reference in failed:
        print(
            f"cspr-workflow: {reference}: a verification failed (see its report)", file=sys.stderr
        )
    return 1 if failed or view.unreadable else 0


_REPORTS = "reviews"  # the folder beside index.html that holds each review's report


def _status(args: argparse.Namespace) -> int:
    from ._text import visible

    def say(text: object = "") -> None:
        # Free text from the review (a detail, an agency) is shown, never acted on: no
        # escape sequence or other control character reaches the terminal.
        for line in str(text).split("\n"):
            print(visible(line))

    recorded = _read_review(args.review, _definition(args))
    at = _instant(args.at) or recorded.state.last_at
    review = recorded.as_at(at)  # before the last step: the review as it stood then
    definition = review.definition
    state = review.state
    say(f"Review {review.reference} ({definition.name})")
    if review is not recorded:
        say(f"  as at {at.to_datetime_string()}: later steps are left out")
    say(f"  stage: {definition.stage(state.stage).title}")
    steps = len(state.history)
    every = "" if review is recorded else f" ({len(recorded.state.history)} in all)"
    say(f"  steps recorded: {steps}{every}; last on {state.last_at.to_datetime_string()}")
    say()
    say(review.deadlines(at=at))
    say()
    options = review.options(at=at)
    if not options:
        say("Nothing can happen next: the review is over.")
        return 0
    say(f"What can happen next (as at {at.to_datetime_string()}):")
    owed = {o.trigger for o in review.owed(at=at)}
    for option in options:
        who = ", ".join(definition.role_title(r) for r in option.roles)
        dest = definition.stage(option.dest).title
        mark = "ready" if option.ready else "blocked"
        if option.trigger in owed:
            mark += "; OWED now (see Owed above)"
        say(f"  - {option.title} -> {dest}; by {who}; {mark}")
        for reason in option.unmet:
            say(f"      {reason.title}: {reason.message}")
    return 0


def _simulate(args: argparse.Namespace) -> int:
    import json

    from ._scenario import Scenario
    from ._simulate import simulate

    definition = _definition(args)
    scenario = definition.scenario or Scenario()
    if args.scenario:
        try:
            data = json.loads(Path(args.scenario).read_text())
        except OSError as error:
            raise _UsageError(
                f"cannot read the scenario {args.scenario!r}: {error.strerror}"
            ) from None
        except ValueError as error:
            raise _UsageError(f"the scenario {args.scenario!r} is not JSON: {error}") from None
        if not isinstance(data, dict):
            raise _UsageError("a scenario file holds a JSON object of scenario fields")
        try:
            scenario = Scenario.from_dict(data, base=scenario)
        except ValueError as error:
            raise _UsageError(f"{args.scenario}: {error}") from None
    if args.reviews < 1:
        raise _UsageError("--reviews must be at least 1")
    result = simulate(
        args.reviews,
        seed=args.seed,
        scenario=scenario,
        workers=args.workers,
        definition=definition,
    )
    print(result.describe())
    return 0


# -- the parser ------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cspr-workflow",
        description="Local Child Safeguarding Practice Reviews as a verified state machine.",
        epilog="Exit codes: 0 success, 1 a library error or a failed check, 2 a usage error.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, description: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=description)
        sub.set_defaults(usage=sub)  # a usage error shows this command's usage
        return sub

    def definition_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--definition",
            metavar="MODULE:OBJECT",
            help="a partnership's own process: a ProcessDefinition or a function returning "
            "one (default: the library's DEFAULT_DEFINITION)",
        )

    def at_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--at",
            metavar="WHEN",
            help="the instant the clocks are read at: ISO 8601, London time unless an offset "
            "is given (default: the review's last step)",
        )

    demo = command(
        "demo",
        "run a complete fictional review from awareness to closure",
        "Run a complete fictional review (Child A) from the serious incident to closure, "
        "printing each step, two refused steps with their reasons, a summary and the clocks.",
    )
    demo.add_argument(
        "--save",
        metavar="FILE",
        help="also write the review's JSON document, and its refusal log beside it "
        "(FILE.json -> FILE.refusals.json)",
    )
    demo.set_defaults(run=_demo)

    table = command(
        "table",
        "print the process table (Markdown)",
        "Print the process definition's transitions, stages, permissions, guards, roles or "
        "clocks as Markdown.",
    )
    table.add_argument(
        "what",
        choices=["transitions", "stages", "permissions", "guards", "roles", "clocks"],
        nargs="?",
        default="transitions",
    )
    definition_option(table)
    table.set_defaults(run=_table)

    verify = command(
        "verify",
        "prove the statutory properties of a process definition",
        "Explore every reachable abstract state of a process definition and check the "
        "properties it lists on every path (for the default process: the approval chain in "
        "order on one draft, no panel meeting before the methodology is agreed, no step past "
        "the due date without a delay notice, and the rest). Prints what was explored and a "
        "shortest counterexample for each violated property. Exit codes: 0 proved, 1 a "
        "property is violated, 2 a usage error, 3 the exploration was cut short by "
        "--max-states.",
    )
    definition_option(verify)
    verify.add_argument(
        "--max-states",
        type=int,
        default=200_000,
        metavar="N",
        help="stop exploring after N abstract states (default: 200000)",
    )
    verify.set_defaults(run=_verify)

    schema = command(
        "schema",
        "print the JSON Schema of the review document",
        "Print the JSON Schema (2020-12) of the review document that dumps() writes and "
        "loads() reads (or, with --refusals, of the refusal log that dumps_refusals() "
        "writes), for integrators in other languages.",
    )
    schema.add_argument("--refusals", action="store_true", help="the refusal log's schema instead")
    schema.set_defaults(run=_schema)

    diagram = command(
        "diagram",
        "draw the process, or a review's path on it",
        "Draw the process definition (every stage and transition, with roles and guards, the "
        "approval chain and the completion clock; guards by key, each given in full once in "
        "the key; a legend of the samples drawn), or with --review a review's path on it. "
        "mermaid and dot are text; svg, png and pdf need Graphviz's dot program. With "
        "--review and --timeline, the review's path as a timeline instead (SVG, no Graphviz "
        "needed): a lane per stage visited, each stay a bar; its delay notices, refused "
        "steps (from --refusals), returns, approvals and holds; its clocks' due dates.",
    )
    diagram.add_argument(
        "--format",
        choices=["mermaid", "dot", "svg", "png", "pdf"],
        default=None,
        help="default: mermaid (svg with --timeline, the only format it has)",
    )
    diagram.add_argument("--review", metavar="FILE", help="a review's JSON document")
    diagram.add_argument(
        "--timeline",
        action="store_true",
        help="with --review: draw the review's path as a timeline (SVG)",
    )
    diagram.add_argument(
        "--refusals",
        metavar="LOG",
        help="with --timeline: the review's refusal log (kept apart from its document), "
        "to mark its refused steps",
    )
    definition_option(diagram)
    at_option(diagram)
    diagram.add_argument("-o", "--output", metavar="OUT", help="the file to write (default: -)")
    diagram.set_defaults(run=_diagram)

    report = command(
        "report",
        "write a review's audit report, or the portfolio of a store's reviews",
        "Write the audit report of a review: its path as a timeline and on the process "
        "diagram, a table of its stages, its clocks, the verification of its history (hash "
        "chain and seal, refusal log, replay, the statutory properties), the full history "
        "and the refused "
        "steps. The HTML is one self-contained file that works offline. With --store URL "
        "--out DIR instead of REVIEW: the portfolio of every review in the store, "
        "DIR/index.html (each review's stage, clocks, overdue clocks and delay notices "
        "owed, action plan; those needing action first; sortable; the figures of the "
        "period --from to --to), DIR/figures.csv, DIR/reviews.csv and each review's audit "
        "report in DIR/reviews/. Exit code 1 when a verification fails.",
    )
    report.add_argument(
        "review", metavar="REVIEW", nargs="?", help="the review's JSON document (or --store)"
    )
    report.add_argument(
        "--refusals",
        metavar="LOG",
        help="the review's refusal log (as `demo --save` writes it), for its refused steps",
    )
    report.add_argument("--format", choices=["html", "md"], default="html", help="default: html")
    report.add_argument(
        "--head",
        metavar="SHA256",
        type=_sha256,
        help="the history head kept elsewhere, to compare (64 hexadecimal digits)",
    )
    report.add_argument(
        "--refusals-head",
        metavar="SHA256",
        type=_sha256,
        help="the refusal log's head kept elsewhere (64 hexadecimal digits)",
    )
    definition_option(report)
    report.add_argument(
        "--at",
        metavar="WHEN",
        help="the instant the clocks are read at: ISO 8601, London time unless an offset "
        "is given (default: the review's last step; with --store, now)",
    )
    report.add_argument("-o", "--output", metavar="OUT", help="the file to write (default: -)")
    report.add_argument(
        "--store",
        metavar="URL",
        help="the portfolio of every review in this store (sqlite:///reviews.db, "
        "postgresql+psycopg://...) instead of one REVIEW",
    )
    report.add_argument(
        "--out", metavar="DIR", help="with --store: the folder to write the portfolio into"
    )
    report.add_argument(
        "--from",
        dest="start",
        metavar="DATE",
        help="with --store: the first day of the figures' period (default: a year before --to)",
    )
    report.add_argument(
        "--to",
        dest="end",
        metavar="DATE",
        help="with --store: the last day of the figures' period (default: the day of --at)",
    )
    report.add_argument(
        "--no-diagrams",
        action="store_true",
        help="with --store: leave the path diagram out of each review's report (drawing it "
        "with Graphviz is most of the time the reports take); the timeline stays",
    )
    report.add_argument(
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help="with --store: audit reports written at once (default 0: one per core)",
    )
    report.set_defaults(run=_report)

    status = command(
        "status",
        "show a review's stage, clocks, and what can happen next",
        "Show a review's stage, every clock (due dates, status, provenance), and each step "
        "the process offers next: who may take it and what still blocks it.",
    )
    status.add_argument("review", metavar="REVIEW", help="the review's JSON document")
    definition_option(status)
    at_option(status)
    status.set_defaults(run=_status)

    simulate = command(
        "simulate",
        "simulate many reviews through the engine and summarise their timelines",
        "Simulate reviews through the real engine on a virtual clock and print the summary: "
        "the share completed on time (for the default process: published within six months "
        "of the decision), the median and 90th percentile time to completion, delay notices, "
        "and the working days spent in each stage. The same seed gives the same result "
        "whatever the number of workers.",
    )
    simulate.add_argument("--reviews", type=int, default=1000, metavar="N", help="default: 1000")
    simulate.add_argument("--seed", type=int, default=0, metavar="S", help="default: 0")
    simulate.add_argument(
        "--scenario",
        metavar="FILE",
        help="a JSON object of Scenario fields laid over the definition's own scenario, e.g. "
        '{"stage_days": {"drafting": {"low": 5, "mode": 10, "high": 20}}}',
    )
    definition_option(simulate)
    simulate.add_argument(
        "--workers", type=int, default=1, metavar="W", help="processes (0: one per core)"
    )
    simulate.set_defaults(run=_simulate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except _UsageError as error:
        getattr(args, "usage", parser).print_usage(sys.stderr)
        print(f"cspr-workflow: error: {error}", file=sys.stderr)
        return 2
    except CsprWorkflowError as error:
        print(f"cspr-workflow: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader stopped early (`| head`): stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
