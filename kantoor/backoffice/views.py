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
from kantoor.reports.exports.selectors import finished_exports
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


PENDING_EXPORTS = "kantoor_exports_pending"  # session: the background exports to announce


def remember_pending_export(request: HttpRequest, job_id: int) -> None:
    """Announce this background export on the page the user is on when it is ready."""
    pending = request.session.get(PENDING_EXPORTS, [])
    request.session[PENDING_EXPORTS] = [*pending[-9:], job_id]


def forget_pending_exports(request: HttpRequest, job_ids) -> None:
    pending = request.session.get(PENDING_EXPORTS)
    if pending:
        request.session[PENDING_EXPORTS] = [i for i in pending if i not in set(job_ids)]


def _ready_exports(request: HttpRequest) -> list:
    """The user's background exports that finished since they started them (one query, and
    only while one is pending): each is announced once, on whichever page comes next."""
    if not request.session.get(PENDING_EXPORTS):
        return []
    ready = finished_exports(shop=request.shop, job_ids=request.session[PENDING_EXPORTS])
    forget_pending_exports(request, [job.pk for job in ready])
    return ready


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
        "ready_exports": _ready_exports(request),
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
