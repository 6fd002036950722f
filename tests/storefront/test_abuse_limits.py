"""Abuse limits of the storefront: the customer log-in per account and per IP address (per
shop), the password e-mails per address and per IP address; links on BASE_URL."""

import pytest
from django.core import mail
from django.test import Client

from tests.conftest import PASSWORD

from .conftest import url


def log_in(client, shop, email, password, ip="10.1.1.1"):
    return client.post(url(shop, "login"), {"email": email, "password": password}, REMOTE_ADDR=ip)


def test_after_five_wrong_passwords_even_the_right_one_is_refused(client, shop, customer):
    for _ in range(5):
        response = log_in(client, shop, customer.email, "wrong-password")
        assert response.status_code == 200
        assert "is not right" in response.text
    response = log_in(client, shop, customer.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts; try again in 15 minutes." in response.text
    assert client.get(url(shop, "account")).status_code == 302  # not logged in
    assert log_in(Client(), shop, customer.email, PASSWORD, ip="10.7.7.7").status_code == 429


def test_the_limit_is_per_shop(client, shop, other_shop, customer, make_customer):
    other = make_customer(other_shop, email=customer.email)
    for _ in range(5):
        log_in(client, shop, customer.email, "wrong-password")
    assert log_in(client, shop, customer.email, PASSWORD).status_code == 429
    assert log_in(client, other_shop, other.email, PASSWORD).status_code == 302


def test_one_address_trying_many_accounts_is_throttled(client, shop, customer):
    for n in range(20):
        log_in(client, shop, f"guess{n}@example.test", "wrong-password")
    assert log_in(client, shop, customer.email, PASSWORD).status_code == 429
    assert log_in(Client(), shop, customer.email, PASSWORD, ip="10.2.2.2").status_code == 302


def test_at_most_three_password_mails_per_address_an_hour(client, shop, customer):
    for n in range(6):
        response = client.post(
            url(shop, "password_reset"), {"email": customer.email}, REMOTE_ADDR=f"10.0.0.{n}"
        )
        # The page says the same every time: nothing tells whether a mail went out.
        assert response.status_code == 200
        assert "Check your e-mail" in response.text
    assert len(mail.outbox) == 3


@pytest.mark.parametrize("form", ["password_reset", "signup"])
def test_one_ip_address_gets_at_most_ten_password_mails_an_hour(client, shop, make_customer, form):
    customers = [make_customer(shop, email=f"klant{n}@example.test") for n in range(12)]
    for customer in customers:
        data = {"email": customer.email}
        if form == "signup":  # a sign-up with a known address mails its owner a link
            data.update(first_name="X", last_name="Y", password=PASSWORD)
        response = client.post(url(shop, form), data)
        assert response.status_code == 200
        assert "Check your e-mail" in response.text
    assert len(mail.outbox) == 10


def test_the_password_link_is_on_base_url_not_the_host_header(client, shop, customer, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.BASE_URL = "https://shop.kantoor.example"
    client.post(url(shop, "password_reset"), {"email": customer.email}, HTTP_HOST="evil.test")
    assert len(mail.outbox) == 1
    assert "evil.test" not in mail.outbox[0].body
    assert "https://shop.kantoor.example/shop/" in mail.outbox[0].body
