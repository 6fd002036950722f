"""Converting a quote into an order: through ``place_order``, with the quote's lines at the
quote's prices and VAT rates, its agreed shipping, taken from the stored quote (never from a
request). The order books its stock, issues its invoice in the same transaction and e-mails the
customer; the quote links to its order. Idempotent and safe under concurrency: the quote's row
is locked first, and a quote that has its order answers with that order."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kantoor.catalog.services import InsufficientStock
from kantoor.checkout.services import OrderItem, place_order
from kantoor.core.actors import Actor
from kantoor.customers.services import AddressData, CustomerDetails
from kantoor.orders.errors import OrderError
from kantoor.orders.models import Order
from kantoor.quotes import events
from kantoor.quotes.errors import QuoteError
from kantoor.quotes.events import QuoteEventKind
from kantoor.quotes.models import Quote, QuoteLine, QuoteStatus
from kantoor.quotes.pricing import discounted_price
from kantoor.quotes.services.drafting import lock_quote
from kantoor.shops.models import Shop

CONVERTIBLE = frozenset({QuoteStatus.SENT, QuoteStatus.ACCEPTED})


def _details(quote: Quote) -> CustomerDetails:
    address = AddressData(
        name=quote.customer_name or quote.email,
        company=quote.company,
        street=quote.street,
        postcode=quote.postcode,
        city=quote.city,
        country=quote.country,
    )
    return CustomerDetails(
        email=quote.email,
        first_name=quote.first_name,
        last_name=quote.last_name,
        company=quote.company,
        vat_number=quote.vat_number,
        phone=quote.phone,
        language=quote.language,
        billing=address,
    )


def convert_quote(*, shop: Shop, quote_id: int, actor: Actor, notify: bool = True) -> Order:
    """Make the order of a sent or accepted quote (or answer with the order it has); the
    customer gets the order's confirmation with its invoice (``notify`` False: history)."""
    with transaction.atomic():
        quote = lock_quote(shop=shop, quote_id=quote_id)
        return convert_locked_quote(quote, actor=actor, notify=notify)


def convert_locked_quote(quote: Quote, *, actor: Actor, notify: bool = True) -> Order:
    """``convert_quote`` for a quote the caller locked in its transaction (acceptance)."""
    if quote.order_id is not None:
        return Order.objects.get(pk=quote.order_id)
    if quote.status not in CONVERTIBLE:
        raise QuoteError(
            _("Quote %(number)s can be converted once it is sent or accepted.")
            % {"number": quote.number},
            code="wrong_status",
        )
    if quote.status == QuoteStatus.SENT and quote.valid_until < timezone.localdate():
        raise QuoteError(
            _("Quote %(number)s has expired: extend it before you convert it.")
            % {"number": quote.number},
            code="expired",
        )
    if not (quote.street and quote.postcode and quote.city and quote.customer_name):
        raise QuoteError(
            _(
                "Quote %(number)s has no name and address to order and invoice for: edit it "
                "and fill them in first."
            )
            % {"number": quote.number},
            code="no_address",
        )
    revision = quote.accepted_revision or quote.sent_revision
    lines = list(QuoteLine.objects.filter(quote=quote, revision=revision).order_by("position"))
    if not lines:
        raise QuoteError(_("The quote has no lines to order."), code="no_lines")
    try:
        order = place_order(
            shop=quote.shop,
            details=_details(quote),
            items=[
                OrderItem(
                    product_id=line.product_id,
                    quantity=line.quantity,
                    agreed_price=discounted_price(line.unit_price, line.discount_percent),
                    description=line.description,
                    vat_rate=line.vat_rate,
                    sku=line.sku,
                )
                for line in lines
            ],
            shipping_method=quote.shipping_method,
            actor=actor,
            shipping_fee=quote.shipping_fee,
            notify_customer=notify,
        )
    except InsufficientStock as short:
        raise QuoteError(short.message, code="insufficient_stock") from short
    except OrderError as refused:
        raise QuoteError(
            _("Quote %(number)s cannot become an order: %(reason)s")
            % {"number": quote.number, "reason": refused},
            code="not_orderable",
        ) from refused
    now = timezone.now()
    before = quote.status
    quote.order = order
    quote.status = QuoteStatus.CONVERTED
    quote.updated_at = now
    quote.save(update_fields=["order", "status", "updated_at"])
    events.record(
        quote,
        QuoteEventKind.CONVERTED,
        actor=actor,
        at=now,
        before=before,
        after=quote.status,
        order=order.number,
    )
    return order
