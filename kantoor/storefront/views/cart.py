from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kantoor.core.actors import Actor
from kantoor.core.parsing import parse_id, safe_next_url
from kantoor.core.throttle import Throttle, Throttled, check_all, client_ip, hit_all
from kantoor.quotes.errors import QuoteError
from kantoor.quotes.links import quote_token
from kantoor.quotes.services import QuoteDetails, QuoteLineInput, create_quote
from kantoor.shops.modules import module_enabled
from kantoor.shops.selectors import workflow_settings_for
from kantoor.storefront.cart import CartError, add_to_cart, cart_summary, update_cart
from kantoor.storefront.forms import QuoteRequestForm
from kantoor.storefront.views.common import current_language, page, shop_url, shop_view


@require_GET
@shop_view
def cart_detail(request):
    summary = cart_summary(shop=request.shop, cart=request.cart)
    if summary.unavailable:
        for product_id in summary.unavailable:
            request.cart.remove(product_id)
        messages.warning(
            request, _("Some products are no longer for sale and were taken out of your cart.")
        )
    return page(
        request,
        "storefront/cart.html",
        {"summary": summary, "quote_requests": _quote_requests_on(request.shop)},
    )


@require_POST
@shop_view
def cart_add(request):
    try:
        product = add_to_cart(
            cart=request.cart,
            shop=request.shop,
            raw_product_id=request.POST.get("product_id"),
            raw_quantity=request.POST.get("quantity", "1"),
        )
    except CartError as error:
        messages.error(request, str(error))
        return redirect(safe_next_url(request, shop_url(request, "cart")))
    messages.success(request, _("%(product)s is in your cart.") % {"product": product.name})
    return redirect(safe_next_url(request, shop_url(request, "cart")))


@require_POST
@shop_view
def cart_update(request):
    try:
        product = update_cart(
            cart=request.cart,
            shop=request.shop,
            raw_product_id=request.POST.get("product_id"),
            raw_quantity=request.POST.get("quantity"),
        )
    except CartError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Quantity of %(product)s changed.") % {"product": product.name})
    return redirect(shop_url(request, "cart"))


@require_POST
@shop_view
def cart_remove(request):
    product_id = parse_id(request.POST.get("product_id"))
    if product_id is None or product_id not in request.cart.items:
        messages.error(request, _("That product is not in your cart."))
    else:
        request.cart.remove(product_id)
        messages.success(request, _("Removed from your cart."))
    return redirect(shop_url(request, "cart"))


# Quote requests per IP address: enough for a real customer, too few for a spammer.
QUOTE_REQUESTS_PER_IP = Throttle("quote-request-ip", limit=5, window=60 * 60)


def _quote_requests_on(shop) -> bool:
    return module_enabled(shop=shop, module="quotes") and bool(
        workflow_settings_for(shop=shop).quotes_from_cart
    )


@require_http_methods(["GET", "POST"])
@shop_view
def quote_request(request):
    """Ask for a quote for the products in the cart (when the shop offers it)."""
    shop = request.shop
    if not _quote_requests_on(shop):
        raise Http404("This shop takes no quote requests.")
    summary = cart_summary(shop=shop, cart=request.cart)
    if summary.is_empty:
        return redirect(shop_url(request, "cart"))
    customer = request.customer
    initial = (
        {
            "email": customer.email,
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "company": customer.company,
            "phone": customer.phone,
        }
        if customer
        else {}
    )
    form = QuoteRequestForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            subject = (QUOTE_REQUESTS_PER_IP, f"{shop.pk}:{client_ip(request)}")
            try:
                check_all(subject)
                quote = create_quote(
                    shop=shop,
                    details=QuoteDetails(
                        email=data["email"],
                        customer_id=customer.pk if customer else None,
                        first_name=data["first_name"],
                        last_name=data["last_name"],
                        company=data["company"],
                        vat_number=data["vat_number"],
                        phone=data["phone"],
                        street=data["street"],
                        postcode=data["postcode"],
                        city=data["city"],
                        country=data["country"],
                        language=current_language(),
                    ),
                    lines=[
                        QuoteLineInput(product_id=line.product.pk, quantity=line.quantity)
                        for line in summary.lines
                    ],
                    actor=Actor.customer(data["email"]),
                    requested=True,
                    request_message=data["message"],
                )
            except Throttled as throttled:
                form.add_error(None, throttled.message)
                status = 429
            except QuoteError as refused:
                form.add_error(refused.field if refused.field in form.fields else None, refused)
            else:
                hit_all(subject)
                token = quote_token(shop_id=shop.pk, quote_id=quote.pk)
                messages.success(
                    request,
                    _(
                        "Thank you: we received your request (quote %(number)s) and e-mail "
                        "you the quote."
                    )
                    % {"number": quote.number},
                )
                return redirect(shop_url(request, "quote_page", token=token))
    return page(
        request, "storefront/quote_request.html", {"form": form, "summary": summary}, status=status
    )
