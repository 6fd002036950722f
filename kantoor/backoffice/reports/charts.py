"""The Statistics page's charts as plain geometry for small SVG templates (no charting library,
no JavaScript): a bar chart of a figure over time with the comparison period as a line, and
horizontal bars for the top products. Each chart's numbers are also in the table beside it."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

WIDTH = 720
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 72, 12, 14, 44
MAX_X_LABELS = 8


def nice_step(span: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that divides ``span`` in about
    ``ticks`` parts."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass
class TimeChart:
    title: str
    bars: list[Bar] = field(default_factory=list)
    comparison_points: str = ""  # "x,y x,y …" of the comparison's line
    comparison_dots: list[tuple[float, float]] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    x_labels: list[Tick] = field(default_factory=list)
    baseline: float = 0.0
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT

    @property
    def empty(self) -> bool:
        return not self.bars


def time_chart(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[Decimal | int],
    comparison: Sequence[Decimal | int] | None,
    formatted: Callable[[Decimal | int], str],
    tick_label: Callable[[float], str],
) -> TimeChart:
    """Bars of ``values`` per bucket; ``comparison`` (aligned by position) as a line."""
    chart = TimeChart(title=title)
    if not values:
        return chart
    everything = [float(v) for v in values] + [float(v) for v in (comparison or [])]
    low, high = min(0.0, *everything), max(0.0, *everything)
    step = nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step or step
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT

    def y_of(value: float) -> float:
        return round(TOP + (high - value) / (high - low) * plot_height, 2)

    chart.baseline = y_of(0.0)
    tick = low
    while tick <= high + step / 2:
        chart.y_ticks.append(Tick(y_of(tick), tick_label(tick)))
        tick += step
    slot = plot_width / len(values)
    bar_width = max(1.0, round(slot * 0.7, 2))
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = LEFT + index * slot + (slot - bar_width) / 2
        top, bottom = sorted((y_of(float(value)), chart.baseline))
        chart.bars.append(
            Bar(round(x, 2), top, bar_width, round(bottom - top, 2), label, formatted(value))
        )
    every = max(1, math.ceil(len(values) / MAX_X_LABELS))
    for index in range(0, len(values), every):
        chart.x_labels.append(Tick(round(LEFT + index * slot + slot / 2, 2), labels[index]))
    if comparison:
        points = [
            (round(LEFT + index * slot + slot / 2, 2), y_of(float(value)))
            for index, value in enumerate(comparison[: len(values)])
        ]
        chart.comparison_points = " ".join(f"{x},{y}" for x, y in points)
        chart.comparison_dots = points
    return chart


@dataclass(frozen=True)
class HorizontalBar:
    y: float
    width: float
    label: str
    value: str


@dataclass
class BarList:
    title: str
    bars: list[HorizontalBar]
    height: int
    label_width: int = 200
    plot_width: int = 480 - 200 - 84
    width: int = 480
    row_height: int = 28


def bar_list(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[Decimal | int],
    formatted: Callable[[Decimal | int], str],
) -> BarList:
    """One horizontal bar per label, the largest value full width (negative values: none)."""
    chart = BarList(title=title, bars=[], height=0)
    largest = max((float(value) for value in values), default=0.0)
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        share = float(value) / largest if largest > 0 else 0.0
        chart.bars.append(
            HorizontalBar(
                y=index * chart.row_height,
                width=round(max(share, 0.0) * chart.plot_width, 2),
                label=label if len(label) <= 24 else label[:23] + "…",
                value=formatted(value),
            )
        )
    chart.height = max(1, len(chart.bars)) * chart.row_height
    return chart
