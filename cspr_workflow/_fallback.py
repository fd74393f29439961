"""The definition the library uses when a call is given none.

The package names it when it is imported, as a function that builds it, so that nothing
is built until a call first needs it: importing the package (and the command line, and
each simulation worker) does not build the default process it may never use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._definition import ProcessDefinition

__all__: list[str] = []

_SOURCE: list[Callable[[], ProcessDefinition]] = []
_BUILT: list[ProcessDefinition] = []
_LOCK = threading.RLock()  # a source that asked for the default would fail, not hang


def use_as_default(source: Callable[[], ProcessDefinition]) -> None:
    """Make the definition ``source`` returns the one used when none is given (the package
    does this once, when it is imported); ``source`` is called when one is first needed."""
    with _LOCK:
        _SOURCE[:] = [source]
        _BUILT.clear()


def default_definition() -> ProcessDefinition:
    """The definition used when none is given (built by the first call that needs it)."""
    if _BUILT:
        return _BUILT[0]
    with _LOCK:
        if not _BUILT:
            if not _SOURCE:
                raise RuntimeError("no default process definition: import cspr_workflow first")
            _BUILT[:] = [_SOURCE[0]()]
        return _BUILT[0]
