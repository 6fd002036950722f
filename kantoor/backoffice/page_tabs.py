"""What a document page with tabs (an order, a quote) is made of: its tabs as data, and the
entries of its History tab, one sentence per event."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Tab:
    key: str
    label: Promise
    template: str
    context: Callable[[Any], dict] = field(default=lambda document: {})
    icon: str = ""
    # A module the shop can switch off (kantoor/shops/modules.py): then no tab, and a 404.
    module: str = ""


def tab_of(tabs: Sequence[Tab], key: str | None) -> Tab:
    """The tab a URL asks for; the first tab for a missing or unknown key."""
    return next((tab for tab in tabs if tab.key == key), tabs[0])


@dataclass
class TimelineEntry:
    event: Any  # an OrderEvent or a QuoteEvent
    icon: str
    title: str
    details: list[str] = field(default_factory=list)
    quote: str = ""  # a text someone wrote (a note, a reason), shown as a quotation
