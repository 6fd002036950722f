"""The bulk path (record_payments_in_bulk) writes the rows of record_bank_transfer and of the
demo provider's online path: the same Payment, DemoTransaction, invoice payment columns and
events, field by field."""

import datetime
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.urls import resolve, reverse
from django.utils import timezone, translation

from kantoor.checkout.services import BulkOrderRequest, OrderItem, place_orders_in_bulk
from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.customers.services import AddressData
from kantoor.invoices.guard import PAYMENT_COLUMNS
from kantoor.invoices.models import Invoice, InvoiceKind
from kantoor.invoices.models import PaymentState as InvoiceState
from kantoor.invoices.services import credit_invoice, issue_correction
from kantoor.messaging.models import Message, MessageKind
from kantoor.orders.models import Order, OrderEvent
from kantoor.orders.services import ADDRESS_FIELDS, LineEdit, edit_order
from kantoor.payments.bulk import BulkPayment, record_payments_in_bulk
from kantoor.payments.links import absolute_url, invoice_from_token, payment_link_token
from kantoor.payments.models import DemoTransaction, Payment, Provider
from kantoor.payments.providers.demo import choose_outcome
from kantoor.payments.services import (
    PaymentError,
    handle_webhook,
    record_bank_transfer,
    start_payment,
)
from kantoor.shops.models import WorkflowSettings
from tests.conftest import details_for

S = OrderStatus
# Where the normal path writes "now" (or a random reference), compared on their own below.
PAYMENT_FIELDS_NOT_COMPARED = {
    "id",
    "invoice",
    "order",
    "provider_payment_id",
    "created_at",
    "updated_at",
    "paid_at",
    "applied_at",
}
DEMO_FIELDS_NOT_COMPARED = {"id", "created_at", "updated_at"}
REFERENCE = {
    Provider.MANUAL: re.compile(r"^manual_[0-9a-f]{32}$"),
    Provider.DEMO: re.compile(r"^demo_[A-Za-z0-9_-]{24}$"),
}
AMOUNT = re.compile(r"-?\d+\.\d+")
SCENARIOS = ["plain", "part_paid", "open_credit", "two_debits"]


def twin_orders(shop, products, *, days_ago=3):
    """Two orders alike (same customer, lines, history), placed ``days_ago`` days ago."""
    at = timezone.now() - datetime.timedelta(days=days_ago)
    numbers = place_orders_in_bulk(
        shop=shop,
        requests=[
            BulkOrderRequest(
                customer=None,
                details=details_for(email="piet@example.test", first_name="Piet"),
                items=[OrderItem(products[0].pk, 2), OrderItem(products[1].pk, 1)],
                shipping_method="delivery",
                created_at=at + datetime.timedelta(seconds=i),
                actor=Actor.customer("piet@example.test"),
            )
            for i in range(2)
        ],
    )
    return [Order.objects.get(shop=shop, number=number) for number in numbers]


def prepare(shop, order, scenario, staff):
    """The invoice history before the payment(s): returns the debit invoices to pay."""
    debit = order.invoices.get(kind=InvoiceKind.DEBIT)
    if scenario == "part_paid":
        record_bank_transfer(
            shop=shop,
            invoice=debit,
            paid_on=timezone.localdate(),
            amount=Decimal("5.00"),
            note="Eerste deel",
            actor=staff,
        )
    elif scenario == "open_credit":  # one line credited: the credit stays open until paid
        credit_invoice(
            shop=shop, invoice=debit, actor=staff, line_ids=[debit.lines.order_by("pk")[0].pk]
        )
    elif scenario == "two_debits":  # express shipping afterwards: a second debit invoice
        order.refresh_from_db()
        edit_order(
            shop=shop,
            order=order,
            lines=[
                LineEdit(line_id=ln.pk, quantity=ln.quantity, unit_price=None)
                for ln in order.lines.all()
            ],
            shipping_cost=order.shipping_cost + Decimal("6.00"),
            billing=address(order, "billing"),
            delivery=address(order, "delivery"),
            expected_version=order.version,
            actor=staff,
        )
        issue_correction(shop=shop, order=order, actor=staff)
    return list(order.invoices.filter(kind=InvoiceKind.DEBIT).order_by("pk"))


