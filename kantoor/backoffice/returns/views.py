"""The back office's returns: the steps on an order's Returns tab, a return made by staff for a
customer, a return opened by its number, and the Returns list with its bulk status change.
Thin: parse the form, call a returns service, send the browser back to the tab with the return
highlighted (or to the list, with its filters)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kantoor.backoffice.access import shop_staff_required
from kantoor.backoffice.lists import ShopListView, list_back_url
from kantoor.backoffice.menu import entry_by_key
from kantoor.backoffice.returns.forms import (
    FILTER_PARAMS,
    NoteForm,
    ReceiveForm,
    RefundForm,
    ReturnListForm,
    ReturnStatusForm,
    filter_query,
    return_status_choices,
)
from kantoor.backoffice.views import order_tab_url, render_in_shop
from kantoor.core.actors import Actor
from kantoor.core.parsing import parse_id
from kantoor.orders.selectors import order_for_staff
from kantoor.returns.errors import ReturnError
from kantoor.returns.forms import ReturnForm
from kantoor.returns.models import HANDLED_RETURN_STATUSES, ReturnRequest, ReturnSource
from kantoor.returns.photos import photo_response
from kantoor.returns.selectors import (
    count_returns,
    photo_of_return,
    return_for_staff,
    return_list,
    return_options,
    returnable_lines,
)
from kantoor.returns.services import (
    approve_return,
    change_return_status,
    change_return_statuses,
    check_order_returnable,
    complete_return,
    exchange_return,
    receive_return,
    refund_return,
    reject_return,
    request_return,
)
from kantoor.returns.slip import return_slip_pdf, slip_response
from kantoor.shops.modules import module_required


def returns_tab_url(order, return_number: str | None = None) -> str:
    return order_tab_url(
        order, "returns", fragment=f"return-{return_number or ''}", **{"return": return_number}
    )


def _order_and_return(request, number: str, return_number: str):
    order = order_for_staff(shop=request.shop, number=number)
    found = return_for_staff(shop=request.shop, number=return_number)
    if found.order_id != order.pk:
        raise Http404("No such return on this order.")
    return order, found


def _note(request) -> str:
    form = NoteForm(request.POST)
    return form.cleaned_data["note"] if form.is_valid() else request.POST.get("note", "")


def _step(request, number: str, return_number: str, step, done: str) -> HttpResponse:
    """Run one step on a return; say what happened (or why not) above the tab."""
    order, found = _order_and_return(request, number, return_number)
    try:
        step(found)
    except ReturnError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, done % {"number": found.number})
    return redirect(returns_tab_url(order, found.number))


def _note_step_view(service, done):
    """The view of a step that takes the message to the customer: approve, reject, complete."""

    @require_POST
    @shop_staff_required
    @module_required("returns")
    def view(request: HttpRequest, shop_slug: str, number: str, return_number: str):
        actor = Actor.staff(request.user)
        return _step(
            request,
            number,
            return_number,
            lambda found: service(
                shop=request.shop, return_id=found.pk, actor=actor, note=_note(request)
            ),
            done,
        )

    return view


return_approve = _note_step_view(
    approve_return,
    gettext_lazy("Return %(number)s approved; the customer is e-mailed where to send it."),
)
return_reject = _note_step_view(
    reject_return,
    gettext_lazy("Return %(number)s rejected; the customer is e-mailed your message."),
)
return_complete = _note_step_view(
    complete_return,
    gettext_lazy("Return %(number)s completed; the customer is e-mailed your message."),
)


@require_POST
@shop_staff_required
@module_required("returns")
def return_status(request: HttpRequest, shop_slug: str, number: str, return_number: str):
    form = ReturnStatusForm(request.POST)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    actor = Actor.staff(request.user)
    return _step(
        request,
        number,
        return_number,
        lambda found: change_return_status(
            shop=request.shop, return_id=found.pk, status=status, actor=actor
        ),
        _("Status of return %(number)s changed."),
    )


@require_POST
@shop_staff_required
@module_required("returns")
def return_receive(request: HttpRequest, shop_slug: str, number: str, return_number: str):
    order, found = _order_and_return(request, number, return_number)
    form = ReceiveForm(request.POST, return_request=found)
    if not form.is_valid() or not form.awaiting:
        messages.error(request, _("Say for each line how many arrived."))
        return redirect(returns_tab_url(order, found.number))
    try:
        receive_return(
            shop=request.shop,
            return_id=found.pk,
            lines=form.received_lines(),
            actor=Actor.staff(request.user),
        )
    except ReturnError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Return %(number)s received.") % {"number": found.number})
    return redirect(returns_tab_url(order, found.number))


@require_POST
@shop_staff_required
@module_required("returns")
def return_refund(request: HttpRequest, shop_slug: str, number: str, return_number: str):
    order, found = _order_and_return(request, number, return_number)
    form = RefundForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors.get("note", [_("Check the refund.")])[0])
        return redirect(returns_tab_url(order, found.number))
    try:
        _request, credits = refund_return(
            shop=request.shop,
            return_id=found.pk,
            actor=Actor.staff(request.user),
            note=form.cleaned_data["note"],
            credit_shipping=form.cleaned_data["credit_shipping"],
            charge_restocking_fee=form.cleaned_data["charge_restocking_fee"],
        )
    except ReturnError as refused:
        messages.error(request, refused.message)
        return redirect(returns_tab_url(order, found.number))
    messages.success(
        request,
        _(
            "Return %(number)s credited with credit invoice %(credits)s. Pay the money back "
            "here: refund it through the payment provider, or mark it refunded."
        )
        % {"number": found.number, "credits": ", ".join(c.number for c in credits)},
    )
    # The credit invoice on the Invoices tab, where the money is paid back.
    return redirect(order_tab_url(order, "invoices", invoice=credits[0].number))


@require_POST
@shop_staff_required
@module_required("returns")
def return_exchange(request: HttpRequest, shop_slug: str, number: str, return_number: str):
    order, found = _order_and_return(request, number, return_number)
    try:
        _request, replacement = exchange_return(
            shop=request.shop,
            return_id=found.pk,
            actor=Actor.staff(request.user),
            note=_note(request),
        )
    except ReturnError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _(
                "Return %(number)s exchanged: replacement order %(replacement)s sends it again "
                "at no charge."
            )
            % {"number": found.number, "replacement": replacement.number},
        )
    return redirect(returns_tab_url(order, found.number))


@require_http_methods(["GET", "POST"])
@shop_staff_required
@module_required("returns")
def return_new(request: HttpRequest, shop_slug: str, number: str) -> HttpResponse:
    """Staff make a return for the customer (phone, e-mail, at the counter)."""
    shop = request.shop
    order = order_for_staff(shop=shop, number=number)
    refusal = ""
    try:
        check_order_returnable(shop=shop, order=order, source=ReturnSource.STAFF)
    except ReturnError as refused:
        refusal = refused.message
    form = ReturnForm(
        request.POST or None,
        request.FILES or None,
        returnable=returnable_lines(order=order),
        reasons=return_options(shop=shop, list_name="reasons", active_only=True),
        actions=return_options(shop=shop, list_name="actions", active_only=True),
        language=order.language,
    )
    status = 200
    if request.method == "POST" and not refusal:
        status = 400
        if form.is_valid():
            try:
                created = request_return(
                    shop=shop,
                    order=order,
                    lines=form.requested_lines(),
                    source=ReturnSource.STAFF,
                    actor=Actor.staff(request.user),
                    comment=form.cleaned_data["comment"],
                    photos=form.cleaned_data["photos"],
                )
            except ReturnError as refused:
                form.add_error(refused.field if refused.field in form.fields else None, refused)
            else:
                messages.success(
                    request,
                    _("Return %(number)s made; the customer gets the confirmation by e-mail.")
                    % {"number": created.number},
                )
                return redirect(returns_tab_url(order, created.number))
    response = render_in_shop(
        request,
        "backoffice/returns/new.html",
        {"order": order, "form": form, "refusal": refusal},
        active=entry_by_key("orders"),
    )
    response.status_code = status
    return response


@require_GET
@shop_staff_required
@module_required("returns")
def return_slip(request: HttpRequest, shop_slug: str, number: str, return_number: str):
    """The return slip (PDF), to print for a customer or to put with the parcel."""
    _order, found = _order_and_return(request, number, return_number)
    pdf = return_slip_pdf(return_request=found, shop=request.shop, language=found.language)
    return slip_response(pdf, found.number)


@require_GET
@shop_staff_required
@module_required("returns")
def return_photo(
    request: HttpRequest, shop_slug: str, number: str, return_number: str, photo_id: str
):
    """A photo the customer added to the return."""
    _order, found = _order_and_return(request, number, return_number)
    return photo_response(photo_of_return(return_request=found, photo_id=parse_id(photo_id)))


@require_GET
@shop_staff_required
@module_required("returns")
def return_open(request: HttpRequest, shop_slug: str, return_number: str) -> HttpResponse:
    """A return by its number: its order's Returns tab, with the return highlighted."""
    found = return_for_staff(shop=request.shop, number=return_number)
    found.order.shop = request.shop
    return redirect(returns_tab_url(found.order, found.number))


