"""Returns for customers: the return form from the account's order page, the guest page
(order number, e-mail address and postcode), and the page a return is followed on (signed)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kantoor.core.actors import Actor
from kantoor.core.parsing import parse_id
from kantoor.core.throttle import Throttle, Throttled, check_all, client_ip, hit_all
from kantoor.orders.models import Order
from kantoor.orders.selectors import order_for_customer
from kantoor.returns.errors import ReturnError
from kantoor.returns.forms import ReturnForm
from kantoor.returns.links import return_id_from_token, return_token
from kantoor.returns.models import ReturnSource
from kantoor.returns.photos import photo_response
from kantoor.returns.selectors import (
    photo_of_return,
    return_by_id,
    return_options,
    returnable_lines,
)
from kantoor.returns.services import check_order_returnable, find_guest_order, request_return
from kantoor.returns.slip import return_slip_pdf, slip_response
from kantoor.shops.modules import module_required
from kantoor.shops.selectors import workflow_settings_for
from kantoor.storefront.forms import GuestReturnForm
from kantoor.storefront.views.common import (
    current_language,
    customer_required,
    guest_returns_on,
    page,
    shop_url,
    shop_view,
)

# Wrong order number / e-mail / postcode combinations, per IP address and per order number.
GUEST_LOOKUP_PER_IP = Throttle("guest-return-ip", limit=10, window=15 * 60)
GUEST_LOOKUP_PER_ORDER = Throttle("guest-return-order", limit=5, window=15 * 60)
GUEST_ORDER_KEY = "guest-return-order:{shop}"


def returns_intro(shop, language: str) -> str:
    settings = workflow_settings_for(shop=shop)
    return settings.returns_intro_nl if language == "nl" else settings.returns_intro_en


def _return_form_page(request, *, order: Order, source: str, actor: Actor, back_url: str):
    """The return form of ``order`` (GET), or the return it asks for (POST)."""
    shop = request.shop
    try:
        period = check_order_returnable(shop=shop, order=order, source=source)
    except ReturnError as refused:
        return page(
            request,
            "storefront/returns/not_returnable.html",
            {"order": order, "reason": refused.message, "back_url": back_url},
            status=404 if refused.code == "returns_off" else 200,
        )
    language = current_language()
    returnable = returnable_lines(order=order)
    form = ReturnForm(
        request.POST or None,
        request.FILES or None,
        returnable=returnable,
        reasons=return_options(shop=shop, list_name="reasons", active_only=True),
        actions=return_options(shop=shop, list_name="actions", active_only=True),
        language=language,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                created = request_return(
                    shop=shop,
                    order=order,
                    lines=form.requested_lines(),
                    source=source,
                    actor=actor,
                    comment=form.cleaned_data["comment"],
                    photos=form.cleaned_data["photos"],
                )
            except ReturnError as refused:
                form.add_error(refused.field if refused.field in form.fields else None, refused)
            else:
                token = return_token(shop_id=shop.pk, return_id=created.pk)
                return redirect(shop_url(request, "return_page", token=token) + "?sent=1")
    return page(
        request,
        "storefront/returns/form.html",
        {
            "order": order,
            "form": form,
            "period": period,
            "intro": returns_intro(shop, language),
            "back_url": back_url,
            "nothing_left": not form.rows,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@shop_view
@module_required("returns")
@customer_required
def account_return(request, number: str):
    order = order_for_customer(shop=request.shop, customer=request.customer, number=number)
    return _return_form_page(
        request,
        order=order,
        source=ReturnSource.ACCOUNT,
        actor=Actor.customer(request.customer.email),
        back_url=shop_url(request, "order", number=order.number),
    )


def _guest_returns_on(shop) -> None:
    if not guest_returns_on(shop):
        raise Http404("Guest returns are switched off.")


@require_http_methods(["GET", "POST"])
@shop_view
@module_required("returns")
def guest_returns(request):
    """Which order: number, e-mail address and postcode. One neutral message for a wrong
    combination (nothing says whether the order exists); wrong tries are limited per IP
    address and per order number."""
    shop = request.shop
    _guest_returns_on(shop)
    form = GuestReturnForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        pairs = (
            (GUEST_LOOKUP_PER_IP, f"{shop.pk}:{client_ip(request)}"),
            (GUEST_LOOKUP_PER_ORDER, f"{shop.pk}:{data['number'].strip().upper()}"),
        )
        try:
            check_all(*pairs)
        except Throttled as throttled:
            form.add_error(None, throttled.message)
            status = 429
        else:
            order = find_guest_order(
                shop=shop, number=data["number"], email=data["email"], postcode=data["postcode"]
            )
            if order is None:
                hit_all(*pairs)
                form.add_error(
                    None,
                    _(
                        "We could not find an order with this number, e-mail address and "
                        "postcode. Check all three and try again."
                    ),
                )
                status = 400
            else:
                request.session[GUEST_ORDER_KEY.format(shop=shop.pk)] = order.pk
                return redirect(shop_url(request, "guest_return_form"))
    elif request.method == "POST":
        status = 400
    return page(
        request,
        "storefront/returns/guest.html",
        {"form": form, "intro": returns_intro(shop, current_language())},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@shop_view
@module_required("returns")
def guest_return_form(request):
    """The return form of the order the guest found (kept in their session)."""
    shop = request.shop
    _guest_returns_on(shop)
    order_id = request.session.get(GUEST_ORDER_KEY.format(shop=shop.pk))
    order = Order.objects.filter(shop=shop, pk=order_id).first() if order_id else None
    if order is None:
        return redirect(shop_url(request, "guest_returns"))
    return _return_form_page(
        request,
        order=order,
        source=ReturnSource.GUEST,
        actor=Actor.customer(order.email),
        back_url=shop_url(request, "guest_returns"),
    )


def _return_from_token(request, token: str):
    """The return a signed link opens at this shop; 404 for a forged or another shop's link."""
    return_id = return_id_from_token(token, shop_id=request.shop.pk)
    if return_id is None:
        raise Http404("No such return.")
    return return_by_id(shop=request.shop, return_id=return_id)


@require_GET
@shop_view
@module_required("returns")
def return_page(request, token: str):
    """A return as the customer sees it: status, lines, what to do next (signed link)."""
    found = _return_from_token(request, token)
    language = current_language()
    return page(
        request,
        "storefront/returns/page.html",
        {
            "return_request": found,
            "order": found.order,
            "just_sent": request.GET.get("sent") == "1",
            "slip_url": shop_url(request, "return_slip", token=token),
            "photo_urls": [
                shop_url(request, "return_photo", token=token, photo_id=photo.pk)
                for photo in found.photos.all()
            ],
            "language": language,
            "lines": [
                (line, line.reason.label_for(language), line.action.label_for(language))
                for line in found.lines.all()
            ],
        },
    )


@require_GET
@shop_view
@module_required("returns")
def return_slip(request, token: str):
    """The return slip (PDF) of the return a signed link opens."""
    found = _return_from_token(request, token)
    pdf = return_slip_pdf(return_request=found, shop=request.shop, language=current_language())
    return slip_response(pdf, found.number)


@require_GET
@shop_view
@module_required("returns")
def return_photo(request, token: str, photo_id: str):
    """A photo of the return a signed link opens (only that return's photos)."""
    found = _return_from_token(request, token)
    return photo_response(photo_of_return(return_request=found, photo_id=parse_id(photo_id)))
