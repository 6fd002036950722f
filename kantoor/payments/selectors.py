"""Reading payments (always scoped by shop): an invoice's payments, the Payments page, one payment.

The list follows kantoor.invoices.list_selectors: filters, search, keyset pages (newest first, by
creation time then id; no OFFSET) and a bounded count.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kantoor.core.keyset import instant_keyset, keyset_page
from kantoor.invoices.models import Invoice
from kantoor.payments.models import Payment, PaymentState
from kantoor.payments.providers import ONLINE_PROVIDERS
from kantoor.shops.models import Shop

PAYMENT_LIST_PAGE_SIZE = 50
PAYMENT_LIST_COUNT_CAP = 10_000


def payments_for_invoice(*, shop: Shop, invoice: Invoice) -> QuerySet[Payment]:
    """The invoice's payments, newest first."""
    return Payment.objects.filter(shop=shop, invoice_id=invoice.pk).order_by("-created_at", "-id")


def payments_for_order(*, shop: Shop, order_id: int) -> QuerySet[Payment]:
    """The order's payments (all its invoices), newest first, with their invoice."""
    return (
        Payment.objects.filter(shop=shop, order_id=order_id)
        .select_related("invoice")
        .order_by("-created_at", "-id")
    )


def payment_for_shop(*, shop: Shop, payment_id: int) -> Payment:
    """One payment of the shop, with its invoice and order; Http404 for another shop's."""
    payment = (
        Payment.objects.select_related("invoice", "order").filter(shop=shop, pk=payment_id).first()
    )
    if payment is None:
        raise Http404("No such payment.")
    return payment


# --- The back-office Payments page ------------------------------------------------------------


@dataclass(frozen=True)
class PaymentFilters:
    """What the Payments page shows: every field narrows it; the empty filter shows all."""

    states: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    date_from: datetime.date | None = None  # creation date (shop's time zone), inclusive
    date_to: datetime.date | None = None  # inclusive
    query: str = ""  # an invoice or order number (or part of one), or the provider's reference


@dataclass
class PaymentPage:
    payments: list[Payment]
    previous_cursor: str | None
    next_cursor: str | None
    is_first: bool
    is_last: bool


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filtered_payments(*, shop: Shop, filters: PaymentFilters) -> QuerySet[Payment]:
    """The shop's payments narrowed by the filters (unordered)."""
    queryset = Payment.objects.filter(shop=shop)
    if filters.states:
        queryset = queryset.filter(state__in=sorted(set(filters.states)))
    if filters.providers:
        queryset = queryset.filter(provider__in=sorted(set(filters.providers)))
    if filters.date_from:
        queryset = queryset.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        next_day = filters.date_to + datetime.timedelta(days=1)
        queryset = queryset.filter(created_at__lt=_day_start(next_day))
    query = " ".join(filters.query.split())
    if query:
        queryset = queryset.filter(
            Q(invoice__number__icontains=query)
            | Q(order__number__icontains=query)
            | Q(provider_payment_id=query)
        )
    return queryset


def payment_list(
    *,
    shop: Shop,
    filters: PaymentFilters,
    after: str | None = None,
    before: str | None = None,
    last: bool = False,
    page_size: int = PAYMENT_LIST_PAGE_SIZE,
) -> PaymentPage:
    """One page of the shop's payments, newest first (created, then id), with invoice and order.

    The first page, the page after/before a cursor, or the last page; one SQL statement each.
    Raises kantoor.core.keyset.InvalidCursor for a bad page token.
    """
    page = keyset_page(
        filtered_payments(shop=shop, filters=filters).select_related("invoice", "order"),
        PAYMENT_KEYSET,
        after=after,
        before=before,
        last=last,
        page_size=page_size,
    )
    return PaymentPage(
        page.rows, page.previous_cursor, page.next_cursor, page.is_first, page.is_last
    )


def count_payments(
    *, shop: Shop, filters: PaymentFilters, cap: int = PAYMENT_LIST_COUNT_CAP
) -> tuple[int, bool]:
    """(how many payments match, exact?): counts at most ``cap`` + 1 rows."""
    counted = filtered_payments(shop=shop, filters=filters).order_by()[: cap + 1].count()
    return (counted, True) if counted <= cap else (cap, False)


# Newest first: created, then id.
PAYMENT_KEYSET = instant_keyset("created_at")


def is_paid_online(payment: Payment) -> bool:
    """A payment received through an online provider (demo or Mollie): one a refund can go
    through."""
    return payment.provider in ONLINE_PROVIDERS and payment.state == PaymentState.PAID


def has_refundable_amount(payment: Payment) -> bool:
    """A paid online payment of which something has not been paid back yet."""
    return is_paid_online(payment) and payment.amount > payment.amount_refunded


def paid_online_payments(*, shop: Shop, order_id: int) -> list[Payment]:
    """The order's payments received online, newest first (what a refund can go through)."""
    return [p for p in payments_for_order(shop=shop, order_id=order_id) if is_paid_online(p)]
