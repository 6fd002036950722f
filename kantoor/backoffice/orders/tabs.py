"""The tabs of an order's page, as data.

Each tab is a key (``?tab=<key>``, bookmarkable), a label, a template and a context function
``context(order) -> dict``. The view renders whichever tab the URL names and never knows what
is in it, so the issue that brings a tab's content (invoices, returns, sent messages) replaces
that tab's template and context here without touching the view. ``order.shop`` is set by the
selector, so a context function can pass it to selectors without a query.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kantoor.backoffice.invoices.tab import invoices_context
from kantoor.backoffice.messages.tab import (
    message_event_summary,
    messages_context,
)
from kantoor.backoffice.page_tabs import Tab, TimelineEntry, tab_of
from kantoor.backoffice.payments.labels import method_label, paid_note_text
from kantoor.backoffice.returns.tab import returns_context
from kantoor.core.money import format_money
from kantoor.core.statuses import OrderStatus
from kantoor.orders.events import (
    Edited,
    MessageRecorded,
    NoteAdded,
    OrderEventKind,
    PaymentRecorded,
    Placed,
    ReturnRecorded,
    StatusChanged,
    kind_label,
    payload_of,
)
from kantoor.orders.models import Order, OrderEvent
from kantoor.orders.selectors import order_events, order_totals
from kantoor.payments.models import PaymentState as PaymentAttemptState
from kantoor.payments.models import Provider
from kantoor.quotes.selectors import quote_of_order
from kantoor.returns.selectors import return_replaced_by
from kantoor.shops.document_statuses import StatusKind
from kantoor.shops.modules import module_enabled
from kantoor.shops.selectors import (
    DEFAULT_APPEARANCES,
    StatusAppearances,
    status_appearances_for,
)


def overview_context(order: Order) -> dict:
    lines = list(order.lines.all())  # prefetched by the selector
    totals = order_totals(order=order)
    notes = order_events(shop=order.shop, order=order, kinds=[OrderEventKind.NOTE_ADDED])
    return {
        "lines": lines,
        "totals": totals,
        "notes": [timeline_entry(event, order=order) for event in notes],
        "replaced_return": return_replaced_by(shop=order.shop, order=order),
        "from_quote": quote_of_order(shop=order.shop, order=order)
        if module_enabled(shop=order.shop, module="quotes")
        else None,
    }


def history_context(order: Order) -> dict:
    events = order_events(shop=order.shop, order=order)
    labels = status_appearances_for(shop=order.shop)  # the shop's names of the statuses
    return {
        "timeline": [timeline_entry(event, order=order, appearances=labels) for event in events]
    }


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
        context=returns_context,
        icon="undo-2",
        module="returns",
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
    return tab_of(TABS, key)


def tabs_for(shop) -> list[Tab]:
    """The order page's tabs in this shop: a switched-off module's tab is left out."""
    return [tab for tab in TABS if not tab.module or module_enabled(shop=shop, module=tab.module)]


# --- The timeline: each event as a sentence --------------------------------------------------


def _status_label(value, appearances: StatusAppearances) -> str:
    try:
        return appearances.order_status_label(OrderStatus(int(value)))
    except (TypeError, ValueError):
        return str(value)


def timeline_entry(
    event: OrderEvent, *, order: Order, appearances: StatusAppearances = DEFAULT_APPEARANCES
) -> TimelineEntry:
    """What happened, who did it, before → after: one sentence and its details (statuses by
    the shop's names for them, from ``appearances``)."""
    payload = payload_of(event)
    who = event.actor_label
    currency = order.currency

    def money(amount) -> str:
        return format_money(amount, currency)

    if isinstance(payload, Placed):
        return TimelineEntry(
            event=event,
            icon="shopping-bag",
            title=_("Order placed by %(who)s") % {"who": who},
            details=[
                _("%(items)s items, total %(total)s")
                % {"items": payload.items, "total": money(payload.total)}
            ],
        )
    if isinstance(payload, StatusChanged):
        return TimelineEntry(
            event=event,
            icon="arrow-right-left",
            title=_("Status changed from %(before)s to %(after)s by %(who)s")
            % {
                "before": _status_label(payload.before, appearances),
                "after": _status_label(payload.after, appearances),
                "who": who,
            },
        )
    if isinstance(payload, NoteAdded):
        return TimelineEntry(
            event=event,
            icon="sticky-note",
            title=_("Note by %(who)s") % {"who": who},
            quote=payload.text,
        )
    if isinstance(payload, Edited):
        details = [
            _edit_change(change, money) for change in payload.changes if isinstance(change, dict)
        ]
        total = payload.total
        if len(total) == 2 and total[0] != total[1]:
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
    if isinstance(payload, MessageRecorded):
        icon, title, details = message_event_summary(event, payload)
        return TimelineEntry(event=event, icon=icon, title=title, details=details)
    if event.kind in INVOICE_AND_PAYMENT_KINDS:
        return _invoice_or_payment_entry(event, payload, money)
    if isinstance(payload, ReturnRecorded):
        return _return_entry(event, payload, appearances)
    # A kind this module does not know yet (e.g. from a newer feature): say what it is.
    return TimelineEntry(
        event=event,
        icon="circle-dot",
        title=_("%(what)s by %(who)s") % {"what": kind_label(event.kind), "who": who},
    )


def _return_status_label(code: str, appearances: StatusAppearances) -> str:
    try:
        return appearances.badge(StatusKind.RETURN, code).label
    except KeyError:
        return str(code)


def _return_entry(event: OrderEvent, payload: ReturnRecorded, appearances) -> TimelineEntry:
    who, number = event.actor_label, payload.number
    lines = [line for line in payload.lines if isinstance(line, dict)]
    if event.kind == OrderEventKind.RETURN_REQUESTED:
        return TimelineEntry(
            event=event,
            icon="undo-2",
            title=_("Return %(number)s requested by %(who)s") % {"number": number, "who": who},
            details=[
                _("%(quantity)s × %(name)s")
                % {"quantity": line.get("quantity"), "name": line.get("name")}
                for line in lines
            ],
            quote=payload.note,
        )
    if event.kind == OrderEventKind.RETURN_RECEIVED:
        return TimelineEntry(
            event=event,
            icon="package-check",
            title=_("Return %(number)s received by %(who)s") % {"number": number, "who": who},
            details=[
                (
                    _("%(quantity)s × %(name)s arrived, back in stock")
                    if line.get("restocked")
                    else _("%(quantity)s × %(name)s arrived")
                )
                % {"quantity": line.get("quantity"), "name": line.get("name")}
                for line in lines
            ],
        )
    return TimelineEntry(
        event=event,
        icon="arrow-right-left",
        title=_("Return %(number)s moved from %(before)s to %(after)s by %(who)s")
        % {
            "number": number,
            "before": _return_status_label(payload.before, appearances),
            "after": _return_status_label(payload.after, appearances),
            "who": who,
        },
        details=[
            _("Replacement order %(number)s sent at no charge") % {"number": payload.replacement}
        ]
        if payload.replacement
        else [],
        quote=payload.note,
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


# --- Invoices and payments on the timeline -----------------------------------------------------

INVOICE_AND_PAYMENT_KINDS = frozenset(
    {
        OrderEventKind.INVOICE_ISSUED,
        OrderEventKind.CREDIT_INVOICE_ISSUED,
        OrderEventKind.INVOICE_PAID,
        OrderEventKind.INVOICE_SENT,
        OrderEventKind.PAYMENT_LINK_SENT,
        OrderEventKind.PAYMENT_RECEIVED,
        OrderEventKind.PAYMENT_FAILED,
        OrderEventKind.PAYMENT_REFUNDED,
        OrderEventKind.ORDER_PAID,
    }
)


def _provider_label(code) -> str:
    try:
        return str(Provider(code).label)
    except ValueError:
        return str(code or "")


def _via(payment: PaymentRecorded) -> str:
    """ "Mollie, iDEAL" / "Demo (test mode), Credit card": the provider and the method."""
    parts = [_provider_label(payment.provider)]
    method = method_label(payment.method or "")
    if method and payment.provider != Provider.MANUAL:
        parts.append(method)
    return ", ".join(part for part in parts if part)


def _invoice_or_payment_entry(event: OrderEvent, payload, money) -> TimelineEntry:
    who = event.actor_label
    kind = event.kind
    if kind in (OrderEventKind.INVOICE_ISSUED, OrderEventKind.CREDIT_INVOICE_ISSUED):
        credit = kind == OrderEventKind.CREDIT_INVOICE_ISSUED
        title = (
            _("Credit invoice %(number)s issued by %(who)s")
            if credit
            else _("Invoice %(number)s issued by %(who)s")
        ) % {"number": payload.number, "who": who}
        details = [_("Total %(total)s") % {"total": money(payload.total)}]
        if payload.corrects:
            details.append(_("Corrects invoice %(number)s") % {"number": payload.corrects})
        return TimelineEntry(event=event, icon="receipt-text", title=title, details=details)
    if kind == OrderEventKind.INVOICE_PAID:
        details = []
        if payload.amount not in (None, ""):
            details.append(_("Amount %(amount)s") % {"amount": money(payload.amount)})
        if payload.settled:
            details.append(
                _("Settled with credit invoice %(numbers)s")
                % {"numbers": ", ".join(str(number) for number in payload.settled)}
            )
        try:
            amount = Decimal(str(payload.amount))
        except (InvalidOperation, ValueError):
            amount = None
        if amount is not None and amount < 0:
            title = _("Credit invoice %(number)s marked refunded by %(who)s")
        elif amount == 0:
            title = _("Invoice %(number)s settled with its credit invoices by %(who)s")
        else:
            title = _("Invoice %(number)s marked paid by %(who)s")
        return TimelineEntry(
            event=event,
            icon="badge-check",
            title=title % {"number": payload.number, "who": who},
            details=details,
            quote=paid_note_text(
                code=str(payload.note_code or ""),
                provider=str(payload.provider or ""),
                reference=str(payload.reference or ""),
                note=str(payload.note or ""),
            ),
        )
    if kind == OrderEventKind.INVOICE_SENT:
        return TimelineEntry(
            event=event,
            icon="mail",
            title=_("Invoice %(number)s e-mailed to %(to)s by %(who)s")
            % {"number": payload.number, "to": payload.to, "who": who},
        )
    if kind == OrderEventKind.PAYMENT_LINK_SENT:
        details = []
        if payload.amount not in (None, ""):
            details.append(_("Amount to pay %(amount)s") % {"amount": money(payload.amount)})
        return TimelineEntry(
            event=event,
            icon="send",
            title=_("Payment link for invoice %(invoice)s sent to %(to)s by %(who)s")
            % {"invoice": payload.invoice, "to": payload.to, "who": who},
            details=details,
        )
    if kind == OrderEventKind.PAYMENT_RECEIVED:
        amount = money(payload.amount)
        if payload.provider == Provider.MANUAL:
            title = _("Bank transfer of %(amount)s on invoice %(invoice)s recorded by %(who)s")
        else:
            title = _("Payment of %(amount)s received on invoice %(invoice)s via %(via)s")
        details = [
            {
                "paid": _("The invoice is paid."),
                "part": _("Part payment: the invoice is not fully paid yet."),
                "overpaid": _("More than was due was paid: refund the difference."),
                "invoice_already_settled": _(
                    "The invoice was settled already: refund this payment."
                ),
                "provider_not_live": _(
                    "Not booked: the shop no longer takes payments through this provider. "
                    "Refund it if money was taken."
                ),
            }.get(payload.booked if isinstance(payload.booked, str) else "", "")
        ]
        if payload.reference and payload.provider != Provider.MANUAL:
            details.append(_("Reference %(reference)s") % {"reference": payload.reference})
        return TimelineEntry(
            event=event,
            icon="banknote",
            title=title
            % {"amount": amount, "invoice": payload.invoice, "via": _via(payload), "who": who},
            details=[detail for detail in details if detail],
        )
    if kind == OrderEventKind.PAYMENT_FAILED:
        try:
            outcome = str(PaymentAttemptState(payload.state).label).lower()
        except ValueError:
            outcome = ""
        return TimelineEntry(
            event=event,
            icon="circle-x",
            title=_("Payment of %(amount)s on invoice %(invoice)s via %(via)s not completed")
            % {
                "amount": money(payload.amount),
                "invoice": payload.invoice,
                "via": _via(payload),
            },
            details=[_("The provider reports: %(state)s") % {"state": outcome}] if outcome else [],
        )
    if kind == OrderEventKind.PAYMENT_REFUNDED:
        details = []
        if payload.refund:
            details.append(_("Reference %(reference)s") % {"reference": payload.refund})
        return TimelineEntry(
            event=event,
            icon="banknote-arrow-down",
            title=_("Refunded %(amount)s via %(provider)s for credit invoice %(credit)s by %(who)s")
            % {
                "amount": money(payload.refunded),
                "provider": _provider_label(payload.provider),
                "credit": payload.credit_invoice,
                "who": who,
            },
            details=details,
        )
    # ORDER_PAID
    return TimelineEntry(
        event=event,
        icon="circle-check",
        title=_("Order paid"),
        details=[_("Every invoice of the order is settled.")],
    )
