"""The statistics' definitions and their daily aggregates: an order counts on its order date, a
credit invoice on its own date as a negative, a cancelled order is a sale and a return; the
aggregates follow the timeline incrementally and equal a rebuild; every figure is the shop's
own; the range picker refuses what is not a range."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.invoices.models import Invoice, InvoiceKind
from kantoor.invoices.services import credit_invoice, issue_corrections
from kantoor.messaging import registry
from kantoor.orders.models import Order
from kantoor.orders.services import LineEdit, change_order_status
from kantoor.payments.services.manual import record_payment_by_hand
from kantoor.reports.daily import day_start, local_day
from kantoor.reports.errors import InvalidPeriod
from kantoor.reports.models import StatisticsCustomerDay, StatisticsDay
from kantoor.reports.services import (
    rebuild_statistics,
    refresh_all_statistics,
    refresh_statistics,
)
from kantoor.reports.statistics import (
    DayRange,
    auto_grouping,
    period_figures,
    receivables_ageing,
    statistics_range,
    statistics_report,
    top_customers,
)
from kantoor.reports.tasks import refresh_statistics_task
from tests.invoices.helpers import edit

TZ = timezone.get_default_timezone()


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)


def on(moment: datetime.datetime):
    """Everything the services do happens at ``moment`` (their timezone.now())."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


DAY1 = datetime.date(2026, 3, 2)
DAY2 = datetime.date(2026, 3, 9)


def summary(shop, start, end):
    return period_figures(shop=shop, days=DayRange(start, end), grouping="day").summary


def test_an_order_counts_on_its_date_and_a_credit_on_its_own(shop, products, make_order, owner):
    with on(at(DAY1)):
        order = make_order(shop, products[:2], [2, 1])
    debit = Invoice.objects.get(order=order, kind=InvoiceKind.DEBIT)
    with on(at(DAY2)):
        credit = credit_invoice(shop=shop, invoice=debit, actor=Actor.staff(owner))
    refresh_statistics(shop=shop)

    first = summary(shop, DAY1, DAY1)
    lines_net = sum(line.total_net for line in debit.lines.filter(is_shipping=False))
    shipping_net = sum(line.total_net for line in debit.lines.filter(is_shipping=True))
    assert first.orders == 1 and first.units == 3
    assert first.gross_sales == lines_net and first.returns == 0
    assert first.shipping == shipping_net and first.vat == debit.total_vat
    assert first.total == debit.total_gross
    assert first.average_order_value == lines_net

    second = summary(shop, DAY2, DAY2)
    assert second.orders == 0 and second.gross_sales == 0
    assert second.returns == -lines_net and second.credited_units == 3
    assert second.total == credit.total_gross < 0
    both = summary(shop, DAY1, DAY2)
    assert both.net_sales == 0 and both.total == 0


def test_a_cancelled_order_is_a_sale_and_a_return(shop, products, make_order, owner):
    actor = Actor.staff(owner)
    with on(at(DAY1)):
        order = make_order(shop, products[:1], [1])
    with on(at(DAY2)):
        change_order_status(shop=shop, order=order, status=OrderStatus.CANCELLED, actor=actor)
        issue_corrections(shop=shop, order=order, actor=actor)
    refresh_statistics(shop=shop)
    assert summary(shop, DAY1, DAY1).net_sales > 0
    assert summary(shop, DAY2, DAY2).net_sales == -summary(shop, DAY1, DAY1).net_sales
    report = statistics_report(
        shop=shop,
        statistics_range=statistics_range(
            shop=shop, preset="custom", start=DAY1, end=DAY2, comparison="none"
        ),
    )
    statuses = {figure.key: figure.count for figure in report.breakdowns["status"]}
    assert statuses == {str(OrderStatus.CANCELLED.value): 1}


def test_new_and_returning_customers(shop, products, make_order):
    with on(at(DAY1)):
        make_order(shop, products[:1], [1], email="anna@example.test")
        make_order(shop, products[:1], [1], email="anna@example.test")
        make_order(shop, products[:1], [1], email="bert@example.test")
    with on(at(DAY2)):
        make_order(shop, products[:1], [1], email="bert@example.test")
    refresh_statistics(shop=shop)
    first, second = summary(shop, DAY1, DAY1), summary(shop, DAY2, DAY2)
    assert (first.orders_new_customers, first.orders_returning_customers) == (2, 1)
    assert (second.orders_new_customers, second.orders_returning_customers) == (0, 1)


