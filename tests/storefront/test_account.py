import re

from django.conf import settings
from django.core import mail
from django.test import Client

from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.orders.models import Order
from kantoor.orders.services import change_order_status
from kantoor.storefront.services import plan_reorder
from tests.conftest import PASSWORD
from tests.storefront.conftest import CHECKOUT, post_checkout, url


def test_account_requires_log_in(client, shop):
    response = client.get(url(shop, "account"))
    assert response.status_code == 302
    assert response.url == url(shop, "login") + "?next=" + url(shop, "account").replace("/", "%2F")


def test_log_in_and_out(client, shop, customer):
    response = client.post(
        url(shop, "login") + "?next=" + url(shop, "checkout"),
        {"email": "PIET@example.test", "password": PASSWORD, "next": url(shop, "cart")},
    )
    assert response.status_code == 302
    assert response.url == url(shop, "cart")
    assert client.get(url(shop, "account")).status_code == 200
    client.post(url(shop, "logout"))
    assert client.get(url(shop, "account")).status_code == 302


def test_wrong_password_says_so_without_saying_which(client, shop, customer):
    for email, password in [(customer.email, "wrong"), ("nobody@example.test", PASSWORD)]:
        response = client.post(url(shop, "login"), {"email": email, "password": password})
        assert response.status_code == 200
        assert "The e-mail address or password is not right" in response.content.decode()
    assert client.get(url(shop, "account")).status_code == 302


