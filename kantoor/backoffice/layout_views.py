"""The back-office layout's own endpoints (not an area of the menu)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from kantoor.backoffice.access import shop_staff_required
from kantoor.core.parsing import safe_next_url
from kantoor.shops.services import remember_menu_collapsed


@require_POST
@shop_staff_required
def menu_collapse(request: HttpRequest, shop_slug: str) -> HttpResponse:
    """Remember whether the left menu shows icons only; the layout applies it on render."""
    remember_menu_collapsed(user=request.user, collapsed=request.POST.get("collapsed") == "1")
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    overview = reverse("backoffice:overview", kwargs={"shop_slug": shop_slug})
    return redirect(safe_next_url(request, overview))
