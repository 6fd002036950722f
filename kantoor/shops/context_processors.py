"""Template context of every page that belongs to a shop (back office and storefront)."""

from django.utils.functional import SimpleLazyObject

from kantoor.shops.selectors import status_appearances_for


def appearances_for_request(request):
    """The shop's status colours and labels: read at most once per request, when first used."""
    cached = getattr(request, "_kantoor_status_appearances", None)
    if cached is None:
        cached = status_appearances_for(shop=getattr(request, "shop", None))
        request._kantoor_status_appearances = cached
    return cached


def status_appearance(request):
    """``status_appearance`` for the ``status_badge`` tag; no query on pages without badges."""
    return {"status_appearance": SimpleLazyObject(lambda: appearances_for_request(request))}
