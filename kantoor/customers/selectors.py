from django.db.models import Q, QuerySet
from django.http import Http404

from kantoor.customers.models import Address, Customer


def default_addresses(*, customer: Customer) -> tuple[Address | None, Address | None]:
    """(billing, delivery) defaults of an account, either may be None."""
    addresses = list(Address.objects.filter(customer=customer))
    billing = next((a for a in addresses if a.is_default_billing), None)
    delivery = next((a for a in addresses if a.is_default_delivery), None)
    return billing, delivery


def customer_by_email(*, shop, email: str) -> Customer | None:
    """The shop's customer with this e-mail address (account or guest), or None."""
    return Customer.objects.filter(shop=shop, email=email.strip().lower()).first()


def customer_by_id(*, shop, customer_id: int) -> Customer | None:
    return Customer.objects.filter(shop=shop, pk=customer_id).first()


def search_customers(*, shop, query: str = "") -> QuerySet[Customer]:
    """The shop's customers, by name; ``query`` matches name, e-mail address or company.

    Every word of the query must match one of the fields (so "jan jansen" finds Jan Jansen).
    On PostgreSQL trigram indexes serve the fragment matches (see migration 0003).
    """
    customers = Customer.objects.filter(shop=shop)
    for word in query.split()[:5]:
        customers = customers.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(company__icontains=word)
        )
    return customers.order_by("last_name", "first_name", "pk")


def customer_for_staff(*, shop, customer_id: int) -> Customer:
    """One customer of this shop with their addresses; 404 for another shop's customer."""
    customer = (
        Customer.objects.filter(shop=shop, pk=customer_id).prefetch_related("addresses").first()
    )
    if customer is None:
        raise Http404("No such customer.")
    return customer
