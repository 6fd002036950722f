"""Colour contrast as WCAG 2.1 defines it (pure functions, no Django).

Used by the status-colour setting: a badge whose text and background contrast less than
``MIN_CONTRAST`` (4.5:1, WCAG AA for normal text) gets a warning, in the browser while the shop
owner picks colours and on the page after saving.
"""

import re

MIN_CONTRAST = 4.5
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def is_hex_colour(value: str) -> bool:
    """``#rrggbb`` (the format of an HTML colour input), nothing else."""
    return bool(HEX_COLOUR.match(value or ""))


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """The relative luminance of ``#rrggbb``: 0 for black, 1 for white."""
    if not is_hex_colour(colour):
        raise ValueError(f"Not a #rrggbb colour: {colour!r}")
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """(L1 + 0.05) / (L2 + 0.05), L1 the lighter: 1 (same colour) to 21 (black on white)."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def is_readable(foreground: str, background: str) -> bool:
    return contrast_ratio(foreground, background) >= MIN_CONTRAST