def address(order, prefix):
    return AddressData(**{n: getattr(order, f"{prefix}_{n}") for n in ADDRESS_FIELDS})


def pay_normally(shop, invoice, *, provider, staff, paid_on, note, method):
    if provider == Provider.MANUAL:
        record_bank_transfer(shop=shop, invoice=invoice, paid_on=paid_on, note=note, actor=staff)
        return
    token = payment_link_token(shop_id=shop.pk, invoice_id=invoice.pk)
    payment = start_payment(
        shop=shop,
        invoice=invoice,
        redirect_url=absolute_url(reverse("pay:return", kwargs={"token": token})),
    )
    choose_outcome(transaction_id=payment.provider_payment_id, outcome="paid", method=method)
    handle_webhook(provider_name=Provider.DEMO, provider_payment_id=payment.provider_payment_id)


def snapshot(order: Order) -> dict:
    """The order's invoices, payments, demo transactions and timeline, its own numbers and
    references replaced by their place ('#order', '#invoice1', '#payment0')."""
    invoices = list(Invoice.objects.filter(order=order).order_by("pk"))
    payments = list(Payment.objects.filter(order=order).order_by("pk"))
    own = {order.number: "#order"}
    own |= {invoice.number: f"#invoice{i}" for i, invoice in enumerate(invoices)}
    own |= {p.provider_payment_id: f"#payment{i}" for i, p in enumerate(payments)}
    pattern = re.compile("|".join(re.escape(key) for key in sorted(own, key=len, reverse=True)))
    position = {invoice.pk: f"#invoice{i}" for i, invoice in enumerate(invoices)}

    def mark(value):
        if isinstance(value, str) and AMOUNT.fullmatch(value):
            # As numbers: on SQLite the normal path's amount due after an open credit is a
            # database SUM that is not rounded ("16.9000000000000"); the same amount.
            return Decimal(value)
        if isinstance(value, str):
            return pattern.sub(lambda m: own[m.group(0)], value)
        if isinstance(value, list):
            return [mark(v) for v in value]
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        return value

    def return_page(url):
        """The payer's return page, by the invoice its (time-stamped) token opens."""
        match = resolve(urlsplit(url).path)
        assert url.startswith(absolute_url("/")) and match.view_name == "pay:return"
        shop_id, invoice_id = invoice_from_token(match.kwargs["token"])
        assert shop_id == order.shop_id
        return position[invoice_id]

    demo = DemoTransaction.objects.in_bulk([p.provider_payment_id for p in payments])
    return {
        "invoices": [
            {"kind": i.kind, "total": i.total_gross, "corrects": position.get(i.corrects_id)}
            | {column: mark(getattr(i, column)) for column in PAYMENT_COLUMNS}
            for i in invoices
        ],
        "payments": [
            {
                f.attname: getattr(p, f.attname)
                for f in Payment._meta.concrete_fields
                if f.name not in PAYMENT_FIELDS_NOT_COMPARED
            }
            | {
                "invoice": position[p.invoice_id],
                "reference": bool(REFERENCE[p.provider].match(p.provider_payment_id)),
                "paid_when_applied": p.paid_at == p.applied_at,
            }
            for p in payments
        ],
        "demo_transactions": [
            {
                f.attname: mark(getattr(d, f.attname))
                for f in DemoTransaction._meta.concrete_fields
                if f.name not in DEMO_FIELDS_NOT_COMPARED
            }
            | {"redirect_url": return_page(d.redirect_url)}
            for d in (demo.get(p.provider_payment_id) for p in payments)
            if d is not None
        ],
        "events": [
            (e.kind, e.actor_id, e.actor_label, mark(e.data))
            for e in OrderEvent.objects.filter(order=order).order_by("created_at", "pk")
        ],
    }


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("provider", [Provider.MANUAL, Provider.DEMO])
def test_bulk_payments_write_the_rows_of_the_normal_path(
    shop, products, owner, provider, scenario, language
):
    # Given two orders alike, with the same invoice history
    staff = Actor.staff(owner)
    normal, bulk = twin_orders(shop, products)
    paid_on = timezone.localdate() - datetime.timedelta(days=1)
    if scenario in ("open_credit", "two_debits"):
        paid_on = timezone.localdate()  # after the correction, issued today
    note = "Overboeking ING" if provider == Provider.MANUAL else ""
    method = "banktransfer" if provider == Provider.MANUAL else "creditcard"
    with translation.override(language):
        normal_debits = prepare(shop, normal, scenario, staff)
        bulk_debits = prepare(shop, bulk, scenario, staff)

        # When the first order's invoices are paid one at a time, the normal way
        for invoice in normal_debits:
            pay_normally(
                shop,
                invoice,
                provider=provider,
                staff=staff,
                paid_on=paid_on,
                note=note,
                method=method,
            )
        # And the second order's in bulk, dated a moment ago
        at = timezone.now()
        booked = record_payments_in_bulk(
            shop=shop,
            payments=[
                BulkPayment(
                    invoice_id=invoice.pk,
                    at=at,
                    provider=provider,
                    method=method,
                    paid_on=paid_on if provider == Provider.MANUAL else None,
                    note=note,
                    actor=staff if provider == Provider.MANUAL else None,
                )
                for invoice in bulk_debits
            ],
        )

    # Then both orders have the same invoices, payments, demo transactions and events
    assert booked == len(bulk_debits)
    expected = snapshot(normal)
    assert snapshot(bulk) == expected
    assert all(invoice["state"] == InvoiceState.PAID for invoice in expected["invoices"][:1])
    # An open credit without an edit leaves the invoices below the order's total: not paid
    # (paid means the settled invoices cover what the order comes to now).
    last = "invoice_paid" if scenario == "open_credit" else "order_paid"
    assert [kind for kind, *_ in expected["events"]][-1] == last
    # And the bulk rows are dated by the payment, where the normal path says "now"
    new = Payment.objects.filter(order=bulk, created_at=at)
    assert new.count() == len(bulk_debits)
    assert {(p.updated_at, p.paid_at, p.applied_at) for p in new} == {(at, at, at)}
    assert set(
        DemoTransaction.objects.filter(
            pk__in=[p.provider_payment_id for p in new if p.provider == Provider.DEMO]
        ).values_list("created_at", "updated_at")
    ) <= {(at, at)}
    assert {
        event.created_at
        for event in OrderEvent.objects.filter(
            order=bulk, kind__in=["payment_received", "invoice_paid", "order_paid"]
        )
        if event.data.get("booked") != "part"
    } == {at}
    # And only the normal path e-mails the customer (history is not news)
    assert Message.objects.filter(order=normal, kind=MessageKind.PAYMENT_RECEIVED).count() == (
        len(normal_debits) + (scenario == "part_paid")
    )
    assert Message.objects.filter(order=bulk, kind=MessageKind.PAYMENT_RECEIVED).count() == (
        scenario == "part_paid"
    )


