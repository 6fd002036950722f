"""One order's pages: detail with tabs, status change, notes, edit; and a new (phone) order.

Thin: parse the request with a form, call one service or selector, render or redirect.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kantoor.backoffice.access import shop_staff_required
from kantoor.backoffice.menu import entry_by_key
from kantoor.backoffice.orders.forms import (
    AddressForm,
    LineFormSet,
    NewLineFormSet,
    NewOrderForm,
    NoteForm,
    OrderEditForm,
    StatusChangeForm,
)
from kantoor.backoffice.orders.tabs import TABS, tab_for, tabs_for
from kantoor.backoffice.views import render_in_shop
from kantoor.catalog.selectors import products_for_sale
from kantoor.checkout.services import OrderItem, place_order
from kantoor.core.actors import Actor
from kantoor.core.money import ZERO
from kantoor.core.parsing import parse_id
from kantoor.customers.selectors import customer_for_staff, default_addresses, search_customers
from kantoor.customers.services import CustomerDetails
from kantoor.invoices.selectors import (
    invoiced_total,
    order_amount_due,
    order_is_paid,
    part_payments_received,
)
from kantoor.orders.selectors import order_for_staff
from kantoor.orders.services import (
    EDITABLE_STATUSES_EXCLUDED,
    OrderError,
    add_order_note,
    change_order_status,
    edit_order,
)
from kantoor.shops.context_processors import appearances_for_request
from kantoor.shops.modules import require_module


def order_url(order, tab: str | None = None) -> str:
    url = reverse("backoffice:order", kwargs={"shop_slug": order.shop.slug, "number": order.number})
    return f"{url}?{urlencode({'tab': tab})}" if tab and tab != TABS[0].key else url


def is_editable(order) -> bool:
    return order.status not in EDITABLE_STATUSES_EXCLUDED


def status_labels(request: HttpRequest) -> dict[int, str]:
    """The shop's names of the order statuses (read once per request, shared with the badges)."""
    return appearances_for_request(request).order_status_labels()


@shop_staff_required
def order_detail(request: HttpRequest, shop_slug: str, number: str) -> HttpResponse:
    order = order_for_staff(shop=request.shop, number=number)
    tab = tab_for(request.GET.get("tab"))
    if tab.module:  # a switched-off module's tab answers 404, like its pages
        require_module(shop=request.shop, module=tab.module)
    labels = status_labels(request)
    context = {
        "order": order,
        "tab": tab,
        "tabs": [
            {"tab": t, "url": order_url(order, t.key), "active": t == tab}
            for t in tabs_for(request.shop)
        ],
        "tab_template": tab.template,
        "status_form": StatusChangeForm(order=order, status_labels=labels),
        "status_label": labels[order.status],
        "note_form": NoteForm(),
        "editable": is_editable(order),
        "is_paid": (is_paid := order_is_paid(shop=request.shop, order=order)),
        "part_paid": ZERO if is_paid else part_payments_received(shop=request.shop, order=order),
        "due": (due := ZERO if is_paid else order_amount_due(shop=request.shop, order=order)),
        "pay_back": -due,
        **tab.context(order),
    }
    return render_in_shop(
        request, "backoffice/orders/detail.html", context, active=entry_by_key("orders")
    )


@require_POST
@shop_staff_required
def order_change_status(request: HttpRequest, shop_slug: str, number: str) -> HttpResponse:
    order = order_for_staff(shop=request.shop, number=number)
    labels = status_labels(request)
    form = StatusChangeForm(request.POST, order=order, status_labels=labels)
    back = order_url(order, request.POST.get("tab"))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("status", [])))
        return redirect(back)
    try:
        changed = change_order_status(
            shop=request.shop,
            order=order,
            status=form.cleaned_data["status"],
            actor=Actor.staff(request.user),
        )
    except OrderError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Status changed to %(status)s.") % {"status": labels[changed.status]},
        )
    return redirect(back)


@require_POST
@shop_staff_required
def order_add_note(request: HttpRequest, shop_slug: str, number: str) -> HttpResponse:
    order = order_for_staff(shop=request.shop, number=number)
    form = NoteForm(request.POST)
    back = order_url(order, request.POST.get("tab"))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["text"]))
        return redirect(back)
    try:
        add_order_note(
            shop=request.shop,
            order=order,
            text=form.cleaned_data["text"],
            actor=Actor.staff(request.user),
        )
    except OrderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Note added."))
    return redirect(back)


