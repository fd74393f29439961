"""The history's hash chain: each entry carries the SHA-256 of the one before it.

``verify_history`` recomputes the chain and names the first entry that was
edited, deleted, inserted or moved; with a head kept elsewhere, a change to the
last step, or steps removed from the end, show too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._codec import entry_digest, opening_digest
from ._errors import HistoryTampered, Problem
from ._records import ReviewState

if TYPE_CHECKING:
    from ._engine import Review

__all__ = ["verify_history"]


def chain_problems(state: ReviewState, head: object = None) -> list[Problem]:
    """The first break in the hash chain, and a head that does not close it."""
    expected = opening_digest(state.reference, state.aware_at)
    for i, entry in enumerate(state.history):
        if entry.prev != expected:
            what = (
                "the opening record was changed, or the first step was removed or replaced"
                if i == 0
                else f"step {i} (the one before it) was changed, or steps were removed, "
                "inserted or reordered here"
            )
            return [
                Problem(
                    f"$.review.history[{i}].prev", f"the chain is broken at step {i + 1}: {what}"
                )
            ]
        expected = entry_digest(entry)
    if head is not None and head != expected:
        return [
            Problem(
                "$.head",
                "the head does not close the chain: the last step was changed or removed, "
                "or steps were added after it",
            )
        ]
    return []


def verify_history(review: Review, *, head: str | None = None) -> None:
    """Check the history's hash chain; raise :class:`HistoryTampered` at the first break.

    ``head`` is a digest kept elsewhere (``review.history_head`` when it was last
    seen, or the document's head); with it, a change to the last step, or steps
    removed from the end, show too.
    """
    problems = chain_problems(review.state, head)
    if problems:
        seq = _seq_of(problems[0].path, len(review.history))
        raise HistoryTampered(review.reference, seq, problems[0].message)


def _seq_of(path: str, length: int) -> int:
    if path.startswith("$.review.history["):
        return int(path.split("[", 1)[1].split("]", 1)[0]) + 1
    return length
