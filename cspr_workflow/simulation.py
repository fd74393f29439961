"""Timeline simulation for analysts: many seeded reviews of any definition, through the engine."""

from __future__ import annotations

from ._observed import fit, observed
from ._results import (
    ReviewOutcome,
    SimulationResult,
    StageTime,
)
from ._scenario import (
    Duration,
    Repeat,
    Scenario,
    Shared,
    Sitting,
)
from ._simulate import (
    compare,
    simulate,
    simulated_review,
)
from ._sweep import plot_sweep, plot_tornado, sensitivity, sweep

__all__ = [
    "Duration",
    "Repeat",
    "ReviewOutcome",
    "Scenario",
    "Shared",
    "SimulationResult",
    "Sitting",
    "StageTime",
    "compare",
    "fit",
    "observed",
    "plot_sweep",
    "plot_tornado",
    "sensitivity",
    "simulate",
    "simulated_review",
    "sweep",
]
