"""An immutable sequence that grows by one item without copying the earlier ones.

A review's history (and any record a step only ever appends to) grows by one
entry a step. Kept as a tuple, every step copies all earlier entries, so a step
costs more the longer the review, and a review of n steps costs O(n²).
:class:`AppendOnly` keeps its items in full chunks of 32 and a short tail, all
tuples: ``add`` copies the tail (at most 31 items) and, once in 32 adds, the tuple
of chunks (one reference per 32 items), so an add costs nearly the same at 10,000
items as at 10. Nothing is ever changed in place, so any sequence may grow in
several directions (a verifier tries several steps from one state) and threads
may share them. It compares equal to, and hashes like, the tuple of the same items.
"""

from __future__ import annotations

import itertools
import typing
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar, overload

__all__: list[str] = []

T = TypeVar("T")

_CHUNK = 32


class AppendOnly(Sequence[T]):
    """An immutable sequence; ``add`` returns it with one more item, in near-constant time."""

    __slots__ = ("_chunks", "_hash", "_size", "_tail")

    _chunks: tuple[tuple[T, ...], ...]  # full chunks of _CHUNK items
    _tail: tuple[T, ...]  # the last items, fewer than _CHUNK
    _size: int
    _hash: int | None

    def __init__(self, items: Iterable[T] = ()) -> None:
        whole = tuple(items)
        cut = len(whole) - len(whole) % _CHUNK
        self._chunks = tuple(whole[i : i + _CHUNK] for i in range(0, cut, _CHUNK))
        self._tail = whole[cut:]
        self._size = len(whole)
        self._hash = None

    def add(self, item: T) -> AppendOnly[T]:
        """This sequence with ``item`` after its last item; this one is unchanged."""
        new: AppendOnly[T] = AppendOnly.__new__(AppendOnly)
        tail = (*self._tail, item)
        if len(tail) == _CHUNK:
            new._chunks = (*self._chunks, tail)
            new._tail = ()
        else:
            new._chunks = self._chunks
            new._tail = tail
        new._size = self._size + 1
        new._hash = None
        return new

    def parts(self) -> tuple[tuple[tuple[T, ...], ...], tuple[T, ...]]:
        """The full chunks (shared, unchanged, by every sequence grown from this one) and
        the tail: for work done once per chunk and kept (a chunk's JSON text)."""
        return self._chunks, self._tail

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...

    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        if isinstance(index, slice):
            return self._tuple()[index]
        size = self._size
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("AppendOnly index out of range")
        start = size - len(self._tail)
        if index >= start:
            return self._tail[index - start]
        return self._chunks[index // _CHUNK][index % _CHUNK]

    def __iter__(self) -> Iterator[T]:
        return itertools.chain(itertools.chain.from_iterable(self._chunks), self._tail)

    def __reversed__(self) -> Iterator[T]:
        return itertools.chain(
            reversed(self._tail),
            itertools.chain.from_iterable(reversed(c) for c in reversed(self._chunks)),
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, AppendOnly):
            if self._size != other._size:
                return False
            if self._chunks is other._chunks and self._tail is other._tail:
                return True
            return self._tuple() == other._tuple()
        if isinstance(other, tuple):
            return self._size == len(other) and self._tuple() == other
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(self._tuple())
        return self._hash

    def __add__(self, other: tuple[Any, ...]) -> tuple[Any, ...]:
        if isinstance(other, AppendOnly):
            other = other._tuple()
        if not isinstance(other, tuple):
            return NotImplemented
        return self._tuple() + other

    def __radd__(self, other: tuple[Any, ...]) -> tuple[Any, ...]:
        if not isinstance(other, tuple):
            return NotImplemented
        return other + self._tuple()

    def __repr__(self) -> str:
        return repr(self._tuple())

    def __reduce__(self) -> tuple[Any, ...]:
        return (AppendOnly, (self._tuple(),))

    def _tuple(self) -> tuple[T, ...]:
        if not self._chunks:
            return self._tail
        return tuple(self)


def item_type(hint: Any) -> Any | None:
    """The item type of a type hint read as a list in documents: ``X`` for
    ``tuple[X, ...]`` and ``AppendOnly[X]``; None for any other hint."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is AppendOnly or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
        return args[0]
    return None


def append_only(items: Iterable[T]) -> AppendOnly[T]:
    """``items`` as an :class:`AppendOnly` (itself when it already is one)."""
    return items if type(items) is AppendOnly else AppendOnly(items)
