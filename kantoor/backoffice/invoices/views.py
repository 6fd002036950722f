"""The invoice pages: an order's invoices (new invoice, credit, paid by hand), downloads, the list.

Thin: parse the request with a form, call one service or selector, render or redirect. Every
invoice is looked up within the shop of the URL (and the order of the URL): anything else is 404.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kantoor.backoffice.access import shop_staff_required
from kantoor.backoffice.invoices.forms import (
    CreditForm,
    InvoiceListForm,
    MarkPaidForm,
    NewInvoiceForm,
    filter_query,
)
from kantoor.backoffice.lists import ListLinks, ShopListView
from kantoor.backoffice.menu import entry_by_key
from kantoor.backoffice.views import order_tab_url, render_in_shop
from kantoor.core.actors import Actor
from kantoor.core.errors import KantoorError
from kantoor.core.money import format_money
from kantoor.invoices.documents.ubl import UblProfileError
from kantoor.invoices.list_selectors import (
    DOWNLOAD_FORMATS,
    count_invoices,
    invoice_by_number,
    invoice_file,
    invoice_list,
)
from kantoor.invoices.models import Invoice, InvoiceKind, PaymentState
from kantoor.invoices.selectors import amount_due, invoice_lines, invoices_for_order
from kantoor.invoices.services import (
    InvoiceError,
    credit_invoice,
    email_invoice,
    issue_corrections,
    propose_correction,
)
from kantoor.orders.selectors import order_for_staff
from kantoor.payments.selectors import paid_online_payments
from kantoor.payments.services import (
    PaymentError,
    amount_to_pay,
    record_payment_by_hand,
    refund_payment,
    send_payment_link,
)


def invoices_tab_url(order, invoice_number: str | None = None) -> str:
    return order_tab_url(order, "invoices", invoice=invoice_number)


def proposal_fingerprint(proposal) -> str:
    """What the owner saw on the New invoice page, so a changed order is never invoiced blind."""
    text = repr([(ln.key, ln.quantity, str(ln.unit_price)) for ln in proposal.lines])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _order_and_invoice(request, number: str, invoice_number: str):
    order = order_for_staff(shop=request.shop, number=number)
    invoice = invoice_by_number(shop=request.shop, number=invoice_number, order=order)
    return order, invoice


# --- New invoice: the proposed correction ------------------------------------------------------


@require_http_methods(["GET", "POST"])
@shop_staff_required
def invoice_new(request: HttpRequest, shop_slug: str, number: str) -> HttpResponse:
    shop = request.shop
    order = order_for_staff(shop=shop, number=number)
    invoices = list(invoices_for_order(shop=shop, order=order))
    proposal = propose_correction(shop=shop, order=order)
    fingerprint = proposal_fingerprint(proposal)
    initial = {
        "proposal": fingerprint,
        "corrects": proposal.corrects.pk if proposal.corrects else None,
    }
    error = ""
    if request.method == "POST":
        form = NewInvoiceForm(request.POST, invoices=invoices, initial=initial)
        if form.is_valid():
            if form.cleaned_data["proposal"] != fingerprint:
                error = _(
                    "The order changed while you were looking at it; check the new proposal "
                    "below and issue it again."
                )
                form = NewInvoiceForm(invoices=invoices, initial=initial)
            else:
                try:
                    issued = issue_corrections(
                        shop=shop,
                        order=order,
                        actor=Actor.staff(request.user),
                        corrects=form.cleaned_data["corrects"]
                        if proposal.kind == InvoiceKind.CREDIT
                        else None,
                    )
                except InvoiceError as refused:
                    error = str(refused)
                else:
                    for invoice in issued:
                        what = (
                            _("Credit invoice %(number)s issued.")
                            if invoice.is_credit
                            else _("Invoice %(number)s issued.")
                        )
                        messages.success(request, what % {"number": invoice.number})
                    return redirect(invoices_tab_url(order, issued[0].number))
    else:
        form = NewInvoiceForm(invoices=invoices, initial=initial)
    rows = [
        {"line": line, "amounts": amounts}
        for line, amounts in zip(proposal.lines, proposal.totals.lines, strict=True)
    ]
    return render_in_shop(
        request,
        "backoffice/invoices/new.html",
        {
            "order": order,
            "proposal": proposal,
            "rows": rows,
            "form": form,
            "error": error,
            "difference": proposal.order_total - proposal.invoiced_total,
            "back_url": invoices_tab_url(order),
        },
        active=entry_by_key("orders"),
    )


# --- Credit an invoice (whole or chosen lines) -------------------------------------------------


@require_http_methods(["GET", "POST"])
@shop_staff_required
def invoice_credit(
    request: HttpRequest, shop_slug: str, number: str, invoice_number: str
) -> HttpResponse:
    shop = request.shop
    order, invoice = _order_and_invoice(request, number, invoice_number)
    lines = list(invoice_lines(shop=shop, invoice=invoice))
    error = ""
    if invoice.kind != InvoiceKind.DEBIT:
        messages.error(request, _("A credit invoice cannot be credited; issue an invoice instead."))
        return redirect(invoices_tab_url(order, invoice.number))
    if request.method == "POST":
        form = CreditForm(request.POST, invoice_lines=lines)
        if form.is_valid():
            try:
                credit = credit_invoice(
                    shop=shop,
                    invoice=invoice,
                    line_ids=form.line_ids(),
                    actor=Actor.staff(request.user),
                )
            except InvoiceError as refused:
                error = str(refused)
            else:
                messages.success(
                    request,
                    _("Credit invoice %(credit)s issued for invoice %(number)s.")
                    % {"credit": credit.number, "number": invoice.number},
                )
                return redirect(invoices_tab_url(order, credit.number))
    else:
        form = CreditForm(invoice_lines=lines, initial={"line": [line.pk for line in lines]})
    chosen = {str(value) for value in (form["line"].value() or [])}
    return render_in_shop(
        request,
        "backoffice/invoices/credit.html",
        {
            "order": order,
            "invoice": invoice,
            "lines": [{"line": line, "checked": str(line.pk) in chosen} for line in lines],
            "form": form,
            "error": error,
            "back_url": invoices_tab_url(order, invoice.number),
        },
        active=entry_by_key("orders"),
    )


# --- Paid by hand: a bank transfer (whole or part), or a credit invoice paid back ----------------


@require_http_methods(["GET", "POST"])
@shop_staff_required
def invoice_mark_paid(
    request: HttpRequest, shop_slug: str, number: str, invoice_number: str
) -> HttpResponse:
    shop = request.shop
    order, invoice = _order_and_invoice(request, number, invoice_number)
    is_debit = invoice.kind == InvoiceKind.DEBIT
    error = ""
    if request.method == "POST":
        form = MarkPaidForm(request.POST, with_amount=is_debit)
        if form.is_valid():
            try:
                done = record_payment_by_hand(
                    shop=shop,
                    invoice=invoice,
                    paid_on=form.cleaned_data["paid_on"],
                    amount=form.cleaned_data["amount"] if is_debit else None,
                    note=form.cleaned_data["note"],
                    actor=Actor.staff(request.user),
                )
            except KantoorError as refused:
                error = str(refused)
            else:
                messages.success(request, _paid_message(shop, done.invoice, done.payment, form))
                return redirect(invoices_tab_url(order, done.invoice.number))
    else:
        initial = {"paid_on": timezone.localdate()}
        if is_debit:
            initial["amount"] = number_format(amount_to_pay(shop=shop, invoice=invoice), 2)
        form = MarkPaidForm(initial=initial, with_amount=is_debit)
    if invoice.state != PaymentState.UNPAID and not error and request.method == "GET":
        messages.info(
            request,
            _("Invoice %(number)s is already %(state)s.")
            % {"number": invoice.number, "state": invoice.get_state_display().lower()},
        )
        return redirect(invoices_tab_url(order, invoice.number))
    return render_in_shop(
        request,
        "backoffice/invoices/mark_paid.html",
        {
            "order": order,
            "invoice": invoice,
            "due": amount_due(shop=shop, invoice=invoice),
            "still_to_pay": amount_to_pay(shop=shop, invoice=invoice) if is_debit else None,
            "form": form,
            "error": error,
            "back_url": invoices_tab_url(order, invoice.number),
        },
        active=entry_by_key("orders"),
    )


def _paid_message(shop, invoice, payment, form) -> str:
    if invoice.state != PaymentState.UNPAID:
        return _("Invoice %(number)s marked %(state)s on %(date)s.") % {
            "number": invoice.number,
            "state": invoice.get_state_display().lower(),
            "date": date_format(form.cleaned_data["paid_on"], "j F Y"),
        }
    return _("%(amount)s received on invoice %(number)s; %(rest)s is still to be paid.") % {
        "amount": format_money(payment.amount, invoice.currency),
        "number": invoice.number,
        "rest": format_money(amount_to_pay(shop=shop, invoice=invoice), invoice.currency),
    }


# --- The payment link by e-mail, and refunds through the provider -------------------------------


@require_POST
@shop_staff_required
def invoice_send_link(
    request: HttpRequest, shop_slug: str, number: str, invoice_number: str
) -> HttpResponse:
    order, invoice = _order_and_invoice(request, number, invoice_number)
    try:
        send_payment_link(shop=request.shop, invoice=invoice, actor=Actor.staff(request.user))
    except PaymentError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("Invoice %(number)s with its payment link is being e-mailed to %(email)s.")
            % {"number": invoice.number, "email": invoice.customer_email},
        )
    return redirect(invoices_tab_url(order, invoice.number))


@require_POST
@shop_staff_required
def invoice_email(
    request: HttpRequest, shop_slug: str, number: str, invoice_number: str
) -> HttpResponse:
    order, invoice = _order_and_invoice(request, number, invoice_number)
    email_invoice(shop=request.shop, invoice_id=invoice.pk, actor=Actor.staff(request.user))
    messages.success(
        request,
        _("Invoice %(number)s is being e-mailed to %(email)s.")
        % {"number": invoice.number, "email": invoice.customer_email},
    )
    return redirect(invoices_tab_url(order, invoice.number))


@require_http_methods(["GET", "POST"])
@shop_staff_required
def invoice_refund(
    request: HttpRequest, shop_slug: str, number: str, invoice_number: str
) -> HttpResponse:
    """Pay a credit invoice back through the provider the order was paid with (asks once)."""
    shop = request.shop
    order, invoice = _order_and_invoice(request, number, invoice_number)
    back = invoices_tab_url(order, invoice.number)
    if invoice.kind != InvoiceKind.CREDIT or invoice.state != PaymentState.UNPAID:
        messages.info(
            request,
            _("Only an unpaid credit invoice can be refunded; invoice %(number)s is %(state)s.")
            % {"number": invoice.number, "state": invoice.get_state_display().lower()},
        )
        return redirect(back)
    error = ""
    if request.method == "POST":
        try:
            source = refund_payment(
                shop=shop, credit_invoice=invoice, actor=Actor.staff(request.user)
            )
        except PaymentError as refused:
            error = str(refused)
        else:
            messages.success(
                request,
                _("Credit invoice %(number)s refunded: %(amount)s paid back through %(provider)s.")
                % {
                    "amount": format_money(-invoice.total_gross, invoice.currency),
                    "provider": source.get_provider_display(),
                    "number": invoice.number,
                },
            )
            return redirect(back)
    online = paid_online_payments(shop=shop, order_id=order.pk)
    return render_in_shop(
        request,
        "backoffice/invoices/refund.html",
        {
            "order": order,
            "invoice": invoice,
            "amount": -amount_due(shop=shop, invoice=invoice),
            "payments": online,
            "error": error,
            "back_url": back,
        },
        active=entry_by_key("orders"),
    )


# --- Downloads -----------------------------------------------------------------------------------


@require_GET
@shop_staff_required
def invoice_download(
    request: HttpRequest, shop_slug: str, invoice_number: str, fmt: str
) -> HttpResponse:
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404("No such format.")
    invoice = invoice_by_number(shop=request.shop, number=invoice_number)
    try:
        file = invoice_file(invoice=invoice, fmt=fmt)
    except UblProfileError:
        messages.error(
            request,
            _(
                "NLCIUS is for business customers with a KvK number; download the Peppol UBL "
                "of invoice %(number)s instead."
            )
            % {"number": invoice.number},
        )
        return redirect(invoices_tab_url(invoice.order, invoice.number))
    return attachment(file)


def attachment(file) -> HttpResponse:
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- The invoice list ----------------------------------------------------------------------------


@require_GET
@shop_staff_required
def invoice_open(request: HttpRequest, shop_slug: str, invoice_number: str) -> HttpResponse:
    """An invoice from the list: its order's Invoices tab with the invoice highlighted."""
    invoice = invoice_by_number(shop=request.shop, number=invoice_number)
    return redirect(invoices_tab_url(invoice.order, invoice.number))


class InvoiceListView(ShopListView):
    """The invoice list: debit and credit invoices, filtered by type and state."""

    export_kind = "invoices"

    area = "invoices"
    element_prefix = "invoice"
    form_class = InvoiceListForm
    to_query = staticmethod(filter_query)
    model = Invoice

    def get_page(self, filters, **cursor):
        return invoice_list(shop=self.shop, filters=filters, **cursor)

    def get_count(self, filters):
        return count_invoices(shop=self.shop, filters=filters)

    def has_filters(self, filters):
        return super().has_filters(filters) or bool(filters.kinds or filters.states)

    def get_chips(self, links):
        return _chips(links)


invoice_list_view = InvoiceListView.as_view()


def _chips(links: ListLinks) -> list[dict]:
    """The active filters, each with a link that removes it."""
    filters = links.filters
    chips = links.search_chip()
    chips += links.value_chips(
        "type", filters.kinds, lambda v: _("Type: %(type)s") % {"type": InvoiceKind(v).label}
    )
    chips += links.value_chips(
        "state", filters.states, lambda v: _("State: %(state)s") % {"state": PaymentState(v).label}
    )
    chips += links.date_chip()
    return chips
