"""The customers area: list with search, and one customer's page with their orders."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse

from kantoor.backoffice.access import shop_staff_required
from kantoor.backoffice.menu import entry_by_key
from kantoor.backoffice.views import render_in_shop
from kantoor.customers.selectors import customer_for_staff, search_customers
from kantoor.orders.selectors import order_figures_for_customers, orders_for_customer

PER_PAGE = 50
ORDERS_PER_PAGE = 25


SEARCH_MAX = 100  # characters of the search box that count


@shop_staff_required
def customer_list(request: HttpRequest, shop_slug: str) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:SEARCH_MAX]
    paginator = Paginator(search_customers(shop=request.shop, query=query), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    customers = list(page.object_list)
    figures = order_figures_for_customers(
        shop=request.shop, customer_ids=[customer.pk for customer in customers]
    )
    rows = [{"customer": customer, "figures": figures[customer.pk]} for customer in customers]
    template = (
        "backoffice/customers/_results.html" if request.htmx else "backoffice/customers/list.html"
    )
    return render_in_shop(
        request,
        template,
        {"rows": rows, "page": page, "query": query},
        active=entry_by_key("customers"),
    )


@shop_staff_required
def customer_detail(request: HttpRequest, shop_slug: str, customer_id: int) -> HttpResponse:
    shop = request.shop
    customer = customer_for_staff(shop=shop, customer_id=customer_id)
    paginator = Paginator(orders_for_customer(shop=shop, customer=customer), ORDERS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    figures = order_figures_for_customers(shop=shop, customer_ids=[customer.pk])[customer.pk]
    addresses = list(customer.addresses.all())
    return render_in_shop(
        request,
        "backoffice/customers/detail.html",
        {
            "customer": customer,
            "orders": list(page.object_list),
            "page": page,
            "figures": figures,
            "customer_since": figures.customer_since(customer),
            "addresses": addresses,
        },
        active=entry_by_key("customers"),
    )
