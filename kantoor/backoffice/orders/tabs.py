"""The tabs of an order's page, as data.

Each tab is a key (``?tab=<key>``, bookmarkable), a label, a template and a context function
``context(order) -> dict``. The view renders whichever tab the URL names and never knows what
is in it, so the issue that brings a tab's content (invoices, returns, sent messages) replaces
that tab's template and context here without touching the view. ``order.shop`` is set by the
selector, so a context function can pass it to selectors without a query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kantoor.backoffice.invoices.tab import invoices_context
from kantoor.backoffice.messages.tab import (
    MESSAGE_EVENT_KINDS,
    message_event_summary,
    messages_context,
)
from kantoor.money import format_money
from kantoor.orders.models import Order, OrderEvent, OrderEventKind
from kantoor.orders.selectors import order_events, order_totals
from kantoor.orders.statuses import OrderStatus


@dataclass(frozen=True)
class Tab:
    key: str
    label: Promise
    template: str
    context: Callable[[Order], dict] = field(default=lambda order: {})
    icon: str = ""


def overview_context(order: Order) -> dict:
    lines = list(order.lines.all())  # prefetched by the selector
    totals = order_totals(order=order)
    notes = order_events(shop=order.shop, order=order, kinds=[OrderEventKind.NOTE_ADDED])
    return {
        "lines": lines,
        "totals": totals,
        "notes": [timeline_entry(event, order=order) for event in notes],
    }


def history_context(order: Order) -> dict:
    events = order_events(shop=order.shop, order=order)
    return {"timeline": [timeline_entry(event, order=order) for event in events]}


TABS: tuple[Tab, ...] = (
    Tab(
        key="overview",
        label=gettext_lazy("Overview"),
        template="backoffice/orders/tabs/overview.html",
        context=overview_context,
        icon="layout-list",
    ),
    Tab(
        key="invoices",
        label=gettext_lazy("Invoices"),
        template="backoffice/orders/tabs/invoices.html",
        context=invoices_context,
        icon="receipt-text",
    ),
    Tab(
        key="returns",
        label=gettext_lazy("Returns"),
        template="backoffice/orders/tabs/returns.html",
        icon="undo-2",
    ),
    Tab(
        key="messages",
        label=gettext_lazy("Sent messages"),
        template="backoffice/messages/order_tab.html",
        context=messages_context,
        icon="mail",
    ),
    Tab(
        key="history",
        label=gettext_lazy("History"),
        template="backoffice/orders/tabs/history.html",
        context=history_context,
        icon="history",
    ),
)


def tab_for(key: str | None) -> Tab:
    """The tab a URL asks for; the first tab for a missing or unknown key."""
    return next((tab for tab in TABS if tab.key == key), TABS[0])


# --- The timeline: each event as a sentence --------------------------------------------------


@dataclass
class TimelineEntry:
    event: OrderEvent
    icon: str
    title: str
    details: list[str] = field(default_factory=list)
    quote: str = ""


def _status_label(value) -> str:
    try:
        return str(OrderStatus(int(value)).label)
    except (TypeError, ValueError):
        return str(value)


def timeline_entry(event: OrderEvent, *, order: Order) -> TimelineEntry:
    """What happened, who did it, before → after: one sentence and its details."""
    data = event.data or {}
    who = event.actor_label
    currency = order.currency

    def money(amount) -> str:
        return format_money(amount, currency)

    if event.kind == OrderEventKind.PLACED:
        return TimelineEntry(
            event=event,
            icon="shopping-bag",
            title=_("Order placed by %(who)s") % {"who": who},
            details=[
                _("%(items)s items, total %(total)s")
                % {"items": data.get("items", ""), "total": money(data.get("total"))}
            ],
        )
    if event.kind == OrderEventKind.STATUS_CHANGED:
        return TimelineEntry(
            event=event,
            icon="arrow-right-left",
            title=_("Status changed from %(before)s to %(after)s by %(who)s")
            % {
                "before": _status_label(data.get("before")),
                "after": _status_label(data.get("after")),
                "who": who,
            },
        )
    if event.kind == OrderEventKind.NOTE_ADDED:
        return TimelineEntry(
            event=event,
            icon="sticky-note",
            title=_("Note by %(who)s") % {"who": who},
            quote=data.get("text", ""),
        )
    if event.kind == OrderEventKind.EDITED:
        details = [_edit_change(change, money) for change in data.get("changes", [])]
        total = data.get("total")
        if total and total[0] != total[1]:
            details.append(
                _("Order total %(before)s → %(after)s")
                % {"before": money(total[0]), "after": money(total[1])}
            )
        return TimelineEntry(
            event=event,
            icon="pencil",
            title=_("Order edited by %(who)s") % {"who": who},
            details=details,
        )
    if event.kind in MESSAGE_EVENT_KINDS:
        icon, title, details = message_event_summary(event)
        return TimelineEntry(event=event, icon=icon, title=title, details=details)
    # A kind this module does not know yet (e.g. from a newer feature): say what it is.
    return TimelineEntry(
        event=event,
        icon="circle-dot",
        title=_("%(what)s by %(who)s") % {"what": event.get_kind_display(), "who": who},
    )


def _edit_change(change: dict, money) -> str:
    what = change.get("what")
    name = change.get("name", "")
    if what == "quantity":
        return _("%(name)s: quantity %(before)s → %(after)s") % {
            "name": name,
            "before": change["before"],
            "after": change["after"],
        }
    if what == "unit_price":
        return _("%(name)s: unit price %(before)s → %(after)s") % {
            "name": name,
            "before": money(change["before"]),
            "after": money(change["after"]),
        }
    if what == "line_added":
        return _("Added %(quantity)s × %(name)s at %(price)s") % {
            "quantity": change["quantity"],
            "name": name,
            "price": money(change["unit_price"]),
        }
    if what == "line_removed":
        return _("Removed %(quantity)s × %(name)s") % {"quantity": change["quantity"], "name": name}
    if what == "shipping_cost":
        return _("Shipping cost %(before)s → %(after)s") % {
            "before": money(change["before"]),
            "after": money(change["after"]),
        }
    if what == "billing_address":
        return _("Billing address %(before)s → %(after)s") % {
            "before": change["before"],
            "after": change["after"],
        }
    if what == "delivery_address":
        return _("Delivery address %(before)s → %(after)s") % {
            "before": change["before"],
            "after": change["after"],
        }
    return str(what)
