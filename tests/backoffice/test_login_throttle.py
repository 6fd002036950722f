"""The staff log-in is throttled per account and per IP address (kantoor/core/throttle.py)."""

from django.urls import reverse

from tests.conftest import PASSWORD

LOGIN = reverse("backoffice:login")


def log_in(client, email, password, ip="10.1.1.1"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_after_five_wrong_passwords_even_the_right_one_is_refused(client, owner):
    for _ in range(5):
        response = log_in(client, owner.email, "wrong-password")
        assert response.status_code == 200
        assert "do not match an account" in response.text
    response = log_in(client, owner.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts; try again in 15 minutes." in response.text
    assert int(response["Retry-After"]) > 800
    assert "_auth_user_id" not in client.session
    # From another address too: the account is throttled, not only the address.
    assert log_in(client, owner.email, PASSWORD, ip="10.9.9.9").status_code == 429


def test_one_address_trying_many_accounts_is_throttled(client, owner, make_staff, shop):
    for n in range(20):
        log_in(client, f"guess{n}@example.test", "wrong-password")
    response = log_in(client, owner.email, PASSWORD)
    assert response.status_code == 429
    # Another address logs in to the same account.
    assert log_in(client, owner.email, PASSWORD, ip="10.2.2.2").status_code == 302


def test_a_good_log_in_starts_the_account_count_again(client, owner):
    for _ in range(4):
        log_in(client, owner.email, "wrong-password")
    assert log_in(client, owner.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        log_in(client, owner.email, "wrong-password")
    assert log_in(client, owner.email, PASSWORD).status_code == 302
