import logging

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kantoor.checkout.services import place_order
from kantoor.core.actors import Actor
from kantoor.core.money import format_money as money
from kantoor.core.pricing import ShippingMethod
from kantoor.customers.selectors import default_addresses
from kantoor.invoices.models import Invoice, InvoiceKind
from kantoor.orders.errors import OrderAlreadyPlaced
from kantoor.orders.selectors import order_by_id
from kantoor.orders.services import OrderError
from kantoor.payments.links import payment_link_path, payment_link_token
from kantoor.payments.services import PaymentError, amount_to_pay
from kantoor.storefront import checkout_tokens
from kantoor.storefront.cart import cart_summary
from kantoor.storefront.forms import CheckoutForm
from kantoor.storefront.selectors import order_vat_breakdown
from kantoor.storefront.tokens import (
    confirmation_token,
    confirmation_token_for,
    order_id_from_token,
)
from kantoor.storefront.views.common import current_language, page, shop_url, shop_view
from kantoor.storefront.views.pay import begin_payment

logger = logging.getLogger(__name__)


def _shipping_labels(shop) -> dict[str, str]:
    return {
        ShippingMethod.DELIVERY: _("Delivery to your address (%(price)s)")
        % {"price": money(shop.shipping_fee, shop.currency)},
        ShippingMethod.PICKUP: _("Pick up at the shop (free)"),
    }


def _initial_for(customer) -> dict:
    """Prefill checkout from the logged-in customer's profile and default addresses."""
    if customer is None:
        return {}
    initial = {
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "company": customer.company,
        "vat_number": customer.vat_number,
        "phone": customer.phone,
    }
    billing, delivery = default_addresses(customer=customer)
    if billing is not None:
        initial.update(street=billing.street, postcode=billing.postcode, city=billing.city)
        initial["country"] = billing.country
    if delivery is not None and delivery != billing:
        initial.update(
            other_delivery=True,
            delivery_name=delivery.name,
            delivery_company=delivery.company,
            delivery_street=delivery.street,
            delivery_postcode=delivery.postcode,
            delivery_city=delivery.city,
            delivery_country=delivery.country,
        )
    return initial


@require_http_methods(["GET", "POST"])
@shop_view
def checkout(request):
    shop, cart = request.shop, request.cart
    token = request.POST.get("checkout_token", "") if request.method == "POST" else ""
    placed = checkout_tokens.placed_order_id(request.session, shop, token)
    if placed is not None:
        # This form was sent before and placed its order: show that order, place no other.
        return _to_confirmation(request, order_id=placed)
    if not cart.items:
        messages.error(request, _("Your cart is empty. Add a product before you check out."))
        return redirect(shop_url(request, "cart"))
    form = CheckoutForm(
        request.POST or None,
        shop=shop,
        shipping_labels=_shipping_labels(shop),
        initial=_initial_for(request.customer),
    )
    if request.method == "POST" and not checkout_tokens.is_current(request.session, shop, token):
        form.is_valid()
        form.add_error(
            None,
            _("This checkout page has expired. Check your details and place your order again."),
        )
    elif request.method == "POST" and form.is_valid():
        try:
            order = place_order(
                shop=shop,
                details=form.customer_details(language=current_language()),
                items=cart.order_items(),
                shipping_method=form.cleaned_data["shipping_method"],
                actor=Actor.customer(form.cleaned_data["email"]),
                note=form.cleaned_data["note"],
                account=request.customer,
                checkout_token=token,
            )
        except OrderAlreadyPlaced as placed_already:
            # The same form, sent at the same time, placed it. The session is left alone: the
            # request that placed the order saves it (cart emptied, token spent).
            return _to_confirmation(request, order_id=placed_already.order.pk)
        except OrderError as error:
            form.add_error(None, str(error))
        else:
            cart.clear()
            checkout_tokens.token_used(request.session, shop, token=token, order_id=order.pk)
            if form.pays_now:
                paying = _pay_now(request, order)
                if paying is not None:
                    return paying
            return redirect(shop_url(request, "confirmation", token=confirmation_token(order)))
    shipping_method = form.data.get("shipping_method") if form.is_bound else ShippingMethod.DELIVERY
    values = form.data if form.is_bound else form.initial  # billing country + VAT number
    summary = cart_summary(
        shop=shop,
        cart=cart,
        shipping_method=shipping_method,
        country=values.get("country") or "NL",
        vat_number=values.get("vat_number") or "",
    )
    return page(
        request,
        "storefront/checkout.html",
        {
            "form": form,
            "summary": summary,
            "checkout_token": checkout_tokens.form_token(request.session, shop),
        },
    )


def _to_confirmation(request, *, order_id: int):
    token = confirmation_token_for(shop_id=request.shop.pk, order_id=order_id)
    return redirect(shop_url(request, "confirmation", token=token))


def _order_invoice(shop, order) -> Invoice | None:
    return Invoice.objects.filter(shop=shop, order_id=order.pk, kind=InvoiceKind.DEBIT).first()


def _pay_now(request, order):
    """Send the payer to the provider for the new order's invoice. The order is placed already:
    whatever goes wrong here, the payer lands on the confirmation page with the payment link."""
    invoice = _order_invoice(request.shop, order)
    if invoice is None:
        return None
    token = payment_link_token(shop_id=invoice.shop_id, invoice_id=invoice.pk)
    try:
        return begin_payment(request, invoice=invoice, token=token)
    except PaymentError as error:
        reason = str(error)
    except Exception:  # the order must not be lost over a provider's trouble
        logger.exception("Order %s: starting the payment failed", order.number)
        reason = _("The payment could not be started.")
    messages.warning(
        request,
        _("Your order is placed. %(reason)s You can pay with the payment link below.")
        % {"reason": reason},
    )
    return None


@require_GET
@shop_view
def checkout_summary(request):
    """The order summary for the chosen shipping method (htmx swaps it in on change)."""
    summary = cart_summary(
        shop=request.shop,
        cart=request.cart,
        shipping_method=request.GET.get("shipping_method", ShippingMethod.DELIVERY),
        country=request.GET.get("country", ""),
        vat_number=request.GET.get("vat_number", ""),
    )
    return page(request, "storefront/includes/order_summary.html", {"summary": summary})


@require_GET
@shop_view
def confirmation(request, token: str):
    order_id = order_id_from_token(token, shop=request.shop)
    if order_id is None:
        raise Http404("No such order.")
    order = order_by_id(shop=request.shop, order_id=order_id)
    invoice = _order_invoice(request.shop, order)
    due = amount_to_pay(shop=request.shop, invoice=invoice) if invoice else None
    return page(
        request,
        "storefront/confirmation.html",
        {
            "order": order,
            "vat_breakdown": order_vat_breakdown(order=order),
            "invoice": invoice,
            "due": due,
            "pay_link": (
                payment_link_path(shop_id=invoice.shop_id, invoice_id=invoice.pk) if invoice else ""
            ),
        },
    )
