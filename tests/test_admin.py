"""The Django admin is the platform operator's, not a shop owner's."""

from kantoor.shops.models import User
from tests.conftest import PASSWORD


def test_a_shop_owner_cannot_use_the_django_admin(client, owner):
    client.force_login(owner)
    response = client.get("/django-admin/")
    assert response.status_code == 302
    assert "/django-admin/login/" in response["Location"]


def test_the_operator_can(client, shop, products, make_order):
    make_order(shop, products[:1])
    operator = User.objects.create_superuser("operator@example.test", PASSWORD)
    client.force_login(operator)
    for url in [
        "/django-admin/",
        "/django-admin/shops/shop/",
        "/django-admin/shops/user/",
        "/django-admin/shops/user/add/",
        f"/django-admin/shops/shop/{shop.pk}/change/",
        "/django-admin/catalog/product/",
        "/django-admin/customers/customer/",
    ]:
        assert client.get(url).status_code == 200, url
