"""A status the shop renamed is named so wherever staff (or the customer) see it."""

import pytest
from django.urls import reverse

from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.messaging.models import Message, MessageKind
from kantoor.messaging.services import choose_status_messages
from kantoor.orders.errors import OrderError
from kantoor.orders.notifications import order_context
from kantoor.orders.services import change_order_status
from kantoor.shops.models import StatusAppearance


@pytest.fixture
def renamed(shop):
    return StatusAppearance.objects.create(
        shop=shop,
        kind="order",
        code="backorder",
        background="#fee2e2",
        text="#7f1d1d",
        label_en="Reordered",
        label_nl="Nabestelling",
    )


@pytest.fixture
def order(shop, products, make_order):
    return make_order(shop, products[:1])


@pytest.fixture
def staff_client(client, shop, make_staff):
    client.force_login(make_staff(shop))
    return client


def order_url(shop, order, name="order"):
    return reverse(f"backoffice:{name}", kwargs={"shop_slug": shop.slug, "number": order.number})


def test_the_change_status_menu_offers_the_shops_name(staff_client, shop, order, renamed):
    page = staff_client.get(order_url(shop, order)).text
    assert f'<option value="{OrderStatus.BACKORDER}">Reordered</option>' in page
    assert ">Backorder<" not in page


def test_the_change_message_and_the_history_use_the_shops_name(staff_client, shop, order, renamed):
    response = staff_client.post(
        order_url(shop, order, "order_status"),
        {"status": str(OrderStatus.BACKORDER), "tab": "history"},
    )
    page = staff_client.get(response["Location"]).text
    assert "Status changed to Reordered." in page
    assert "Status changed from New to Reordered by" in page
    assert "Backorder" not in page


def test_the_bulk_change_message_uses_the_shops_name(staff_client, shop, order, renamed):
    staff_client.post(
        reverse("backoffice:orders_bulk_status", kwargs={"shop_slug": shop.slug}),
        {"order": [order.pk], "status": str(OrderStatus.BACKORDER)},
    )
    page = staff_client.get(reverse("backoffice:orders", kwargs={"shop_slug": shop.slug})).text
    assert "1 order moved to Reordered." in page


def test_a_refused_change_names_the_shops_status(shop, order, renamed, owner):
    change_order_status(
        shop=shop, order=order, status=OrderStatus.BACKORDER, actor=Actor.staff(owner)
    )
    with pytest.raises(OrderError, match="An order that is reordered cannot become new"):
        change_order_status(
            shop=shop, order=order, status=OrderStatus.NEW, actor=Actor.staff(owner)
        )


def test_the_status_email_names_the_shops_status_in_the_customers_language(
    shop, order, renamed, owner
):
    choose_status_messages(shop=shop, statuses={OrderStatus.BACKORDER})
    change_order_status(
        shop=shop, order=order, status=OrderStatus.BACKORDER, actor=Actor.staff(owner)
    )
    message = Message.objects.get(kind=MessageKind.STATUS_CHANGED)
    context = order_context(
        order=order, lines=list(order.lines.all()), shop=shop, language="nl", data=message.data
    )
    assert context["status"] == "Nabestelling"
    assert context["previous_status"] == "Nieuw"
