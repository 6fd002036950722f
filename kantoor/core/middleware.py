"""What every request passes: NUL bytes are refused with a 400, and every response gets the
Content-Security-Policy and ``Cache-Control`` for private pages.

Django 5.2 has no Content-Security-Policy of its own. The policy allows only this site's own
scripts, stylesheets, images (and ``data:`` images), forms and frames of none; no inline script
and no inline ``style`` attribute. The one exception is a ``<style>`` element with the request's
nonce (``request.csp_nonce``, ``{{ request.csp_nonce }}`` in a template): the shop's status
colours are such a block (kantoor/templates/base.html), since they are the shop's data.
"""

from __future__ import annotations

import secrets

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

CSP_HEADER = "Content-Security-Policy"

# Where a form may send the browser besides this site: "Pay now" answers with a redirect to the
# payment provider's checkout, and the browser holds a form's redirects to form-action too.
PAYMENT_CHECKOUTS = ("https://www.mollie.com",)

# Pages anyone may see and a cache may keep (they say how themselves); every other page is private.
PUBLIC_PAGES = frozenset(
    {
        ("storefront", "home"),
        ("storefront", "product"),
        ("shops", "status_colours"),
        ("shops", "default_status_colours"),
    }
)
PRIVATE = "private, no-store"


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "img-src 'self' data:",
            f"style-src 'self' 'nonce-{nonce}'",
            "script-src 'self'",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "form-action 'self' " + " ".join(PAYMENT_CHECKOUTS),
            "base-uri 'self'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    """A Content-Security-Policy on every response (a nonce per request for the status colours)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if CSP_HEADER not in response:
            response[CSP_HEADER] = content_security_policy(request.csp_nonce)
        return response


class PrivatePagesMiddleware:
    """``Cache-Control: private, no-store`` on every page but the public catalogue: the back
    office, the customer's account pages, the cart and checkout, the payment pages. Nothing of
    them may stay in a shared cache or in the browser's history cache after a log-out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = request.resolver_match
        page = (match.namespace, match.url_name) if match else None
        if page not in PUBLIC_PAGES:
            response["Cache-Control"] = PRIVATE
        return response


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    lists = [request.GET.lists()]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        lists.append(request.POST.lists())
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for items in lists
        for key, values in items
    )


class RejectNulBytesMiddleware:
    """A NUL byte in the path, the query string or a posted form is answered 400 before any view
    reads it. No person types one, PostgreSQL refuses it in text, and a view handing it to a
    query would answer 500. Webhooks and other machine callers get the reason as JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _has_nul(request):
            return self.get_response(request)
        message = _("The request contains a NUL character; remove it and try again.")
        if "text/html" in request.headers.get("Accept", ""):
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return JsonResponse({"error": message, "code": "nul_character"}, status=400)