def test_a_refresh_reads_only_what_changed_and_equals_a_rebuild(shop, products, make_order):
    with on(at(DAY1)):
        make_order(shop, products[:1], [1])
    assert refresh_statistics(shop=shop) >= 1
    assert refresh_statistics(shop=shop) == 0  # nothing new: nothing computed
    with on(at(DAY2)):
        make_order(shop, products[1:2], [4])
    assert refresh_statistics(shop=shop) >= 1
    incremental = sorted(
        StatisticsDay.objects.filter(shop=shop).values_list("day", "orders", "units", "vat")
    )
    StatisticsDay.objects.filter(shop=shop).update(orders=99)
    call_command("rebuild_statistics", "--shop", shop.slug, "--from", DAY1.isoformat())
    rebuilt = sorted(
        StatisticsDay.objects.filter(shop=shop).values_list("day", "orders", "units", "vat")
    )
    assert rebuilt == incremental and len(rebuilt) == 2


def test_every_figure_is_the_shops_own(shop, other_shop, products, make_product, make_order):
    theirs = make_product(other_shop, sku="OTHER")
    with on(at(DAY1)):
        make_order(shop, products[:1], [1])
        make_order(other_shop, [theirs], [5])
    refresh_statistics(shop=shop)
    refresh_statistics(shop=other_shop)
    ours = summary(shop, DAY1, DAY1)
    assert ours.orders == 1 and ours.units == 1
    report = statistics_report(
        shop=shop,
        statistics_range=statistics_range(
            shop=shop, preset="custom", start=DAY1, end=DAY1, comparison="none"
        ),
    )
    assert [product.key for product in report.products] == [products[0].sku]
    assert {customer.email for customer in report.customers} == {"jan@example.test"}


def test_receivables_by_days_past_due(shop, products, make_order, owner):
    with on(at(DAY1)):
        paid = make_order(shop, products[:1], [1])
        make_order(shop, products[:1], [1])
    invoice = Invoice.objects.get(order=paid, kind=InvoiceKind.DEBIT)
    record_payment_by_hand(
        shop=shop, invoice=invoice, paid_on=DAY1, amount=None, note="", actor=Actor.staff(owner)
    )
    # Due 14 days after DAY1; 40 days after DAY1 it is 26 days late.
    ageing = {
        figure.key: figure
        for figure in receivables_ageing(shop=shop, today=DAY1 + datetime.timedelta(days=40))
    }
    assert ageing["0_30"].invoices == 1 and ageing["0_30"].amount == invoice.total_gross
    assert sum(figure.invoices for figure in ageing.values()) == 1


def test_the_picker(shop):
    today = local_day(shop, timezone.now())
    chosen = statistics_range(shop=shop, preset="7d")
    assert chosen.current == DayRange(today - datetime.timedelta(days=6), today)
    assert chosen.comparison.end == today - datetime.timedelta(days=7)
    assert chosen.comparison.days == 7 and chosen.grouping == "day"
    year = statistics_range(shop=shop, preset="year", comparison="last_year")
    assert year.comparison.start == year.current.start.replace(year=today.year - 1)
    assert auto_grouping(90) == "week" and auto_grouping(365) == "month"
    five = statistics_range(
        shop=shop, preset="custom", start=datetime.date(2021, 1, 1), end=datetime.date(2025, 12, 31)
    )
    assert five.grouping == "month"
    for start, end in (
        (datetime.date(2026, 3, 1), datetime.date(2026, 2, 1)),  # inverted
        (datetime.date(2001, 1, 1), datetime.date(2026, 1, 1)),  # 25 years
        (None, datetime.date(2026, 1, 1)),
    ):
        with pytest.raises(InvalidPeriod):
            statistics_range(shop=shop, preset="custom", start=start, end=end)
    with pytest.raises(InvalidPeriod):
        statistics_range(shop=shop, preset="forever")
    with pytest.raises(InvalidPeriod):
        statistics_range(shop=shop, comparison="tomorrow")


def test_rebuild_command_refuses_an_unknown_shop(db):
    with pytest.raises(Exception, match="No shop"):
        call_command("rebuild_statistics", "--shop", "nope")


