"""ReviewStore against real databases: SQLite always, PostgreSQL where a server is given.

``CSPR_TEST_POSTGRES_URL`` names a PostgreSQL database (``.ci/run`` starts one on
loopback with ``.ci/postgres``); with ``CSPR_REQUIRE_POSTGRES=1`` its absence is a
failure, not a skip, so CI cannot pass without it.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pendulum
import pytest
import sqlalchemy as sa

from cspr_workflow import (
    DEFAULT_DEFINITION,
    CsprWorkflowError,
    Review,
    ReviewStore,
    Stage,
    TransitionRefused,
    Trigger,
    dumps,
)
from cspr_workflow._clocks import running_clocks
from cspr_workflow._store import _METADATA
from cspr_workflow.errors import ConcurrentUpdate, ReviewExists, ReviewNotFound, UnknownDefinition
from cspr_workflow.extension import StageSpec, TransitionSpec, TriggerSpec

from .builders import AWARE, WHO, Walker

T = Trigger
CHAIR = WHO["chair"]
POSTGRES = os.environ.get("CSPR_TEST_POSTGRES_URL")
REQUIRED = os.environ.get("CSPR_REQUIRE_POSTGRES") == "1"


def _postgres() -> str:
    if POSTGRES is None:
        if REQUIRED:
            pytest.fail("CSPR_REQUIRE_POSTGRES=1 but CSPR_TEST_POSTGRES_URL is not set")
        pytest.skip("no PostgreSQL server (set CSPR_TEST_POSTGRES_URL; .ci/run does)")
    return POSTGRES


# One PostgreSQL database serves the run, and each test starts by dropping its tables: the
# PostgreSQL tests run in one worker process, one at a time.
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.xdist_group("pg"))])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'reviews.db'}"
        return
    url = _postgres()
    engine = sa.create_engine(url)
    _METADATA.drop_all(engine)
    engine.dispose()
    yield url


@pytest.fixture
def store(url: str) -> Iterator[ReviewStore]:
    store = ReviewStore(url, definitions=[DEFAULT_DEFINITION, EXPLODING])
    yield store
    store.engine.dispose()


def in_panel_review() -> Review:
    """Child A after its first panel meeting: another meeting can always be held."""
    return Walker().to_panel_review().review


MEETING_AT = pendulum.datetime(2026, 2, 20, 10, tz="Europe/London")


def _explode(state, ctx):  # type: ignore[no-untyped-def]
    raise RuntimeError("the effect failed half way")


EXPLODING = DEFAULT_DEFINITION.extend(
    name="with a failing step",
    stages=[StageSpec("limbo", "Limbo", "Never reached")],
    triggers=[TriggerSpec("explode", "explode", "An effect that raises", effect=_explode)],
    transitions=[
        TransitionSpec("explode", Stage.AWARE, "limbo", {WHO["la"].role}),
        TransitionSpec(T.CLOSE_REVIEW, "limbo", Stage.CLOSED, {WHO["la"].role}),
    ],
)


# -- the basics ------------------------------------------------------------------------------


def test_add_load_and_list(store: ReviewStore) -> None:
    review = in_panel_review()
    assert store.add(review) == 1
    stored = store.load("Child A")
    assert stored.version == 1
    assert stored.review.state == review.state
    assert "Child A" in store
    assert "Child Z" not in store
    store.add(Review.open("Child B", aware_at=AWARE))
    assert store.references() == ["Child A", "Child B"]
    assert store.references(stage=Stage.PANEL_REVIEW) == ["Child A"]
    assert store.references(stage=Stage.AWARE) == ["Child B"]


def test_a_reference_is_stored_once(store: ReviewStore) -> None:
    store.add(in_panel_review())
    with pytest.raises(ReviewExists):
        store.add(in_panel_review())


def test_a_missing_review_is_named(store: ReviewStore) -> None:
    with pytest.raises(ReviewNotFound, match="Child Q"):
        store.load("Child Q")
    with pytest.raises(ReviewNotFound):
        store.fire("Child Q", T.NOTIFY_NATIONAL_PANEL, by=WHO["la"], at=AWARE)


def test_a_review_of_an_unknown_definition_is_refused(url: str) -> None:
    store = ReviewStore(url)
    with pytest.raises(UnknownDefinition, match="with a failing step"):
        store.add(Review.open("Child C", aware_at=AWARE, definition=EXPLODING))
    store.engine.dispose()


def test_fire_takes_the_step_and_saves_it(store: ReviewStore) -> None:
    store.add(in_panel_review())
    entry = store.fire("Child A", T.HOLD_PANEL_MEETING, by=CHAIR, at=MEETING_AT)
    stored = store.load("Child A")
    assert stored.version == 2
    assert stored.review.history[-1] == entry


def test_a_store_reads_what_it_wrote_as_a_new_store_would(store: ReviewStore, url: str) -> None:
    """A store keeps the documents it last read or wrote, so as not to read its own
    writing again: what it gives back is what a store that never saw them reads."""
    store.add(in_panel_review())
    for hour in range(3):
        store.fire("Child A", T.HOLD_PANEL_MEETING, by=CHAIR, at=MEETING_AT.add(hours=hour))
    with pytest.raises(TransitionRefused):
        store.fire("Child A", T.HOLD_PANEL_MEETING, by=WHO["pdeo"], at=MEETING_AT.add(hours=5))
    warm = store.load("Child A")
    fresh = ReviewStore(url, definitions=[DEFAULT_DEFINITION, EXPLODING])
    cold = fresh.load("Child A")
    fresh.engine.dispose()
    assert warm.version == cold.version == 4
    assert warm.review.state == cold.review.state
    assert dumps(warm.review) == dumps(cold.review)
    assert warm.review.refusals == cold.review.refusals
    assert len(warm.review.refusals) == 1
    assert warm.review.refusals_complete == cold.review.refusals_complete
    assert warm.review.refusals_head == cold.review.refusals_head


def test_a_document_changed_behind_the_store_is_read_and_checked_again(
    store: ReviewStore, url: str
) -> None:
    store.add(in_panel_review())
    store.load("Child A")  # the store now knows this document
    other = ReviewStore(url, definitions=[DEFAULT_DEFINITION, EXPLODING])
    entry = other.fire("Child A", T.HOLD_PANEL_MEETING, by=CHAIR, at=MEETING_AT)
    other.engine.dispose()
    assert store.load("Child A").review.history[-1] == entry  # another writer's step shows
    with store.engine.begin() as conn:  # an edit of the text the store itself read
        document = conn.execute(sa.text("SELECT document FROM cspr_reviews")).scalar_one()
        edited = document.replace('"KLOE 1"', '"KLOE 9"')
        assert edited != document
        conn.execute(sa.text("UPDATE cspr_reviews SET document = :d"), {"d": edited})
    with pytest.raises(CsprWorkflowError, match="the chain is broken at step 3"):
        store.load("Child A")


def test_overdue_clocks_are_found_by_query(store: ReviewStore) -> None:
    store.add(in_panel_review())  # commissioned 2026-01-05: C3 due 2026-07-05
    store.add(Review.open("Child B", aware_at=AWARE))  # C1 due 2026-01-12
    at = pendulum.datetime(2026, 8, 1, tz="Europe/London")
    found = [(o.reference, o.clock, str(o.due)) for o in store.overdue(at=at)]
    assert found == [("Child B", "C1", "2026-01-12"), ("Child A", "C3", "2026-07-05")]
    assert [o.reference for o in store.overdue(at=at, clock="C3")] == ["Child A"]
    assert store.overdue(at=pendulum.datetime(2026, 1, 6, tz="Europe/London")) == []


def test_a_delay_notice_moves_the_stored_due_date(store: ReviewStore) -> None:
    store.add(in_panel_review())
    store.fire(
        "Child A",
        T.NOTIFY_DELAY,
        by=WHO["pdeo"],
        at=MEETING_AT,
        reason="Criminal trial",
        revised_date="2026-10-31",
        recipients=["national_panel", "executive"],
    )
    assert store.overdue(at=pendulum.datetime(2026, 8, 1, tz="Europe/London")) == []


def test_the_store_keeps_the_reference_not_people(store: ReviewStore) -> None:
    store.add(in_panel_review())
    columns = {c["name"] for c in sa.inspect(store.engine).get_columns("cspr_reviews")}
    assert columns == {"reference", "version", "definition", "stage", "document", "updated_at"}


# -- atomicity -----------------------------------------------------------------------------------


def _row(store: ReviewStore, reference: str = "Child A") -> tuple[int, str]:
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT version, document FROM cspr_reviews WHERE reference = :r"),
            {"r": reference},
        ).one()
    return row.version, row.document


def test_a_refused_step_leaves_the_row_and_is_logged(store: ReviewStore) -> None:
    store.add(in_panel_review())
    before = _row(store)
    for _ in range(2):
        with pytest.raises(TransitionRefused):
            store.fire("Child A", T.PUBLISH, by=WHO["executive"], at=MEETING_AT)
    assert _row(store) == before
    refusals = store.get("Child A").refusals
    assert [(r.seq, r.trigger) for r in refusals] == [(1, "publish"), (2, "publish")]
    assert store.refusals_head("Child A") == store.get("Child A").refusals_head


def test_an_exception_in_a_step_writes_nothing(store: ReviewStore) -> None:
    store.add(Review.open("Child D", aware_at=AWARE, definition=EXPLODING))
    before = _row(store, "Child D")
    with pytest.raises(RuntimeError, match="half way"):
        store.fire("Child D", "explode", by=WHO["la"], at=MEETING_AT)
    assert _row(store, "Child D") == before


def test_a_crash_while_saving_writes_nothing(
    store: ReviewStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add(in_panel_review())
    before = _row(store)

    def crash(self: ReviewStore, *args: object) -> None:
        raise OSError("the disk went away after the review row was updated")

    monkeypatch.setattr(ReviewStore, "_write_clocks", crash)
    with pytest.raises(OSError, match="disk went away"):
        store.fire("Child A", T.HOLD_PANEL_MEETING, by=CHAIR, at=MEETING_AT)
    monkeypatch.undo()
    assert _row(store) == before


def _clock_rows(store: ReviewStore) -> list[tuple[str, str, str]]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT clock, kind, due FROM cspr_review_clocks"))
        return sorted((clock, kind, str(due)) for clock, kind, due in rows)


def _running(review: Review) -> list[tuple[str, str, str]]:
    policy, completion = review.definition.policy, review.definition.completion
    found = running_clocks(policy, completion, review.state)
    return sorted((spec.id, spec.kind.value, str(due)) for spec, due in found)


def test_the_clock_rows_follow_every_step_whichever_store_takes_it(url: str) -> None:
    """Each step leaves the rows the review's running clocks give, though a store
    rewrites them only when they change: two stores take the steps in turn, so each
    often steps from a document the other wrote."""
    walked = Walker().to_panel_review().review
    first, second = ReviewStore(url), ReviewStore(url)
    first.add(Review.open("Child A", aware_at=AWARE))
    changes = 0
    for i, entry in enumerate(walked.history):
        store = second if i % 3 == 1 else first
        before = _clock_rows(store)
        store.fire("Child A", entry.trigger, by=entry.actor, at=entry.at, **entry.details)
        assert _clock_rows(store) == _running(store.get("Child A")), entry.trigger
        changes += _clock_rows(store) != before
    assert changes >= 3  # (the walk starts, moves and stops clocks)
    first.engine.dispose()
    second.engine.dispose()


def test_a_step_that_leaves_the_clocks_as_they_were_reads_once_and_writes_once(
    store: ReviewStore,
) -> None:
    """The review is read with its refusal log's head in one statement (an empty log has
    no rows to read) and written in another; its clock rows are left as they are."""
    store.add(in_panel_review())
    store.fire("Child A", T.HOLD_PANEL_MEETING, by=CHAIR, at=MEETING_AT)
    clocks = _clock_rows(store)
    statements: list[str] = []

    def note(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement.split()[0].upper())

    sa.event.listen(store.engine, "before_cursor_execute", note)
    store.fire("Child A", T.HOLD_PANEL_MEETING, by=CHAIR, at=MEETING_AT.add(days=1))
    sa.event.remove(store.engine, "before_cursor_execute", note)
    assert [s for s in statements if s != "BEGIN"] == ["SELECT", "UPDATE"]
    assert _clock_rows(store) == clocks == _running(store.get("Child A"))


def test_a_stale_writer_gets_concurrent_update(store: ReviewStore) -> None:
    store.add(in_panel_review())
    first, second = store.load("Child A"), store.load("Child A")
    first.review.fire(T.HOLD_PANEL_MEETING, by=CHAIR, at=MEETING_AT)
    assert store.save(first.review, expected_version=first.version) == 2
    written = _row(store)
    second.review.fire(T.HOLD_LEARNING_EVENT, by=CHAIR, at=MEETING_AT)
    with pytest.raises(ConcurrentUpdate) as caught:
        store.save(second.review, expected_version=second.version)
    assert (caught.value.expected, caught.value.found) == (1, 2)
    assert _row(store) == written  # nothing overwritten
    with pytest.raises(ConcurrentUpdate):
        store.fire("Child A", T.HOLD_LEARNING_EVENT, by=CHAIR, at=MEETING_AT, expected_version=1)
    assert _row(store) == written


# -- concurrent writers ------------------------------------------------------------------------

WRITERS, ATTEMPTS = 6, 8


def _attempts(url: str, writer: int, optimistic: bool) -> Counter[str]:
    """One writer: read, then take a step on what it read; count the outcomes."""
    store = ReviewStore(url)
    outcomes: Counter[str] = Counter()
    for _ in range(ATTEMPTS):
        expected = store.load("Child A").version if optimistic else None
        try:
            store.fire(
                "Child A",
                T.HOLD_PANEL_MEETING,
                by=CHAIR,
                at=MEETING_AT,
                expected_version=expected,
            )
        except ConcurrentUpdate:
            outcomes["concurrent update"] += 1
        except CsprWorkflowError as error:  # pragma: no cover - a failure to report
            outcomes[f"unexpected {type(error).__name__}"] += 1
        else:
            outcomes["written"] += 1
    store.engine.dispose()
    return outcomes


def _check_no_lost_update(store: ReviewStore, outcomes: Counter[str], start: int) -> None:
    assert set(outcomes) <= {"written", "concurrent update"}, outcomes
    assert sum(outcomes.values()) == WRITERS * ATTEMPTS
    stored = store.load("Child A")
    assert stored.version == 1 + outcomes["written"]
    assert len(stored.review.history) == start + outcomes["written"]
    meetings = [e for e in stored.review.history[start:] if e.trigger == T.HOLD_PANEL_MEETING]
    assert len(meetings) == outcomes["written"]


@pytest.mark.parametrize("optimistic", [True, False], ids=["read-then-write", "atomic"])
def test_concurrent_threads_never_lose_an_update(store: ReviewStore, optimistic: bool) -> None:
    review = in_panel_review()
    store.add(review)
    results: list[Counter[str]] = [Counter() for _ in range(WRITERS)]

    def run(i: int) -> None:
        results[i] = _attempts(store.engine.url.render_as_string(False), i, optimistic)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = sum(results, Counter())
    _check_no_lost_update(store, outcomes, len(review.history))
    if not optimistic:
        assert outcomes["written"] == WRITERS * ATTEMPTS  # serialised: every step lands
    OUTCOMES[f"{store.engine.dialect.name} threads {'optimistic' if optimistic else 'atomic'}"] = (
        outcomes
    )


def test_concurrent_processes_never_lose_an_update(store: ReviewStore) -> None:
    review = in_panel_review()
    store.add(review)
    url = store.engine.url.render_as_string(False)
    context = multiprocessing.get_context("spawn")
    with context.Pool(WRITERS) as pool:
        results = pool.starmap(_attempts, [(url, i, True) for i in range(WRITERS)])
    outcomes = sum(results, Counter())
    _check_no_lost_update(store, outcomes, len(review.history))
    OUTCOMES[f"{store.engine.dialect.name} processes optimistic"] = outcomes


OUTCOMES: dict[str, Counter[str]] = {}


def test_documents_in_the_store_are_the_library_documents(store: ReviewStore) -> None:
    review = in_panel_review()
    store.add(review)
    assert _row(store)[1] == dumps(review)


RACERS, RACES = 8, 5


def test_racing_adds_of_one_reference_store_it_once(store: ReviewStore) -> None:
    """Writers add the same new reference at the same moment: one stores it, every other
    gets ReviewExists (never the database's own integrity error)."""
    url = store.engine.url.render_as_string(False)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def add(reference: str, start: threading.Barrier) -> None:
        racer = ReviewStore(url)
        start.wait()
        try:
            racer.add(Review.open(reference, aware_at=AWARE))
        except ReviewExists:
            outcome = "ReviewExists"
        except Exception as error:
            outcome = f"unexpected {type(error).__name__}"
        else:
            outcome = "stored"
        with lock:
            outcomes[outcome] += 1
        racer.engine.dispose()

    for race in range(RACES):
        start = threading.Barrier(RACERS)
        threads = [
            threading.Thread(target=add, args=(f"Child R{race}", start)) for _ in range(RACERS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert set(outcomes) <= {"stored", "ReviewExists"}, outcomes
    assert outcomes["stored"] == RACES
    assert store.references() == [f"Child R{race}" for race in range(RACES)]
    OUTCOMES[f"{store.engine.dialect.name} racing add"] = outcomes
