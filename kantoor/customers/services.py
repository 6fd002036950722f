from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from kantoor.core.errors import KantoorError
from kantoor.customers.countries import normalize_postcode
from kantoor.customers.models import Address, Customer


@dataclass(frozen=True)
class AddressData:
    name: str
    street: str
    postcode: str
    city: str
    country: str = "NL"
    company: str = ""

    def __post_init__(self):
        # Every address that reaches an order or a customer has its postcode written one way.
        object.__setattr__(self, "postcode", normalize_postcode(self.postcode, self.country))


@dataclass(frozen=True)
class CustomerDetails:
    """Who is ordering: what checkout (or staff) collects, copied onto the order."""

    email: str
    first_name: str
    last_name: str
    billing: AddressData
    delivery: AddressData | None = None  # None: same as billing
    company: str = ""
    vat_number: str = ""
    phone: str = ""
    language: str = "nl"

    @property
    def delivery_address(self) -> AddressData:
        return self.delivery or self.billing


def normalize_email(email: str) -> str:
    return email.strip().lower()


class EmailTaken(KantoorError):
    """Sign-up for an e-mail address that already has a customer record in this shop."""

    code = "email_taken"

    def __init__(self, customer: Customer):
        self.customer = customer
        super().__init__(customer.email)


@transaction.atomic
def sign_up_customer(
    *, shop, email: str, password: str, first_name: str, last_name: str, language: str
) -> Customer:
    """Create a storefront account. Raises EmailTaken when the address is known in this shop.

    A known address (a guest who ordered before, or an existing account) is never taken over
    by a sign-up: its owner proves the address through the e-mailed password link instead.
    """
    email = normalize_email(email)
    existing = Customer.objects.filter(shop=shop, email=email).first()
    if existing is not None:
        raise EmailTaken(existing)
    customer = Customer(
        shop=shop, email=email, first_name=first_name, last_name=last_name, language=language
    )
    validate_password(password)
    customer.set_password(password)
    customer.last_login = timezone.now()
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        raise EmailTaken(Customer.objects.get(shop=shop, email=email)) from None
    return customer


def authenticate_customer(*, shop, email: str, password: str) -> Customer | None:
    customer = Customer.objects.filter(shop=shop, email=normalize_email(email)).first()
    if customer is None or not customer.check_password(password):
        # Same work either way, so response time does not tell which addresses exist.
        Customer(password="").set_password(password)
        return None
    return customer


def record_customer_login(*, customer: Customer) -> None:
    customer.last_login = timezone.now()
    customer.save(update_fields=["last_login"])


@transaction.atomic
def set_customer_password(*, customer: Customer, password: str) -> None:
    validate_password(password)
    customer.set_password(password)
    customer.save(update_fields=["password"])


def customer_for_checkout(*, shop, details: CustomerDetails, account: Customer | None) -> Customer:
    """The customer an order belongs to: the logged-in account, or the record for this address.

    A guest's details update a record only when it has no account: a guest can never change
    what an account holder sees on their profile.
    """
    if account is not None:
        return account
    email = normalize_email(details.email)
    customer = Customer.objects.filter(shop=shop, email=email).first()
    if customer is None:
        customer = Customer(shop=shop, email=email)
        _copy_details(customer, details)
        try:
            with transaction.atomic():
                customer.save()
        except IntegrityError:
            customer = Customer.objects.get(shop=shop, email=email)
    elif not customer.has_account and _copy_details(customer, details):
        customer.save(update_fields=list(_DETAIL_FIELDS))
    return customer


def remember_addresses(*, customer: Customer, details: CustomerDetails) -> None:
    """Save checkout addresses as the account's defaults (for the next checkout)."""
    Address.objects.filter(customer=customer).delete()
    billing = details.billing
    delivery = details.delivery_address
    same = billing == delivery
    Address.objects.create(
        shop_id=customer.shop_id,
        customer=customer,
        is_default_billing=True,
        is_default_delivery=same,
        **billing.__dict__,
    )
    if not same:
        Address.objects.create(
            shop_id=customer.shop_id,
            customer=customer,
            is_default_delivery=True,
            **delivery.__dict__,
        )


_DETAIL_FIELDS = ("first_name", "last_name", "company", "vat_number", "phone", "language")


def _copy_details(customer: Customer, details: CustomerDetails) -> bool:
    """Copy the checkout details onto the customer; True when anything changed."""
    changed = False
    for name in _DETAIL_FIELDS:
        value = getattr(details, name)
        if getattr(customer, name) != value:
            setattr(customer, name, value)
            changed = True
    return changed
