"""One exception root; messages name the rule, the review and what to do."""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import attrs
import pendulum
import pytest

import cspr_workflow
from cspr_workflow import (
    DEFAULT_DEFINITION,
    CsprWorkflowError,
    NotPermitted,
    Reason,
    Review,
    TimeWentBackwards,
    TransitionRefused,
    diagram,
    simulate,
)
from cspr_workflow.clocks import WorkingDayCalendar
from cspr_workflow.errors import (
    InvalidDefinition,
    InvalidInput,
    InvalidTime,
    UnknownName,
    UnknownTrigger,
)
from cspr_workflow.practice import DEFAULT_SCENARIO, with_agencies
from cspr_workflow.simulation import Duration, Repeat, Scenario, Shared, Sitting, sweep


@pytest.mark.parametrize(
    ("error", "builtin"),
    [
        (InvalidDefinition, ValueError),
        (InvalidTime, ValueError),
        (UnknownTrigger, LookupError),
        (UnknownName, KeyError),
    ],
)
def test_errors_subclass_the_builtin_they_resemble(error: type, builtin: type) -> None:
    assert issubclass(error, CsprWorkflowError)
    assert issubclass(error, builtin)


def test_refusals_share_one_family() -> None:
    for error in (NotPermitted, TimeWentBackwards):
        assert issubclass(error, TransitionRefused)
    assert issubclass(TransitionRefused, CsprWorkflowError)


def test_refusal_message_carries_every_reason() -> None:
    reasons = [
        Reason("rule_one", "rule one", "first problem.", "fix one."),
        Reason("rule_two", "rule two", "second problem.", "fix two."),
    ]
    error = TransitionRefused("Child A", "publish", "pre_publication", reasons)
    text = str(error)
    assert "review 'Child A': 'publish' refused at stage 'pre_publication'" in text
    assert "[rule one] first problem. To proceed: fix one." in text
    assert "[rule two]" in text
    assert error.rules == ("rule_one", "rule_two")
    assert error.titles == ("rule one", "rule two")


# -- every error a caller can cause is under the root -------------------------------------

_AWARE = pendulum.datetime(2026, 1, 5, 9, tz="Europe/London")


def _report_lookup() -> object:
    return Review.open("Child A", aware_at=_AWARE).deadlines(at=_AWARE)["C9"]


@pytest.mark.parametrize(
    ("look_up", "rule"),
    [
        (lambda: DEFAULT_DEFINITION.stage("drafing"), "known_stage"),
        (lambda: DEFAULT_DEFINITION.trigger("publsh"), "known_trigger"),
        (lambda: DEFAULT_DEFINITION.role("chiar"), "known_role"),
        (lambda: DEFAULT_DEFINITION.guard("no_such_rule"), "known_guard"),
        (lambda: DEFAULT_DEFINITION.bound_guard("no_such_rule"), "known_guard"),
        (lambda: DEFAULT_DEFINITION.policy.clock("C9"), "known_clock"),
        (_report_lookup, "known_clock"),
        (lambda: DEFAULT_DEFINITION.shortest_path("drafting", "publishd"), "known_stage"),
    ],
)
def test_a_lookup_by_an_unknown_name_says_which_names_there_are(
    look_up: Callable[[], object], rule: str
) -> None:
    with pytest.raises(UnknownName) as raised:
        look_up()
    error = raised.value
    assert isinstance(error, KeyError)  # (code that caught a mapping's KeyError still does)
    assert error.rule == rule
    assert f"[{rule}]. Use one of: " in str(error)
    assert not str(error).startswith(("'", '"'))  # not KeyError's quoted message


def test_an_unknown_stage_lists_the_definitions_stages() -> None:
    with pytest.raises(UnknownName) as raised:
        DEFAULT_DEFINITION.stage("drafing")
    assert str(raised.value).startswith(
        f"process definition {DEFAULT_DEFINITION.name!r} has no stage 'drafing' [known_stage]."
    )
    assert set(raised.value.known) == {s.name for s in DEFAULT_DEFINITION.stages}