@require_http_methods(["GET", "POST"])
@shop_staff_required
def order_edit(request: HttpRequest, shop_slug: str, number: str) -> HttpResponse:
    shop = request.shop
    order = order_for_staff(shop=shop, number=number)
    lines = list(order.lines.all())
    products = list(products_for_sale(shop=shop))
    if not is_editable(order):
        messages.error(
            request,
            _("An order that is %(status)s cannot be edited.")
            % {"status": status_labels(request)[order.status].lower()},
        )
        return redirect(order_url(order))

    error = ""
    if request.method == "POST":
        form = OrderEditForm(request.POST)
        billing = AddressForm(request.POST, prefix="billing")
        delivery = AddressForm(request.POST, prefix="delivery")
        formset = LineFormSet(request.POST, prefix="lines", form_kwargs={"products": products})
        if all(f.is_valid() for f in (form, billing, delivery, formset)):
            try:
                edit_order(
                    shop=shop,
                    order=order,
                    lines=formset.line_edits(),
                    shipping_cost=form.cleaned_data["shipping_cost"],
                    billing=billing.address(),
                    delivery=delivery.address(),
                    expected_version=form.cleaned_data["version"],
                    actor=Actor.staff(request.user),
                )
            except OrderError as refused:
                error = str(refused)
            else:
                messages.success(request, _("Order %(number)s saved.") % {"number": order.number})
                return redirect(order_url(order))
    else:
        form = OrderEditForm(
            initial={"version": order.version, "shipping_cost": order.shipping_cost}
        )
        billing = AddressForm(
            initial=AddressForm.initial_from_order(order, "billing"), prefix="billing"
        )
        delivery = AddressForm(
            initial=AddressForm.initial_from_order(order, "delivery"), prefix="delivery"
        )
        formset = LineFormSet(
            prefix="lines",
            form_kwargs={"products": products},
            initial=[
                {"line_id": line.pk, "quantity": line.quantity, "unit_price": line.unit_price}
                for line in lines
            ],
        )
    lines_by_id = {line.pk: line for line in lines}
    for line_form in formset.forms:
        line_id = line_form["line_id"].value()
        try:
            line_form.line = lines_by_id.get(int(line_id)) if line_id else None
        except (TypeError, ValueError):
            line_form.line = None
    has_errors = bool(
        error
        or form.errors
        or billing.errors
        or delivery.errors
        or formset.non_form_errors()
        or any(f.errors for f in formset.forms)
    )
    return render_in_shop(
        request,
        "backoffice/orders/edit.html",
        {
            "order": order,
            "form": form,
            "billing_form": billing,
            "delivery_form": delivery,
            "formset": formset,
            "error": error,
            "has_errors": has_errors,
            "conflict": error.startswith(_("Someone else changed this order")),
            "invoiced": invoiced_total(shop=shop, order=order),
        },
        active=entry_by_key("orders"),
    )


@require_http_methods(["GET", "POST"])
@shop_staff_required
def order_new(request: HttpRequest, shop_slug: str) -> HttpResponse:
    """A phone order: staff type the customer and the products; place_order does the rest."""
    shop = request.shop
    products = list(products_for_sale(shop=shop))
    find = request.GET.get("find", "").strip()
    found = list(search_customers(shop=shop, query=find)[:8]) if find else []
    chosen = None
    customer_id = parse_id(request.GET.get("customer"))
    if customer_id is not None:
        chosen = customer_for_staff(shop=shop, customer_id=customer_id)

    error = ""
    if request.method == "POST":
        form = NewOrderForm(request.POST, shop=shop)
        billing = AddressForm(request.POST, prefix="billing")
        separate = request.POST.get("separate_delivery") == "on"
        delivery = AddressForm(request.POST, prefix="delivery") if separate else None
        formset = NewLineFormSet(request.POST, prefix="lines", form_kwargs={"products": products})
        forms_ok = [form.is_valid(), billing.is_valid(), formset.is_valid()]
        if delivery is not None:
            forms_ok.append(delivery.is_valid())
        if all(forms_ok):
            data = form.cleaned_data
            details = CustomerDetails(
                email=data["email"],
                first_name=data["first_name"].strip(),
                last_name=data["last_name"].strip(),
                company=data["company"].strip(),
                phone=data["phone"].strip(),
                language=data["language"],
                billing=billing.address(),
                delivery=delivery.address() if delivery is not None else None,
            )
            items = [
                OrderItem(product_id=f.cleaned_data["product"], quantity=f.cleaned_data["quantity"])
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            try:
                order = place_order(
                    shop=shop,
                    details=details,
                    items=items,
                    shipping_method=data["shipping_method"],
                    note=data["note"],
                    actor=Actor.staff(request.user),
                )
            except OrderError as refused:
                error = str(refused)
            else:
                order.shop = shop
                messages.success(request, _("Order %(number)s placed.") % {"number": order.number})
                return redirect(order_url(order))
        if delivery is None:
            delivery = AddressForm(prefix="delivery")
    else:
        initial = {"language": shop.default_language, "shipping_method": "delivery"}
        billing_initial: dict = {}
        delivery_initial: dict = {}
        if chosen is not None:
            initial.update(
                email=chosen.email,
                first_name=chosen.first_name,
                last_name=chosen.last_name,
                company=chosen.company,
                phone=chosen.phone,
                language=chosen.language,
            )
            default_billing, default_delivery = default_addresses(customer=chosen)
            if default_billing is not None:
                billing_initial = _address_initial(default_billing)
            else:
                billing_initial = {"name": chosen.full_name, "company": chosen.company}
            if default_delivery is not None and default_delivery != default_billing:
                delivery_initial = _address_initial(default_delivery)
                initial["separate_delivery"] = True
        form = NewOrderForm(initial=initial, shop=shop)
        billing = AddressForm(initial=billing_initial, prefix="billing")
        delivery = AddressForm(initial=delivery_initial, prefix="delivery")
        formset = NewLineFormSet(prefix="lines", form_kwargs={"products": products})
    has_errors = bool(
        error
        or form.errors
        or billing.errors
        or delivery.errors
        or formset.non_form_errors()
        or any(f.errors for f in formset.forms)
    )
    return render_in_shop(
        request,
        "backoffice/orders/new.html",
        {
            "form": form,
            "billing_form": billing,
            "delivery_form": delivery,
            "formset": formset,
            "find": find,
            "found": found,
            "chosen": chosen,
            "error": error,
            "has_errors": has_errors,
            "has_products": bool(products),
        },
        active=entry_by_key("orders"),
    )


def _address_initial(address) -> dict:
    return {
        name: getattr(address, name)
        for name in ("name", "company", "street", "postcode", "city", "country")
    }
