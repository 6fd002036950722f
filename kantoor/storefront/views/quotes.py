"""Quotes for customers: the quote's page (from the account, or through the signed link in the
e-mail for a prospect), accepting it (name, terms) or declining it (a reason)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kantoor.core.actors import Actor
from kantoor.core.throttle import client_ip
from kantoor.quotes import pdf
from kantoor.quotes.errors import QuoteError
from kantoor.quotes.links import quote_id_from_token
from kantoor.quotes.models import QuoteStatus
from kantoor.quotes.selectors import customer_revision, quote_by_id, quote_view
from kantoor.quotes.services import accept_quote, decline_quote
from kantoor.shops.modules import module_required
from kantoor.shops.selectors import workflow_settings_for
from kantoor.storefront.views.common import current_language, page, shop_url, shop_view


class AcceptForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(
        label=gettext_lazy("Your name"),
        max_length=200,
        error_messages={"required": gettext_lazy("Type your name to accept the quote.")},
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "name"}),
    )
    terms = forms.BooleanField(
        label=gettext_lazy("I agree to this quote and its terms"),
        error_messages={
            "required": gettext_lazy("Tick that you agree to the quote and its terms.")
        },
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class DeclineForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Why not? (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )


def _quote_from_token(request, token: str):
    quote_id = quote_id_from_token(token, shop_id=request.shop.pk)
    if quote_id is None:
        raise Http404("No such quote.")
    quote = quote_by_id(shop=request.shop, quote_id=quote_id)
    if customer_revision(quote) is None:
        raise Http404("This quote has not been sent.")
    return quote


def _actor(request, quote) -> Actor:
    return Actor.customer(request.customer.email if request.customer else quote.email)


def _quote_page(request, token, quote, *, accept_form=None, decline_form=None, status=200):
    revision = customer_revision(quote)
    shown = quote_view(quote, revision)
    language = current_language()
    settings = workflow_settings_for(shop=request.shop)
    today = timezone.localdate()
    open_for_decision = (
        quote.status == QuoteStatus.SENT
        and quote.valid_until >= today
        and revision == quote.revision
    )
    return page(
        request,
        "storefront/quotes/page.html",
        {
            "quote": quote,
            "shown": shown,
            "token": token,
            "terms": settings.quote_terms_nl if language == "nl" else settings.quote_terms_en,
            "open_for_decision": open_for_decision,
            "expired": quote.status == QuoteStatus.EXPIRED
            or (quote.status == QuoteStatus.SENT and quote.valid_until < today),
            "being_changed": quote.sent_revision
            and revision != quote.revision
            and quote.status == QuoteStatus.CONCEPT,
            "accept_form": accept_form or AcceptForm(initial={"revision": revision}),
            "decline_form": decline_form or DeclineForm(initial={"revision": revision}),
        },
        status=status,
    )


@require_GET
@shop_view
@module_required("quotes")
def quote_page(request, token: str):
    quote = _quote_from_token(request, token)
    return _quote_page(request, token, quote)


def _decide(request, token: str, form_class, decide, done: str):
    quote = _quote_from_token(request, token)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            decide(quote, form.cleaned_data)
        except QuoteError as refused:
            form.add_error(refused.field if refused.field in form.fields else None, refused)
        else:
            messages.success(request, done % {"number": quote.number})
            return redirect(shop_url(request, "quote_page", token=token))
    key = "accept_form" if form_class is AcceptForm else "decline_form"
    return _quote_page(request, token, quote, status=400, **{key: form})


@require_POST
@shop_view
@module_required("quotes")
def quote_accept(request, token: str):
    return _decide(
        request,
        token,
        AcceptForm,
        lambda quote, data: accept_quote(
            shop=request.shop,
            quote_id=quote.pk,
            revision=data["revision"],
            name=data["name"],
            terms_accepted=data["terms"],
            ip_address=client_ip(request),
            actor=_actor(request, quote),
        ),
        _("Thank you: you accepted quote %(number)s. The shop will be in touch."),
    )


@require_POST
@shop_view
@module_required("quotes")
def quote_decline(request, token: str):
    return _decide(
        request,
        token,
        DeclineForm,
        lambda quote, data: decline_quote(
            shop=request.shop,
            quote_id=quote.pk,
            revision=data["revision"],
            reason=data["reason"],
            actor=_actor(request, quote),
        ),
        _("You declined quote %(number)s; the shop has been told."),
    )


@require_GET
@shop_view
@module_required("quotes")
def quote_pdf(request, token: str):
    quote = _quote_from_token(request, token)
    return pdf.quote_pdf_response(
        pdf.quote_pdf(quote=quote, revision=customer_revision(quote)), quote
    )
