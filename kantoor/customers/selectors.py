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
