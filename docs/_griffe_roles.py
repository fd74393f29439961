"""Griffe extension: the docstrings' reST markup as Markdown, for the API page.

The library's docstrings are written for Sphinx and doctest: they name objects with
roles (``:class:`~cspr_workflow.Review```) and show examples as ``>>>`` sessions.
Markdown has neither, so the API page would show the roles raw and run the examples
together into one paragraph. This turns each role into inline code (``~a.b.Name`` into
``Name``, ``a.b.Name`` kept whole, as Sphinx displays them), and each ``>>>`` session
into a fenced Python block. It also gives each attrs class the signature attrs
generates for it at import time (Griffe reads the source, where there is no
``__init__`` to read).
"""

from __future__ import annotations

import importlib
import inspect
import re
from typing import Any

from griffe import Extension, Function, Parameter, ParameterKind, Parameters

_ROLE = re.compile(r":(?:class|meth|func|attr|data|mod|exc|obj):`(~?)([^`]+)`")


def _code(match: re.Match[str]) -> str:
    short, target = match.group(1), match.group(2)
    return f"`{target.rsplit('.', 1)[-1] if short else target}`"


def plain(text: str) -> str:
    """``text`` with every reST role as Markdown inline code."""
    return _ROLE.sub(_code, text)


def fence_sessions(text: str) -> str:
    """``text`` with every ``>>>`` session (up to the next blank line) in a fenced block."""
    out: list[str] = []
    inside = False
    for line in text.split("\n"):
        if not inside and line.lstrip().startswith(">>>"):
            out.append("```pycon")
            inside = True
        elif inside and not line.strip():
            out.append("```")
            inside = False
        out.append(line)
    if inside:
        out.append("```")
    return "\n".join(out)


def markdown(text: str) -> str:
    """A docstring's reST markup (roles, doctest sessions, ``::``) as Markdown."""
    text = re.sub(r"(?<=\S)::\n\n", ":\n\n", text)  # "as follows::" + an indented block
    text = re.sub(r"\n::\n\n", "\n\n", text)
    return fence_sessions(plain(text))


_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: ParameterKind.positional_only,
    inspect.Parameter.POSITIONAL_OR_KEYWORD: ParameterKind.positional_or_keyword,
    inspect.Parameter.VAR_POSITIONAL: ParameterKind.var_positional,
    inspect.Parameter.KEYWORD_ONLY: ParameterKind.keyword_only,
    inspect.Parameter.VAR_KEYWORD: ParameterKind.var_keyword,
}


def _annotation(value: Any) -> str | None:
    if value is inspect.Parameter.empty:
        return None
    return value if isinstance(value, str) else inspect.formatannotation(value)


def _attrs_init(cls: Any) -> Function | None:
    """The ``__init__`` attrs generated for the class Griffe read as ``cls``, if any."""
    try:
        runtime = getattr(importlib.import_module(cls.module.path), cls.name)
    except (ImportError, AttributeError):
        return None
    if not hasattr(runtime, "__attrs_attrs__"):
        return None
    signature = inspect.signature(runtime.__init__)
    parameters = [
        Parameter(
            p.name,
            annotation=_annotation(p.annotation),
            kind=_KINDS[p.kind],
            default=None if p.default is inspect.Parameter.empty else repr(p.default),
        )
        for p in signature.parameters.values()
    ]
    return Function("__init__", parameters=Parameters(*parameters), returns="None")


class SphinxMarkup(Extension):
    """Rewrite the markup in every docstring the API page shows; sign attrs classes."""

    def on_instance(self, *, obj: Any, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown(obj.docstring.value)

    def on_class_members(self, *, cls: Any, **kwargs: Any) -> None:
        if "__init__" in cls.members:
            return
        init = _attrs_init(cls)
        if init is not None:
            cls.set_member("__init__", init)
