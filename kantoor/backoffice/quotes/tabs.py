"""The tabs of a quote's page, as data (like the order page's, kantoor/backoffice/orders/tabs.py):
Overview (who, the lines and totals, the acceptance), Sent messages (the quote's e-mails) and
History (its timeline, one sentence per event). ``quote.shop`` is set by the selector."""

from __future__ import annotations

import datetime

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kantoor.backoffice.page_tabs import Tab, TimelineEntry, tab_of
from kantoor.quotes.events import QuoteEventKind
from kantoor.quotes.models import Quote, QuoteEvent, QuoteStatus
from kantoor.quotes.selectors import customer_revision, quote_events, quote_messages, quote_view


def overview_context(quote: Quote) -> dict:
    shown = customer_revision(quote)
    return {
        "current": quote_view(quote),
        "customer_sees": shown,
        "customer_sees_other": shown is not None and shown != quote.revision,
    }


def messages_context(quote: Quote) -> dict:
    return {"quote_messages": quote_messages(shop=quote.shop, quote=quote)}


def history_context(quote: Quote) -> dict:
    return {"timeline": [timeline_entry(e) for e in quote_events(shop=quote.shop, quote=quote)]}


TABS: tuple[Tab, ...] = (
    Tab(
        key="overview",
        label=gettext_lazy("Overview"),
        template="backoffice/quotes/tabs/overview.html",
        context=overview_context,
        icon="layout-list",
    ),
    Tab(
        key="messages",
        label=gettext_lazy("Sent messages"),
        template="backoffice/quotes/tabs/messages.html",
        context=messages_context,
        icon="mail",
    ),
    Tab(
        key="history",
        label=gettext_lazy("History"),
        template="backoffice/quotes/tabs/history.html",
        context=history_context,
        icon="history",
    ),
)


def tab_for(key: str | None) -> Tab:
    """The tab a URL asks for; the first tab for a missing or unknown key."""
    return tab_of(TABS, key)


# --- The timeline: each event as a sentence ----------------------------------------------------


def _status(value) -> str:
    try:
        return str(QuoteStatus(value).label).lower()
    except ValueError:
        return str(value)


def _date(value) -> str:
    try:
        return formats.date_format(datetime.date.fromisoformat(str(value)), "MEDIUM_DATE_FORMAT")
    except ValueError:
        return str(value)


def _kind_label(kind: str) -> str:
    try:
        return str(QuoteEventKind(kind).label)
    except ValueError:
        return kind


def timeline_entry(event: QuoteEvent) -> TimelineEntry:
    """What happened, who did it, before → after: one sentence and its details."""
    data = event.data if isinstance(event.data, dict) else {}
    who = event.actor_label
    kind = event.kind
    note = str(data.get("note") or "")
    if kind == QuoteEventKind.CREATED:
        return TimelineEntry(event, "file-plus", _("Quote made by %(who)s") % {"who": who})
    if kind == QuoteEventKind.REQUESTED:
        return TimelineEntry(
            event,
            "message-square-quote",
            _("Quote requested by %(who)s") % {"who": who},
            quote=note,
        )
    if kind == QuoteEventKind.REVISED:
        details = []
        if data.get("before"):
            details.append(
                _("Revision %(revision)s started as a concept (it was %(status)s)")
                % {"revision": data.get("revision"), "status": _status(data["before"])}
            )
        return TimelineEntry(
            event, "pencil", _("Quote edited by %(who)s") % {"who": who}, details=details
        )
    if kind == QuoteEventKind.SENT:
        return TimelineEntry(
            event,
            "send",
            _("Revision %(revision)s sent to %(to)s by %(who)s")
            % {"revision": data.get("revision"), "to": data.get("to", ""), "who": who},
        )
    if kind == QuoteEventKind.ACCEPTED:
        details = [_("From IP address %(ip)s") % {"ip": data["ip"]}] if data.get("ip") else []
        return TimelineEntry(
            event,
            "circle-check",
            _("Revision %(revision)s accepted by %(name)s")
            % {"revision": data.get("revision"), "name": data.get("name") or who},
            details=details,
        )
    if kind == QuoteEventKind.DECLINED:
        return TimelineEntry(
            event, "circle-x", _("Quote declined by %(who)s") % {"who": who}, quote=note
        )
    if kind == QuoteEventKind.CANCELLED:
        return TimelineEntry(
            event, "ban", _("Quote cancelled by %(who)s") % {"who": who}, quote=note
        )
    if kind == QuoteEventKind.EXTENDED:
        return TimelineEntry(
            event,
            "calendar-plus",
            _("Valid until %(after)s instead of %(before)s, extended by %(who)s")
            % {
                "after": _date(data.get("to_date")),
                "before": _date(data.get("from_date")),
                "who": who,
            },
        )
    if kind == QuoteEventKind.EXPIRED:
        return TimelineEntry(event, "calendar-x", _("Quote expired: its last day has passed"))
    if kind == QuoteEventKind.REMINDED:
        return TimelineEntry(event, "bell", _("Reminder sent to the customer"))
    if kind == QuoteEventKind.CONVERTED:
        return TimelineEntry(
            event,
            "shopping-bag",
            _("Converted into order %(order)s by %(who)s")
            % {"order": data.get("order", ""), "who": who},
        )
    if kind == QuoteEventKind.CONVERSION_REFUSED:
        return TimelineEntry(
            event,
            "circle-alert",
            _("Accepted, but not converted at once: %(reason)s") % {"reason": data.get("note", "")},
        )
    # A kind this module does not know yet (e.g. from a newer feature): say what it is.
    return TimelineEntry(
        event, "circle-dot", _("%(what)s by %(who)s") % {"what": _kind_label(kind), "who": who}
    )