def test_log_in_does_not_go_to_another_site(client, shop, customer):
    response = client.post(
        url(shop, "login"),
        {"email": customer.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.url == url(shop, "account")


def test_session_at_one_shop_is_no_session_at_another(
    customer_client, shop, other_shop, make_customer
):
    make_customer(other_shop)  # same e-mail address, separate account
    assert customer_client.get(url(shop, "account")).status_code == 200
    assert customer_client.get(url(other_shop, "account")).status_code == 302


def test_session_key_changes_on_log_in_and_the_cart_stays(shop, customer, products):
    client = Client()
    client.post(url(shop, "cart_add"), {"product_id": products[0].pk, "quantity": 1})
    before = client.session.session_key
    assert before is not None
    client.post(url(shop, "login"), {"email": customer.email, "password": PASSWORD})
    assert client.session.session_key != before
    assert client.session[f"cart:{shop.pk}"] == {str(products[0].pk): 1}


def test_changing_the_password_ends_other_sessions(customer_client, shop, customer):
    customer.set_password("another-long-password")
    customer.save()
    assert customer_client.get(url(shop, "account")).status_code == 302


def test_logged_in_checkout_attaches_the_order_and_shows_it_on_the_account(
    customer_client, shop, customer, products
):
    customer_client.post(url(shop, "cart_add"), {"product_id": products[0].pk, "quantity": 2})
    post_checkout(customer_client, shop, {**CHECKOUT, "email": customer.email})
    order = Order.objects.get(shop=shop)
    assert order.customer == customer

    html = customer_client.get(url(shop, "account")).content.decode()
    assert order.number in html
    assert "2× Fietsbel" in html
    assert "New" in html  # status badge
    assert "Kerkstraat 12" in html  # remembered as the default address

    html = customer_client.get(url(shop, "order", number=order.number)).content.decode()
    assert order.number in html and "Fietsbel" in html

    # next checkout is prefilled from the profile and default address
    customer_client.post(url(shop, "cart_add"), {"product_id": products[0].pk, "quantity": 1})
    html = customer_client.get(url(shop, "checkout")).content.decode()
    assert 'value="Kerkstraat 12"' in html and 'value="piet@example.test"' in html


def test_orders_are_listed_newest_first(customer_client, shop, customer, products, make_order):
    first = make_order(shop, products[:1], email=customer.email, account=customer)
    second = make_order(shop, products[1:2], email=customer.email, account=customer)
    html = customer_client.get(url(shop, "account")).content.decode()
    assert html.index(second.number) < html.index(first.number)


def test_a_customer_never_sees_another_customers_order(
    customer_client, shop, products, make_order, make_customer
):
    other = make_customer(shop, email="klaas@example.test")
    theirs = make_order(shop, products[:1], email=other.email, account=other)
    guest = make_order(shop, products[:1], email="gast@example.test")
    for order in (theirs, guest):
        assert customer_client.get(url(shop, "order", number=order.number)).status_code == 404
        response = customer_client.post(url(shop, "reorder", number=order.number))
        assert response.status_code == 404
    assert order.number not in customer_client.get(url(shop, "account")).content.decode()


def test_reorder_puts_available_products_in_the_cart_at_todays_price(
    customer_client, shop, customer, products, make_order
):
    bel, boek, bon = products
    order = make_order(shop, products, quantities=[2, 1, 1], email=customer.email, account=customer)
    bel.price = "14.50"
    bel.save()
    boek.active = False
    boek.save()
    bon.delete()  # the order line keeps its name

    response = customer_client.post(url(shop, "reorder", number=order.number))
    assert response.status_code == 302
    assert customer_client.session[f"cart:{shop.pk}"] == {str(bel.pk): 2}
    html = customer_client.get(response.url).content.decode()
    assert "No longer available: Fietsrouteboek, Cadeaubon." in html
    assert "€29.00" in html  # today's price: 2 x 14.50


def test_reorder_of_an_out_of_stock_product_names_it(
    customer_client, shop, customer, products, make_order
):
    order = make_order(shop, products[:1], quantities=[10], email=customer.email, account=customer)
    change_order_status(shop=shop, order=order, status=OrderStatus.SHIPPED, actor=Actor.system())
    response = customer_client.post(url(shop, "reorder", number=order.number))
    assert customer_client.session.get(f"cart:{shop.pk}", {}) == {}
    assert "No longer available: Fietsbel." in customer_client.get(response.url).content.decode()


def test_plan_reorder_limits_to_stock(shop, products, make_order):
    order = make_order(shop, products[:1], quantities=[8])
    bel = products[0]
    bel.refresh_from_db()  # 2 left
    plan = plan_reorder(shop=shop, lines=order.lines.all(), products={bel.pk: bel}, cart={})
    assert [(p.pk, q) for p, q in plan.added] == [(bel.pk, 2)]
    assert plan.reduced == ("Fietsbel",)
    assert plan.unavailable == ()


def test_sign_up_logs_in(client, shop):
    response = client.post(
        url(shop, "signup"),
        {
            "first_name": "Nieuw",
            "last_name": "Klant",
            "email": "nieuw@example.test",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert client.get(url(shop, "account")).status_code == 200


def test_sign_up_with_a_weak_password_says_why(client, shop):
    response = client.post(
        url(shop, "signup"),
        {"first_name": "A", "last_name": "B", "email": "a@example.test", "password": "12345"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()


def test_sign_up_with_a_known_address_sends_a_link_and_does_not_log_in(
    client, shop, customer, products, make_order
):
    make_order(shop, products[:1], email="gast@example.test")  # a guest customer record
    for email in (customer.email, "gast@example.test"):
        mail.outbox.clear()
        response = client.post(
            url(shop, "signup"),
            {"first_name": "X", "last_name": "Y", "email": email, "password": PASSWORD},
        )
        assert response.status_code == 200
        assert "Check your e-mail" in response.content.decode()
        assert client.get(url(shop, "account")).status_code == 302
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == [email]
        assert "/account/password/" in mail.outbox[0].body


def test_password_reset_end_to_end(client, shop, customer, customer_client):
    response = client.post(url(shop, "password_reset"), {"email": customer.email})
    assert "Check your e-mail" in response.content.decode()
    assert len(mail.outbox) == 1
    link = next(word for word in mail.outbox[0].body.split() if "/account/password/" in word)
    assert link.startswith(settings.BASE_URL + "/")  # never the Host header
    path = link.removeprefix(settings.BASE_URL)

    assert client.get(path).status_code == 200
    response = client.post(path, {"password": "a-brand-new-password"})
    assert response.status_code == 302
    assert client.get(url(shop, "account")).status_code == 200  # logged in

    # the link works once; the old password and the other session are gone
    assert client.get(path).status_code == 400
    assert customer_client.get(url(shop, "account")).status_code == 302
    fresh = Client()
    fresh.post(url(shop, "login"), {"email": customer.email, "password": PASSWORD})
    assert fresh.get(url(shop, "account")).status_code == 302
    fresh.post(url(shop, "login"), {"email": customer.email, "password": "a-brand-new-password"})
    assert fresh.get(url(shop, "account")).status_code == 200


def test_password_reset_says_the_same_for_unknown_addresses(client, shop, customer):
    known = client.post(url(shop, "password_reset"), {"email": customer.email}).content.decode()
    unknown = client.post(
        url(shop, "password_reset"), {"email": "nobody@example.test"}
    ).content.decode()

    def normalised(html, email):  # CSRF tokens are masked differently on every response
        return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", html.replace(email, "X"))

    assert normalised(known, customer.email) == normalised(unknown, "nobody@example.test")
    assert len(mail.outbox) == 1


def test_password_link_of_one_shop_does_not_work_at_another(
    client, shop, other_shop, customer, make_customer
):
    make_customer(other_shop)
    client.post(url(shop, "password_reset"), {"email": customer.email})
    link = next(word for word in mail.outbox[0].body.split() if "/account/password/" in word)
    assert link.startswith(settings.BASE_URL + "/")  # never the Host header
    path = link.removeprefix(settings.BASE_URL).replace(
        f"/shop/{shop.slug}/", f"/shop/{other_shop.slug}/"
    )
    assert client.get(path).status_code == 400


def test_password_mail_is_in_the_customers_language(client, shop, customer):
    customer.language = "nl"
    customer.save()
    client.post(url(shop, "password_reset"), {"email": customer.email})
    assert len(mail.outbox) == 1  # text is translated once the .po files are


def test_every_account_page_renders(client, shop, customer_client):
    for name in ("login", "signup", "password_reset"):
        assert client.get(url(shop, name)).status_code == 200
    assert customer_client.get(url(shop, "account")).status_code == 200
    assert "No orders yet" in customer_client.get(url(shop, "account")).content.decode()
