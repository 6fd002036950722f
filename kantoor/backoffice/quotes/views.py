"""The back office's quotes: the Quotes list (with its bulk actions), the editor (a new quote, a
changed one), a quote's page with its tabs, and the steps on it (send, duplicate, extend, cancel,
convert into an order). Thin: parse the form, call one quotes service, say what happened (or why
not) and send the browser back."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kantoor.backoffice.access import shop_staff_required
from kantoor.backoffice.lists import ShopListView, list_back_url
from kantoor.backoffice.menu import entry_by_key
from kantoor.backoffice.quotes.forms import (
    BULK_EXTEND_DAYS,
    FILTER_PARAMS,
    CancelForm,
    ExtendForm,
    QuoteForm,
    QuoteLineForm,
    QuoteLineFormSet,
    QuoteListForm,
    bulk_extension,
    extended_date,
    filter_query,
    show_refusal,
)
from kantoor.backoffice.quotes.tabs import TABS, tab_for
from kantoor.backoffice.views import render_in_shop
from kantoor.catalog.selectors import products_for_sale
from kantoor.core.actors import Actor
from kantoor.core.errors import KantoorError
from kantoor.core.parsing import parse_id
from kantoor.customers.selectors import customer_for_staff, default_addresses, search_customers
from kantoor.quotes.links import quote_page_url
from kantoor.quotes.models import (
    EDITABLE_QUOTE_STATUSES,
    QUOTE_TRANSITIONS,
    Quote,
    QuoteStatus,
)
from kantoor.quotes.selectors import (
    count_quotes,
    customer_revision,
    lines_of,
    quote_for_staff,
    quote_list,
    quote_view,
    quotes_by_ids,
)
from kantoor.quotes.services import (
    QuoteError,
    cancel_quote,
    convert_quote,
    create_quote,
    duplicate_quote,
    extend_quote,
    send_quote,
    update_quote,
)
from kantoor.shops.modules import module_required
from kantoor.shops.selectors import workflow_settings_for


def quote_url(quote: Quote, tab: str | None = None) -> str:
    url = reverse(
        "backoffice:quote", kwargs={"shop_slug": quote.shop.slug, "quote_number": quote.number}
    )
    return f"{url}?{urlencode({'tab': tab})}" if tab and tab != TABS[0].key else url


# --- The Quotes list ---------------------------------------------------------------------------

QUOTE_TABS = (
    ("all", gettext_lazy("All"), ""),
    ("requested", gettext_lazy("Requested"), "requested"),
    ("sent", gettext_lazy("Sent"), "sent"),
    ("accepted", gettext_lazy("Accepted"), "accepted"),
    ("expiring", gettext_lazy("Expiring this week"), "expiring"),
)


class QuoteListView(ShopListView):
    """The shop's quotes, newest first: search, filters, the saved tabs."""

    export_kind = "quotes"

    area = "quotes"
    element_prefix = "quote"
    form_class = QuoteListForm
    to_query = staticmethod(filter_query)
    model = Quote
    module = "quotes"

    def get_page(self, filters, **cursor):
        return quote_list(shop=self.shop, filters=filters, **cursor)

    def get_count(self, filters):
        value, exact = count_quotes(shop=self.shop, filters=filters)
        return {"value": value, "exact": exact, "estimate": None}

    def has_filters(self, filters):
        return super().has_filters(filters) or bool(filters.statuses or filters.view)

    def get_chips(self, links):
        labels = dict(QuoteStatus.choices)
        return (
            links.search_chip()
            + links.value_chips(
                "status",
                links.filters.statuses,
                lambda value: _("Status: %(status)s") % {"status": labels[value]},
            )
            + links.date_chip()
        )

    def get_extra_context(self, links):
        view = links.filters.view
        return {
            "list_query": filter_query(links.filters).urlencode(),
            "extend_days": BULK_EXTEND_DAYS,
            "tabs": [
                {
                    "key": key,
                    "label": label,
                    "href": links.href(view=value),
                    "current": view == value,
                }
                for key, label, value in QUOTE_TABS
            ],
        }


