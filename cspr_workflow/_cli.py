"""The ``cspr-workflow`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._errors import CsprWorkflowError

__all__ = ["main"]


def _demo(args: argparse.Namespace) -> int:
    from ._demo import run_demo

    run_demo(sys.stdout)
    return 0


def _table(args: argparse.Namespace) -> int:
    from .states import DEFAULT_DEFINITION

    if args.what == "stages":
        sys.stdout.write(DEFAULT_DEFINITION.stage_table())
    elif args.what == "permissions":
        sys.stdout.write(DEFAULT_DEFINITION.permission_table())
    else:
        sys.stdout.write(DEFAULT_DEFINITION.process_table())
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cspr-workflow",
        description="Local Child Safeguarding Practice Reviews as a verified state machine.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="run a complete fictional review from awareness to closure",
        description="Run a complete fictional review (Child A) from the serious incident to "
        "closure, printing each step, two refused steps with their reasons, and a summary.",
    )
    demo.set_defaults(run=_demo)
    table = commands.add_parser(
        "table",
        help="print the default process table (Markdown)",
        description="Print the default process definition's stages or transitions as Markdown.",
    )
    table.add_argument(
        "what", choices=["transitions", "stages", "permissions"], nargs="?", default="transitions"
    )
    table.set_defaults(run=_table)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except CsprWorkflowError as error:
        print(f"cspr-workflow: {error}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
