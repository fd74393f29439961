"""A Graphviz drawing laid out for printing on A4: one page if it fits there at a readable
size, else parts at that size, one a page, overlapping a little.

The report shows the drawing once, as inline SVG; each printed part is a small SVG
that reuses it (``<use>``) through a window (``viewBox``) onto one region. A part is
printed at a scale that keeps the drawing's smallest text at :data:`MIN_TEXT_PT`
points or more; a drawing that fits one page at that size is printed whole, scaled
to fit (never enlarged). Each text of the drawing belongs to the one part whose stretch
holds where it is anchored; a part that holds no text (lines only, or nothing) is left
out.
"""

from __future__ import annotations

import math
import re

import attrs

__all__: list[str] = []

MIN_TEXT_PT = 7.0
"""The smallest text size, in points, a printed drawing may have."""

_MM = 72 / 25.4
PAGE_MARGIN_MM = 12
"""The margin of every printed page, on each side (the report's ``@page`` rule)."""
_WIDTH_PT = (210 - 2 * PAGE_MARGIN_MM) * _MM
_HEIGHT_PT = (297 - 2 * PAGE_MARGIN_MM) * _MM - 32  # less the caption above each part
OVERLAP_MM = 8
"""What neighbouring parts both show, so that nothing is lost at a cut."""
_OVERLAP_PT = OVERLAP_MM * _MM
_GRAPHVIZ_TEXT_PT = 14.0  # Graphviz's default font size, for a drawing that names none

_VIEWBOX = re.compile(r'<svg\b[^>]*?viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"', re.S)
_GROUP = re.compile(r'<g id="(graph\d+)" class="graph" transform="([^"]*)"')
_TRANSLATE = re.compile(r"translate\(([-\d.]+)[ ,]+([-\d.]+)\)")
_FONT = re.compile(r'font-size="([\d.]+)"')
_TEXT_AT = re.compile(r'<text\b[^>]*?\bx="(-?[\d.]+)" y="(-?[\d.]+)"')


@attrs.frozen
class Part:
    """One printed part: the window onto the drawing (in its own units), its size on paper
    in points, and where it lies among the parts."""

    x: float
    y: float
    width: float
    height: float
    scale: float
    row: int
    column: int
    rows: int
    columns: int

    def svg(self, ref: str) -> str:
        """This part as SVG that reuses the drawing whose group has id ``ref``."""
        return (
            f'<svg viewBox="{self.x:.2f} {self.y:.2f} {self.width:.2f} {self.height:.2f}" '
            f'width="{self.width * self.scale:.1f}pt" height="{self.height * self.scale:.1f}pt" '
            f'xmlns="http://www.w3.org/2000/svg" role="img"><use href="#{ref}"/></svg>'
        )


@attrs.frozen
class Layout:
    """How one drawing is printed: its group's id (renamed to ``ref``), the drawing with
    that id, its smallest text on paper, and the parts."""

    ref: str
    svg: str
    text_pt: float
    parts: tuple[Part, ...]


def _starts(length: float, window: float, overlap: float) -> list[float]:
    if length <= window:
        return [0.0]
    count = math.ceil((length - overlap) / (window - overlap))
    step = (length - window) / (count - 1)
    return [i * step for i in range(count)]


def _texts(svg: str, dx: float, dy: float) -> list[tuple[float, float]]:
    """Where each text of the drawing is anchored, in the drawing's own units."""
    return [(float(x) + dx, float(y) + dy) for x, y in _TEXT_AT.findall(svg)]


def _own(starts: list[float], i: int, value: float) -> bool:
    """Whether ``value`` lies in the stretch the ``i``-th window owns: from its start to
    the next window's (the last owns the rest)."""
    last = i == len(starts) - 1
    return value >= starts[i] - 1e-6 and (last or value < starts[i + 1])


def layout(svg: str, ref: str) -> Layout | None:
    """The printed parts of a Graphviz SVG drawing, its top group renamed ``ref`` so that
    the parts can reuse it; None when the text is not a drawing Graphviz made."""
    box = _VIEWBOX.search(svg)
    group = _GROUP.search(svg)
    if box is None or group is None:
        return None
    x0, y0, width, height = (float(v) for v in box.groups())
    if width <= 0 or height <= 0:
        return None
    fonts = [float(f) for f in _FONT.findall(svg)] or [_GRAPHVIZ_TEXT_PT]
    smallest = min(fonts)
    fit = min(_WIDTH_PT / width, _HEIGHT_PT / height, 1.0)
    scale = fit if fit * smallest >= MIN_TEXT_PT else MIN_TEXT_PT / smallest
    window_w, window_h = _WIDTH_PT / scale, _HEIGHT_PT / scale
    overlap = _OVERLAP_PT / scale
    xs = _starts(width, window_w, overlap)
    ys = _starts(height, window_h, overlap)
    shift = _TRANSLATE.search(group.group(2))
    dx, dy = (float(shift.group(1)), float(shift.group(2))) if shift else (0.0, 0.0)
    texts = [(x - x0, y - y0) for x, y in _texts(svg[group.end() :], dx, dy)]
    w, h = min(window_w, width), min(window_h, height)
    parts = []
    for row, y in enumerate(ys):
        for column, x in enumerate(xs):
            owned = any(_own(xs, column, tx) and _own(ys, row, ty) for tx, ty in texts)
            if owned or len(xs) * len(ys) == 1:
                part = Part(x0 + x, y0 + y, w, h, scale, row + 1, column + 1, len(ys), len(xs))
                parts.append(part)
    renamed = svg[: group.start(1)] + ref + svg[group.end(1) :]
    return Layout(ref, renamed, smallest * scale, tuple(parts))
