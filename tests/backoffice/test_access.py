"""Who may open which back-office page: members only, and a stranger's shop does not exist."""

import pytest
from django.urls import reverse

from kantoor.backoffice.menu import all_entries
from tests.conftest import PASSWORD


def shop_urls(shop) -> list[str]:
    """Every shop-scoped page: the overview and every menu entry (new entries are covered)."""
    names = {"backoffice:overview"} | {entry.url_name for entry in all_entries()}
    return [reverse(name, kwargs={"shop_slug": shop.slug}) for name in sorted(names)]


def test_every_menu_entry_has_a_page(shop):
    urls = shop_urls(shop)
    assert len(urls) == 10  # overview + 9 menu entries
    assert reverse("backoffice:orders", kwargs={"shop_slug": shop.slug}) == (
        f"/backoffice/{shop.slug}/orders/"
    )


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_the_log_in_page_everywhere(client, shop):
    for url in [reverse("backoffice:home"), *shop_urls(shop)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('backoffice:login')}?next={url}"


def test_anonymous_visitor_of_an_unknown_shop_is_sent_to_log_in_too(client, db):
    response = client.get("/backoffice/does-not-exist/orders/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("backoffice:login"))


def test_staff_of_one_shop_gets_404_for_every_page_of_another_shop(
    client, shop, other_shop, make_staff
):
    client.force_login(make_staff(shop))
    for url in shop_urls(other_shop):
        assert client.get(url).status_code == 404, url
    # ... exactly like a shop that does not exist.
    assert client.get("/backoffice/no-such-shop/").status_code == 404
    assert client.get("/backoffice/no-such-shop/orders/").status_code == 404


def test_staff_opens_every_page_of_their_own_shop(client, shop, make_staff):
    client.force_login(make_staff(shop))
    for url in shop_urls(shop):
        assert client.get(url).status_code == 200, url


def test_user_without_a_shop_gets_an_honest_message(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("loner@example.test", PASSWORD))
    response = client.get(reverse("backoffice:home"))
    assert response.status_code == 200
    assert "Your account has no shop yet; ask the platform operator" in response.text


def test_log_in_with_a_wrong_password_shows_an_error(client, owner):
    response = client.post(
        reverse("backoffice:login"), {"username": owner.email, "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert "do not match an account" in response.text
    assert "_auth_user_id" not in client.session


def test_log_in_with_e_mail_and_password_opens_the_shop(client, shop, owner):
    page = client.get(reverse("backoffice:login"))
    assert "E-mail address" in page.text

    response = client.post(
        reverse("backoffice:login"), {"username": owner.email.upper(), "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:home")
    assert int(client.session["_auth_user_id"]) == owner.pk
    # With exactly one shop, home goes straight to it.
    home = client.get(reverse("backoffice:home"))
    assert home["Location"] == reverse("backoffice:overview", kwargs={"shop_slug": shop.slug})


def test_log_in_follows_next(client, shop, owner):
    target = reverse("backoffice:returns", kwargs={"shop_slug": shop.slug})
    response = client.post(
        f"{reverse('backoffice:login')}?next={target}",
        {"username": owner.email, "password": PASSWORD, "next": target},
    )
    assert response["Location"] == target


def test_log_out_is_a_post(client, owner):
    client.force_login(owner)

    assert client.get(reverse("backoffice:logout")).status_code == 405
    assert "_auth_user_id" in client.session

    response = client.post(reverse("backoffice:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:login")
    assert "_auth_user_id" not in client.session
