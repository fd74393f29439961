"""The history's hash chain and the review's seal.

Each history entry carries the SHA-256 of the one before it (the first, of the
review's opening record), and the review's head seals the chain's last link
together with every fact the review holds. ``verify_history`` recomputes both
and names the first entry that was edited, deleted, inserted or moved, or says
that the facts or the end of the history were changed. The document carries its
head, so a careless edit shows on loading; a head kept elsewhere shows any edit.

The refusal log is chained the same way (``verify_refusals``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._args import check_arg, check_review_arg
from ._codec import chain_tip, entry_digest, opening_digest, seal
from ._errors import HistoryTampered, Problem
from ._records import ReviewState

if TYPE_CHECKING:
    from ._engine import Review

__all__ = ["verify_history", "verify_refusals"]


def chain_problems(
    state: ReviewState, head: object = None, *, sealed: bool = True
) -> list[Problem]:
    """The first break in the hash chain, and a head that does not seal the review.

    ``sealed=False`` reads ``head`` as documents before schema version 4 wrote it:
    the digest of the last entry alone, which left the review's facts unbound.
    """
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
    if head is None:
        return []
    if not sealed:
        if head != chain_tip(state):
            return [
                Problem(
                    "$.head",
                    "the head does not close the chain: the last step was changed or "
                    "removed, or steps were added after it",
                )
            ]
        return []
    if head != seal(state):
        return [
            Problem(
                "$.head",
                "the head does not seal the review: one of its facts (a draft, an approval, "
                "a fact check, a clock...) or its last step was changed, or steps were "
                "removed from or added at the end",
            )
        ]
    return []


def verify_history(review: Review, *, head: str | None = None) -> None:
    """Check the history's hash chain; raise :class:`HistoryTampered` at the first break.

    ``head`` is a digest kept elsewhere (``review.history_head`` when it was last
    seen, or the document's head); with it, a change to the review's facts or to
    its last step, or steps removed from the end, show too.
    """
    _check_args(review, head)
    problems = chain_problems(review.state, head)
    if problems:
        seq = _seq_of(problems[0].path, len(review.history))
        raise HistoryTampered(review.reference, seq, problems[0].message)


def _seq_of(path: str, length: int) -> int:
    if path.startswith("$.review.history["):
        return int(path.split("[", 1)[1].split("]", 1)[0]) + 1
    return length


def verify_refusals(review: Review, *, head: str | None = None) -> None:
    """Check the refusal log's hash chain; raise :class:`HistoryTampered` at the first break.

    ``head`` is a digest kept elsewhere (``review.refusals_head`` when it was last
    seen); with it, a refusal erased from the end, or the last one changed, shows too.
    """
    _check_args(review, head)
    problems = review._log.problems(head)
    if problems:
        path = problems[0].path
        seq = (
            int(path.split("[", 1)[1].split("]", 1)[0]) + 1
            if path.startswith("$.refusals[")
            else len(review.refusals)
        )
        raise HistoryTampered(review.reference, seq, problems[0].message, what="refusal log")


def _check_args(review: object, head: object) -> None:
    check_review_arg(review)
    check_arg("head", head, str, "a SHA-256 digest as text", optional=True)
