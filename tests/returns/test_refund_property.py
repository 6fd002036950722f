"""Property: whatever sequence of returns, receptions, refunds (with or without the shipping
cost and the restocking fee), exchanges and rejections, a refund never credits more than was
invoiced of a line (nor more than arrived), the shipping cost is credited at most once, and what
the customer owes is exactly the sum of the order's invoices."""

import random
from collections import defaultdict
from decimal import Decimal

import pytest

from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.invoices.models import Invoice, InvoiceLine
from kantoor.invoices.selectors import invoiced_total, order_amount_due
from kantoor.orders.services import change_order_status
from kantoor.returns.models import ReturnLine, ReturnRequest, ReturnStatus
from kantoor.returns.services import (
    ReceivedLine,
    RequestedLine,
    ReturnError,
    approve_return,
    exchange_return,
    receive_return,
    refund_return,
    reject_return,
)
from kantoor.shops.models import Shop
from kantoor.shops.services import update_workflow_settings
from tests.returns.test_requesting import ask


def check_invariants(order):
    lines = InvoiceLine.objects.filter(invoice__order=order).select_related("invoice")
    per_price = defaultdict(int)
    shipping = 0
    credited_goods = defaultdict(int)
    for line in lines:
        if line.is_shipping:
            shipping += line.quantity
            continue
        per_price[(line.order_line_id, line.unit_price)] += line.quantity
        if line.invoice.for_returned_goods and line.quantity < 0:
            credited_goods[line.order_line_id] -= line.quantity
    assert all(quantity >= 0 for quantity in per_price.values()), per_price
    assert shipping in (0, 1)  # invoiced once, credited at most once
    arrived = defaultdict(int)
    for line in ReturnLine.objects.filter(
        return_request__order=order, return_request__status=ReturnStatus.CREDITED
    ):
        arrived[line.order_line_id] += line.quantity_received
    for order_line_id, quantity in credited_goods.items():
        assert quantity <= arrived[order_line_id]
    # Nothing was paid: what is due is what the invoices come to, credits included.
    assert order_amount_due(shop=order.shop, order=order) == invoiced_total(
        shop=order.shop, order=order
    )


@pytest.fixture
def big_order(shop, products, make_order, owner):
    """Six bells and four books, delivered: room for many returns."""
    bell, book, _voucher = products
    order = make_order(shop, [bell, book], quantities=[6, 4])
    staff = Actor.staff(owner)
    for status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        change_order_status(shop=shop, order=order, status=status, actor=staff)
    order.refresh_from_db()
    return order


@pytest.mark.parametrize("seed", range(4))
def test_random_return_sequences_keep_the_invoices_and_what_is_owed_right(
    shop, big_order, reasons, actions, owner, seed
):
    rng = random.Random(seed)
    update_workflow_settings(
        shop=shop,
        user=None,
        section="returns",
        values={"return_restocking_fee_percent": Decimal(rng.choice(["0", "10", "33.33"]))},
    )
    shop = Shop.objects.get(pk=shop.pk)
    staff = Actor.staff(owner)
    order_lines = list(big_order.lines.all())
    moves = (
        ["ask"] * 3 + ["approve"] * 2 + ["receive"] * 2 + ["refund", "exchange"] * 2 + ["reject"]
    )
    for _step in range(60):
        move = rng.choice(moves)
        open_returns = list(
            ReturnRequest.objects.filter(order=big_order).exclude(
                status__in=[ReturnStatus.CANCELLED, ReturnStatus.COMPLETED, ReturnStatus.CREDITED]
            )
        )
        new = [r for r in open_returns if r.status == ReturnStatus.NEW]
        approved = [r for r in open_returns if r.status != ReturnStatus.NEW]
        arrived = [r for r in approved if r.received_at is not None]
        try:
            if move == "ask":
                line = rng.choice(order_lines)
                ask(
                    shop,
                    big_order,
                    [RequestedLine(line.pk, rng.randint(1, 2), reasons[0].pk, actions[0].pk)],
                )
            elif move == "approve" and new:
                approve_return(shop=shop, return_id=rng.choice(new).pk, actor=staff)
            elif move == "receive" and approved:
                chosen = rng.choice(approved)
                receive_return(
                    shop=shop,
                    return_id=chosen.pk,
                    actor=staff,
                    lines=[
                        ReceivedLine(
                            line.pk,
                            rng.randint(0, line.quantity) if rng.random() < 0.3 else line.quantity,
                            rng.random() < 0.5,
                        )
                        for line in chosen.lines.all()
                    ],
                )
            elif move == "refund" and arrived:
                refund_return(
                    shop=shop,
                    return_id=rng.choice(arrived).pk,
                    actor=staff,
                    credit_shipping=rng.random() < 0.5,
                    charge_restocking_fee=rng.random() < 0.5,
                )
            elif move == "exchange" and arrived:
                exchange_return(shop=shop, return_id=rng.choice(arrived).pk, actor=staff)
            elif move == "reject" and open_returns:
                reject_return(
                    shop=shop, return_id=rng.choice(open_returns).pk, actor=staff, note="Nee"
                )
        except ReturnError:
            pass  # a refusal (nothing arrived, shipping credited already …) writes nothing
        check_invariants(big_order)
    # The sequence did what it is about: credits for returned goods.
    assert Invoice.objects.filter(order=big_order, for_returned_goods=True).exists()
