"""Our invoice in the neutral terms every connector books (``Booking``): the one mapping from
Kantoor's invoice to what a package needs, so the connectors only translate it to their API."""

from __future__ import annotations

import datetime
from decimal import Decimal

from kantoor.accounting.connectors.base import (
    EU_REVERSE_CHARGE,
    EXPORT,
    NATIONAL,
    Booking,
    BookingCustomer,
    BookingLine,
)
from kantoor.invoices.documents.document import (
    EXPORT as EXPORT_CATEGORY,
)
from kantoor.invoices.documents.document import (
    INTRA_COMMUNITY,
    vat_category,
)
from kantoor.invoices.models import Invoice
from kantoor.invoices.selectors import PAYMENT_TERM_DAYS

TREATMENT_OF_CATEGORY = {INTRA_COMMUNITY: EU_REVERSE_CHARGE, EXPORT_CATEGORY: EXPORT}


def _treatment(invoice: Invoice, rate: Decimal) -> str:
    category = vat_category(
        vat_rate=rate,
        reverse_charged=invoice.vat_reverse_charged,
        customer_country=invoice.customer_country,
    )
    return TREATMENT_OF_CATEGORY.get(category, NATIONAL)


def booking_for(invoice: Invoice) -> Booking:
    """The booking of an issued invoice or credit invoice (its lines read here)."""
    lines = []
    for line in invoice.lines.all():
        rate = Decimal(line.vat_rate)
        lines.append(
            BookingLine(
                description=line.description,
                quantity=line.quantity,
                amount_net=line.total_net,
                vat_amount=line.total_gross - line.total_net,
                vat_rate=rate,
                treatment=_treatment(invoice, rate),
                is_shipping=line.is_shipping,
            )
        )
    treatments = {line.treatment for line in lines} - {NATIONAL}
    return Booking(
        number=invoice.number,
        kind=invoice.kind,
        issued_on=invoice.issued_on,
        due_on=invoice.issued_on + datetime.timedelta(days=PAYMENT_TERM_DAYS),
        currency=invoice.currency,
        order_number=invoice.order_number,
        corrects_number=invoice.corrects.number if invoice.corrects_id else "",
        customer=BookingCustomer(
            name=invoice.customer_name,
            company=invoice.customer_company,
            email=invoice.customer_email,
            vat_number=invoice.customer_vat_number,
            street=invoice.customer_street,
            postcode=invoice.customer_postcode,
            city=invoice.customer_city,
            country=invoice.customer_country,
        ),
        lines=tuple(lines),
        total_net=invoice.total_net,
        total_vat=invoice.total_vat,
        total_gross=invoice.total_gross,
        treatment=treatments.pop() if len(treatments) == 1 else NATIONAL,
        paid_on=invoice.paid_on,
    )