def test_rebuild_counts_from_the_first_order(shop, products, make_order):
    with on(at(DAY1)):
        make_order(shop, products[:1], [1])
    with on(at(DAY1 + datetime.timedelta(days=2))):
        assert rebuild_statistics(shop=shop) == 3
    assert StatisticsDay.objects.get(shop=shop).orders == 1
    assert Decimal(StatisticsDay.objects.get(shop=shop).gross_sales) > 0


def test_the_sweep_settles_every_shop(shop, other_shop, products, make_product, make_order):
    theirs = make_product(other_shop, sku="OTHER")
    with on(at(DAY1)):
        make_order(shop, products[:1], [1])
        make_order(other_shop, [theirs], [2])
    refresh_statistics_task()  # what celery beat (or the embedded sweeper) runs
    assert StatisticsDay.objects.get(shop=shop, day=DAY1).units == 1
    assert StatisticsDay.objects.get(shop=other_shop, day=DAY1).units == 2
    assert (
        settings.CELERY_BEAT_SCHEDULE["refresh-statistics"]["task"] == refresh_statistics_task.name
    )
    assert refresh_all_statistics in registry._periodic


@pytest.mark.postgres
def test_refreshes_and_rebuilds_at_once_leave_one_row_per_day(
    transactional_db, shop, products, make_order
):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers of one day are a PostgreSQL test; SQLite serialises")
    with on(at(DAY1)):
        make_order(shop, products[:1], [1])
    errors = []
    start = threading.Barrier(4)

    def worker(index: int) -> None:
        try:
            start.wait()
            for _ in range(3):
                if index % 2:
                    rebuild_statistics(shop=shop, start=DAY1, end=DAY2)
                else:
                    make_order(shop, products[:1], [1])
                    refresh_statistics(shop=shop)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    refresh_statistics(shop=shop)
    counted = StatisticsDay.objects.filter(shop=shop).aggregate(n=Sum("orders"))["n"]
    assert counted == Order.objects.filter(shop=shop).count() == 7


def direct_top_customers(shop, start, end):
    """The top customers straight from the orders: (customer id, orders, total excl. VAT)."""
    totals: dict[int, list] = {}
    for order in Order.objects.filter(
        shop=shop,
        customer__isnull=False,
        created_at__gte=day_start(shop, start),
        created_at__lt=day_start(shop, end + datetime.timedelta(days=1)),
    ):
        figure = totals.setdefault(order.customer_id, [0, Decimal(0)])
        figure[0] += 1
        figure[1] += order.total_net
    ranked = sorted(totals.items(), key=lambda item: (-item[1][1], item[0]))
    return [(customer_id, count, amount) for customer_id, (count, amount) in ranked[:10]]


def page_top_customers(shop, start, end):
    return [
        (figure.customer_id, figure.orders, figure.amount)
        for figure in top_customers(shop=shop, days=DayRange(start, end))
    ]


def test_top_customers_follow_edits_cancellations_and_credits(shop, products, make_order, owner):
    actor = Actor.staff(owner)
    with on(at(DAY1)):
        anna = make_order(shop, products[:1], [1], email="anna@example.test")
        make_order(shop, products[:1], [2], email="bert@example.test")
        cees = make_order(shop, products[1:2], [1], email="cees@example.test")
    with on(at(DAY2)):
        make_order(shop, products[:2], [1, 1], email="anna@example.test")
    refresh_statistics(shop=shop)
    assert page_top_customers(shop, DAY1, DAY2) == direct_top_customers(shop, DAY1, DAY2)
    assert page_top_customers(shop, DAY1, DAY1) == direct_top_customers(shop, DAY1, DAY1)
    emails = [f.email for f in top_customers(shop=shop, days=DayRange(DAY1, DAY1))]
    assert emails == ["bert@example.test", "anna@example.test", "cees@example.test"]

    with on(at(DAY2, 14)):
        # Anna's first order grows to 5 bells: she leads DAY1 and the two days.
        line = anna.lines.order_by("position").first()
        edit(anna, actor, lines=[LineEdit(line_id=line.pk, quantity=5, unit_price=line.unit_price)])
        issue_corrections(shop=shop, order=anna, actor=actor)
        # Cees's order is cancelled and credited: it still counts on its date, as it is now.
        change_order_status(shop=shop, order=cees, status=OrderStatus.CANCELLED, actor=actor)
        issue_corrections(shop=shop, order=cees, actor=actor)
        debit = Invoice.objects.filter(
            order__customer__email="bert@example.test", kind=InvoiceKind.DEBIT
        ).first()
        credit_invoice(shop=shop, invoice=debit, actor=actor)
    refresh_statistics(shop=shop)
    for start, end in ((DAY1, DAY1), (DAY1, DAY2), (DAY2, DAY2)):
        assert page_top_customers(shop, start, end) == direct_top_customers(shop, start, end)
    first = top_customers(shop=shop, days=DayRange(DAY1, DAY1))[0]
    assert first.email == "anna@example.test" and first.orders == 1

    incremental = sorted(
        StatisticsCustomerDay.objects.filter(shop=shop).values_list(
            "day", "customer_id", "orders", "amount"
        )
    )
    StatisticsCustomerDay.objects.filter(shop=shop).update(amount=0)
    rebuild_statistics(shop=shop, start=DAY1, end=DAY2)
    rebuilt = sorted(
        StatisticsCustomerDay.objects.filter(shop=shop).values_list(
            "day", "customer_id", "orders", "amount"
        )
    )
    assert rebuilt == incremental and len(rebuilt) == 4


