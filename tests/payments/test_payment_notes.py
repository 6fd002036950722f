"""Payment notes are stored as codes and values and read in the reader's language (issue 10:
"Betaald via Demo (testmodus)", written in the Dutch payer's language into invoice.paid_note and
the invoice_paid event, showed on an English staff timeline)."""

from django.utils import timezone, translation

from kantoor.backoffice.orders.tabs import timeline_entry
from kantoor.core.actors import Actor
from kantoor.invoices.models import Invoice, PaidNote
from kantoor.invoices.services import credit_invoice, mark_invoice_paid
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import Order, OrderEvent
from kantoor.payments.services import record_bank_transfer, refund_payment
from tests.payments.test_services import pay_with_demo


def paid_entry(order):
    event = OrderEvent.objects.filter(order=order, kind=OrderEventKind.INVOICE_PAID).latest("id")
    return event, timeline_entry(event, order=order)


def test_an_online_payment_by_a_dutch_payer_reads_in_the_readers_language(shop, order, invoice):
    with translation.override("nl"):  # the payer's page and the webhook, in Dutch
        payment = pay_with_demo(shop, invoice)
    invoice.refresh_from_db()
    assert invoice.paid_note == ""
    assert invoice.paid_note_code == PaidNote.PAID_ONLINE
    assert invoice.paid_note_values == {
        "provider": "demo",
        "reference": payment.provider_payment_id,
    }
    event, _entry = paid_entry(order)
    assert event.data["note_code"] == "paid_online" and "note" not in event.data
    assert "Betaald" not in str(event.data)
    with translation.override("en"):
        assert paid_entry(order)[1].quote == (
            f"Paid via Demo (test mode) ({payment.provider_payment_id})"
        )
    with translation.override("nl"):
        assert paid_entry(order)[1].quote.startswith("Betaald via Demo")


def test_a_refund_and_a_bank_transfer_store_codes_too(shop, order, invoice, staff_actor):
    with translation.override("nl"):
        pay_with_demo(shop, invoice)
        credit = credit_invoice(shop=shop, invoice=invoice, actor=staff_actor)
        refund_payment(shop=shop, credit_invoice=credit, actor=staff_actor)
    credit.refresh_from_db()
    assert credit.paid_note == "" and credit.paid_note_code == PaidNote.REFUNDED_ONLINE
    with translation.override("en"):
        assert paid_entry(order)[1].quote.startswith("Refunded via Demo (test mode) (")


def test_a_bank_transfer_without_a_note_says_so_in_the_readers_language(
    shop, products, make_order, staff_actor
):
    order = make_order(shop, products[:1])
    invoice = Invoice.objects.get(order=order)
    with translation.override("nl"):
        record_bank_transfer(
            shop=shop, invoice=invoice, paid_on=timezone.localdate(), actor=staff_actor
        )
    invoice.refresh_from_db()
    assert invoice.paid_note == "" and invoice.paid_note_code == PaidNote.BANK_TRANSFER
    with translation.override("en"):
        assert paid_entry(order)[1].quote == "Bank transfer"


def test_a_note_typed_by_staff_is_kept_as_typed(shop, products, make_order, staff_actor):
    order = make_order(shop, products[:1])
    invoice = Invoice.objects.get(order=order)
    record_bank_transfer(
        shop=shop,
        invoice=invoice,
        paid_on=timezone.localdate(),
        note="ING afschrift 14",
        actor=staff_actor,
    )
    invoice.refresh_from_db()
    assert invoice.paid_note == "ING afschrift 14"
    assert paid_entry(order)[1].quote == "ING afschrift 14"
    # seed_demo and older code call mark_invoice_paid with a note only: that still works.
    other = Invoice.objects.get(order=make_order(shop, products[:1], email="k@example.test"))
    mark_invoice_paid(
        shop=shop, invoice=other, paid_on=timezone.localdate(), note="per kas", actor=Actor.system()
    )
    other.refresh_from_db()
    assert (other.paid_note, other.paid_note_code) == ("per kas", "")


def test_an_old_event_with_a_text_note_still_renders():
    event = OrderEvent(
        kind=OrderEventKind.INVOICE_PAID,
        data={"number": "INV1", "paid_on": "2026-01-02", "amount": "10.00", "note": "Oud"},
        actor_label="Demo",
        created_at=timezone.now(),
    )
    assert timeline_entry(event, order=Order(currency="EUR")).quote == "Oud"
