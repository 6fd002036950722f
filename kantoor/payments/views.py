"""The providers' side of payments: webhooks, and the demo provider's TEST-MODE checkout page.

The payer's pages (the payment link, the return page) are in the storefront.
"""

from __future__ import annotations

import contextlib
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from kantoor.core.money import format_money
from kantoor.payments import services
from kantoor.payments.models import DemoTransaction, PaymentState, Provider
from kantoor.payments.providers import (
    ONLINE_PROVIDERS,
    PaymentProvider,
    ProviderError,
    live_provider_name,
)
from kantoor.payments.providers.demo import (
    DEMO_METHODS,
    DEMO_OUTCOMES,
    DemoProvider,
    choose_outcome,
)

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def webhook(request, provider: str):
    """A provider's "payment X changed" (Mollie posts ``id=tr_…``). Answers 200 for a payment
    of ours whatever its state; the state is fetched from the provider, never taken from here."""
    if provider not in ONLINE_PROVIDERS:
        return JsonResponse({"error": "unknown provider"}, status=404)
    payment_id = PaymentProvider.payment_id_from_webhook(request)
    if payment_id is None:
        return JsonResponse({"error": "the form field id is missing"}, status=400)
    try:
        payment = services.handle_webhook(provider_name=provider, provider_payment_id=payment_id)
    except ProviderError as error:
        logger.warning("Webhook %s %s: provider not reachable: %s", provider, payment_id, error)
        return JsonResponse({"error": "the provider could not be asked; try again"}, status=503)
    if payment is None:
        return JsonResponse({"error": "unknown payment"}, status=404)
    return JsonResponse({"ok": True})


def _safe_redirect(request, url: str) -> str:
    """The payer goes back only to this installation (its links are on settings.BASE_URL)."""
    allowed = {urlsplit(settings.BASE_URL).netloc, request.get_host()}
    return url if url_has_allowed_host_and_scheme(url, allowed_hosts=allowed) else "/"


@require_http_methods(["GET", "POST"])
def demo_checkout(request, transaction_id: str):
    """The demo provider's checkout: TEST MODE, no real money. The payer picks a method and an
    outcome; the payment then goes through the webhook handling like any provider's."""
    demo = DemoTransaction.objects.select_related("shop").filter(pk=transaction_id).first()
    if demo is None:
        raise Http404("No such test payment.")
    # An open test payment past its time is expired (the provider's side says so, and our
    # payment follows it); one of a shop that now uses a real provider can no longer be paid.
    DemoProvider(shop=demo.shop).fetch_payment(demo.pk)
    demo.refresh_from_db(fields=["status", "updated_at"])
    retired = live_provider_name(demo.shop) != Provider.DEMO
    if demo.status == PaymentState.EXPIRED or (retired and demo.status == PaymentState.OPEN):
        with contextlib.suppress(ProviderError):
            if retired:
                DemoProvider(shop=demo.shop).cancel_payment(demo.pk)
            services.handle_webhook(provider_name=Provider.DEMO, provider_payment_id=demo.pk)
        demo.refresh_from_db(fields=["status", "updated_at"])
    error = ""
    if request.method == "POST" and demo.status == PaymentState.OPEN:
        outcome = request.POST.get("outcome", "")
        method = request.POST.get("method", "")
        if outcome in DEMO_OUTCOMES and method in dict(DEMO_METHODS):
            choose_outcome(transaction_id=demo.pk, outcome=outcome, method=method)
            try:
                services.handle_webhook(provider_name=Provider.DEMO, provider_payment_id=demo.pk)
            except ProviderError:  # pragma: no cover - the demo provider is local
                logger.exception("Demo payment %s", demo.pk)
            return HttpResponseRedirect(_safe_redirect(request, demo.redirect_url))
        error = "method" if outcome in DEMO_OUTCOMES else "outcome"
    status = 400 if error else 200
    return render(
        request,
        "payments/demo_checkout.html",
        {
            "demo": demo,
            "amount": format_money(demo.amount, demo.currency),
            "methods": DEMO_METHODS,
            "chosen_method": request.POST.get("method", "ideal"),
            "error": error,
            "is_open": demo.status == PaymentState.OPEN,
            "expired": demo.status == PaymentState.EXPIRED,
            "retired": retired and demo.status == PaymentState.CANCELED,
            "return_url": _safe_redirect(request, demo.redirect_url),
        },
        status=status,
    )
