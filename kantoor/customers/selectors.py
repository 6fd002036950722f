from kantoor.customers.models import Address, Customer


def default_addresses(*, customer: Customer) -> tuple[Address | None, Address | None]:
    """(billing, delivery) defaults of an account, either may be None."""
    addresses = list(Address.objects.filter(customer=customer))
    billing = next((a for a in addresses if a.is_default_billing), None)
    delivery = next((a for a in addresses if a.is_default_delivery), None)
    return billing, delivery