quote_list_view = QuoteListView.as_view()


@require_POST
@shop_staff_required
@module_required("quotes")
def quote_bulk(request: HttpRequest, shop_slug: str) -> HttpResponse:
    """Cancel the ticked quotes, or give them more days; the outcome shows on the list."""
    shop = request.shop
    back = list_back_url(
        "backoffice:quotes",
        shop_slug=shop.slug,
        query=request.POST.get("back", ""),
        params=FILTER_PARAMS,
    )
    quote_ids = [parse_id(value) for value in request.POST.getlist("quote")]
    action = request.POST.get("action", "")
    days = bulk_extension(action)
    if not quote_ids:
        messages.error(request, _("Select the quotes first."))
        return redirect(back)
    if None in quote_ids:
        messages.error(request, _("The selection contains an unknown quote."))
        return redirect(back)
    if action != "cancel" and days is None:
        messages.error(request, _("Choose what to do with the selected quotes."))
        return redirect(back)
    actor, today = Actor.staff(request.user), timezone.localdate()
    done, refused = [], []
    for quote in quotes_by_ids(shop=shop, quote_ids=quote_ids):
        try:
            if days is None:
                cancel_quote(shop=shop, quote_id=quote.pk, actor=actor)
            else:
                extend_quote(
                    shop=shop,
                    quote_id=quote.pk,
                    valid_until=extended_date(quote.valid_until, days, today),
                    actor=actor,
                )
        except KantoorError as why:
            refused.append((quote.number, why.message))
        else:
            done.append(quote.number)
    if done and days is None:
        messages.success(
            request,
            ngettext("%(count)d quote cancelled.", "%(count)d quotes cancelled.", len(done))
            % {"count": len(done)},
        )
    elif done:
        messages.success(
            request,
            ngettext(
                "%(count)d quote extended by %(days)d days.",
                "%(count)d quotes extended by %(days)d days.",
                len(done),
            )
            % {"count": len(done), "days": days},
        )
    for number, why in refused:
        messages.error(
            request, _("%(number)s was not changed: %(why)s") % {"number": number, "why": why}
        )
    if not (done or refused):
        messages.error(request, _("None of the selected quotes were found in this shop."))
    return redirect(back)


# --- The editor --------------------------------------------------------------------------------


def _product_options(shop, lines) -> list:
    """The catalogue's products for sale, and any product the quote's lines already have."""
    products = list(products_for_sale(shop=shop))
    known = {product.pk for product in products}
    products += [line.product for line in lines if line.product and line.product.pk not in known]
    return products


