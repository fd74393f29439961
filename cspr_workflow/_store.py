"""A store for applications: reviews in a database, on SQLAlchemy Core.

SQLite (a file, zero set-up) by default; PostgreSQL, or any database SQLAlchemy
speaks, by URL. Each review is one row: its pseudonymous reference, the process
definition it follows, its stage, its JSON document and a version. A second
table holds each running clock's due date, so that overdue reviews are found by
a query rather than by loading every review. The review's refusal log is kept
apart from its document, one row per refused step (``cspr_refusals``), with the
head that closes the log's chain in a table of its own (``cspr_refusal_heads``):
a refusal erased or edited in the database shows when the review is next read.

Writes are optimistic: a step reads the review and its version, fires through
the engine, and writes back only if the version is still the one it read, in
one transaction. A writer that read an older version gets
:class:`ConcurrentUpdate` and writes nothing; an exception in the step rolls the
transaction back. A refused step leaves the review's row as it was and appends
the refusal to the log, in the same transaction. ``save`` writes a review only
if it extends the stored one (:class:`NotAnExtension` otherwise). The store keeps
the review's reference, never the names of children or families.

Every read checks the document (its hash chain and seal) as ``loads`` does, with one
shortcut: a store remembers the documents it last read or wrote (the 256 most
recent), and a row whose document is character for character one of them is not
parsed again; a document changed in any way since, by anyone, is read and checked in
full. The refusal log is read and its chain checked on every read (a log with no rows
is read with the review's row, in the same statement). A step rewrites the clock table's
rows for the review when its running clocks change from those the store wrote with the
document it replaces (and whenever it does not know them). On SQLite the
database is in write-ahead-log mode (files ``-wal`` and ``-shm`` beside it) with
``synchronous = FULL``: a committed step survives a power cut.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import attrs
import cattrs
import pendulum
import sqlalchemy as sa
from sqlalchemy import event

from ._args import check_arg
from ._clocks import running_clocks, with_declared_clocks
from ._codec import canonical_json, converter
from ._definition import ProcessDefinition
from ._document import dumps, loads
from ._engine import Review
from ._errors import (
    ConcurrentUpdate,
    HistoryTampered,
    InvalidInput,
    NotAnExtension,
    Problem,
    ReviewExists,
    ReviewNotFound,
    TransitionRefused,
    UnknownDefinition,
)
from ._fallback import default_definition
from ._records import Actor, AuditEntry, Refusal, ReviewState, reference_problem
from ._refusals import RefusalLog
from ._time import as_instant

__all__ = ["OverdueClock", "ReviewStore", "StoredReview"]

_METADATA = sa.MetaData()

_REVIEWS = sa.Table(
    "cspr_reviews",
    _METADATA,
    sa.Column("reference", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("definition", sa.String(200), nullable=False),
    sa.Column("stage", sa.String(100), nullable=False, index=True),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
)


def _review_reference() -> sa.Column[str]:
    """The column naming the review a row belongs to (deleted with the review)."""
    return sa.Column(
        "reference",
        sa.String(64),
        sa.ForeignKey("cspr_reviews.reference", ondelete="CASCADE"),
        primary_key=True,
    )


_REFUSALS = sa.Table(
    "cspr_refusals",
    _METADATA,
    _review_reference(),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("record", sa.Text, nullable=False),
)

_REFUSAL_HEADS = sa.Table(
    "cspr_refusal_heads",
    _METADATA,
    _review_reference(),
    sa.Column("logged", sa.Integer, nullable=False),
    sa.Column("head", sa.String(64), nullable=False),
    sa.Column("complete", sa.Boolean, nullable=False),
)

_CLOCKS = sa.Table(
    "cspr_review_clocks",
    _METADATA,
    _review_reference(),
    sa.Column("clock", sa.String(20), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("due", sa.Date, nullable=False, index=True),
)


# The statements a step runs, built once (SQLAlchemy then reuses their compiled form):
# each names the review by the bound parameter "ref".
_REF: sa.BindParameter[str] = sa.bindparam("ref")
# A review's row with its refusal log's head and how many refusal rows the log holds, in
# one statement (a review stored from an older document may have no head yet).
_SELECT_REVIEW = (
    sa.select(
        _REVIEWS,
        _REFUSAL_HEADS.c.logged,
        _REFUSAL_HEADS.c.head,
        _REFUSAL_HEADS.c.complete,
        sa.select(sa.func.count())
        .where(_REFUSALS.c.reference == _REVIEWS.c.reference)
        .scalar_subquery()
        .label("refusal_rows"),
    )
    .outerjoin(_REFUSAL_HEADS, _REFUSAL_HEADS.c.reference == _REVIEWS.c.reference)
    .where(_REVIEWS.c.reference == _REF)
)
_SELECT_REVIEW_LOCKED = _SELECT_REVIEW.with_for_update(of=_REVIEWS)
_SELECT_VERSION = sa.select(_REVIEWS.c.version).where(_REVIEWS.c.reference == _REF)
_SELECT_REFUSALS = (
    sa.select(_REFUSALS.c.record).where(_REFUSALS.c.reference == _REF).order_by(_REFUSALS.c.seq)
)
_UPDATE_REVIEW = sa.update(_REVIEWS).where(
    _REVIEWS.c.reference == _REF, _REVIEWS.c.version == sa.bindparam("expected")
)
_DELETE_CLOCKS = sa.delete(_CLOCKS).where(_CLOCKS.c.reference == _REF)


@attrs.frozen
class StoredReview:
    """A review as read from the store, with the version it was read at."""

    review: Review
    version: int


@attrs.frozen
class OverdueClock:
    """A running clock past its due date: which review, which clock, due when."""

    reference: str
    stage: str
    clock: str
    due: pendulum.Date


class ReviewStore:
    """Reviews in a database: add, load, take steps atomically, find by stage or clock.

    ``url`` is a SQLAlchemy URL (``sqlite:///reviews.db``, the default, or
    ``postgresql+psycopg://user:password@host/db``) or an ``Engine``.
    ``definitions`` are the process definitions the stored reviews follow, found
    by name (the default definition unless given). The tables are created if
    they do not exist.

    >>> import pendulum
    >>> from cspr_workflow import Review, ReviewStore, Trigger
    >>> from cspr_workflow.demo import ACTORS
    >>> store = ReviewStore("sqlite://")          # in memory, for the example
    >>> aware = pendulum.datetime(2026, 1, 5, 9, tz="Europe/London")
    >>> store.add(Review.open("Child A", aware_at=aware))
    1
    >>> entry = store.fire("Child A", Trigger.NOTIFY_NATIONAL_PANEL, by=ACTORS["la"],
    ...                    at=aware.add(days=1))
    >>> stored = store.load("Child A")
    >>> stored.version, stored.review.stage
    (2, <Stage.NOTIFIED: 'notified'>)
    """

    def __init__(
        self,
        url: str | sa.Engine = "sqlite:///reviews.db",
        *,
        definitions: Iterable[ProcessDefinition] = (),
    ) -> None:
        check_arg("url", url, (str, sa.URL, sa.Engine), "a database URL or a SQLAlchemy Engine")
        self._engine = url if isinstance(url, sa.Engine) else _make_engine(url)
        known = list(definitions) or [default_definition()]
        for definition in known:
            check_arg("definitions", definition, ProcessDefinition, "ProcessDefinitions")
        self._definitions = {d.name: d for d in known}
        # The documents this store last read or wrote, by reference, with what they hold;
        # a row whose document is, character for character, one of them needs no reading.
        self._known: dict[str, _Known] = {}
        _METADATA.create_all(self._engine)

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine the store writes through."""
        return self._engine

    # -- reading --------------------------------------------------------------------

    def load(self, reference: str) -> StoredReview:
        """The review and the version it was read at (:class:`ReviewNotFound` if none)."""
        _check_reference(reference)
        with self._engine.connect() as conn:
            row = self._row(conn, reference)
            return StoredReview(self._read(conn, row)[0], row.version)

    def get(self, reference: str) -> Review:
        """The review (:class:`ReviewNotFound` if there is none)."""
        return self.load(reference).review

    def __contains__(self, reference: object) -> bool:
        if not isinstance(reference, str):
            return False  # (a reference is text)
        with self._engine.connect() as conn:
            query = sa.select(_REVIEWS.c.reference).where(_REVIEWS.c.reference == reference)
            return conn.execute(query).first() is not None

    def references(self, *, stage: str | None = None) -> list[str]:
        """The references of the stored reviews, sorted; only those at ``stage`` if given."""
        _optional_text("stage", stage)
        query = sa.select(_REVIEWS.c.reference).order_by(_REVIEWS.c.reference)
        if stage is not None:
            query = query.where(_REVIEWS.c.stage == str(stage))
        with self._engine.connect() as conn:
            return list(conn.scalars(query))

    def overdue(self, *, at: pendulum.DateTime, clock: str | None = None) -> list[OverdueClock]:
        """Every running clock past its due date at ``at`` (of one ``clock`` if given),
        by due date, oldest first. ``at`` is a timezone-aware instant
        (:class:`InvalidTime` otherwise); its London date counts."""
        today = as_instant(at, "at").date()
        _optional_text("clock", clock)
        query = (
            sa.select(_CLOCKS.c.reference, _REVIEWS.c.stage, _CLOCKS.c.clock, _CLOCKS.c.due)
            .join(_REVIEWS, _REVIEWS.c.reference == _CLOCKS.c.reference)
            .where(_CLOCKS.c.due < today, _CLOCKS.c.kind != "notice_period")
            .order_by(_CLOCKS.c.due, _CLOCKS.c.reference, _CLOCKS.c.clock)
        )
        if clock is not None:
            query = query.where(_CLOCKS.c.clock == clock)
        with self._engine.connect() as conn:
            return [
                OverdueClock(r.reference, r.stage, r.clock, pendulum.Date(*r.due.timetuple()[:3]))
                for r in conn.execute(query)
            ]

    # -- writing --------------------------------------------------------------------

    def add(self, review: Review) -> int:
        """Store a new review, with its refusal log; returns its version (1).

        :class:`ReviewExists` if the reference is taken.
        """
        _check_review(review)
        self._definition(review.definition.name)  # the store must know it to load it again
        try:
            with self._transaction() as conn:
                if conn.execute(_SELECT_VERSION, {"ref": review.reference}).first():
                    raise ReviewExists(review.reference)
                conn.execute(sa.insert(_REVIEWS).values(version=1, **self._columns(review)))
                self._write_clocks(conn, review, None)
                self._sync_log(conn, review, None)
        except sa.exc.IntegrityError:
            # Another writer added the same reference between our check and our insert.
            raise ReviewExists(review.reference) from None
        return 1

    def save(self, review: Review, *, expected_version: int) -> int:
        """Write ``review`` over the version it was read at; returns the new version.

        The review must extend the stored one: the stored steps unchanged, each new
        step what the engine makes of it, its refusal log a continuation of the stored
        one (:class:`NotAnExtension`, and nothing written, otherwise).
        :class:`ConcurrentUpdate` (and nothing written) if someone saved it since.
        """
        _check_review(review)
        _check_version(expected_version)
        with self._transaction() as conn:
            row = self._row(conn, review.reference, lock=True)
            if row.version != expected_version:
                raise ConcurrentUpdate(review.reference, expected_version, row.version)
            clocks = self._clock_rows(row)
            stored, logged = self._read(conn, row)
            _check_extends(stored, review)
            version = self._update(conn, review, expected_version, clocks)
            self._sync_log(conn, review, logged)
        return version

    def fire(
        self,
        reference: str,
        trigger: str,
        *,
        by: Actor,
        at: pendulum.DateTime,
        expected_version: int | None = None,
        **details: Any,
    ) -> AuditEntry:
        """Load, take the step and save, in one transaction; returns the new entry.

        With ``expected_version``, the step is taken only on that version (what the
        caller last read); otherwise on the current one. A refused step raises as
        ``Review.fire`` does, leaves the review's row as it was, and is appended to
        the review's refusal log.
        """
        _check_reference(reference)
        if expected_version is not None:
            _check_version(expected_version)
        refused: TransitionRefused | None = None
        with self._transaction() as conn:
            row = self._row(conn, reference, lock=True)
            if expected_version is not None and row.version != expected_version:
                raise ConcurrentUpdate(reference, expected_version, row.version)
            clocks = self._clock_rows(row)
            review, logged = self._read(conn, row)
            try:
                entry = review.fire(trigger, by=by, at=at, **details)
            except TransitionRefused as error:
                refused = error
            else:
                self._update(conn, review, row.version, clocks)
            self._sync_log(conn, review, logged)
        if refused is not None:
            raise refused
        return entry

    def refusals_head(self, reference: str) -> str:
        """The head of the review's refusal log, as the store keeps it (keep a copy
        elsewhere to show later that no refusal was erased)."""
        return self.get(reference).refusals_head

    # -- internals -----------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sa.Connection]:
        with self._engine.begin() as conn:
            yield conn

    def _row(self, conn: sa.Connection, reference: str, *, lock: bool = False) -> Any:
        """The review's row, with its refusal log's head (``logged``, ``head``,
        ``complete``: None if the store holds no log for it) and how many refusal rows
        there are (``refusal_rows``); with ``lock``, the review's row is held until the
        transaction ends (PostgreSQL's ``SELECT ... FOR UPDATE``; SQLite's transactions
        already hold the write lock)."""
        query = _SELECT_REVIEW_LOCKED if lock else _SELECT_REVIEW
        row = conn.execute(query, {"ref": reference}).first()
        if row is None:
            raise ReviewNotFound(reference)
        return row

    def _definition(self, name: str) -> ProcessDefinition:
        try:
            return self._definitions[name]
        except KeyError:
            raise UnknownDefinition(name, sorted(self._definitions)) from None

    def _read(self, conn: sa.Connection, row: Any) -> tuple[Review, int | None]:
        """The review from its row with its refusal log from the log's tables, each checked
        against its own head; and how many refusals the store has logged (None: no log
        yet, for a review from an older document, which carried its own refusals)."""
        review = self._document(row)
        if row.head is None:
            if review.refusals_complete:  # an older document, with its refusals in it
                return review, None
            raise HistoryTampered(
                row.reference, 0, "the store holds no refusal log for it", what="refusal log"
            )
        log = self._stored_log(conn, review, row)
        if review.refusals_complete and not log.extends(review._log):
            # An older document's refusals start the log; a refusal since (which leaves
            # the document as it was) only adds to them.
            raise HistoryTampered(
                row.reference,
                len(log),
                "the refusal log the store holds does not begin with the refusals the "
                "review's (older) document carries",
                what="refusal log",
            )
        return Review(review.state, review.definition, refusals=log), row.logged

    def _document(self, row: Any) -> Review:
        """The review the row's document holds: read (and checked) by ``loads``, unless it
        is the very text this store last read or wrote for the review, whose state it
        keeps. A document changed in any way since, by anyone, is read and checked again."""
        definition = self._definition(row.definition)
        known = self._known.get(row.reference)
        if known is not None and known.definition is definition and known.document == row.document:
            return known.review()
        review = loads(row.document, definition=definition)
        self._remember(review, row.document, review.state)
        return review

    def _remember(self, review: Review, document: str, state: ReviewState) -> None:
        log = review._log
        kept = (tuple(log.entries), log.complete) if review.refusals_complete else None
        known = self._known
        known.pop(review.reference, None)
        while len(known) >= _KNOWN_KEPT:
            known.pop(next(iter(known)), None)  # the longest unused
        known[review.reference] = _Known(review.definition, document, state, kept, None)

    def _clock_rows(self, row: Any) -> tuple[tuple[str, str, Any], ...] | None:
        """The clock rows this store wrote with the row's document, if it did and still
        remembers them (None otherwise)."""
        known = self._known.get(row.reference)
        if known is None or known.document != row.document:
            return None
        return known.clocks

    def _stored_log(self, conn: sa.Connection, review: Review, head: Any) -> RefusalLog:
        """The refusal log from its rows, checked against ``head`` (the review's row, read
        with its log's head and how many refusal rows there are: none to read, no query)."""
        reference = review.reference
        records: Iterable[str] = ()
        if head.refusal_rows:
            records = conn.execute(_SELECT_REFUSALS, {"ref": reference}).scalars()
        entries = []
        for i, record in enumerate(records):
            try:
                entries.append(converter().structure(json.loads(record), Refusal))
            except (cattrs.BaseValidationError, ValueError, TypeError):
                raise HistoryTampered(
                    reference, i + 1, "a row is not a refusal record", what="refusal log"
                ) from None
        state = review.state
        log = RefusalLog(state.reference, state.aware_at, entries, complete=head.complete)
        problems = log.problems(head.head)
        if not problems and len(log) != head.logged:
            problems = [Problem("$.logged", f"{head.logged} refusals were logged, not {len(log)}")]
        if problems:
            raise HistoryTampered(reference, len(log), problems[0].message, what="refusal log")
        return log

    def _sync_log(self, conn: sa.Connection, review: Review, stored: int | None) -> None:
        """Append the review's refusals after the ``stored`` ones and move the head on;
        ``stored`` None: the store has no log for the review yet (a new review, or one
        from an older document, whose refusals the document carried)."""
        refusals = review.refusals[stored or 0 :]
        if refusals:
            conn.execute(
                sa.insert(_REFUSALS),
                [
                    {
                        "reference": review.reference,
                        "seq": r.seq,
                        "record": canonical_json(converter().unstructure(r, Refusal)),
                    }
                    for r in refusals
                ],
            )
        values = {"logged": len(review.refusals), "head": review.refusals_head}
        if stored is None:
            conn.execute(
                sa.insert(_REFUSAL_HEADS).values(
                    reference=review.reference, complete=review.refusals_complete, **values
                )
            )
        elif refusals:
            conn.execute(
                sa.update(_REFUSAL_HEADS)
                .where(_REFUSAL_HEADS.c.reference == review.reference)
                .values(**values)
            )

    def _columns(self, review: Review) -> dict[str, Any]:
        document = dumps(review)
        # What loads would make of the document: the state (with any clock the policy
        # declares since, as loads adds it), and no refusals (a document carries none).
        state = with_declared_clocks(review.definition.policy, review.state)
        self._remember(Review(state, review.definition), document, state)
        return {
            "reference": review.reference,
            "definition": review.definition.name,
            "stage": str(review.state.stage),
            "document": document,
            "updated_at": review.state.last_at.isoformat(),
        }

    def _update(
        self,
        conn: sa.Connection,
        review: Review,
        expected: int,
        clocks: tuple[tuple[str, str, Any], ...] | None,
    ) -> int:
        """Write ``review`` over version ``expected``; ``clocks``: the clock rows written
        with the document it replaces, if known (rewritten only if they change)."""
        columns = self._columns(review)
        del columns["reference"]  # (the row's key, unchanged)
        result = conn.execute(
            _UPDATE_REVIEW,
            {"ref": review.reference, "expected": expected, "version": expected + 1, **columns},
        )
        if result.rowcount != 1:
            found = conn.execute(_SELECT_VERSION, {"ref": review.reference}).scalar()
            raise ConcurrentUpdate(review.reference, expected, found)
        self._write_clocks(conn, review, clocks)
        return expected + 1

    def _write_clocks(
        self,
        conn: sa.Connection,
        review: Review,
        before: tuple[tuple[str, str, Any], ...] | None,
    ) -> None:
        """Replace the review's clock rows with its running clocks, unless they are the
        rows ``before`` (written with the document just replaced, in one transaction),
        and remember them with the document just written."""
        reference = review.reference
        rows = tuple(
            (spec.id, spec.kind.value, due)
            for spec, due in running_clocks(
                review.definition.policy, review.definition.completion, review.state
            )
        )
        if rows != before:
            conn.execute(_DELETE_CLOCKS, {"ref": reference})
            if rows:
                conn.execute(
                    sa.insert(_CLOCKS),
                    [
                        {"reference": reference, "clock": c, "kind": k, "due": d}
                        for c, k, d in rows
                    ],
                )
        known = self._known.get(reference)
        if known is not None:
            self._known[reference] = attrs.evolve(known, clocks=rows)


def _check_reference(reference: object) -> None:
    problem = reference_problem(reference)
    if problem is not None:
        raise InvalidInput("reference", "reference", problem, "Name a review by its reference.")


def _check_review(review: object) -> None:
    check_arg("review", review, Review, "a Review (from Review.open, loads or store.get)")


def _check_version(version: object) -> None:
    if type(version) is not int or version < 1:
        raise InvalidInput(
            "expected_version",
            "version",
            "expected the version a review was read at (a whole number, at least 1)",
            "Pass StoredReview.version from store.load.",
        )


def _optional_text(name: str, value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise InvalidInput(
            name, f"{name}_text", f"expected text, got {type(value).__name__}", "Pass a name."
        )


def _check_extends(stored: Review, review: Review) -> None:
    """Raise :class:`NotAnExtension` unless ``review`` is ``stored`` with more steps taken
    through the engine and more refusals noted after the stored ones."""
    reference = stored.reference
    if review.definition.name != stored.definition.name:
        raise NotAnExtension(reference, "it follows another process definition")
    held, given = stored.history, review.history
    for old, new in zip(held, given, strict=False):
        if old != new:
            raise NotAnExtension(reference, f"stored step {old.seq} was changed")
    if len(given) < len(held):
        raise NotAnExtension(
            reference, f"the store holds {len(held)} steps, the review {len(given)}"
        )
    rebuilt = Review(stored.state, stored.definition, refusals=stored._log.copy())
    for entry in given[len(held) :]:
        taken = rebuilt._attempt(entry.trigger, entry.actor, entry.at, **entry.details)
        if taken != entry:
            raise NotAnExtension(
                reference, f"new step {entry.seq} is not what the engine makes of it"
            )
    if rebuilt.state != review.state:
        raise NotAnExtension(reference, "the review's facts do not follow from its steps")
    if review.refusals and not review._log.extends(stored._log):
        raise NotAnExtension(
            reference, "its refusal log does not continue the one the store holds"
        )


_KNOWN_KEPT = 256  # documents a store remembers (the most recently read or written)


@attrs.frozen
class _Known:
    """A document this store read or wrote, and the review it holds (its state, and the
    refusals an older document carried, with whether they go back to the opening)."""

    definition: ProcessDefinition
    document: str
    state: ReviewState
    refusals: tuple[tuple[Refusal, ...], bool] | None
    clocks: tuple[tuple[str, str, Any], ...] | None
    """The clock rows written with the document, if this store wrote it (None: not known)."""

    def review(self) -> Review:
        state, log = self.state, None
        if self.refusals is not None:
            entries, complete = self.refusals
            log = RefusalLog(state.reference, state.aware_at, entries, complete=complete)
        return Review(state, self.definition, refusals=log)


def _make_engine(url: str | sa.URL) -> sa.Engine:
    """An engine; for SQLite, one whose transactions take the write lock when they begin
    (``BEGIN IMMEDIATE``), so that concurrent writers queue instead of failing. A URL that
    names no database SQLAlchemy can reach is an :class:`InvalidInput` (which never
    repeats the URL: it may hold a password)."""
    try:
        parsed = sa.make_url(url)
        if parsed.get_backend_name() != "sqlite":
            return sa.create_engine(parsed, pool_pre_ping=True)
    except sa.exc.NoSuchModuleError:
        raise InvalidInput(
            "url",
            "store_url",
            "no SQLAlchemy dialect or database driver is installed for the URL's scheme",
            "Use sqlite:///path/to/reviews.db, or install the driver (for PostgreSQL: "
            "pip install 'cspr-workflow[postgres]').",
        ) from None
    except sa.exc.ArgumentError:
        raise InvalidInput(
            "url",
            "store_url",
            "the text cannot be read as a database URL",
            "Pass one such as sqlite:///path/to/reviews.db or "
            "postgresql+psycopg://user@host/database.",
        ) from None
    engine = sa.create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _autocommit_driver(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy, not the driver, says BEGIN
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        # Write-ahead logging: a commit appends to the log and syncs it once (synchronous
        # stays FULL, so a committed step survives a power cut), and readers do not wait
        # for a writer. An in-memory database keeps its own journal mode.
        dbapi_connection.execute("PRAGMA journal_mode = WAL")
        dbapi_connection.execute("PRAGMA synchronous = FULL")

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