def test_payments_of_the_past_are_dated_by_when_they_came_in(shop, products, owner):
    # Given two orders placed 10 days ago
    staff = Actor.staff(owner)
    online, transfer = twin_orders(shop, products, days_ago=10)
    at = timezone.now() - datetime.timedelta(days=8)
    entered = timezone.now() - datetime.timedelta(days=2)
    # When one was paid online 8 days ago and the other by a transfer received 7 days ago
    # (entered 2 days ago)
    record_payments_in_bulk(
        shop=shop,
        payments=[
            BulkPayment(
                invoice_id=online.invoices.get().pk, at=at, provider=Provider.DEMO, method="ideal"
            ),
            BulkPayment(
                invoice_id=transfer.invoices.get().pk,
                at=entered,
                paid_on=timezone.localdate(at) + datetime.timedelta(days=1),
                actor=staff,
            ),
        ],
    )
    # Then each invoice is paid on its day, and the timeline says so at its moment
    assert online.invoices.get().paid_on == timezone.localdate(at)
    assert transfer.invoices.get().paid_on == timezone.localdate(at) + datetime.timedelta(days=1)
    assert list(
        OrderEvent.objects.filter(order=online)
        .order_by("created_at", "pk")
        .values_list("kind", "created_at")
    )[-3:] == [("payment_received", at), ("invoice_paid", at), ("order_paid", at)]
    assert Payment.objects.get(order=transfer).created_at == entered


def refused(shop, payment, match):
    before = (Payment.objects.count(), OrderEvent.objects.count(), DemoTransaction.objects.count())
    with pytest.raises(PaymentError, match=match):
        record_payments_in_bulk(shop=shop, payments=payment)
    assert before == (
        Payment.objects.count(),
        OrderEvent.objects.count(),
        DemoTransaction.objects.count(),
    )