def test_top_customers_are_the_shops_own_and_guests_are_no_customers(
    shop, other_shop, products, make_product, make_order
):
    theirs = make_product(other_shop, sku="OTHER", price="500.00")
    with on(at(DAY1)):
        make_order(shop, products[:1], [1], email="anna@example.test")
        make_order(other_shop, [theirs], [3], email="anna@example.test")
    Order.objects.filter(shop=shop).update(customer=None)  # as an order without an account
    with on(at(DAY1)):
        make_order(shop, products[1:2], [1], email="bert@example.test")
    rebuild_statistics(shop=shop, start=DAY1, end=DAY1)
    rebuild_statistics(shop=other_shop, start=DAY1, end=DAY1)
    assert [f.email for f in top_customers(shop=shop, days=DayRange(DAY1, DAY1))] == [
        "bert@example.test"
    ]
    assert page_top_customers(shop, DAY1, DAY1) == direct_top_customers(shop, DAY1, DAY1)
    theirs_top = top_customers(shop=other_shop, days=DayRange(DAY1, DAY1))
    assert [(f.email, f.orders) for f in theirs_top] == [("anna@example.test", 1)]


def python_ageing(shop, today):
    """The ageing as the definition says it, one invoice at a time."""
    term = datetime.timedelta(days=14)
    buckets = {"not_due": [0, Decimal(0)], "0_30": [0, Decimal(0)], "31_60": [0, Decimal(0)]}
    buckets.update({"61_90": [0, Decimal(0)], "over_90": [0, Decimal(0)]})
    for invoice in Invoice.objects.filter(shop=shop, kind=InvoiceKind.DEBIT, state="unpaid"):
        late = (today - (invoice.issued_on + term)).days
        key = (
            "not_due"
            if late < 0
            else "0_30"
            if late <= 30
            else "31_60"
            if late <= 60
            else "61_90"
            if late <= 90
            else "over_90"
        )
        buckets[key][0] += 1
        buckets[key][1] += invoice.total_gross - (invoice.amount_paid or 0)
    return {key: (count, amount) for key, (count, amount) in buckets.items()}


def test_receivables_ageing_at_every_bucket_edge(shop, products, make_order, owner):
    today = datetime.date(2026, 6, 30)
    # Days past due -1, 0, 30, 31, 60, 61, 90, 91: issued 14 days earlier than that.
    for late in (-1, 0, 30, 31, 60, 61, 90, 91, 400):
        with on(at(today - datetime.timedelta(days=14 + late))):
            make_order(shop, products[:1], [1])
    with on(at(today - datetime.timedelta(days=20))):
        part = make_order(shop, products[:2], [1, 1])
    invoice = Invoice.objects.get(order=part, kind=InvoiceKind.DEBIT)
    record_payment_by_hand(
        shop=shop,
        invoice=invoice,
        paid_on=today,
        amount=Decimal("5.00"),
        note="",
        actor=Actor.staff(owner),
    )
    invoice.refresh_from_db()
    assert invoice.state == "unpaid" and invoice.amount_paid == Decimal("5.00")
    ageing = {
        figure.key: (figure.invoices, figure.amount)
        for figure in receivables_ageing(shop=shop, today=today)
    }
    assert ageing == python_ageing(shop, today)
    assert [ageing[key][0] for key in ("not_due", "0_30", "31_60", "61_90", "over_90")] == [
        1,
        3,
        2,
        2,
        2,
    ]
