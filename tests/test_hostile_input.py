"""No 500 from any input: every URL of the URL configuration, with hostile values in each path
parameter, in every query parameter and in every form field the code knows, as staff, as a
customer and anonymously. Any 5xx fails (the response tells which request).

The parameter names are not listed by hand: they come from the forms (every Form class's fields)
and from the views' own ``request.GET`` reads, so a new page or filter is covered the day it
lands. Django's own admin is left out (Django's, behind superuser log-in).
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

import pytest
from django import forms
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kantoor.catalog.models import Product
from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.customers.services import sign_up_customer
from kantoor.invoices.models import Invoice
from kantoor.messaging.models import Message, MessageKind
from kantoor.orders.services import change_order_status
from kantoor.payments.links import payment_link_token
from kantoor.returns.links import return_token
from kantoor.returns.models import ReturnAction, ReturnReason, ReturnSource
from kantoor.returns.services import RequestedLine, request_return
from kantoor.storefront.tokens import confirmation_token, password_token_generator
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

# One of each kind of trouble that reached a 500 before: a NUL byte (PostgreSQL refuses it in
# text), a digit str.isdigit() accepts but int() refuses, a number over the 4,300-digit limit of
# int(), a number over a bigint column, dates at the calendar's edges and one that does not exist,
# `0` (redirect() takes it for a view name), markup, a long text, float overflow.
HOSTILE = [
    "\x00",
    "a\x00b",
    "²",
    "9" * 5000,
    "9" * 20,
    "0",
    "-1",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "9999-12-31T23:59:59-14:00~1",  # a page cursor whose UTC time is in the year 10000
    "<script>'\"",
    "é" * 3000,
    "1e999",
]

KANTOOR = Path(__file__).resolve().parent.parent / "kantoor"
GET_NAME = re.compile(r"""GET(?:\.get|\.getlist|\[)\(?\s*["'](\w+)["']""")


def _form_classes(cls=forms.BaseForm):
    for sub in cls.__subclasses__():
        yield sub
        yield from _form_classes(sub)


def parameter_names() -> list[str]:
    """Every query and form parameter name the code reads."""
    names = {"next", "after", "before", "last", "page", "tab", "q", "id", "ids"}
    for path in KANTOOR.rglob("*.py"):
        names.update(GET_NAME.findall(path.read_text(encoding="utf-8")))
    for form in _form_classes():
        if form.__module__.startswith("kantoor."):
            names.update(getattr(form, "base_fields", {}))
    return sorted(names)


def url_patterns(resolvers=None, prefix="", converters=None):
    """(route, its path converters by parameter name) for every page, Django's admin left out;
    the converters include those of the ``include()`` prefixes the route sits under."""
    for entry in get_resolver().url_patterns if resolvers is None else resolvers:
        route = prefix + str(entry.pattern)
        if route.startswith("django-admin/"):
            continue
        known = {**(converters or {}), **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry.url_patterns, route, known)
        elif isinstance(entry, URLPattern):
            yield route, known


PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def fill(route: str, values: dict[str, str]) -> str:
    return "/" + PARAMETER.sub(lambda m: urllib.parse.quote(values[m.group(2)], safe=""), route)


def accepts(converters: dict, name: str, value: str) -> bool:
    return re.fullmatch(converters[name].regex, value) is not None


@pytest.fixture
def world(shop, products, make_order, owner):
    customer = sign_up_customer(
        shop=shop,
        email="piet@example.test",
        password=PASSWORD,
        first_name="Piet",
        last_name="Pieters",
        language="en",
    )
    order = make_order(shop, products[:2], email=customer.email, account=customer)
    invoice = Invoice.objects.filter(order=order).first()
    message = Message.objects.filter(order=order).first()
    reason = ReturnReason.objects.create(shop=shop, label_nl="Kapot", label_en="Damaged")
    action = ReturnAction.objects.create(shop=shop, label_nl="Ruilen", label_en="Exchange")
    change_order_status(
        shop=shop, order=order, status=OrderStatus.SHIPPED, actor=Actor.staff(owner)
    )
    line = order.lines.first()
    returned = request_return(
        shop=shop,
        order=order,
        lines=[RequestedLine(line.pk, 1, reason.pk, action.pk)],
        source=ReturnSource.ACCOUNT,
        actor=Actor.customer(customer.email),
    )
    token = password_token_generator.make_token(customer)
    values = {
        "shop_slug": shop.slug,
        "number": order.number,
        "invoice_number": invoice.number,
        "customer_id": str(customer.pk),
        "message_id": str(message.pk) if message else "1",
        "list_name": "reasons",
        "pk": str(reason.pk),
        "return_number": returned.number,
        "quote_number": "OFF2026-0001",
        "kind": MessageKind.values[0],
        "language": "nl",
        "fmt": "pdf",
        "sku": Product.objects.filter(shop=shop).first().sku,
        "uidb64": urllib.parse.quote(str(customer.pk)),
        "provider": "demo",
        "transaction_id": "demo_x",
        "content_type_id": "1",
        "object_id": "1",
        "id": "1",
        "photo_id": "1",
        "box": "1a",
        "table": "summary",
        "job_id": "1",
    }
    tokens = {
        "shop/<slug:shop_slug>/order/<str:token>/": confirmation_token(order),
        "shop/<slug:shop_slug>/account/password/<str:uidb64>/<str:token>/": token,
        "shop/<slug:shop_slug>/returns/<str:token>/": return_token(
            shop_id=shop.pk, return_id=returned.pk
        ),
    }
    tokens["shop/<slug:shop_slug>/returns/<str:token>/photos/<str:photo_id>/"] = tokens[
        "shop/<slug:shop_slug>/returns/<str:token>/"
    ]
    pay = payment_link_token(shop_id=shop.pk, invoice_id=invoice.pk)
    return {"values": values, "tokens": tokens, "pay": pay, "customer": customer, "shop": shop}


def clients(world, owner):
    shop, customer = world["shop"], world["customer"]
    anonymous = Client(raise_request_exception=False)
    staff = Client(raise_request_exception=False)
    staff.force_login(owner)
    buyer = Client(raise_request_exception=False)
    response = buyer.post(
        f"/shop/{shop.slug}/account/login/", {"email": customer.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return {"anonymous": anonymous, "staff": staff, "customer": buyer}


def requests_for(route, converters, world, names):
    """(method, path, data) for one URL: hostile path values, then hostile query and body."""
    values = dict(world["values"])
    values["token"] = world["tokens"].get(route, world["pay"])
    params = [m.group(2) for m in PARAMETER.finditer(route)]
    valid = fill(route, values)
    for name in params:
        for bad in HOSTILE:
            if accepts(converters, name, bad):
                yield "get", fill(route, {**values, name: bad}), None
    for bad in HOSTILE:
        query = urllib.parse.urlencode(dict.fromkeys(names, bad))
        yield "get", f"{valid}?{query}", None
        yield "post", f"{valid}?next={urllib.parse.quote(bad)}", dict.fromkeys(names, bad)
    yield "post_json", valid, '{"id": "tr_\\u0000", "amount": 1e999}'


@pytest.mark.parametrize("actor", ["anonymous", "customer", "staff"])
def test_no_url_answers_a_server_error_to_hostile_input(actor, world, owner, settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    names = parameter_names()
    failures = []
    for route, converters in url_patterns():
        client = clients(world, owner)[actor]
        for method, path, data in requests_for(route, converters, world, names):
            if method == "get":
                response = client.get(path)
            elif method == "post":
                response = client.post(path, data)
            else:
                response = client.post(path, data, content_type="application/json")
            if response.status_code >= 500:
                error = response.exc_info[1] if response.exc_info else ""
                failures.append(
                    f"{method.upper()} {path[:120]!r} -> {response.status_code} {error!r:.200}"
                )
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:60])


def test_the_walk_covers_every_page_and_the_parameters_it_should():
    routes = [route for route, _ in url_patterns()]
    assert "backoffice/<slug:shop_slug>/orders/<str:number>/edit/" in routes
    assert "payments/webhook/<str:provider>/" in routes
    names = parameter_names()
    # From the list forms, from a view's own GET read, from a POST form.
    for name in ("date_to", "status", "find", "quantity", "email"):
        assert name in names, name


def test_a_hostile_value_reaches_a_real_view():
    """The walk is not vacuous: a hostile `number` is accepted by the order page's route."""
    converters = dict(url_patterns())["backoffice/<slug:shop_slug>/orders/<str:number>/"]
    assert accepts(converters, "number", "\x00")
    assert not accepts(converters, "shop_slug", "\x00")
