"""The stage graph of a process table: what reaches what, and the shortest ways there.

One breadth-first search serves every question: reachability (validation), the
stages a clock runs through (validation, diagrams), and the fewest stage changes
from one stage to another (the deadline report's projection, the simulation).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Mapping

__all__ = ["StageGraph"]


class StageGraph:
    """Stages and the moves between them.

    ``moves`` are (source, target, chosen) triples: ``chosen`` marks a move taken
    only when a selector picks it (returning to the stage a review left), which
    is no shortcut, so shortest paths leave it out.
    """

    def __init__(self, stages: Iterable[str], moves: Iterable[tuple[str, str, bool]]) -> None:
        self.stages = tuple(stages)
        self._all: dict[str, list[str]] = {s: [] for s in self.stages}
        self._plain: dict[str, list[str]] = {s: [] for s in self.stages}
        self._back: dict[str, list[str]] = {s: [] for s in self.stages}
        for source, target, chosen in moves:
            if target not in self._all[source]:
                self._all[source].append(target)
                self._back[target].append(source)
            if not chosen and target not in self._plain[source]:
                self._plain[source].append(target)
        self._paths: dict[tuple[str, str], tuple[str, ...] | None] = {}

    def _search(
        self,
        start: Iterable[str],
        edges: Mapping[str, list[str]],
        avoid: Collection[str] = (),
    ) -> dict[str, str | None]:
        """Breadth first from ``start``: each stage reached and the stage it was reached from."""
        previous: dict[str, str | None] = dict.fromkeys(start)
        queue = deque(previous)
        while queue:
            stage = queue.popleft()
            for nxt in edges[stage]:
                if nxt not in previous and nxt not in avoid:
                    previous[nxt] = stage
                    queue.append(nxt)
        return previous

    def reachable(self, start: Iterable[str], *, avoid: Collection[str] = ()) -> set[str]:
        """Every stage reachable from ``start`` (included) without entering ``avoid``."""
        return set(self._search(start, self._all, avoid))

    def reaching(self, targets: Iterable[str]) -> set[str]:
        """Every stage from which one of ``targets`` can be reached (targets included)."""
        return set(self._search(targets, self._back))

    def shortest_path(self, source: str, dest: str) -> tuple[str, ...] | None:
        """The fewest stage changes from ``source`` to ``dest`` (both included), or None.

        Moves chosen by a selector are left out: they only return to a stage a review
        came from, so they are no shortcut.
        """
        key = (source, dest)
        if key not in self._paths:
            previous = self._search([source], self._plain)
            if dest not in previous:
                self._paths[key] = None
            else:
                path = [dest]
                while (back := previous[path[-1]]) is not None:
                    path.append(back)
                self._paths[key] = tuple(reversed(path))
        return self._paths[key]
