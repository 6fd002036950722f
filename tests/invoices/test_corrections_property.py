"""Property: after any sequence of order edits and corrections, the order's invoices add up to
exactly the order's total (prices including and excluding VAT, rounding cents included), and
every line of a credit invoice corrects a line of the invoice it refers to."""

import contextlib
import os
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kantoor.catalog.models import Product
from kantoor.checkout.services import OrderItem, place_order
from kantoor.core.actors import Actor
from kantoor.invoices.models import Invoice, InvoiceKind
from kantoor.invoices.selectors import invoiced_total
from kantoor.invoices.services import (
    InvoiceError,
    credit_invoice,
    issue_corrections,
    propose_correction,
)
from kantoor.orders.models import Order
from kantoor.orders.services import LineEdit
from kantoor.shops.models import Shop
from tests.conftest import details_for
from tests.invoices.helpers import edit

prices = st.integers(min_value=1, max_value=3000).map(lambda cents: Decimal(cents) / 100)
edits = st.one_of(
    st.tuples(st.just("quantity"), st.integers(0, 9), st.integers(1, 6)),
    st.tuples(st.just("price"), st.integers(0, 9), prices),
    st.tuples(st.just("remove"), st.integers(0, 9)),
    st.tuples(st.just("add"), st.integers(0, 2), st.integers(1, 4), prices),
    st.tuples(
        st.just("shipping"), st.sampled_from([Decimal("0.00"), Decimal("4.95"), Decimal("0.03")])
    ),
    st.tuples(st.just("correct")),
    st.tuples(st.just("credit_whole"), st.integers(0, 9)),
)


def _apply_edit(order, actor, step):
    order.refresh_from_db()
    current = [
        LineEdit(line_id=line.pk, quantity=line.quantity, unit_price=line.unit_price)
        for line in order.lines.order_by("position")
    ]
    kind = step[0]
    if kind == "quantity":
        i = step[1] % len(current)
        current[i] = LineEdit(line_id=current[i].line_id, quantity=step[2], unit_price=None)
        edit(order, actor, lines=current)
    elif kind == "price":
        i = step[1] % len(current)
        current[i] = LineEdit(
            line_id=current[i].line_id, quantity=current[i].quantity, unit_price=step[2]
        )
        edit(order, actor, lines=current)
    elif kind == "remove" and len(current) > 1:
        del current[step[1] % len(current)]
        edit(order, actor, lines=current)
    elif kind == "add":
        return ("add", step[1], step[2], step[3])
    elif kind == "shipping":
        edit(order, actor, shipping_cost=step[1])
    return None


def _key(line):
    return ("shipping",) if line.is_shipping else ("line", line.order_line_id)


def assert_credits_name_their_invoices(order):
    """Every credit line's order line (or the shipping) was invoiced on the invoice the credit
    refers to, and no credit takes more of a line at a price than that invoice had of it."""
    for credit in Invoice.objects.filter(order=order, kind=InvoiceKind.CREDIT):
        assert credit.corrects_id is not None, credit.number
        corrected = credit.corrects
        assert corrected.order_id == order.pk and corrected.kind == InvoiceKind.DEBIT
        on_corrected = {_key(line) for line in corrected.lines.all()}
        for line in credit.lines.all():
            assert _key(line) in on_corrected, (credit.number, line.description, corrected.number)
    for debit in Invoice.objects.filter(order=order, kind=InvoiceKind.DEBIT):
        had: dict = {}
        for line in debit.lines.all():
            if line.quantity > 0:
                had[(_key(line), line.unit_price)] = had.get((_key(line), line.unit_price), 0) + (
                    line.quantity
                )
        taken: dict = {}
        for credit in Invoice.objects.filter(corrects=debit, kind=InvoiceKind.CREDIT):
            for line in credit.lines.all():
                if line.quantity < 0:
                    key = (_key(line), line.unit_price)
                    taken[key] = taken.get(key, 0) - line.quantity
        for key, quantity in taken.items():
            back = sum(
                ln.quantity
                for c in Invoice.objects.filter(corrects=debit, kind=InvoiceKind.CREDIT)
                for ln in c.lines.all()
                if ln.quantity > 0 and (_key(ln), ln.unit_price) == key
            )
            assert quantity <= had.get(key, 0) + back, (debit.number, key)


@pytest.mark.parametrize("prices_include_vat", [True, False])
def test_invoices_always_add_up_to_the_order_total(shop, products, owner, prices_include_vat):
    Shop.objects.filter(pk=shop.pk).update(prices_include_vat=prices_include_vat)
    shop.refresh_from_db()
    Product.objects.filter(shop=shop).update(track_stock=False)  # stock is not the point here
    for product in products:
        product.refresh_from_db()
    actor = Actor.staff(owner)

    @settings(
        max_examples=int(os.environ.get("INVOICE_PROPERTY_EXAMPLES", 25)),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        first_prices=st.lists(prices, min_size=3, max_size=3),
        steps=st.lists(edits, min_size=1, max_size=8),
    )
    def run(first_prices, steps):
        with transaction.atomic():
            for product, price in zip(products, first_prices, strict=True):
                product.price = price
                product.save(update_fields=["price"])
            order = place_order(
                shop=shop,
                details=details_for(),
                items=[OrderItem(p.pk, 1) for p in products],
                shipping_method="delivery",
                actor=actor,
            )
            for step in steps:
                if step[0] == "correct":
                    proposal = propose_correction(shop=shop, order=order)
                    if proposal.is_needed:
                        issued = issue_corrections(shop=shop, order=order, actor=actor)
                        order.refresh_from_db()
                        assert [i.kind for i in issued] == [p.kind for p in proposal.parts]
                        assert sum(i.total_gross for i in issued) == proposal.totals.gross
                        assert invoiced_total(shop=shop, order=order) == order.total_gross
                    continue
                if step[0] == "credit_whole":
                    debits = list(Invoice.objects.filter(order=order, kind=InvoiceKind.DEBIT))
                    with contextlib.suppress(InvoiceError):  # already credited in full
                        credit_invoice(
                            shop=shop, invoice=debits[step[1] % len(debits)], actor=actor
                        )
                    continue
                added = _apply_edit(order, actor, step)
                if added:
                    _, index, quantity, price = added
                    order.refresh_from_db()
                    lines = [
                        LineEdit(line_id=ln.pk, quantity=ln.quantity, unit_price=ln.unit_price)
                        for ln in order.lines.order_by("position")
                    ]
                    lines.append(
                        LineEdit(quantity=quantity, unit_price=price, product_id=products[index].pk)
                    )
                    edit(order, actor, lines=lines)
            # The owner issues what "New invoice" proposes; then everything is invoiced.
            order = Order.objects.get(pk=order.pk)
            proposal = propose_correction(shop=shop, order=order)
            if proposal.is_needed:
                issue_corrections(shop=shop, order=order, actor=actor)
            assert invoiced_total(shop=shop, order=order) == order.total_gross
            assert not propose_correction(shop=shop, order=order).is_needed
            for invoice in Invoice.objects.filter(order=order):
                vat = sum(Decimal(row["vat"]) for row in invoice.vat_breakdown)
                net = sum(Decimal(row["net"]) for row in invoice.vat_breakdown)
                assert (invoice.total_net, invoice.total_vat) == (net, vat)
                assert invoice.total_gross == invoice.total_net + invoice.total_vat
                assert sum(ln.total_net for ln in invoice.lines.all()) == invoice.total_net
            assert_credits_name_their_invoices(order)
            transaction.set_rollback(True)

    run()