# --- The Returns list -------------------------------------------------------------------------

RETURN_TABS = (
    ("all", gettext_lazy("All"), {}),
    ("approve", gettext_lazy("To approve"), {"stage": "approve"}),
    ("receive", gettext_lazy("To receive"), {"stage": "receive"}),
    ("refund", gettext_lazy("To resolve"), {"stage": "refund"}),
)


class ReturnListView(ShopListView):
    """The shop's returns, newest first: search, filters, the saved tabs of the next step."""

    export_kind = "returns"

    area = "returns"
    element_prefix = "return"
    form_class = ReturnListForm
    to_query = staticmethod(filter_query)
    model = ReturnRequest
    module = "returns"

    def get_form_kwargs(self):
        self.status_choices = return_status_choices(self.request.shop)
        return {"shop": self.request.shop, "status_choices": self.status_choices}

    def get_page(self, filters, **cursor):
        return return_list(shop=self.shop, filters=filters, **cursor)

    def get_count(self, filters):
        value, exact = count_returns(shop=self.shop, filters=filters)
        return {"value": value, "exact": exact, "estimate": None}

    def has_filters(self, filters):
        return super().has_filters(filters) or bool(
            filters.statuses or filters.reasons or filters.actions or filters.stage
        )

    def get_chips(self, links):
        filters = links.filters
        labels = dict(self.status_choices)
        reasons = dict(self.form.fields["reason"].choices)
        actions = dict(self.form.fields["action"].choices)
        chips = links.search_chip()
        chips += links.value_chips(
            "status", filters.statuses, lambda v: _("Status: %(status)s") % {"status": labels[v]}
        )
        chips += links.value_chips(
            "reason", filters.reasons, lambda v: _("Reason: %(reason)s") % {"reason": reasons[v]}
        )
        chips += links.value_chips(
            "action",
            filters.actions,
            lambda v: _("Customer asks for: %(action)s") % {"action": actions[v]},
        )
        return chips + links.date_chip()

    def get_extra_context(self, links):
        stage = links.filters.stage
        handled = {status.value for status in HANDLED_RETURN_STATUSES}
        return {
            "list_query": filter_query(links.filters).urlencode(),
            "bulk_statuses": [
                {"value": value, "label": label}
                for value, label in self.status_choices
                if value in handled
            ],
            "tabs": [
                {
                    "key": key,
                    "label": label,
                    "href": links.href(stage=values.get("stage", "")),
                    "current": stage == values.get("stage", ""),
                }
                for key, label, values in RETURN_TABS
            ],
        }