def test_the_bulk_path_refuses_what_the_normal_path_refuses_and_writes_nothing(
    shop, other_shop, products, owner
):
    staff = Actor.staff(owner)
    first, second = twin_orders(shop, products)
    one, two = first.invoices.get(), second.invoices.get()
    now = timezone.now()

    def manual(invoice, **kw):
        return BulkPayment(invoice_id=invoice.pk, at=kw.pop("at", now), actor=staff, **kw)

    # An invoice paid twice (the second one already paid), all or nothing
    refused(shop, [manual(one), manual(two), manual(one)], "already paid")
    assert Invoice.objects.get(pk=one.pk).state == InvoiceState.UNPAID
    # Another shop's invoice, a credit invoice, a date before the invoice or in the future
    refused(other_shop, [manual(one)], "this shop's invoices")
    credit = credit_invoice(shop=shop, invoice=two, actor=staff)
    refused(shop, [manual(credit)], "paid back, not paid")
    refused(shop, [manual(two)], "credited")
    refused(shop, [manual(one, paid_on=one.issued_on - datetime.timedelta(days=1))], "before")
    refused(shop, [manual(one, at=now + datetime.timedelta(minutes=5))], "future")
    refused(shop, [manual(one, at=first.created_at - datetime.timedelta(seconds=1))], "issued at")
    refused(shop, [manual(one, note="x" * 501)], "at most 500")
    # What only a script can ask: a transfer without staff, an online payment with a note,
    # a provider the bulk path cannot write for
    refused(shop, [BulkPayment(invoice_id=one.pk, at=now)], "member of staff")
    refused(
        shop,
        [BulkPayment(invoice_id=one.pk, at=now, provider=Provider.DEMO, method="ideal", note="x")],
        "no note",
    )
    refused(shop, [BulkPayment(invoice_id=one.pk, at=now, provider=Provider.DEMO)], "no method")
    refused(shop, [BulkPayment(invoice_id=one.pk, at=now, provider=Provider.MOLLIE)], "bulk")


def test_an_order_awaiting_payment_that_would_move_on_is_refused(shop, products, owner):
    # Given a shop that moves a paid order awaiting payment to In process
    WorkflowSettings.objects.update_or_create(
        shop=shop, defaults={"status_when_paid": S.IN_PROCESS}
    )
    order, other = twin_orders(shop, products)
    Order.objects.filter(pk=order.pk).update(status=S.AWAITING_PAYMENT)
    staff = Actor.staff(owner)
    # Then the bulk path refuses to pay it (it would not move the order) and writes nothing
    payments = [
        BulkPayment(invoice_id=o.invoices.get().pk, at=timezone.now(), actor=staff)
        for o in (other, order)
    ]
    refused(shop, payments, "awaits payment")
    # And an order in another status is paid as usual
    assert record_payments_in_bulk(shop=shop, payments=payments[:1]) == 1


def test_bulk_with_no_payments_does_nothing(shop):
    assert record_payments_in_bulk(shop=shop, payments=[]) == 0


def test_payments_over_several_chunks_are_the_payments_of_one(shop, products, owner):
    # Given an order with two debit invoices and another order
    staff = Actor.staff(owner)
    first, second = twin_orders(shop, products)
    debits = prepare(shop, first, "two_debits", staff) + [second.invoices.get()]
    # When they are paid in chunks of one
    at = timezone.now()
    record_payments_in_bulk(
        shop=shop,
        payments=[BulkPayment(invoice_id=i.pk, at=at, actor=staff) for i in debits],
        chunk_size=1,
    )
    # Then the order with two invoices is paid once, after its last invoice
    kinds = list(
        OrderEvent.objects.filter(order=first).order_by("created_at", "pk").values_list("kind")
    )
    assert [k for (k,) in kinds][-5:] == [
        "payment_received",
        "invoice_paid",
        "payment_received",
        "invoice_paid",
        "order_paid",
    ]
    assert OrderEvent.objects.filter(order=second, kind="order_paid").count() == 1
    assert not Invoice.objects.filter(shop=shop, state=InvoiceState.UNPAID).exists()
