"""The refusal log: every refused step of one review, append-only and hash-chained.

A refusal never changes the review: its document is the same before and after a
refused call. What was attempted and refused is kept here instead, apart from the
review, numbered from 1, each refusal carrying the SHA-256 of the one before it
(the first, of the log's opening record, which names the review). The log's
``head`` closes the chain: kept elsewhere (the store keeps it in its own table),
it shows a refusal erased from the end; a refusal edited, erased, inserted or
moved anywhere else breaks the chain itself.
"""

from __future__ import annotations

from collections.abc import Iterable

import pendulum

from ._codec import refusal_digest, refusals_opening
from ._errors import Problem, Reason
from ._records import Actor, Refusal

__all__: list[str] = []


class RefusalLog:
    """The refused steps of one review, in order.

    ``complete`` is False when the log does not go back to the day the review
    opened: a review loaded from its document alone, without its log, starts a
    log of the refusals made since.
    """

    __slots__ = ("_aware_at", "_head", "_items", "_reference", "_tuple", "complete")

    def __init__(
        self,
        reference: str,
        aware_at: pendulum.DateTime,
        entries: Iterable[Refusal] = (),
        *,
        complete: bool = True,
    ) -> None:
        self._reference = reference
        self._aware_at = aware_at
        self._items = list(entries)  # appended to in place: a refusal costs the same at any length
        self._tuple: tuple[Refusal, ...] | None = None  # the items as read, until the next one
        self._head: str | None = None  # computed when first needed
        self.complete = complete

    @property
    def _opening(self) -> str:
        return refusals_opening(self._reference, self._aware_at)

    def matches(self, reference: str, aware_at: pendulum.DateTime) -> bool:
        """True when this is the log of the review opened as ``reference`` at ``aware_at``."""
        return self._reference == reference and self._aware_at == aware_at

    @property
    def entries(self) -> tuple[Refusal, ...]:
        """The refusals, oldest first."""
        if self._tuple is None:
            self._tuple = tuple(self._items)
        return self._tuple

    @property
    def head(self) -> str:
        """The SHA-256 closing the log's chain (of its opening record while it is empty)."""
        if self._head is None:
            self._head = refusal_digest(self._items[-1]) if self._items else self._opening
        return self._head

    def __len__(self) -> int:
        return len(self._items)

    def append(
        self,
        at: pendulum.DateTime,
        actor: Actor,
        trigger: str,
        stage: str,
        reasons: Iterable[Reason],
    ) -> Refusal:
        """Note one refused step at the end of the log and return its record."""
        refusal = Refusal(
            at, actor, trigger, stage, tuple(reasons), seq=len(self._items) + 1, prev=self.head
        )
        self._items.append(refusal)
        self._tuple = None
        self._head = refusal_digest(refusal)
        return refusal

    def copy(self) -> RefusalLog:
        """An independent log with the same refusals (appending to one leaves the other)."""
        twin = RefusalLog.__new__(RefusalLog)
        twin._reference, twin._aware_at = self._reference, self._aware_at
        twin._items, twin._tuple, twin._head = list(self._items), self._tuple, self._head
        twin.complete = self.complete
        return twin

    def problems(self, head: object = None, *, root: str = "$.refusals") -> list[Problem]:
        """The first break in the log's chain, and a ``head`` that does not close it."""
        expected = self._opening
        for i, refusal in enumerate(self._items):
            where = f"{root}[{i}]"
            if refusal.seq != i + 1:
                return [Problem(f"{where}.seq", f"expected refusal {i + 1}, found {refusal.seq}")]
            if refusal.prev != expected:
                what = (
                    "the log belongs to another review, or its first refusal was removed"
                    if i == 0
                    else f"refusal {i} (the one before it) was changed, or refusals were "
                    "removed, inserted or reordered here"
                )
                return [
                    Problem(f"{where}.prev", f"the chain is broken at refusal {i + 1}: {what}")
                ]
            expected = refusal_digest(refusal)
        if head is not None and head != expected:
            return [
                Problem(
                    "$.head",
                    "the head does not close the refusal log: the last refusal was changed "
                    "or removed, or refusals were added after it",
                )
            ]
        return []

    def extends(self, other: RefusalLog) -> bool:
        """True when this log holds every refusal of ``other``, in order, and maybe more."""
        n = len(other)
        return (
            other.matches(self._reference, self._aware_at)
            and len(self._items) >= n
            and (n == 0 or refusal_digest(self._items[n - 1]) == other.head)
        )
