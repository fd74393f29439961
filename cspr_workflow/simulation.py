"""Timeline simulation for analysts: many seeded reviews of any definition, through the engine."""

from __future__ import annotations

from ._results import (
    ReviewOutcome,
    SimulationResult,
    StageTime,
)
from ._scenario import (
    Duration,
    Repeat,
    Scenario,
    Sitting,
)
from ._simulate import (
    compare,
    simulate,
    simulated_review,
)

__all__ = [
    "Duration",
    "Repeat",
    "ReviewOutcome",
    "Scenario",
    "SimulationResult",
    "Sitting",
    "StageTime",
    "compare",
    "simulate",
    "simulated_review",
]
