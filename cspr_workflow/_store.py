"""A store for applications: reviews in a database, on SQLAlchemy Core.

SQLite (a file, zero set-up) by default; PostgreSQL, or any database SQLAlchemy
speaks, by URL. Each review is one row: its pseudonymous reference, the process
definition it follows, its stage, its JSON document and a version. A second
table holds each running clock's due date, so that overdue reviews are found by
a query rather than by loading every review.

Writes are optimistic: a step reads the review and its version, fires through
the engine, and writes back only if the version is still the one it read, in
one transaction. A writer that read an older version gets
:class:`ConcurrentUpdate` and writes nothing; a refusal or an exception in the
step rolls the transaction back. The store keeps the review's reference, never
the names of children or families.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import attrs
import pendulum
import sqlalchemy as sa
from sqlalchemy import event

from ._clocks import running_clocks
from ._definition import ProcessDefinition, default_definition
from ._document import dumps, loads
from ._engine import Review
from ._errors import ConcurrentUpdate, ReviewExists, ReviewNotFound, UnknownDefinition
from ._records import Actor, AuditEntry

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

_CLOCKS = sa.Table(
    "cspr_review_clocks",
    _METADATA,
    sa.Column(
        "reference",
        sa.String(64),
        sa.ForeignKey("cspr_reviews.reference", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("clock", sa.String(20), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("due", sa.Date, nullable=False, index=True),
)


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
        self._engine = url if isinstance(url, sa.Engine) else _make_engine(url)
        known = list(definitions) or [default_definition()]
        self._definitions = {d.name: d for d in known}
        _METADATA.create_all(self._engine)

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine the store writes through."""
        return self._engine

    # -- reading --------------------------------------------------------------------

    def load(self, reference: str) -> StoredReview:
        """The review and the version it was read at (:class:`ReviewNotFound` if none)."""
        with self._engine.connect() as conn:
            row = self._row(conn, reference)
        return StoredReview(self._review(row), row.version)

    def get(self, reference: str) -> Review:
        """The review (:class:`ReviewNotFound` if there is none)."""
        return self.load(reference).review

    def __contains__(self, reference: object) -> bool:
        with self._engine.connect() as conn:
            query = sa.select(_REVIEWS.c.reference).where(_REVIEWS.c.reference == reference)
            return conn.execute(query).first() is not None

    def references(self, *, stage: str | None = None) -> list[str]:
        """The references of the stored reviews, sorted; only those at ``stage`` if given."""
        query = sa.select(_REVIEWS.c.reference).order_by(_REVIEWS.c.reference)
        if stage is not None:
            query = query.where(_REVIEWS.c.stage == str(stage))
        with self._engine.connect() as conn:
            return list(conn.scalars(query))

    def overdue(self, *, at: pendulum.DateTime, clock: str | None = None) -> list[OverdueClock]:
        """Every running clock past its due date at ``at`` (of one ``clock`` if given),
        by due date, oldest first."""
        today = at.date()
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
        """Store a new review; returns its version (1). :class:`ReviewExists` if taken."""
        self._definition(review.definition.name)  # the store must know it to load it again
        with self._transaction() as conn:
            if conn.execute(
                sa.select(_REVIEWS.c.version).where(_REVIEWS.c.reference == review.reference)
            ).first():
                raise ReviewExists(review.reference)
            conn.execute(sa.insert(_REVIEWS).values(version=1, **self._columns(review)))
            self._write_clocks(conn, review)
        return 1

    def save(self, review: Review, *, expected_version: int) -> int:
        """Write ``review`` over the version it was read at; returns the new version.

        :class:`ConcurrentUpdate` (and nothing written) if someone saved it since.
        """
        with self._transaction() as conn:
            return self._update(conn, review, expected_version)

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
        ``Review.fire`` does and writes nothing.
        """
        with self._transaction() as conn:
            row = self._row(conn, reference, lock=True)
            if expected_version is not None and row.version != expected_version:
                raise ConcurrentUpdate(reference, expected_version, row.version)
            review = self._review(row)
            entry = review.fire(trigger, by=by, at=at, **details)
            self._update(conn, review, row.version)
        return entry

    # -- internals -----------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sa.Connection]:
        with self._engine.begin() as conn:
            yield conn

    def _row(self, conn: sa.Connection, reference: str, *, lock: bool = False) -> Any:
        """The review's row; with ``lock``, held until the transaction ends (PostgreSQL's
        ``SELECT ... FOR UPDATE``; SQLite's transactions already hold the write lock)."""
        query = sa.select(_REVIEWS).where(_REVIEWS.c.reference == reference)
        row = conn.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise ReviewNotFound(reference)
        return row

    def _definition(self, name: str) -> ProcessDefinition:
        try:
            return self._definitions[name]
        except KeyError:
            raise UnknownDefinition(name, sorted(self._definitions)) from None

    def _review(self, row: Any) -> Review:
        return loads(row.document, definition=self._definition(row.definition))

    def _columns(self, review: Review) -> dict[str, Any]:
        return {
            "reference": review.reference,
            "definition": review.definition.name,
            "stage": str(review.state.stage),
            "document": dumps(review),
            "updated_at": review.state.last_at.isoformat(),
        }

    def _update(self, conn: sa.Connection, review: Review, expected: int) -> int:
        result = conn.execute(
            sa.update(_REVIEWS)
            .where(_REVIEWS.c.reference == review.reference, _REVIEWS.c.version == expected)
            .values(version=expected + 1, **self._columns(review))
        )
        if result.rowcount != 1:
            found = conn.execute(
                sa.select(_REVIEWS.c.version).where(_REVIEWS.c.reference == review.reference)
            ).scalar()
            raise ConcurrentUpdate(review.reference, expected, found)
        self._write_clocks(conn, review)
        return expected + 1

    def _write_clocks(self, conn: sa.Connection, review: Review) -> None:
        conn.execute(sa.delete(_CLOCKS).where(_CLOCKS.c.reference == review.reference))
        rows = [
            {"reference": review.reference, "clock": spec.id, "kind": spec.kind.value, "due": due}
            for spec, due in running_clocks(
                review.definition.policy, review.definition.completion, review.state
            )
        ]
        if rows:
            conn.execute(sa.insert(_CLOCKS), rows)


def _make_engine(url: str) -> sa.Engine:
    """An engine; for SQLite, one whose transactions take the write lock when they begin
    (``BEGIN IMMEDIATE``), so that concurrent writers queue instead of failing."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    engine = sa.create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _autocommit_driver(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy, not the driver, says BEGIN
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
