"""The floor no engine can beat: hand-written dict state machines, without the rules.

``DictMachine`` fires a trigger by one dictionary lookup and one guard call. The
``FloorSink`` takes a simulated review's steps the same way: the same triggers on
the same days (the benchmark dates each with the same calendar arithmetic), none of
the roles, guards, planning, clocks, history or delay notices.
"""

from __future__ import annotations

from collections.abc import Callable

from cspr_workflow import DEFAULT_DEFINITION


class DictMachine:
    """A state machine as a dict: (state, trigger) -> (destination, guard)."""

    __slots__ = ("state", "table")

    def __init__(
        self, table: dict[tuple[str, str], tuple[str, Callable[[], bool]]], state: str
    ) -> None:
        self.table = table
        self.state = state

    def fire(self, trigger: str) -> None:
        dest, guard = self.table[(self.state, trigger)]
        if not guard():
            raise RuntimeError(f"{trigger} refused")
        self.state = dest


class FloorSink:
    """The simulation driver's steps, applied to a bare table of the default process."""

    def __init__(self) -> None:
        self.table: dict[tuple[str, str], list[str]] = {}
        for row in DEFAULT_DEFINITION.transitions:
            self.table.setdefault((row.trigger, row.source), []).append(row.target)
        self._stage = DEFAULT_DEFINITION.initial_stage.name
        self.held_from: str | None = None
        self.actions = 0
        self.steps = 0

    @property
    def stage(self) -> str:
        return self._stage

    def fire(self, trigger: str) -> None:
        targets = self.table[(trigger, self._stage)]
        if trigger == "resume":
            target = self.held_from or targets[0]
            self.held_from = None
        else:
            target = targets[0]
            if trigger == "put_on_hold":
                self.held_from = self._stage
            elif trigger == "add_action":
                self.actions += 1
        self._stage = target
        self.steps += 1
