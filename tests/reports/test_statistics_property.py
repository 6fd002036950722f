"""Property: after any sequence of orders, edits, cancellations, credits and payments spread
over days (the statistics refreshed at random moments in between), the page's figures equal a
direct aggregate over the raw tables, the incremental aggregates equal a rebuild, and over all
time the total is exactly what the invoices say."""

from __future__ import annotations

import datetime
import os
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kantoor.catalog.models import Product
from kantoor.checkout.services import OrderItem, place_order
from kantoor.core.actors import Actor
from kantoor.core.errors import KantoorError
from kantoor.core.money import CENT
from kantoor.core.statuses import OrderStatus
from kantoor.invoices.models import Invoice, InvoiceKind, InvoiceLine
from kantoor.invoices.services import credit_invoice, issue_corrections
from kantoor.orders.models import Order
from kantoor.orders.services import LineEdit, change_order_status
from kantoor.payments.services.manual import record_payment_by_hand
from kantoor.reports.daily import day_start
from kantoor.reports.models import (
    StatisticsBreakdownDay,
    StatisticsCustomerDay,
    StatisticsDay,
)
from kantoor.reports.services import rebuild_statistics, refresh_statistics
from kantoor.reports.statistics import DayRange, period_figures, top_customers
from tests.conftest import details_for
from tests.invoices.helpers import edit
from tests.reports.test_statistics import at, on

START = datetime.date(2026, 5, 1)
EMAILS = ("anna@example.test", "bert@example.test", "cees@example.test")

steps = st.lists(
    st.one_of(
        st.tuples(st.just("order"), st.integers(0, 2), st.lists(st.integers(1, 3), min_size=1)),
        st.tuples(st.just("edit"), st.integers(0, 50), st.integers(1, 5)),
        st.tuples(st.just("cancel"), st.integers(0, 50)),
        st.tuples(st.just("credit"), st.integers(0, 50)),
        st.tuples(st.just("pay"), st.integers(0, 50)),
        st.tuples(st.just("refresh")),
        st.tuples(st.just("later"), st.integers(1, 40)),  # hours
    ),
    min_size=1,
    max_size=14,
)


def direct(shop, start: datetime.date, end: datetime.date) -> dict:
    """The definitions computed straight from the raw tables (no aggregates)."""
    since, until = day_start(shop, start), day_start(shop, end + datetime.timedelta(days=1))
    orders = Order.objects.filter(shop=shop, created_at__gte=since, created_at__lt=until)
    debit = InvoiceLine.objects.filter(
        shop=shop, invoice__kind=InvoiceKind.DEBIT, invoice__order__in=orders
    )
    credit = InvoiceLine.objects.filter(
        shop=shop,
        invoice__kind=InvoiceKind.CREDIT,
        invoice__issued_on__gte=start,
        invoice__issued_on__lte=end,
    )

    def total(queryset, name):
        # SQLite sums decimals in floating point: back to cents (units stay whole).
        value = queryset.aggregate(s=Sum(name))["s"] or 0
        return value if isinstance(value, int) else Decimal(value).quantize(CENT)

    vat = total(Invoice.objects.filter(kind=InvoiceKind.DEBIT, order__in=orders), "total_vat")
    vat += total(
        Invoice.objects.filter(
            shop=shop, kind=InvoiceKind.CREDIT, issued_on__gte=start, issued_on__lte=end
        ),
        "total_vat",
    )
    gross = total(debit.filter(is_shipping=False), "total_net")
    credits = total(credit.filter(is_shipping=False), "total_net")
    shipping = total(debit.filter(is_shipping=True), "total_net") + total(
        credit.filter(is_shipping=True), "total_net"
    )
    return {
        "orders": orders.count(),
        "units": total(debit.filter(is_shipping=False), "quantity"),
        "gross_sales": Decimal(gross),
        "returns": Decimal(credits),
        "net_sales": Decimal(gross) + Decimal(credits),
        "shipping": Decimal(shipping),
        "vat": Decimal(vat),
    }


def direct_customers(shop, start: datetime.date, end: datetime.date) -> list[tuple]:
    """The top customers straight from the orders (as they are now), ranked as the page does."""
    since, until = day_start(shop, start), day_start(shop, end + datetime.timedelta(days=1))
    totals: dict[int, list] = {}
    for customer_id, total_net in Order.objects.filter(
        shop=shop, customer__isnull=False, created_at__gte=since, created_at__lt=until
    ).values_list("customer_id", "total_net"):
        figure = totals.setdefault(customer_id, [0, Decimal(0)])
        figure[0] += 1
        figure[1] += Decimal(total_net).quantize(CENT)
    ranked = sorted(totals.items(), key=lambda item: (-item[1][1], item[0]))
    return [(customer_id, count, amount) for customer_id, (count, amount) in ranked[:10]]