return_list_view = ReturnListView.as_view()


@require_POST
@shop_staff_required
@module_required("returns")
def return_bulk_status(request: HttpRequest, shop_slug: str) -> HttpResponse:
    """Move the ticked returns to one status; the outcome shows as messages on the list."""
    shop = request.shop
    back = list_back_url(
        "backoffice:returns",
        shop_slug=shop.slug,
        query=request.POST.get("back", ""),
        params=FILTER_PARAMS,
    )
    return_ids = [parse_id(value) for value in request.POST.getlist("return")]
    if None in return_ids:
        messages.error(request, _("The selection contains an unknown return."))
        return redirect(back)
    status = request.POST.get("status", "")
    try:
        outcome = change_return_statuses(
            shop=shop, return_ids=return_ids, status=status, actor=Actor.staff(request.user)
        )
    except ReturnError as refused:
        messages.error(request, refused.message)
        return redirect(back)
    label = dict(return_status_choices(shop, HANDLED_RETURN_STATUSES))[status]
    if outcome.changed:
        messages.success(
            request,
            ngettext(
                "%(count)d return moved to %(status)s.",
                "%(count)d returns moved to %(status)s.",
                len(outcome.changed),
            )
            % {"count": len(outcome.changed), "status": label},
        )
    if outcome.unchanged:
        messages.info(
            request,
            _("Already %(status)s: %(numbers)s.")
            % {"status": label, "numbers": ", ".join(outcome.unchanged)},
        )
    for number, why in outcome.refused:
        messages.error(
            request, _("%(number)s was not changed: %(why)s") % {"number": number, "why": why}
        )
    if not (outcome.changed or outcome.unchanged or outcome.refused):
        messages.error(request, _("None of the selected returns were found in this shop."))
    return redirect(back)
