"""Shared fixtures: real rows made through the services, few mocks."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from kantoor.catalog.models import Product
from kantoor.catalog.services import correct_stock
from kantoor.checkout.services import OrderItem, place_order
from kantoor.core.actors import Actor
from kantoor.customers.services import AddressData, CustomerDetails
from kantoor.shops.models import Membership, Role, User
from kantoor.shops.services import create_shop

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Argon2 stays the production hasher (tests/test_settings.py checks); tests hash fast.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
    # The abuse limits count in the cache: each test starts with its own, empty (never Redis).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "kantoor-tests",
        }
    }
    cache.clear()
    # Production serves collected, hashed static files; tests find them in the apps.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def make_shop(db):
    def make(slug="fietsen", name="Fietsen Jansen", owner_email=None, **details):
        return create_shop(
            slug=slug,
            name=name,
            owner_email=owner_email or f"owner@{slug}.test",
            owner_password=PASSWORD,
            **details,
        )

    return make


@pytest.fixture
def shop(make_shop):
    return make_shop()


@pytest.fixture
def other_shop(make_shop):
    return make_shop(slug="andere-winkel", name="Andere Winkel")


@pytest.fixture
def owner(shop):
    return Membership.objects.get(shop=shop, role=Role.OWNER).user


@pytest.fixture
def make_staff(db):
    def make(shop, email="staff@example.test", role=Role.STAFF):
        user = User.objects.filter(email=email).first() or User.objects.create_user(email, PASSWORD)
        Membership.objects.get_or_create(shop=shop, user=user, defaults={"role": role})
        return user

    return make


@pytest.fixture
def make_product(db):
    def make(shop, sku="BEL-01", name="Fietsbel", price="12.99", vat_rate="21", stock=10, **kw):
        product = Product.objects.create(
            shop=shop,
            sku=sku,
            name=name,
            price=Decimal(price),
            vat_rate=Decimal(vat_rate),
            **kw,
        )
        if stock and product.track_stock:
            correct_stock(shop=shop, product=product, quantity=stock, note="test stock")
            product.refresh_from_db()
        return product

    return make


@pytest.fixture
def products(shop, make_product):
    return [
        make_product(shop, sku="BEL-01", name="Fietsbel", price="12.99", vat_rate="21"),
        make_product(shop, sku="BOEK-01", name="Fietsrouteboek", price="9.95", vat_rate="9"),
        make_product(
            shop, sku="BON-25", name="Cadeaubon", price="25.00", vat_rate="0", track_stock=False
        ),
    ]


def details_for(email="jan@example.test", first_name="Jan", last_name="Jansen", **kw):
    return CustomerDetails(
        email=email,
        first_name=first_name,
        last_name=last_name,
        billing=AddressData(
            name=f"{first_name} {last_name}",
            street="Oudegracht 1",
            postcode="3511 AA",
            city="Utrecht",
        ),
        **kw,
    )


@pytest.fixture
def make_order(db):
    def make(shop, products, quantities=None, email="jan@example.test", account=None, **kw):
        quantities = quantities or [1] * len(products)
        return place_order(
            shop=shop,
            details=details_for(email=email),
            items=[OrderItem(p.pk, q) for p, q in zip(products, quantities, strict=True)],
            shipping_method=kw.pop("shipping_method", "delivery"),
            actor=Actor.customer(email),
            account=account,
            **kw,
        )

    return make


def place_orders_concurrently(shop, product, *, threads=8, per_thread=25, roll_back_every=5):
    """Place ``threads x per_thread`` orders from as many threads at once (each its own database
    connection); every ``roll_back_every``-th order of a thread is rolled back after it took its
    numbers. Returns the committed orders. For PostgreSQL tests with transactional_db."""
    import threading

    from django.db import connection, transaction

    committed, errors = [], []
    start = threading.Barrier(threads)

    class RollBack(Exception):
        pass

    def worker(index: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                try:
                    with transaction.atomic():
                        order = place_order(
                            shop=shop,
                            details=details_for(email=f"t{index}@example.test"),
                            items=[OrderItem(product.pk, 1)],
                            shipping_method="delivery",
                            actor=Actor.system(),
                        )
                        if i % roll_back_every == roll_back_every - 1:
                            raise RollBack
                    committed.append(order)
                except RollBack:
                    pass
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert errors == []
    return committed