def snapshot(shop):
    return (
        sorted(
            (
                row.day,
                row.orders,
                row.orders_new_customers,
                row.units,
                row.gross_sales,
                row.vat,
                row.credits,
                row.shipping_credited,
                row.vat_credited,
            )
            for row in StatisticsDay.objects.filter(shop=shop)
        )
        + sorted(
            StatisticsBreakdownDay.objects.filter(shop=shop).values_list(
                "day", "dimension", "key", "count", "amount"
            )
        )
        + sorted(
            StatisticsCustomerDay.objects.filter(shop=shop).values_list(
                "day", "customer_id", "orders", "amount"
            )
        )
    )


def test_the_figures_equal_a_direct_aggregate(shop, products, owner):
    Product.objects.filter(shop=shop).update(track_stock=False)
    actor = Actor.staff(owner)

    @settings(
        max_examples=int(os.environ.get("STATISTICS_PROPERTY_EXAMPLES", 15)),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(steps=steps)
    def run(steps):
        with transaction.atomic():
            now = at(START, 9)
            orders: list[Order] = []
            for step in steps:
                with on(now):
                    apply(step, orders)
                if step[0] == "later":
                    now += datetime.timedelta(hours=step[1])
            with on(now):
                refresh_statistics(shop=shop)
                end = now.date()
                for start in (START, START + datetime.timedelta(days=1)):
                    days = DayRange(start, end)
                    figures = period_figures(shop=shop, days=days, grouping="day").summary
                    expected = direct(shop, start, end)
                    for name, value in expected.items():
                        assert getattr(figures, name) == value, (name, start, steps)
                    customers = [
                        (figure.customer_id, figure.orders, figure.amount)
                        for figure in top_customers(shop=shop, days=days)
                    ]
                    assert customers == direct_customers(shop, start, end), (start, steps)
                everything = period_figures(
                    shop=shop, days=DayRange(START, end), grouping="week"
                ).summary
                invoiced = Invoice.objects.filter(shop=shop).aggregate(s=Sum("total_gross"))["s"]
                assert everything.total == Decimal(invoiced or 0).quantize(CENT)
                incremental = snapshot(shop)
                rebuild_statistics(shop=shop, start=START)
                assert snapshot(shop) == incremental
            transaction.set_rollback(True)

    def apply(step, orders):
        kind = step[0]
        if kind == "order":
            orders.append(
                place_order(
                    shop=shop,
                    details=details_for(email=EMAILS[step[1]]),
                    items=[
                        OrderItem(products[i % len(products)].pk, q) for i, q in enumerate(step[2])
                    ],
                    shipping_method="delivery",
                    actor=actor,
                )
            )
        elif kind == "refresh":
            refresh_statistics(shop=shop)
        elif kind in ("edit", "cancel", "credit", "pay") and orders:
            order = Order.objects.get(pk=orders[step[1] % len(orders)].pk)
            try:
                if kind == "edit" and order.status != OrderStatus.CANCELLED:
                    lines = [
                        LineEdit(
                            line_id=line.pk, quantity=line.quantity, unit_price=line.unit_price
                        )
                        for line in order.lines.order_by("position")
                    ]
                    lines[0] = LineEdit(
                        line_id=lines[0].line_id, quantity=step[2], unit_price=lines[0].unit_price
                    )
                    edit(order, actor, lines=lines)
                    issue_corrections(shop=shop, order=order, actor=actor)
                elif kind == "cancel" and order.status != OrderStatus.CANCELLED:
                    change_order_status(
                        shop=shop, order=order, status=OrderStatus.CANCELLED, actor=actor
                    )
                    issue_corrections(shop=shop, order=order, actor=actor)
                elif kind == "credit":
                    debit = Invoice.objects.filter(order=order, kind=InvoiceKind.DEBIT).first()
                    credit_invoice(shop=shop, invoice=debit, actor=actor)
                elif kind == "pay":
                    unpaid = Invoice.objects.filter(
                        order=order, kind=InvoiceKind.DEBIT, state="unpaid"
                    ).first()
                    if unpaid is not None:
                        record_payment_by_hand(
                            shop=shop,
                            invoice=unpaid,
                            paid_on=order.created_at.date(),
                            amount=None,
                            note="",
                            actor=actor,
                        )
            except KantoorError:
                pass  # nothing (left) to credit, correct or pay: a refusal changes nothing

    run()
