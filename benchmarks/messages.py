"""Messages: how many e-mails one worker sends per second to a local SMTP sink (aiosmtpd), and
what writing the outbox row adds to place_order (p50 with vs without the message).

The sink is aiosmtpd's Sink handler in its own process (it accepts and discards). The sending
figures time the two ways a worker sends: the sweep (``send_due_messages``: claims 20 at a time
and sends them over one SMTP connection) and the after-commit task (``send_message`` per
message: claim one, render, its own SMTP connection), each after the messages were queued.
The place_order figures time the service in one process, in alternating blocks of orders with
the confirmation queued and with ``queue_order_confirmation`` switched off; in both, the send
after commit is switched off, so only the row (and its on_commit hook) is measured.

    python benchmarks/messages.py [--messages 500] [--orders 300] [--database-url URL]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
from decimal import Decimal

from _common import database_url, emit, machine, setup_django, summary_ms

SHOP_SLUG = "bench-messages"
STOCK = 1_000_000_000
BLOCK = 25  # orders per alternating block
BUDGET_MS = 1.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sink(port: int) -> subprocess.Popen:
    sink = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return sink
        except OSError:
            time.sleep(0.1)
    sink.kill()
    raise SystemExit("the aiosmtpd sink did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=500, help="messages per sending run")
    parser.add_argument("--orders", type=int, default=300, help="orders per place_order variant")
    parser.add_argument("--database-url", help=f"default: $DATABASE_URL or {database_url(None)}")
    args = parser.parse_args()
    port = free_port()
    sink = start_sink(port)
    try:
        setup_django(
            database_url(args.database_url),
            EMAIL_URL=f"smtp://127.0.0.1:{port}",
            KANTOOR_EMBEDDED_SWEEP="0",
        )
        figures = run(args)
    finally:
        sink.terminate()
        sink.wait(timeout=10)
    emit({"name": "messages", **figures, "machine": machine()})


def run(args) -> dict:
    from unittest import mock

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kantoor.messaging import services as messaging
    from kantoor.messaging.models import Message, MessageState
    from kantoor.messaging.services import outbox

    setup = _prepare()
    no_send = mock.patch.object(outbox, "dispatch", lambda message_id: None)
    no_outbox = mock.patch("kantoor.checkout.services.queue_order_confirmation", lambda **kw: None)

    # --- place_order with and without the outbox row ------------------------------------------
    with no_send:
        for i in range(5):  # warm up both paths
            _place(setup, i)
            with no_outbox:
                _place(setup, i)
        with CaptureQueriesContext(connection) as with_row:
            _place(setup, 0)
        with no_outbox, CaptureQueriesContext(connection) as without_row:
            _place(setup, 0)
        timings = {"with": [], "without": []}
        done = 0
        while done < args.orders:
            for variant in ("with", "without"):
                for i in range(BLOCK):
                    if variant == "without":
                        with no_outbox:
                            timings[variant].append(_timed_place(setup, i))
                    else:
                        timings[variant].append(_timed_place(setup, i))
            done += BLOCK
    p50_with = statistics.median(timings["with"]) * 1000
    p50_without = statistics.median(timings["without"]) * 1000
    added = p50_with - p50_without
    print(
        f"place_order p50: {p50_with:.2f} ms with the outbox row, {p50_without:.2f} ms without "
        f"(+{added:.2f} ms; SQL {len(with_row)} vs {len(without_row)} statements)",
        flush=True,
    )

    # --- sending -----------------------------------------------------------------------------
    # Only this run's messages may be due: others in the benchmark database (e.g. left queued by
    # place_order.py, whose sends go nowhere) are set aside.
    set_aside = Message.objects.filter(
        state__in=[MessageState.QUEUED, MessageState.SENDING]
    ).update(state=MessageState.FAILED, last_error="set aside by benchmarks/messages.py")
    if set_aside:
        print(f"{set_aside} earlier queued messages in this database set aside", flush=True)
    rates = {}
    for way in ("sweep", "task"):
        ids = _queue_messages(setup, args.messages)
        started = time.perf_counter()
        if way == "sweep":
            result = messaging.send_due_messages()
            sent = result.sent
        else:
            sent = sum(messaging.send_message(message_id=pk).sent for pk in ids)
        elapsed = time.perf_counter() - started
        if sent != len(ids):
            raise SystemExit(f"{way}: sent {sent} of {len(ids)} messages")
        rates[way] = len(ids) / elapsed
        print(f"{way}: {rates[way]:.0f} messages/s ({len(ids)} messages)", flush=True)

    return {
        "messages_per_run": args.messages,
        "sweep_messages_per_s": round(rates["sweep"], 1),
        "task_messages_per_s": round(rates["task"], 1),
        "orders_per_variant": len(timings["with"]),
        "place_order_ms": {
            "with_outbox": summary_ms(timings["with"]),
            "without_outbox": summary_ms(timings["without"]),
        },
        "outbox_added_p50_ms": round(added, 3),
        "sql_statements": {"with_outbox": len(with_row), "without_outbox": len(without_row)},
        "budget_p50_ms": BUDGET_MS,
        "within_budget": added < BUDGET_MS,
    }


def _prepare() -> dict:
    from kantoor.catalog.models import Product
    from kantoor.catalog.services import correct_stock
    from kantoor.checkout.services import OrderItem
    from kantoor.customers.services import AddressData, CustomerDetails
    from kantoor.shops.models import Shop
    from kantoor.shops.services import create_shop

    shop = Shop.objects.filter(slug=SHOP_SLUG).first() or create_shop(
        slug=SHOP_SLUG,
        name="Benchmark Berichten",
        owner_email="bench-messages@kantoor.test",
        owner_password=None,
    )
    products = []
    for sku, name, price, vat in [
        ("MSG-BEL", "Fietsbel", "12.99", "21"),
        ("MSG-BAND", "Binnenband 28 inch", "6.95", "21"),
        ("MSG-BOEK", "Fietsrouteboek", "19.95", "9"),
    ]:
        product, _created = Product.objects.get_or_create(
            shop=shop,
            sku=sku,
            defaults={"name": name, "price": Decimal(price), "vat_rate": Decimal(vat)},
        )
        if product.stock_level < STOCK // 2:
            correct_stock(shop=shop, product=product, quantity=STOCK - product.stock_level)
        products.append(product)
    details = [
        CustomerDetails(
            email=f"bench-msg-{i}@bench.test",
            first_name="Bench",
            last_name=str(i),
            billing=AddressData(
                name=f"Bench {i}", street="Oudegracht 1", postcode="3511 AA", city="Utrecht"
            ),
        )
        for i in range(BLOCK)
    ]
    return {
        "shop": shop,
        "items": [OrderItem(p.pk, q) for p, q in zip(products, (1, 2, 1), strict=True)],
        "details": details,
    }


def _place(setup: dict, i: int):
    from kantoor.checkout.services import place_order
    from kantoor.core.actors import Actor

    details = setup["details"][i % len(setup["details"])]
    return place_order(
        shop=setup["shop"],
        details=details,
        items=setup["items"],
        shipping_method="delivery",
        actor=Actor.customer(details.email),
    )


def _timed_place(setup: dict, i: int) -> float:
    started = time.perf_counter()
    _place(setup, i)
    return time.perf_counter() - started


def _queue_messages(setup: dict, count: int) -> list[int]:
    """``count`` queued order confirmations for orders of the benchmark shop (not yet sent)."""
    from django.utils import timezone

    from kantoor.messaging.models import Message, MessageKind
    from kantoor.orders.models import Order

    orders = list(Order.objects.filter(shop=setup["shop"]).order_by("-pk")[:count])
    if len(orders) < count:
        raise SystemExit(f"need {count} orders; run with --orders ≥ {count // 2}")
    now = timezone.now()
    created = Message.objects.bulk_create(
        [
            Message(
                shop=setup["shop"],
                order=order,
                kind=MessageKind.ORDER_CONFIRMATION,
                to=order.email,
                language=order.language,
                next_attempt_at=now,
                created_at=now,
            )
            for order in orders
        ]
    )
    return [message.pk for message in created]


if __name__ == "__main__":
    main()
