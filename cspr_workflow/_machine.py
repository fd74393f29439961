"""The ``transitions`` adapter: one ``Machine`` per definition, never per review.

The machine holds the definition's stages and one transition per compiled step,
whose callback records the step on a throw-away model. Reviews are never added to
it as models, so opening or loading any number of reviews costs nothing here, and
``add_model``'s scan and its equality pitfalls never arise. The engine has already
chosen the step, so the machine executes that transition directly (its
conditions, callback and state change) rather than dispatching the trigger again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs
from transitions import Machine
from transitions.core import EventData

from ._records import ReviewState
from ._specs import StepContext
from ._steps import CompiledStep

__all__: list[str] = []


class Move:
    """The throw-away model the machine moves for one step."""

    __slots__ = ("ctx", "result", "review", "state")

    def __init__(self, review: ReviewState, ctx: StepContext) -> None:
        self.state = review.stage
        self.review = review
        self.ctx = ctx
        self.result = review

    def apply(self, step: CompiledStep) -> None:
        if self.ctx.dest != step.target:  # the machine chose another row than the check did
            self.ctx = attrs.evolve(self.ctx, dest=step.target)
        self.result = step.apply(self.review, self.ctx)


class StepMachine:
    """A definition's ``transitions.Machine`` and, for each compiled step, its transition."""

    def __init__(self, stages: Sequence[str], initial: str, steps: Sequence[CompiledStep]) -> None:
        # transitions treats Enum members as states named by the member's *name*; the
        # definition's names may be StrEnum members, so the machine gets plain text.
        machine = Machine(
            model=None,
            states=[str(s) for s in stages],
            initial=str(initial),
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
        )
        self._executors: dict[int, tuple[Any, Any, Any]] = {}
        for step in steps:
            row = step.row
            conditions: list[str | Callable[..., bool | None]] = []
            if step.selector is not None:
                conditions.append(lambda event, step=step: step.applies(event.model.review))
            trigger, source = str(row.trigger), str(row.source)
            machine.add_transition(
                trigger,
                source,
                None if row.dest is None else str(row.dest),
                conditions=conditions,
                before=[lambda event, step=step: event.model.apply(step)],
            )
            event = machine.events[trigger]
            transition = event.transitions[source][-1]  # the one just added
            self._executors[step.index] = (transition, event, machine.get_state(source))
        self.machine = machine

    def execute(self, step: CompiledStep, move: Move) -> bool:
        """Take ``step`` on ``move``; False when its selector refuses."""
        transition, event, state = self._executors[step.index]
        return bool(transition.execute(EventData(state, event, self.machine, move, (), {})))
