"""Resolving a return: a refund (credit invoice, with the shipping cost and a restocking fee as
the shop chooses) and an exchange (a replacement order at zero price)."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from kantoor.catalog.models import Product
from kantoor.core.actors import Actor
from kantoor.invoices.models import Invoice, InvoiceKind
from kantoor.invoices.selectors import order_amount_due, order_is_paid
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import Order, OrderEvent
from kantoor.returns.models import ReturnStatus
from kantoor.returns.services import (
    ReceivedLine,
    ReturnError,
    approve_return,
    exchange_return,
    receive_return,
    refund_return,
)
from kantoor.shops.models import Shop
from kantoor.shops.services import update_workflow_settings
from tests.returns.test_pages import bo
from tests.returns.test_requesting import ask, lines_of


@pytest.fixture
def staff(owner):
    return Actor.staff(owner)


def received_return(shop, order, reasons, actions, staff, **quantities):
    """A return of ``quantities`` (by SKU), approved and fully received back into stock."""
    request = ask(shop, order, lines_of(order, reasons, actions, **quantities))
    approve_return(shop=shop, return_id=request.pk, actor=staff)
    receive_return(
        shop=shop,
        return_id=request.pk,
        lines=[ReceivedLine(line.pk, line.quantity, True) for line in request.lines.all()],
        actor=staff,
    )
    return request


def with_fee(shop, percent):
    update_workflow_settings(
        shop=shop,
        user=None,
        section="returns",
        values={"return_restocking_fee_percent": Decimal(percent)},
    )
    return Shop.objects.get(pk=shop.pk)


def credit_lines(credit):
    return [
        (line.description, line.quantity, line.unit_price, line.is_shipping)
        for line in credit.lines.order_by("position")
    ]


def test_a_refund_credits_only_the_goods_unless_the_shipping_is_chosen(
    shop, delivered_order, reasons, actions, staff
):
    request = received_return(shop, delivered_order, reasons, actions, staff, BEL_01=2)
    _done, [credit] = refund_return(shop=shop, return_id=request.pk, actor=staff)
    bell = delivered_order.lines.get(sku="BEL-01")
    assert credit_lines(credit) == [("Fietsbel", -2, bell.unit_price, False)]
    assert credit.kind == InvoiceKind.CREDIT and credit.for_returned_goods


def test_a_refund_with_the_shipping_credits_it_once(shop, delivered_order, reasons, actions, staff):
    assert delivered_order.shipping_cost > 0
    first = received_return(shop, delivered_order, reasons, actions, staff, BEL_01=1)
    _done, [credit] = refund_return(
        shop=shop, return_id=first.pk, actor=staff, credit_shipping=True
    )
    shipping = [line for line in credit.lines.all() if line.is_shipping]
    assert [(line.quantity, line.unit_price) for line in shipping] == [
        (-1, delivered_order.shipping_cost)
    ]
    # The second return of the order cannot credit the shipping again: said, nothing written.
    second = received_return(shop, delivered_order, reasons, actions, staff, BEL_01=1)
    with pytest.raises(ReturnError) as refused:
        refund_return(shop=shop, return_id=second.pk, actor=staff, credit_shipping=True)
    assert refused.value.field == "credit_shipping"
    assert "credited already" in refused.value.message
    second.refresh_from_db()
    assert second.status == ReturnStatus.PROCESSING
    assert Invoice.objects.filter(kind=InvoiceKind.CREDIT).count() == 1


def test_the_restocking_fee_is_kept_back_on_the_same_credit_invoice(
    shop, delivered_order, reasons, actions, staff
):
    shop = with_fee(shop, "10")
    request = received_return(shop, delivered_order, reasons, actions, staff, BEL_01=2, BOEK_01=1)
    bell = delivered_order.lines.get(sku="BEL-01")
    book = delivered_order.lines.get(sku="BOEK-01")
    due_before = order_amount_due(shop=shop, order=delivered_order)
    _done, [credit] = refund_return(
        shop=shop, return_id=request.pk, actor=staff, charge_restocking_fee=True
    )
    lines = credit_lines(credit)
    bell_fee = (2 * bell.unit_price * Decimal("0.10")).quantize(Decimal("0.01"))
    book_fee = (book.unit_price * Decimal("0.10")).quantize(Decimal("0.01"))
    # In the customer's language (this order's is Dutch), at the VAT rate of its goods.
    assert delivered_order.language == "nl"
    assert ("Verwerkingskosten 10% op Fietsbel", 1, bell_fee, False) in lines
    assert ("Verwerkingskosten 10% op Fietsrouteboek", 1, book_fee, False) in lines
    fee_rates = {line.description: line.vat_rate for line in credit.lines.all()}
    assert fee_rates["Verwerkingskosten 10% op Fietsrouteboek"] == book.vat_rate
    goods = 2 * bell.unit_price + book.unit_price
    assert credit.total_gross == -(goods - bell_fee - book_fee)  # shop prices include VAT
    assert order_amount_due(shop=shop, order=delivered_order) == due_before + credit.total_gross


def test_no_fee_when_the_shop_has_none_or_staff_waive_it(
    shop, delivered_order, reasons, actions, staff
):
    request = received_return(shop, delivered_order, reasons, actions, staff, BEL_01=1)
    _done, [credit] = refund_return(
        shop=shop, return_id=request.pk, actor=staff, charge_restocking_fee=True
    )
    assert len(credit_lines(credit)) == 1  # the shop's fee is 0 %
    shop = with_fee(shop, "15")
    waived = received_return(shop, delivered_order, reasons, actions, staff, BEL_01=1)
    _done, [credit] = refund_return(shop=shop, return_id=waived.pk, actor=staff)
    assert len(credit_lines(credit)) == 1


def test_a_later_return_never_credits_at_the_price_of_a_fee(
    shop, delivered_order, reasons, actions, staff
):
    """The fee is a charge on the order line; the next return of that line is credited at the
    line's own price, never at the fee's."""
    shop = with_fee(shop, "50")
    first = received_return(shop, delivered_order, reasons, actions, staff, BEL_01=1)
    refund_return(shop=shop, return_id=first.pk, actor=staff, charge_restocking_fee=True)
    second = received_return(shop, delivered_order, reasons, actions, staff, BEL_01=1)
    _done, [credit] = refund_return(shop=shop, return_id=second.pk, actor=staff)
    bell = delivered_order.lines.get(sku="BEL-01")
    assert credit_lines(credit) == [("Fietsbel", -1, bell.unit_price, False)]


def test_an_exchange_sends_what_arrived_again_at_no_charge(
    shop, delivered_order, reasons, actions, staff, products
):
    bell = products[0]
    request = received_return(shop, delivered_order, reasons, actions, staff, BEL_01=2)
    bell.refresh_from_db()
    stock_before = bell.stock_level
    done, replacement = exchange_return(shop=shop, return_id=request.pk, actor=staff)
    assert done.status == ReturnStatus.COMPLETED and done.replacement_order == replacement
    assert replacement.number != delivered_order.number
    assert [(line.sku, line.quantity, line.unit_price) for line in replacement.lines.all()] == [
        ("BEL-01", 2, Decimal("0.00"))
    ]
    assert replacement.total_gross == 0 and replacement.shipping_cost == 0
    assert replacement.delivery_street == delivered_order.delivery_street
    assert replacement.customer_id == delivered_order.customer_id
    assert replacement.note == ""  # no note "from the customer": the link says why
    bell.refresh_from_db()
    assert bell.stock_level == stock_before - 2  # the replacement's stock is booked
    [invoice] = replacement.invoices.all()
    assert invoice.total_gross == 0 and invoice.state == "paid"  # nothing to pay
    assert order_is_paid(shop=shop, order=replacement)
    event = OrderEvent.objects.filter(
        order=delivered_order, kind=OrderEventKind.RETURN_STATUS_CHANGED
    ).latest("pk")
    assert event.data["replacement"] == replacement.number
    # Exchanged once: the closed return refuses a second exchange.
    with pytest.raises(ReturnError):
        exchange_return(shop=shop, return_id=request.pk, actor=staff)
    assert Order.objects.filter(shop=shop).count() == 2


def test_an_exchange_is_refused_by_name_when_the_product_is_short(
    shop, delivered_order, reasons, actions, staff, products
):
    bell = products[0]
    request = ask(shop, delivered_order, lines_of(delivered_order, reasons, actions, BEL_01=1))
    approve_return(shop=shop, return_id=request.pk, actor=staff)
    line = request.lines.get()
    receive_return(  # arrived, but broken: not back into stock
        shop=shop, return_id=request.pk, lines=[ReceivedLine(line.pk, 1, False)], actor=staff
    )
    Product.objects.filter(pk=bell.pk).update(stock_level=0)
    with pytest.raises(ReturnError) as refused:
        exchange_return(shop=shop, return_id=request.pk, actor=staff)
    assert "Fietsbel" in refused.value.message
    request.refresh_from_db()
    assert request.status == ReturnStatus.PROCESSING and request.replacement_order is None
    assert Order.objects.filter(shop=shop).count() == 1


def test_nothing_arrived_means_nothing_to_exchange(shop, delivered_order, reasons, actions, staff):
    request = ask(shop, delivered_order, lines_of(delivered_order, reasons, actions, BEL_01=1))
    approve_return(shop=shop, return_id=request.pk, actor=staff)
    with pytest.raises(ReturnError) as refused:
        exchange_return(shop=shop, return_id=request.pk, actor=staff)
    assert refused.value.code == "nothing_received"


def test_staff_refund_with_shipping_and_fee_and_exchange_from_the_tab(
    shop, owner, delivered_order, reasons, actions, staff
):
    shop = with_fee(shop, "10")
    update_workflow_settings(
        shop=shop, user=None, section="returns", values={"return_refunds_shipping": True}
    )
    shop = Shop.objects.get(pk=shop.pk)
    client = Client()
    client.force_login(owner)
    refunded = received_return(shop, delivered_order, reasons, actions, staff, BEL_01=1)
    tab_url = bo(shop, "order", number=delivered_order.number) + "?tab=returns"
    tab = client.get(tab_url).text
    # The shop's choices are proposed: shipping ticked (its setting), the fee ticked.
    assert re.search(r'name="credit_shipping" id="[^"]+" checked', tab)
    assert "Keep the restocking fee of 10% back" in tab
    base = {"number": delivered_order.number, "return_number": refunded.number}
    response = client.post(
        bo(shop, "return_refund", **base), {"credit_shipping": "on", "charge_restocking_fee": "on"}
    )
    credit = Invoice.objects.get(kind=InvoiceKind.CREDIT)
    assert response.status_code == 302 and "tab=invoices" in response.url
    assert f"invoice={credit.number}" in response.url  # where the money is paid back
    assert any(line.is_shipping for line in credit.lines.all())
    assert any(line.description.startswith("Verwerkingskosten") for line in credit.lines.all())

    exchanged = received_return(shop, delivered_order, reasons, actions, staff, BEL_01=1)
    base["return_number"] = exchanged.number
    response = client.post(bo(shop, "return_exchange", **base), {"note": "Nieuwe bel onderweg"})
    assert response.status_code == 302
    exchanged.refresh_from_db()
    replacement = exchanged.replacement_order
    assert exchanged.status == ReturnStatus.COMPLETED and replacement is not None
    tab = client.get(tab_url).text
    assert f">{replacement.number}</a>" in tab
    history = client.get(bo(shop, "order", number=delivered_order.number) + "?tab=history").text
    assert f"Replacement order {replacement.number} sent at no charge" in history
    overview = client.get(bo(shop, "order", number=replacement.number)).text
    assert "Replacement at no charge" in overview and exchanged.number in overview


def test_another_shops_staff_cannot_exchange(
    shop, other_shop, make_staff, delivered_order, reasons, actions, staff
):
    request = received_return(shop, delivered_order, reasons, actions, staff, BEL_01=1)
    stranger = Client()
    stranger.force_login(make_staff(other_shop))
    for target in (shop, other_shop):
        response = stranger.post(
            bo(
                target,
                "return_exchange",
                number=delivered_order.number,
                return_number=request.number,
            )
        )
        assert response.status_code == 404
    request.refresh_from_db()
    assert request.replacement_order is None
