"""The ``cspr-workflow`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._errors import CsprWorkflowError

if TYPE_CHECKING:
    from ._definition import ProcessDefinition

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


def _load_definition(spec: str) -> ProcessDefinition:
    """``module:object``: a ProcessDefinition, or a callable returning one."""
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
    except ImportError as error:
        raise _UsageError(f"--definition: cannot import {module_name!r} ({error})") from None
    for part in attribute.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise _UsageError(f"--definition: {module_name!r} has no {attribute!r}") from None
    if callable(value) and not isinstance(value, type | ProcessDefinition):
        value = value()
    if not isinstance(value, ProcessDefinition):
        raise _UsageError(
            f"--definition: {spec} is a {type(value).__name__}, not a ProcessDefinition "
            "(or a function returning one)"
        )
    return value


class _UsageError(Exception):
    """A bad option: reported on stderr with exit code 2."""


def _verify(args: argparse.Namespace) -> int:
    from ._verify import verify

    definition = _load_definition(args.definition) if args.definition else None
    result = verify(definition, max_states=args.max_states)
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
    return 0


def _schema(args: argparse.Namespace) -> int:
    import json

    from ._persist import json_schema

    print(json.dumps(json_schema(), indent=2, sort_keys=True))
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
    verify = commands.add_parser(
        "verify",
        help="prove the statutory properties of a process definition",
        description="Explore every reachable abstract state of a process definition and check "
        "the statutory properties on every path: approvals CRP -> CRG -> Executive of one draft, "
        "no panel meeting before the methodology is agreed, no step past the due date without a "
        "delay notice, and the rest. Prints what was explored and a shortest counterexample for "
        "each violated property. Exit codes: 0 proved, 1 a property is violated, 2 a usage "
        "error, 3 the exploration was cut short by --max-states.",
    )
    verify.add_argument(
        "--definition",
        metavar="MODULE:OBJECT",
        help="a partnership's own definition: a ProcessDefinition or a function returning one "
        "(default: the library's DEFAULT_DEFINITION)",
    )
    verify.add_argument(
        "--max-states",
        type=int,
        default=200_000,
        metavar="N",
        help="stop exploring after N abstract states (default: 200000)",
    )
    verify.set_defaults(run=_verify)
    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of the review document",
        description="Print the JSON Schema (2020-12) of the review document that dumps() "
        "writes and loads() reads, for integrators in other languages.",
    )
    schema.set_defaults(run=_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except _UsageError as error:
        parser.print_usage(sys.stderr)
        print(f"cspr-workflow: error: {error}", file=sys.stderr)
        return 2
    except CsprWorkflowError as error:
        print(f"cspr-workflow: {error}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
