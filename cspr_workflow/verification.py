"""Proofs: the exhaustive verifier, and the oracle that checks a review's path from its history.

The properties made here read a definition's declared rules; the default
process's full list is :data:`cspr_workflow.statutory.DEFAULT_PROPERTIES`.
"""

from __future__ import annotations

from ._oracle import (
    PathSoFar,
    Violation,
    approvals_in_order,
    check_review,
    completion_timing,
    history_forward,
    late_explained,
    nothing_after_final,
    notice_period,
)
from ._specs import Property
from ._verify import (
    Counterexample,
    VerificationResult,
    candidate_steps,
    verify,
)

__all__ = [
    "Counterexample",
    "PathSoFar",
    "Property",
    "VerificationResult",
    "Violation",
    "approvals_in_order",
    "candidate_steps",
    "check_review",
    "completion_timing",
    "history_forward",
    "late_explained",
    "nothing_after_final",
    "notice_period",
    "verify",
]
