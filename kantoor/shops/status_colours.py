"""The shop's status colours as a stylesheet: ``/status-colours/<shop>.css``.

A status badge is ``<span class="status-badge" data-status="<kind>-<code>">``; its colours come
from this stylesheet, not from a ``style`` attribute, so the Content-Security-Policy can refuse
every inline style. Every page of a shop links it (kantoor/templates/base.html); a page without
a shop links the default colours (``/status-colours.css``). It is revalidated on every page load
(``no-cache`` with an ETag), so a saved colour shows at once.
"""

from __future__ import annotations

import hashlib
import re

from django.http import Http404, HttpResponse
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_GET

from kantoor.shops.document_statuses import all_statuses
from kantoor.shops.models import Shop
from kantoor.shops.selectors import DEFAULT_APPEARANCES, StatusAppearances, status_appearances_for

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}")
# A refunded invoice (a paid invoice whose payment was paid back) is not a status of its own.
EXTRA_BADGES = {"invoice-refunded": ("#e0e7ff", "#312e81")}


def _colour(value: str, fallback: str) -> str:
    return value if HEX_COLOUR.fullmatch(value or "") else fallback


def status_colours_css(appearances: StatusAppearances) -> str:
    rules = []
    for status in all_statuses():
        badge = appearances.badge(status.kind, status.code)
        rules.append(
            (
                f"{status.kind}-{status.code}",
                _colour(badge.background, status.background),
                _colour(badge.text, status.text),
            )
        )
    rules += [(name, bg, fg) for name, (bg, fg) in EXTRA_BADGES.items()]
    return "".join(
        f'[data-status="{name}"]{{background-color:{bg};color:{fg}}}\n' for name, bg, fg in rules
    )


@require_GET
def status_colours(request, shop_slug: str | None = None):
    appearances = DEFAULT_APPEARANCES
    if shop_slug is not None:
        shop = Shop.objects.filter(slug=shop_slug).first()
        if shop is None:
            raise Http404
        appearances = status_appearances_for(shop=shop)
    css = status_colours_css(appearances)
    etag = '"' + hashlib.sha256(css.encode()).hexdigest()[:32] + '"'
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return get_conditional_response(request, etag=etag, response=response)
