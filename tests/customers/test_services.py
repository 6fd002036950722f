import pytest
from django.core.exceptions import ValidationError

from kantoor.customers.models import Customer
from kantoor.customers.services import (
    EmailTaken,
    authenticate_customer,
    set_customer_password,
    sign_up_customer,
)


def sign_up(shop, email="anna@example.test", password="a-long-secret-1"):
    return sign_up_customer(
        shop=shop,
        email=email,
        password=password,
        first_name="Anna",
        last_name="Smit",
        language="nl",
    )


def test_sign_up_and_log_in(shop):
    customer = sign_up(shop, email=" Anna@Example.TEST ")
    assert customer.email == "anna@example.test"
    assert customer.password.startswith("md5$") or customer.password.startswith("argon2")
    assert authenticate_customer(shop=shop, email="ANNA@example.test", password="a-long-secret-1")
    assert authenticate_customer(shop=shop, email="anna@example.test", password="wrong") is None
    assert authenticate_customer(shop=shop, email="nobody@example.test", password="x") is None


def test_same_address_at_two_shops_is_two_accounts(shop, other_shop):
    a = sign_up(shop, password="first-secret-123")
    b = sign_up(other_shop, password="second-secret-456")
    assert a.pk != b.pk
    assert authenticate_customer(shop=shop, email=a.email, password="first-secret-123") == a
    assert (
        authenticate_customer(shop=other_shop, email=a.email, password="first-secret-123") is None
    )
    assert authenticate_customer(shop=other_shop, email=a.email, password="second-secret-456") == b


def test_sign_up_never_takes_over_a_known_address(shop):
    guest = Customer.objects.create(shop=shop, email="anna@example.test", first_name="Guest")
    with pytest.raises(EmailTaken) as info:
        sign_up(shop)
    assert info.value.customer == guest
    guest.refresh_from_db()
    assert not guest.has_account


def test_weak_passwords_are_refused(shop):
    with pytest.raises(ValidationError):
        sign_up(shop, password="1234")
    assert not Customer.objects.exists()
    customer = sign_up(shop)
    with pytest.raises(ValidationError):
        set_customer_password(customer=customer, password="password")