def _editor(request: HttpRequest, quote: Quote | None) -> HttpResponse:
    """The new-quote page (``quote`` None) or the edit page of ``quote``."""
    shop = request.shop
    workflow = workflow_settings_for(shop=shop)
    lines = lines_of(quote) if quote is not None else []
    form_kwargs = {"shop": shop, "validity_days": workflow.quote_validity_days}
    line_kwargs = {"products": _product_options(shop, lines), "currency": shop.currency}
    find = request.GET.get("find", "").strip()[:100]
    found = list(search_customers(shop=shop, query=find)[:8]) if find else []
    customer_id = parse_id(request.GET.get("customer"))
    chosen = customer_for_staff(shop=shop, customer_id=customer_id) if customer_id else None
    error, status = "", 200
    if request.method == "POST":
        form = QuoteForm(request.POST, **form_kwargs)
        formset = QuoteLineFormSet(request.POST, prefix="lines", form_kwargs=line_kwargs)
        if all([form.is_valid(), formset.is_valid()]):
            try:
                if quote is None:
                    saved = create_quote(
                        shop=shop,
                        details=form.details(),
                        lines=formset.line_inputs(),
                        actor=Actor.staff(request.user),
                    )
                else:
                    saved = update_quote(
                        shop=shop,
                        quote_id=quote.pk,
                        details=form.details(),
                        lines=formset.line_inputs(),
                        actor=Actor.staff(request.user),
                    )
            except QuoteError as refused:
                if not show_refusal(refused, form, formset):
                    error = refused.message
            else:
                saved.shop = shop
                if quote is None:
                    done = _("Quote %(number)s saved as a concept.")
                elif saved.revision != quote.revision:
                    done = _(
                        "Quote %(number)s saved as revision %(revision)s, a concept: the "
                        "customer sees it once you send it."
                    )
                else:
                    done = _("Quote %(number)s saved.")
                messages.success(
                    request, done % {"number": saved.number, "revision": saved.revision}
                )
                return redirect(quote_url(saved))
        status = 400
    else:
        if quote is not None:
            initial = QuoteForm.initial_from_quote(quote)
        else:
            initial = {
                "language": shop.default_language,
                "shipping_method": "delivery",
                "valid_until": timezone.localdate()
                + datetime.timedelta(days=workflow.quote_validity_days),
            }
        if chosen is not None:  # the customer's details (a new quote, or another customer)
            billing = default_addresses(customer=chosen)[0]
            initial.update(QuoteForm.initial_from_customer(chosen, billing))
        form = QuoteForm(initial=initial, **form_kwargs)
        formset = QuoteLineFormSet(
            prefix="lines",
            form_kwargs=line_kwargs,
            initial=[QuoteLineForm.initial_from_line(line) for line in lines] or None,
        )
    has_errors = bool(
        error
        or form.errors
        or formset.non_form_errors()
        or any(line_form.errors for line_form in formset.forms)
    )
    response = render_in_shop(
        request,
        "backoffice/quotes/edit.html",
        {
            "quote": quote,
            "form": form,
            "formset": formset,
            "find": find,
            "found": found,
            "chosen": chosen,
            "error": error,
            "has_errors": has_errors,
            "new_revision": quote is not None
            and quote.status not in (QuoteStatus.CONCEPT, QuoteStatus.REQUESTED),
            "has_products": bool(line_kwargs["products"]),
        },
        active=entry_by_key("quotes"),
    )
    response.status_code = status
    return response


@require_http_methods(["GET", "POST"])
@shop_staff_required
@module_required("quotes")
def quote_new(request: HttpRequest, shop_slug: str) -> HttpResponse:
    return _editor(request, None)


@require_http_methods(["GET", "POST"])
@shop_staff_required
@module_required("quotes")
def quote_edit(request: HttpRequest, shop_slug: str, quote_number: str) -> HttpResponse:
    quote = quote_for_staff(shop=request.shop, number=quote_number)
    if quote.status not in EDITABLE_QUOTE_STATUSES:
        if quote.order is not None:
            refusal = _(
                "Quote %(number)s became order %(order)s: it is what was agreed and cannot change."
            )
        else:
            refusal = _(
                "Quote %(number)s has been accepted: it is what was agreed and cannot change."
            )
        messages.error(
            request,
            refusal % {"number": quote.number, "order": quote.order.number if quote.order else ""},
        )
        return redirect(quote_url(quote))
    return _editor(request, quote)


# --- A quote's page ----------------------------------------------------------------------------


@require_GET
@shop_staff_required
@module_required("quotes")
def quote_detail(request: HttpRequest, shop_slug: str, quote_number: str) -> HttpResponse:
    shop = request.shop
    quote = quote_for_staff(shop=shop, number=quote_number)
    tab = tab_for(request.GET.get("tab"))
    today = timezone.localdate()
    moves = QUOTE_TRANSITIONS[quote.status]
    workflow = workflow_settings_for(shop=shop)
    seen = customer_revision(quote)
    context = {
        "quote": quote,
        "current": quote_view(quote),
        "tab": tab,
        "tabs": [{"tab": t, "url": quote_url(quote, t.key), "active": t == tab} for t in TABS],
        "tab_template": tab.template,
        "editable": quote.status in EDITABLE_QUOTE_STATUSES,
        "can_send": QuoteStatus.SENT in moves
        and not (quote.status == QuoteStatus.EXPIRED and quote.valid_until < today),
        "can_extend": quote.status in (QuoteStatus.SENT, QuoteStatus.EXPIRED),
        "can_cancel": QuoteStatus.REJECTED in moves,
        "can_convert": quote.order_id is None
        and quote.status in (QuoteStatus.SENT, QuoteStatus.ACCEPTED),
        "past_validity": quote.valid_until < today,
        "extend_form": ExtendForm(
            initial={
                "valid_until": extended_date(quote.valid_until, workflow.quote_validity_days, today)
            }
        ),
        "cancel_form": CancelForm(),
        "customer_page": quote_page_url(shop_slug=shop.slug, shop_id=shop.pk, quote_id=quote.pk)
        if seen is not None
        else "",
        **tab.context(quote),
    }
    return render_in_shop(
        request, "backoffice/quotes/detail.html", context, active=entry_by_key("quotes")
    )


