"""Back-office pages. Thin: parse the request, call a selector, render."""

from urllib.parse import urlencode

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from kantoor.backoffice.access import shop_staff_required
from kantoor.backoffice.forms import LoginForm
from kantoor.backoffice.menu import MENU, MenuEntry, entry_by_key
from kantoor.orders.selectors import order_key_figures, recent_orders
from kantoor.shops.modules import module_required
from kantoor.shops.selectors import shops_for_user, workflow_settings_for


def order_tab_url(order, tab: str, *, fragment: str = "", **highlight: str | None) -> str:
    """An order's page on one of its tabs, a document on it highlighted (``invoice=<number>``,
    ``return=<number>``) and scrolled to (``fragment``, an element id)."""
    url = reverse("backoffice:order", kwargs={"shop_slug": order.shop.slug, "number": order.number})
    query = {"tab": tab, **{key: value for key, value in highlight.items() if value}}
    return f"{url}?{urlencode(query)}" + (f"#{fragment}" if fragment else "")


class LoginView(auth_views.LoginView):
    template_name = "backoffice/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.throttled is not None:  # too many wrong passwords: 429, with the wait
            response.status_code = 429
            response["Retry-After"] = str(form.throttled.retry_after)
        return response


class LogoutView(auth_views.LogoutView):
    """Log-out is a POST (Django's LogoutView refuses GET)."""

    next_page = "backoffice:login"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The shop switcher: straight to the only shop, a choice between several, or none."""
    shops = list(shops_for_user(user=request.user))
    if len(shops) == 1:
        return redirect("backoffice:overview", shop_slug=shops[0].slug)
    return render(request, "backoffice/home.html", {"shops": shops})


def render_in_shop(
    request: HttpRequest, template: str, context: dict, *, active: MenuEntry
) -> HttpResponse:
    """Render a page of the shop area with its layout: menu, shop switcher, user menu."""
    slug = request.shop.slug
    workflow = workflow_settings_for(shop=request.shop)
    menu = [
        {
            "group": group,
            "entries": [
                {
                    "entry": entry,
                    "url": reverse(entry.url_name, kwargs={"shop_slug": slug}),
                    "active": entry.key == active.key,
                }
                for entry in group.entries
                if not entry.module or workflow.module_enabled(entry.module)
            ],
        }
        for group in MENU
    ]
    layout = {
        "shop": request.shop,
        "membership": request.membership,
        "menu": menu,
        "active_entry": active,
        "user_shops": list(shops_for_user(user=request.user)),
    }
    return render(request, template, {**layout, **context})


@shop_staff_required
def overview(request: HttpRequest, shop_slug: str) -> HttpResponse:
    shop = request.shop
    return render_in_shop(
        request,
        "backoffice/overview.html",
        {
            "figures": order_key_figures(shop=shop),
            "orders": list(recent_orders(shop=shop, limit=10)),
        },
        active=entry_by_key("overview"),
    )


def _coming_soon(request: HttpRequest, shop_slug: str, entry_key: str) -> HttpResponse:
    entry = entry_by_key(entry_key)
    return render_in_shop(request, "backoffice/coming_soon.html", {"entry": entry}, active=entry)


def coming_soon_view(entry: MenuEntry):
    """The honest page of a menu entry whose feature has not been built yet; for a module's
    entry, 404 while the shop has the module off (like every view of that module)."""
    view = module_required(entry.module)(_coming_soon) if entry.module else _coming_soon
    return shop_staff_required(view)


coming_soon = shop_staff_required(_coming_soon)
