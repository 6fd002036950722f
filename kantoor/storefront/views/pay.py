"""The payment link (``/pay/<token>/``): what is being paid, "Pay now", and the page the payer
comes back to from the provider.

The token is signed (kantoor.payments.links): it opens only the invoice it names. A bad token
answers 404; a client that sends too many bad tokens gets 429 for a while (per IP address,
counted in Django's cache), which makes guessing hopeless on top of the signature.
"""

from __future__ import annotations

import contextlib
from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from kantoor.core.links import absolute_url
from kantoor.core.throttle import Throttle, Throttled, client_ip
from kantoor.invoices.list_selectors import PDF, invoice_file
from kantoor.invoices.models import Invoice, InvoiceKind
from kantoor.payments.links import invoice_from_token
from kantoor.payments.models import FINAL_STATES, Payment, PaymentState, Provider
from kantoor.payments.providers import ProviderError
from kantoor.payments.services import PaymentError, amount_to_pay, handle_webhook, start_payment
from kantoor.shops.models import Shop
from kantoor.storefront import customer_session
from kantoor.storefront.cart import Cart
from kantoor.storefront.tokens import confirmation_token
from kantoor.storefront.views.common import page

BAD_TOKEN_LIMIT = getattr(settings, "PAYMENT_LINK_BAD_TOKEN_LIMIT", 20)
BAD_TOKEN_WINDOW = 600  # seconds
BAD_TOKENS = Throttle("pay-bad-token", limit=BAD_TOKEN_LIMIT, window=BAD_TOKEN_WINDOW)


def _limited(request, throttled: Throttled) -> HttpResponse:
    response = render(request, "storefront/pay/too_many.html", status=429)
    response["Retry-After"] = str(throttled.retry_after)
    return response


def with_invoice(view):
    """Resolve the token to (shop, invoice); 404 for anything else, 429 after too many bad ones.
    Sets request.shop/customer/cart so the storefront layout works."""

    @wraps(view)
    def wrapper(request, token: str, *args, **kwargs):
        try:
            BAD_TOKENS.check(client_ip(request))
        except Throttled as throttled:
            return _limited(request, throttled)
        found = invoice_from_token(token) if len(token) <= 200 else None
        invoice = None
        if found is not None:
            shop_id, invoice_id = found
            invoice = (
                Invoice.objects.select_related("shop", "order")
                .filter(shop_id=shop_id, pk=invoice_id, kind=InvoiceKind.DEBIT)
                .first()
            )
        if invoice is None:
            BAD_TOKENS.hit(client_ip(request))
            return render(request, "storefront/pay/not_found.html", status=404)
        shop: Shop = invoice.shop
        request.shop = shop
        request.customer = customer_session.current_customer(request, shop=shop)
        request.cart = Cart(request.session, shop)
        return view(request, token, invoice, *args, **kwargs)

    return wrapper


def _return_url(token: str) -> str:
    """Where the provider sends the payer back: on settings.BASE_URL, never the Host header."""
    return absolute_url(reverse("pay:return", kwargs={"token": token}))


def _latest_online(invoice: Invoice) -> Payment | None:
    return (
        Payment.objects.filter(
            shop_id=invoice.shop_id,
            invoice_id=invoice.pk,
            provider__in=(Provider.DEMO, Provider.MOLLIE),
        )
        .order_by("-created_at", "-id")
        .first()
    )


def begin_payment(request, *, invoice: Invoice, token: str):
    """Start the payment and send the payer to the provider (also used by checkout)."""
    payment = start_payment(shop=invoice.shop, invoice=invoice, redirect_url=_return_url(token))
    return redirect(payment.checkout_url)


@require_http_methods(["GET", "POST"])
@with_invoice
def pay_invoice(request, token: str, invoice: Invoice):
    error = ""
    if request.method == "POST":
        try:
            return begin_payment(request, invoice=invoice, token=token)
        except PaymentError as failure:
            error = str(failure)
    due = amount_to_pay(shop=invoice.shop, invoice=invoice)
    return page(
        request,
        "storefront/pay/pay.html",
        {
            "invoice": invoice,
            "token": token,
            "due": due,
            "lines": list(invoice.lines.order_by("position")),
            "error": error,
        },
        status=400 if error else 200,
    )


@require_GET
@with_invoice
def payment_return(request, token: str, invoice: Invoice):
    payment = _latest_online(invoice)
    if payment is None:
        return redirect("pay:invoice", token=token)
    if payment.state not in FINAL_STATES:
        # The payer may be back before the provider's webhook: ask the provider now.
        with contextlib.suppress(ProviderError):
            payment = (
                handle_webhook(
                    provider_name=payment.provider, provider_payment_id=payment.provider_payment_id
                )
                or payment
            )
        invoice.refresh_from_db(fields=["state", "paid_on", "amount_paid"])
    if payment.state == PaymentState.PAID:
        outcome = "paid"
    elif payment.state in FINAL_STATES:
        outcome = "failed"
    else:
        outcome = "processing"
    return page(
        request,
        "storefront/pay/return.html",
        {
            "invoice": invoice,
            "payment": payment,
            "token": token,
            "outcome": outcome,
            "due": amount_to_pay(shop=invoice.shop, invoice=invoice),
            # The order it pays (the payer may come straight from checkout): its number, and
            # its confirmation page (the signed link checkout itself sends the payer to).
            "order": invoice.order,
            "order_url": reverse(
                "storefront:confirmation",
                kwargs={"shop_slug": invoice.shop.slug, "token": confirmation_token(invoice.order)},
            ),
        },
    )


@require_GET
@with_invoice
def invoice_pdf(request, token: str, invoice: Invoice):
    file = invoice_file(invoice=invoice, fmt=PDF)
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