def _step(request: HttpRequest, quote_number: str, step, done: str) -> HttpResponse:
    """Run one step on a quote; say what happened (or why not) above its page."""
    quote = quote_for_staff(shop=request.shop, number=quote_number)
    try:
        step(quote, Actor.staff(request.user))
    except KantoorError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, done % {"number": quote.number, "email": quote.email})
    return redirect(quote_url(quote))


@require_POST
@shop_staff_required
@module_required("quotes")
def quote_send(request: HttpRequest, shop_slug: str, quote_number: str) -> HttpResponse:
    return _step(
        request,
        quote_number,
        lambda quote, actor: send_quote(shop=request.shop, quote_id=quote.pk, actor=actor),
        _("Quote %(number)s sent to %(email)s."),
    )


@require_POST
@shop_staff_required
@module_required("quotes")
def quote_extend(request: HttpRequest, shop_slug: str, quote_number: str) -> HttpResponse:
    form = ExtendForm(request.POST)
    if not form.is_valid():
        quote = quote_for_staff(shop=request.shop, number=quote_number)
        messages.error(request, " ".join(form.errors["valid_until"]))
        return redirect(quote_url(quote))
    return _step(
        request,
        quote_number,
        lambda quote, actor: extend_quote(
            shop=request.shop,
            quote_id=quote.pk,
            valid_until=form.cleaned_data["valid_until"],
            actor=actor,
        ),
        _("Quote %(number)s extended: the customer can accept it until the new day."),
    )


@require_POST
@shop_staff_required
@module_required("quotes")
def quote_cancel(request: HttpRequest, shop_slug: str, quote_number: str) -> HttpResponse:
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _step(
        request,
        quote_number,
        lambda quote, actor: cancel_quote(
            shop=request.shop, quote_id=quote.pk, actor=actor, reason=reason
        ),
        _("Quote %(number)s cancelled: the customer can no longer accept it."),
    )


@require_POST
@shop_staff_required
@module_required("quotes")
def quote_duplicate(request: HttpRequest, shop_slug: str, quote_number: str) -> HttpResponse:
    original = quote_for_staff(shop=request.shop, number=quote_number)
    try:
        copy = duplicate_quote(
            shop=request.shop, quote_id=original.pk, actor=Actor.staff(request.user)
        )
    except KantoorError as refused:
        messages.error(request, refused.message)
        return redirect(quote_url(original))
    copy.shop = request.shop
    messages.success(
        request,
        _("Quote %(copy)s made as a copy of %(number)s; change it and send it when ready.")
        % {"copy": copy.number, "number": original.number},
    )
    return redirect(quote_url(copy))


@require_POST
@shop_staff_required
@module_required("quotes")
def quote_convert(request: HttpRequest, shop_slug: str, quote_number: str) -> HttpResponse:
    quote = quote_for_staff(shop=request.shop, number=quote_number)
    try:
        order = convert_quote(shop=request.shop, quote_id=quote.pk, actor=Actor.staff(request.user))
    except KantoorError as refused:
        messages.error(request, refused.message)
        return redirect(quote_url(quote))
    messages.success(
        request,
        _("Quote %(number)s converted into order %(order)s; its invoice goes to the customer.")
        % {"number": quote.number, "order": order.number},
    )
    return redirect(
        reverse("backoffice:order", kwargs={"shop_slug": request.shop.slug, "number": order.number})
    )