def _other_definition() -> object:
    review = Review.open("Child A", aware_at=_AWARE)
    moved = attrs.evolve(review.state, stage="not_a_stage")
    return Review(moved, DEFAULT_DEFINITION)


def _someone_elses_refusals() -> object:
    mine = Review.open("Child A", aware_at=_AWARE)
    theirs = Review.open("Child B", aware_at=_AWARE)
    return Review(mine.state, DEFAULT_DEFINITION, refusals=theirs._log)


def _store(url: str) -> object:
    from cspr_workflow import ReviewStore

    return ReviewStore(url)


def _a_sweep_of_nothing() -> object:
    pytest.importorskip("pandas")
    return sweep({}, reviews=2)


def _a_gantt_of_no_review() -> object:
    pytest.importorskip("matplotlib")
    return simulate(2, seed=1).plot_gantt(review=7)


@pytest.mark.parametrize(
    ("misuse", "rule"),
    [
        (_other_definition, "stage_known"),
        (_someone_elses_refusals, "refusal_log"),
        (lambda: with_agencies(0), "agency_count"),
        (lambda: Duration(3, 2, 1), "scenario"),
        (lambda: Repeat(Duration(1, 1, 1), every=-1), "scenario"),
        (lambda: Sitting(), "scenario"),
        (lambda: Sitting(nth=5, weekday="monday"), "scenario"),
        (lambda: Shared(0, ("drafting",)), "scenario"),
        (lambda: Scenario(delay_margin_days=0), "scenario"),
        (lambda: Scenario.from_dict({"stage_dayz": {}}), "scenario"),
        (lambda: DEFAULT_SCENARIO.merged({"max_branches": "two"}), "scenario"),
        (_a_sweep_of_nothing, "sweep_parameter"),
        (lambda: diagram().render("gif"), "diagram_format"),
        (lambda: simulate(2, seed=1).to_pandas("rows"), "frame_kind"),
        (_a_gantt_of_no_review, "review_simulated"),
        (lambda: simulate(2, workers=-1), "workers_count"),
        (lambda: Review.open("Child A", aware_at=_AWARE, clock="now"), "clock_callable"),
        (lambda: _store("sqlite:/no/slashes/enough"), "store_url"),
        (lambda: _store("nosuchdatabase://host/db"), "store_url"),
        (lambda: WorkingDayCalendar.from_holidays_package("XX", None), "calendar_country"),
        (lambda: WorkingDayCalendar.from_holidays_package(years=[]), "calendar_years"),
        (lambda: attrs.evolve(DEFAULT_DEFINITION.policy.clocks[0], limit=0), "clock_limit"),
        (
            lambda: attrs.evolve(DEFAULT_DEFINITION.completion, max_extension_months=0),
            "max_extension_months",
        ),
        (
            lambda: WorkingDayCalendar(
                "X", {dt.datetime(2026, 1, 1, tzinfo=dt.UTC): "x"}, 2026, 2026
            ),
            "argument_type",
        ),
    ],
)
def test_a_misuse_is_refused_under_the_root_naming_its_rule(
    misuse: Callable[[], object], rule: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        misuse()
    assert isinstance(raised.value, CsprWorkflowError)
    assert raised.value.rule == rule
    assert f"[{rule}]. " in str(raised.value)  # and then what to do


_PERSON = "Jane Smith"


@pytest.mark.parametrize(
    "misuse",
    [
        lambda: Shared(_PERSON, ("drafting",)),
        lambda: Sitting(nth=1, weekday=_PERSON),
        lambda: Sitting(every_weeks=4, anchor=_PERSON),
        lambda: diagram().render(_PERSON),
        lambda: attrs.evolve(DEFAULT_DEFINITION.policy.clocks[0], limit=_PERSON),
        lambda: attrs.evolve(DEFAULT_DEFINITION.completion, max_extension_months=_PERSON),
        lambda: with_agencies(_PERSON),
        lambda: simulate(2, workers=_PERSON),
    ],
)
def test_a_refused_value_is_not_repeated(misuse: Callable[[], object]) -> None:
    """A value given where it does not belong may name a person: the error names the
    argument and what it takes, never the value."""
    with pytest.raises(InvalidInput) as raised:
        misuse()
    assert _PERSON not in str(raised.value)


_BUILTINS = {
    "AssertionError",
    "IndexError",
    "KeyError",
    "LookupError",
    "RuntimeError",
    "TypeError",
    "ValueError",
}

# The places that raise a built-in error on purpose, each with why no caller sees it as
# such. A new one fails the test below: raise an error of the library's tree instead (or,
# if callers never see it, add it here with the reason).
_BUILTIN_RAISES = {
    ("_details.py", "_text"): "a detail's parser: parse() turns it into a refusal's reason",
    ("_details.py", "_texts"): "a detail's parser, the same",
    ("_details.py", "_bool"): "a detail's parser, the same",
    ("_details.py", "_int"): "a detail's parser, the same",
    ("_details.py", "_choice"): "a detail's parser, the same",
    ("_details.py", "_roles"): "a detail's parser, the same",
    ("_details.py", "_recommendations"): "a detail's parser, the same",
    ("_codec.py", "plain"): "details reach it parsed by their specs, so always storable",
    ("_codec.py", "_strict.structure"): "reading a document: loads reports InvalidDocument",
    ("_codec.py", "_instant"): "reading a document, the same",
    ("_codec.py", "_date"): "reading a document, the same",
    ("_codec.py", "_details"): "reading a document, the same",
    ("_codec.py", "_roles"): "reading a document, the same",
    ("_codec.py", "_bad_role"): "reading a document, the same",
    ("_codec.py", "_strict_tuple.structure"): "reading a document, the same",
    ("_codec.py", "_stored_actor.structure"): "reading a document, the same",
    ("_declared.py", "_mapping"): "a converter: checked_fields makes it an InvalidInput",
    ("_schema.py", "_schema_of"): "building the JSON Schema of the library's own records",
    ("_sequence.py", "AppendOnly.__getitem__"): "the sequence protocol: IndexError ends a loop",
    ("_records.py", "_compile_evolve.evolve"): "evolve() with an unknown field, as attrs does",
    ("_fallback.py", "default_definition"): "the package names the default when it is imported",
    ("_timeline.py", "_Rows.place"): "unreachable: a row beyond every label is free",
    ("_scenario.py", "Sitting.next"): "unreachable: sittings go on for ever",
    ("demo.py", "_take"): "the demo's own check that a refusal it shows was refused",
}


def _builtin_raises() -> set[tuple[str, str]]:
    """(module file, enclosing function) of every ``raise`` of a built-in error."""
    found: set[tuple[str, str]] = set()

    def visit(node: ast.AST, module: str, where: tuple[str, ...]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                visit(child, module, (*where, child.name))
                continue
            if isinstance(child, ast.Raise) and child.exc is not None:
                raised = child.exc.func if isinstance(child.exc, ast.Call) else child.exc
                if isinstance(raised, ast.Name) and raised.id in _BUILTINS:
                    found.add((module, ".".join(where)))
            visit(child, module, where)

    for path in sorted(Path(cspr_workflow.__file__).parent.glob("*.py")):
        visit(ast.parse(path.read_text(encoding="utf-8")), path.name, ())
    return found


def test_the_library_raises_builtin_errors_only_where_no_caller_sees_them() -> None:
    found = _builtin_raises()
    new = sorted(found - set(_BUILTIN_RAISES))
    assert not new, f"built-in errors raised where a caller sees them: {new}"
    gone = sorted(set(_BUILTIN_RAISES) - found)
    assert not gone, f"listed places that raise no built-in error any more: {gone}"


# -- wrong values at the public boundary ---------------------------------------------------

_WRONG = [
    None,
    1,
    -1,
    2.5,
    "x",
    "",
    [],
    {},
    ["x"],
    {"a": 1},
    pendulum.naive(2026, 1, 5, 9),
    object(),
    True,
]


@pytest.fixture(scope="module")
def boundary(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Callable[[object], object]]:
    """Public calls, each taking one wrong value in one argument."""
    from cspr_workflow import (
        ReviewStore,
        Scenario,
        audit_report,
        check_review,
        dumps,
        loads,
        persistence,
        verification,
        views,
    )
    from cspr_workflow.default import with_local_choices
    from cspr_workflow.demo import ACTORS, demo_review
    from cspr_workflow.simulation import (
        compare,
        fit,
        observed,
        plot_sweep,
        plot_tornado,
        sensitivity,
        simulated_review,
    )

    review = demo_review()
    chair = ACTORS["chair"]
    later = review.state.last_at.add(days=1)
    store = ReviewStore(f"sqlite:///{tmp_path_factory.mktemp('store')}/reviews.db")
    store.add(review)
    text = dumps(review)
    result = simulate(3, seed=1)
    calendar = DEFAULT_DEFINITION.policy.calendar
    policy = DEFAULT_DEFINITION.policy
    d = DEFAULT_DEFINITION
    return {
        "Review.open(reference)": lambda x: Review.open(x, aware_at=_AWARE),
        "Review.open(aware_at)": lambda x: Review.open("Child Z", aware_at=x),
        "Review.open(definition)": lambda x: Review.open("Child Z", aware_at=_AWARE, definition=x),
        "Review(state)": lambda x: Review(x),
        "Review(clock)": lambda x: Review(review.state, clock=x),
        "Review(refusals)": lambda x: Review(review.state, refusals=x),
        "fire(trigger)": lambda x: review.fire(x, by=chair, at=later),
        "fire(by)": lambda x: review.fire("hold_panel_meeting", by=x, at=later),
        "fire(at)": lambda x: review.fire("hold_panel_meeting", by=chair, at=x),
        "fire(detail)": lambda x: review.fire("put_on_hold", by=chair, at=later, reason=x),
        "available(by)": lambda x: review.available(by=x, at=later),
        "check(trigger)": lambda x: review.check(x, by=chair, at=later),
        "deadlines(at)": lambda x: review.deadlines(at=x),
        "deadlines()[clock]": lambda x: review.deadlines(at=later)[x],
        "as_at(at)": lambda x: review.as_at(x),
        "loads(text)": lambda x: loads(x),
        "loads(definition)": lambda x: loads(text, definition=x),
        "dumps(review)": lambda x: dumps(x),
        "check_review(review)": lambda x: check_review(x),
        "check_review(properties)": lambda x: check_review(review, properties=x),
        "audit_report(review)": lambda x: audit_report(x),
        "diagram(review)": lambda x: diagram(x),
        "diagram().render(fmt)": lambda x: diagram().render(x),
        "period_report(reviews)": lambda x: views.period_report(x, start=_AWARE, end=later),
        "portfolio(reviews)": lambda x: views.portfolio(x, at=later),
        "timeline(review)": lambda x: views.timeline(x),
        "to_document(review)": lambda x: persistence.to_document(x),
        "replay(review)": lambda x: persistence.replay(x),
        "ReviewStore(url)": lambda x: ReviewStore(x),
        "ReviewStore(definitions)": lambda x: ReviewStore("sqlite://", definitions=[x]),
        "store.load(reference)": lambda x: store.load(x),
        "store.fire(at)": lambda x: store.fire("Child A", "hold_panel_meeting", by=chair, at=x),
        "store.save(version)": lambda x: store.save(review, expected_version=x),
        "store.references(stage)": lambda x: store.references(stage=x),
        "store.overdue(at)": lambda x: store.overdue(at=x),
        "in store": lambda x: x in store,
        "calendar.add_working_days": lambda x: calendar.add_working_days(_AWARE.date(), x),
        "calendar.is_working_day": lambda x: calendar.is_working_day(x),
        "calendar from the holidays package": lambda x: WorkingDayCalendar.from_holidays_package(
            years=x
        ),
        "policy.with_limits": lambda x: policy.with_limits(C3=x),
        "policy.clock": lambda x: policy.clock(x),
        "definition.stage": lambda x: d.stage(x),
        "definition.steps_from": lambda x: d.steps_from(x),
        "definition.shortest_path": lambda x: d.shortest_path(x, "published"),
        "with_local_choices": lambda x: with_local_choices(x),
        "candidate_steps": lambda x: list(verification.candidate_steps(x, review.state, later)),
        "simulate(reviews)": lambda x: simulate(x),
        "simulate(scenario)": lambda x: simulate(2, scenario=x),
        "simulate(workers)": lambda x: simulate(2, workers=x),
        "simulated_review(index)": lambda x: simulated_review(x),
        "Scenario.from_dict": lambda x: Scenario.from_dict(x),
        "result.to_pandas": lambda x: result.to_pandas(x),
        "result.plot_against": lambda x: result.plot_against(x),
        "compare": lambda x: compare(x, reviews=2),
        "fit": lambda x: fit(x),
        "observed": lambda x: observed(x, at=later),
        "sweep": lambda x: sweep(x, reviews=2),
        "sensitivity": lambda x: sensitivity(x, reviews=2),
        "plot_sweep": lambda x: plot_sweep(x),
        "plot_tornado": lambda x: plot_tornado(x),
    }


def test_a_wrong_value_anywhere_at_the_boundary_raises_only_the_librarys_errors(
    boundary: dict[str, Callable[[object], object]],
) -> None:
    pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    escaped = []
    for name, call in boundary.items():
        for value in _WRONG:
            try:
                call(value)
            except CsprWorkflowError:
                pass
            except Exception as error:  # (the test is that none escapes)
                escaped.append(f"{name} <- {value!r:.30}: {type(error).__name__}: {error}")
    assert not escaped, "\n".join(escaped)


def _declarations() -> list[tuple[str, object]]:
    from cspr_workflow.extension import Policy

    d = DEFAULT_DEFINITION
    trigger = next(t for t in d.triggers if t.details)
    parts: list[object] = [
        d.stages[0],
        trigger,
        trigger.details[0],
        d.transitions[0],
        next(iter(d.guards.values())),
        d.roles[0],
        d.policy.clocks[0],
        d.completion,
        d.approvals,
        d.properties[0],
        d,
    ]
    assert isinstance(d.policy, Policy)
    parts.append(d.policy)
    parts += [  # and a simulation's scenario, part by part
        DEFAULT_SCENARIO,
        Duration(1, 2, 3),
        Repeat(Duration(1, 1, 1)),
        Sitting(nth=1, weekday="monday"),
        Sitting(every_weeks=2, anchor="2026-01-08"),
        Shared(1, ("drafting",)),
    ]
    return [
        (f"{type(part).__name__}.{field.name}", part)
        for part in parts
        for field in attrs.fields(type(part))
        if field.init
    ]


def test_a_wrong_part_in_a_declaration_is_refused_as_the_librarys_error() -> None:
    """Every field of every kind of declaration (stages, triggers, rows, guards, roles,
    clocks, the rules, the definition itself, a scenario and its parts), given each wrong
    value: what a local variant's author or an analyst gets is the library's error,
    naming the field or the part."""
    escaped = []
    for name, part in _declarations():
        field = name.split(".", 1)[1]
        for value in _WRONG:
            try:
                attrs.evolve(part, **{field: value})
            except CsprWorkflowError:
                pass
            except Exception as error:  # (the test is that none escapes)
                escaped.append(f"{name} <- {value!r:.30}: {type(error).__name__}: {error}")
    for argument in ("stages", "triggers", "transitions", "guards", "roles", "without"):
        for value in _WRONG:
            try:
                DEFAULT_DEFINITION.extend(**{argument: value})
            except CsprWorkflowError:
                pass
            except Exception as error:
                escaped.append(f"extend({argument}=) <- {value!r:.30}: {error!r}")
    assert not escaped, "\n".join(escaped)


def test_a_definition_names_each_part_of_the_wrong_kind() -> None:
    d = DEFAULT_DEFINITION
    with pytest.raises(InvalidDefinition) as raised:
        attrs.evolve(d, stages=["drafting", *d.stages], policy=None)
    assert raised.value.messages == (
        "stages[0]: expected a StageSpec, got str",
        "policy: expected a Policy, got NoneType",
    )
    with pytest.raises(InvalidInput, match=r"^TransitionSpec\.guards: expected a list of names"):
        attrs.evolve(d.transitions[0], guards="methodology_agreed")  # (not its letters)
