"""Making and editing quotes: a staff member's quote for a customer or a prospect, a customer's
request from the cart, a copy of another quote. Every rule about what a quote may hold is here.

Editing a quote that was sent (or rejected, or expired) starts its next revision as a concept:
the lines of the revision the customer was sent stay as they were, and the customer keeps seeing
them until the new revision is sent. An accepted or converted quote is never edited."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kantoor.catalog.models import Product
from kantoor.core.actors import Actor
from kantoor.core.money import amount_limit
from kantoor.core.pricing import MAX_QUANTITY, shipping_is_offered
from kantoor.customers.models import Customer
from kantoor.messaging.models import MessageKind
from kantoor.numbering.models import DocumentKind
from kantoor.numbering.services import allocate_number
from kantoor.quotes import events
from kantoor.quotes.errors import QuoteError
from kantoor.quotes.events import QuoteEventKind
from kantoor.quotes.models import (
    EDITABLE_QUOTE_STATUSES,
    QUOTE_DETAIL_FIELDS,
    Quote,
    QuoteLine,
    QuoteStatus,
)
from kantoor.quotes.notifications import queue_quote_message
from kantoor.shops.models import Shop
from kantoor.shops.selectors import workflow_settings_for

MAX_LINES = 200
MAX_NOTE = 5000
PRICE_LIMIT = amount_limit(QuoteLine._meta.get_field("unit_price"))


@dataclass(frozen=True)
class QuoteLineInput:
    """One line as staff (or the cart) give it: a product of the catalogue or, without one, a
    free line with its own description and VAT rate."""

    product_id: int | None
    quantity: int
    unit_price: Decimal | None = None  # None: the product's catalogue price
    description: str = ""  # a free line's; a product's line defaults to the product's name
    vat_rate: Decimal | None = None  # a free line's; a product's line takes the product's
    discount_percent: Decimal = Decimal("0")


@dataclass(frozen=True)
class QuoteDetails:
    """Who the quote is for (a customer of the shop, or a prospect) and its terms."""

    email: str
    customer_id: int | None = None
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    vat_number: str = ""
    phone: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "NL"
    language: str = "nl"
    shipping_method: str = "delivery"
    valid_until: datetime.date | None = None  # None: today + the shop's validity
    note: str = ""
    internal_note: str = ""


def _decimal(value, *, field_name: str, message: str) -> Decimal:
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise QuoteError(message, field=field_name) from None
    if not number.is_finite():
        raise QuoteError(message, field=field_name)
    return number


def _checked_details(shop: Shop, details: QuoteDetails) -> tuple[QuoteDetails, Customer | None]:
    email = (details.email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise QuoteError(_("Enter the e-mail address the quote goes to."), field="email") from None
    customer = None
    if details.customer_id is not None:
        customer = Customer.objects.filter(shop=shop, pk=details.customer_id).first()
        if customer is None:
            raise QuoteError(_("Choose a customer of this shop."), field="customer")
    else:
        # A prospect's address that is a customer's already: the quote is theirs (their account).
        customer = Customer.objects.filter(shop=shop, email=email).first()
    if not shipping_is_offered(shop, details.shipping_method):
        raise QuoteError(_("Choose a shipping method this shop offers."), field="shipping_method")
    today = timezone.localdate()
    valid_until = details.valid_until
    if valid_until is None:
        valid_until = today + datetime.timedelta(
            days=workflow_settings_for(shop=shop).quote_validity_days
        )
    if valid_until < today:
        raise QuoteError(_("The validity date cannot be in the past."), field="valid_until")
    if valid_until > today + datetime.timedelta(days=366 * 2):
        raise QuoteError(_("A quote can be valid for at most two years."), field="valid_until")
    for name in ("note", "internal_note"):
        if len(getattr(details, name) or "") > MAX_NOTE:
            raise QuoteError(
                _("A note can be at most %(max)d characters.") % {"max": MAX_NOTE}, field=name
            )
    cleaned = QuoteDetails(
        **{
            **details.__dict__,
            "email": email,
            "valid_until": valid_until,
            "language": details.language if details.language in ("nl", "en") else "nl",
            "country": (details.country or "NL").upper()[:2],
        }
    )
    return cleaned, customer


def _checked_lines(shop: Shop, lines: Sequence[QuoteLineInput]) -> list[dict]:
    """The lines as they are stored, or the refusal of the first wrong one (by its field)."""
    if not lines:
        raise QuoteError(_("Add at least one line to the quote."), field="lines")
    if len(lines) > MAX_LINES:
        raise QuoteError(
            _("A quote can have at most %(max)d lines.") % {"max": MAX_LINES}, field="lines"
        )
    product_ids = {line.product_id for line in lines if line.product_id is not None}
    products = {p.pk: p for p in Product.objects.filter(shop=shop, pk__in=product_ids)}
    checked = []
    for index, line in enumerate(lines):
        prefix = f"lines-{index}"
        if (
            not isinstance(line.quantity, int)
            or isinstance(line.quantity, bool)
            or not 1 <= line.quantity <= MAX_QUANTITY
        ):
            raise QuoteError(
                _("A quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY},
                field=f"{prefix}-quantity",
            )
        product = None
        if line.product_id is not None:
            product = products.get(line.product_id)
            if product is None:
                raise QuoteError(
                    _("Choose a product of this shop's catalogue."), field=f"{prefix}-product"
                )
        description = (line.description or "").strip() or (product.name if product else "")
        if not description:
            raise QuoteError(_("Describe the line."), field=f"{prefix}-description")
        if len(description) > 300:
            raise QuoteError(
                _("A description can be at most 300 characters."), field=f"{prefix}-description"
            )
        price = product.price if line.unit_price is None and product else line.unit_price
        price = _decimal(
            price, field_name=f"{prefix}-unit_price", message=_("Enter a price, e.g. 12.50.")
        )
        if price < 0 or price > PRICE_LIMIT or price != price.quantize(Decimal("0.01")):
            raise QuoteError(
                _("A price is 0 or more, in cents at most (e.g. 12.50)."),
                field=f"{prefix}-unit_price",
            )
        rate = (
            line.vat_rate if line.vat_rate is not None else (product.vat_rate if product else None)
        )
        if rate is None:
            raise QuoteError(_("Choose the VAT rate of the line."), field=f"{prefix}-vat_rate")
        rate = _decimal(rate, field_name=f"{prefix}-vat_rate", message=_("Choose a VAT rate."))
        if not 0 <= rate <= 100:
            raise QuoteError(_("Choose a VAT rate."), field=f"{prefix}-vat_rate")
        discount = _decimal(
            line.discount_percent or 0,
            field_name=f"{prefix}-discount_percent",
            message=_("A discount is a percentage between 0 and 100."),
        )
        if not 0 <= discount <= 100:
            raise QuoteError(
                _("A discount is a percentage between 0 and 100."),
                field=f"{prefix}-discount_percent",
            )
        checked.append(
            {
                "position": index + 1,
                "product": product,
                "sku": product.sku if product else "",
                "description": description,
                "quantity": line.quantity,
                "unit_price": price,
                "vat_rate": rate.quantize(Decimal("0.01")),
                "discount_percent": discount.quantize(Decimal("0.01")),
            }
        )
    return checked


def _apply_details(quote: Quote, shop: Shop, details: QuoteDetails, customer) -> None:
    for name in QUOTE_DETAIL_FIELDS:
        value = getattr(details, name)
        setattr(quote, name, value.strip() if isinstance(value, str) else value)
    quote.customer = customer
    # The shipping as the shop charges it today: agreed with the quote from now on.
    quote.shipping_fee = shop.shipping_fee if details.shipping_method == "delivery" else 0


def _write_lines(quote: Quote, checked: list[dict]) -> None:
    QuoteLine.objects.filter(quote=quote, revision=quote.revision).delete()
    QuoteLine.objects.bulk_create(
        [
            QuoteLine(shop_id=quote.shop_id, quote=quote, revision=quote.revision, **line)
            for line in checked
        ]
    )


def create_quote(
    *,
    shop: Shop,
    details: QuoteDetails,
    lines: Sequence[QuoteLineInput],
    actor: Actor,
    requested: bool = False,
    request_message: str = "",
    notify: bool = True,
) -> Quote:
    """A new quote, numbered from the shop's quote series: a concept (staff) or *requested*
    (a customer's request from the cart, with their message; the shop is e-mailed)."""
    details, customer = _checked_details(shop, details)
    checked = _checked_lines(shop, lines)
    if len(request_message or "") > MAX_NOTE:
        raise QuoteError(
            _("A message can be at most %(max)d characters.") % {"max": MAX_NOTE},
            field="request_message",
        )
    now = timezone.now()
    with transaction.atomic():
        quote = Quote(
            shop=shop,
            number=allocate_number(shop=shop, kind=DocumentKind.QUOTE, on=timezone.localdate(now)),
            status=QuoteStatus.REQUESTED if requested else QuoteStatus.CONCEPT,
            request_message=(request_message or "").strip(),
            created_at=now,
            updated_at=now,
        )
        _apply_details(quote, shop, details, customer)
        quote.save(force_insert=True)
        _write_lines(quote, checked)
        events.record(
            quote,
            QuoteEventKind.REQUESTED if requested else QuoteEventKind.CREATED,
            actor=actor,
            at=now,
            note=quote.request_message,
        )
        if requested and notify:
            queue_quote_message(quote=quote, kind=MessageKind.QUOTE_REQUESTED)
    return quote


def lock_quote(*, shop: Shop, quote_id: int) -> Quote:
    """The quote, locked for this transaction; a QuoteError when it is not this shop's."""
    quote = Quote.objects.select_for_update().filter(shop=shop, pk=quote_id).first()
    if quote is None:
        raise QuoteError(_("That quote was not found in this shop."), code="not_found")
    quote.shop = shop
    return quote


def _check_editable(quote: Quote) -> None:
    if quote.status == QuoteStatus.CONVERTED:
        raise QuoteError(
            _("Quote %(number)s has become an order: it cannot change any more.")
            % {"number": quote.number},
            code="not_editable",
        )
    if quote.status not in EDITABLE_QUOTE_STATUSES:
        raise QuoteError(
            _("Quote %(number)s has been accepted: it is what was agreed and cannot change.")
            % {"number": quote.number},
            code="not_editable",
        )


def update_quote(
    *,
    shop: Shop,
    quote_id: int,
    details: QuoteDetails,
    lines: Sequence[QuoteLineInput],
    actor: Actor,
) -> Quote:
    """Change a quote's details and lines. A concept or requested quote changes in place; a sent,
    rejected or expired one gets its next revision, as a concept, until it is sent again."""
    current = Quote.objects.filter(shop=shop, pk=quote_id).first()
    if current is not None:
        _check_editable(current)  # before the details: a quote that cannot change says so
    details, customer = _checked_details(shop, details)
    checked = _checked_lines(shop, lines)
    now = timezone.now()
    with transaction.atomic():
        quote = lock_quote(shop=shop, quote_id=quote_id)
        _check_editable(quote)
        before = quote.status
        new_revision = quote.status not in (QuoteStatus.CONCEPT, QuoteStatus.REQUESTED)
        if new_revision:
            quote.revision += 1
            quote.status = QuoteStatus.CONCEPT
        _apply_details(quote, shop, details, customer)
        quote.updated_at = now
        quote.save()
        _write_lines(quote, checked)
        events.record(
            quote,
            QuoteEventKind.REVISED,
            actor=actor,
            at=now,
            revision=quote.revision,
            before=before if new_revision else "",
            after=quote.status if new_revision else "",
        )
    return quote


def duplicate_quote(*, shop: Shop, quote_id: int, actor: Actor) -> Quote:
    """A new concept with the details and the current lines of another quote, valid for the
    shop's usual period from today."""
    original = Quote.objects.filter(shop=shop, pk=quote_id).first()
    if original is None:
        raise QuoteError(_("That quote was not found in this shop."), code="not_found")
    lines = QuoteLine.objects.filter(quote=original, revision=original.revision).order_by(
        "position"
    )
    return create_quote(
        shop=shop,
        details=QuoteDetails(
            customer_id=original.customer_id,
            # valid_until None: the shop's usual validity from today
            **{name: getattr(original, name) for name in QUOTE_DETAIL_FIELDS}
            | {"valid_until": None},
        ),
        lines=[
            QuoteLineInput(
                product_id=line.product_id,
                quantity=line.quantity,
                unit_price=line.unit_price,
                description=line.description,
                vat_rate=line.vat_rate,
                discount_percent=line.discount_percent,
            )
            for line in lines
        ],
        actor=actor,
    )
