"""Orders per second through place_order (3 lines each), 1 and 4 worker processes, against a
raw-SQL baseline (psycopg 3 directly) that writes the same rows with the same lock pattern.

Each worker is a process with its own database connection. One measurement = --orders orders
split over the workers; the rate is orders / (last worker's end - first worker's start), after
3 warm-up orders per worker. The baseline runs in the same run with the same worker counts:
per order, one transaction that locks the ordered products (SELECT ... FOR UPDATE, id order),
looks up and updates the guest customer (as place_order's checkout path does), reads the number
series and bumps its counter in one UPDATE ... FROM ... RETURNING (which holds the counter row
lock until COMMIT, as allocate_numbers does on PostgreSQL),
inserts the order, its 3 lines, the stock movements, the order's invoice (its number from the
invoice series with the same counter lock, the invoice row and its 4 lines: 3 + shipping), the
placed event and the order-confirmation message (the outbox row), and updates the products'
stock levels.

    python benchmarks/place_order.py [--orders 500] [--workers 1,4] [--database-url URL]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
from decimal import Decimal

from _common import database_url, emit, machine, psycopg_kwargs, setup_django

SHOP_SLUG = "bench-orders"
EMAILS_PER_WORKER = 20
WARM_UP = 3
STOCK = 1_000_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=500, help="orders per measurement")
    parser.add_argument("--workers", default="1,4", help="comma-separated worker counts")
    parser.add_argument("--database-url", help=f"default: $DATABASE_URL or {database_url(None)}")
    args = parser.parse_args()
    url = database_url(args.database_url)
    worker_counts = [int(w) for w in args.workers.split(",") if w.strip()]
    setup_django(url)
    # As in the web server: after commit, the order confirmation is handed to the sender (the
    # embedded thread, or a Celery worker) and sent there; that sending is measured by
    # benchmarks/messages.py. Here nobody sends, so the figures are place_order's own work.
    from kantoor.messaging import embedded

    embedded._started.set()

    setup = _prepare(max(worker_counts))
    statements = _count_django_statements(setup)
    raw_statements = _count_raw_statements(setup, url)

    results = {}
    for workers in worker_counts:
        django_rate = _measure("django", setup, url, workers=workers, orders=args.orders)
        raw_rate = _measure("raw", setup, url, workers=workers, orders=args.orders)
        results[str(workers)] = {
            "django_orders_per_s": round(django_rate, 1),
            "raw_orders_per_s": round(raw_rate, 1),
            "ratio": round(django_rate / raw_rate, 2),
        }
        print(
            f"{workers} worker(s): place_order {django_rate:.1f} orders/s, "
            f"raw SQL {raw_rate:.1f} orders/s, ratio {django_rate / raw_rate:.2f}",
            flush=True,
        )
    print(f"SQL statements per place_order: {statements} (raw baseline: {raw_statements})")
    emit(
        {
            "name": "place_order",
            "orders_per_measurement": args.orders,
            "lines_per_order": 3,
            "workers": results,
            "sql_statements_per_order": statements,
            "raw_sql_statements_per_order": raw_statements,
            "machine": machine(),
        }
    )


# --- set-up (in the parent, before any fork) -------------------------------------------------


def _prepare(max_workers: int) -> dict:
    from django.db import connections

    from kantoor.catalog.models import Product
    from kantoor.catalog.services import correct_stock
    from kantoor.checkout.services import OrderItem
    from kantoor.customers.models import Customer
    from kantoor.customers.services import AddressData, CustomerDetails
    from kantoor.shops.models import Shop
    from kantoor.shops.services import create_shop

    shop = Shop.objects.filter(slug=SHOP_SLUG).first() or create_shop(
        slug=SHOP_SLUG,
        name="Benchmark Fietsen",
        owner_email="bench-owner@kantoor.test",
        owner_password=None,
    )
    products = []
    for sku, name, price, vat in [
        ("BENCH-BEL", "Fietsbel", "12.99", "21"),
        ("BENCH-BAND", "Binnenband 28 inch", "6.95", "21"),
        ("BENCH-BOEK", "Fietsrouteboek", "19.95", "9"),
    ]:
        product, _created = Product.objects.get_or_create(
            shop=shop,
            sku=sku,
            defaults={"name": name, "price": Decimal(price), "vat_rate": Decimal(vat)},
        )
        if product.stock_level < STOCK // 2:
            correct_stock(shop=shop, product=product, quantity=STOCK - product.stock_level)
        products.append(product)
    details = {}
    for worker in range(max_workers):
        for i in range(EMAILS_PER_WORKER):
            email = f"bench-{worker}-{i}@bench.test"
            Customer.objects.get_or_create(
                shop=shop, email=email, defaults={"first_name": "Bench", "last_name": f"{i}"}
            )
            details[(worker, i)] = CustomerDetails(
                email=email,
                first_name="Bench",
                last_name=f"{i}",
                billing=AddressData(
                    name=f"Bench {i}", street="Oudegracht 1", postcode="3511 AA", city="Utrecht"
                ),
            )
    setup = {
        "shop": shop,
        "product_ids": [p.pk for p in products],
        "items": [OrderItem(p.pk, q) for p, q in zip(products, (1, 2, 1), strict=True)],
        "details": details,
    }
    _place_django(setup, worker=0, i=0)  # creates this year's number counter
    setup["raw"] = _raw_templates(setup)
    connections.close_all()
    return setup


def _count_django_statements(setup: dict) -> int:
    from django.db import connection, connections
    from django.test.utils import CaptureQueriesContext

    _place_django(setup, worker=0, i=1)
    with CaptureQueriesContext(connection) as ctx:
        _place_django(setup, worker=0, i=2)
    connections.close_all()
    return len(ctx.captured_queries)


def _count_raw_statements(setup: dict, url: str) -> int:
    import psycopg

    with psycopg.connect(**psycopg_kwargs(url)) as conn:
        counting = _CountingConnection(conn)
        _place_raw(counting, setup, worker=0, i=0)
        return counting.statements


class _CountingConnection:
    def __init__(self, conn):
        self.conn = conn
        self.statements = 0

    def execute(self, *args, **kwargs):
        self.statements += 1
        return self.conn.execute(*args, **kwargs)

    def commit(self):
        self.statements += 1
        self.conn.commit()


# --- the two ways of placing an order -----------------------------------------------------------


def _place_django(setup: dict, *, worker: int, i: int) -> None:
    from kantoor.checkout.services import place_order
    from kantoor.core.actors import Actor

    details = setup["details"][(worker, i % EMAILS_PER_WORKER)]
    place_order(
        shop=setup["shop"],
        details=details,
        items=setup["items"],
        shipping_method="delivery",
        actor=Actor.customer(details.email),
    )


def _raw_templates(setup: dict) -> dict:
    """Column lists and per-column values taken from a drafted order (no queries per order).

    Built from the models' fields, so a column added later is written by the baseline too.
    """
    from django.db import connection
    from django.utils import timezone

    from kantoor.catalog.models import MovementReason, Product, StockMovement
    from kantoor.checkout.services import draft_order
    from kantoor.core.actors import Actor
    from kantoor.invoices.models import InvoiceKind
    from kantoor.invoices.services import build_invoice, debit_invoice_lines
    from kantoor.messaging.models import Message, MessageKind
    from kantoor.numbering.models import DocumentKind, NumberSeries
    from kantoor.orders import events
    from kantoor.orders.events import OrderEventKind
    from kantoor.orders.models import OrderEvent

    shop = setup["shop"]
    products = {p.pk: p for p in Product.objects.filter(pk__in=setup["product_ids"])}
    details = setup["details"][(0, 0)]
    now = timezone.now()
    draft = draft_order(
        shop=shop,
        customer=None,
        details=details,
        items=setup["items"],
        products=products,
        shipping_method="delivery",
        note="",
        at=now,
    )
    draft.order.number = "X"
    event = events.order_placed(order=draft.order, actor=Actor.customer(details.email))
    movement = StockMovement(
        shop=shop, product_id=1, quantity=-1, reason=MovementReason.SALE, created_at=now
    )

    def row(obj, skip=()):
        fields = [f for f in type(obj)._meta.concrete_fields if not f.primary_key]
        return {
            f.column: f.get_db_prep_save(getattr(obj, f.attname), connection)
            for f in fields
            if f.column not in skip
        }

    series = NumberSeries.objects.get(shop=shop, kind=DocumentKind.ORDER)
    invoice_series = NumberSeries.objects.get(shop=shop, kind=DocumentKind.INVOICE)
    invoice_lines, invoice_totals = debit_invoice_lines(order=draft.order, order_lines=draft.lines)
    invoice, invoice_line_objects = build_invoice(
        shop=shop,
        order=draft.order,
        kind=InvoiceKind.DEBIT,
        number="X",
        lines=invoice_lines,
        totals=invoice_totals,
        at=now,
    )
    message = Message(
        shop=shop,
        kind=MessageKind.ORDER_CONFIRMATION,
        to=details.email,
        language=details.language,
        next_attempt_at=now,
        created_at=now,
    )
    return {
        "message": {k: v for k, v in row(message).items() if k != "data"},
        "order": row(draft.order),
        "line": row(draft.lines[0], skip=("order_id",)),
        "event": {k: v for k, v in row(event).items() if k != "data"},
        "event_kind": OrderEventKind.PLACED.value,
        "movement": row(movement),
        "series_id": series.pk,
        "invoice": {
            k: v for k, v in row(invoice, skip=("order_id",)).items() if k != "vat_breakdown"
        },
        "invoice_line": row(invoice_line_objects[0], skip=("invoice_id",)),
        "invoice_series_id": invoice_series.pk,
        "prices_include_vat": shop.prices_include_vat,
        "shipping_fee": shop.shipping_fee,
        "shipping_vat_rate": shop.shipping_vat_rate,
        "table": {
            "order": "orders_order",
            "line": "orders_orderline",
            "event": OrderEvent._meta.db_table,
            "movement": StockMovement._meta.db_table,
        },
    }


def _insert_sql(table: str, columns: list[str], rows: int, returning: bool = False) -> str:
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    quoted = ", ".join(f'"{column}"' for column in columns)
    sql = f"INSERT INTO {table} ({quoted}) VALUES " + ", ".join([one] * rows)
    return sql + (" RETURNING id" if returning else "")


def _next_number(conn, *, shop_id: int, kind: str, today) -> str:
    """The series read and its counter advanced in one UPDATE … RETURNING, as allocate_numbers
    does on PostgreSQL (the counter row stays locked until COMMIT)."""
    from kantoor.numbering.formatting import format_number

    last, prefix, padding = conn.execute(
        "UPDATE numbering_numbercounter AS c SET last_value = c.last_value + 1"
        " FROM numbering_numberseries AS s WHERE s.shop_id = %s AND s.kind = %s"
        " AND c.series_id = s.id AND c.period = CASE WHEN s.yearly_restart THEN %s ELSE 0 END"
        " RETURNING c.last_value, s.prefix, s.padding",
        [shop_id, kind, today.year],
    ).fetchone()
    return format_number(prefix=prefix, counter=last, padding=padding, on=today)


def _place_raw(conn, setup: dict, *, worker: int, i: int) -> None:
    """One order in one transaction, psycopg only (totals with the same pure function)."""
    import datetime

    from django.utils import timezone
    from psycopg.types.json import Jsonb

    from kantoor.core.money import PriceLine, compute_totals

    t = setup["raw"]
    shop_id = setup["shop"].pk
    details = setup["details"][(worker, i % EMAILS_PER_WORKER)]
    items = setup["items"]
    now = datetime.datetime.now(datetime.UTC)
    today = timezone.localdate(now)

    # The customer first, as place_order does (it needs no product lock).
    customer_id = conn.execute(
        "SELECT id FROM customers_customer WHERE shop_id = %s AND email = %s",
        [shop_id, details.email],
    ).fetchone()[0]
    conn.execute(
        "UPDATE customers_customer SET first_name = %s, last_name = %s, company = %s,"
        " vat_number = %s, phone = %s, language = %s WHERE id = %s",
        [
            details.first_name,
            details.last_name,
            details.company,
            details.vat_number,
            details.phone,
            details.language,
            customer_id,
        ],
    )
    products = conn.execute(
        "SELECT id, sku, name, price, vat_rate, track_stock, stock_level, active"
        " FROM catalog_product WHERE shop_id = %s AND id = ANY(%s) ORDER BY id FOR UPDATE",
        [shop_id, [item.product_id for item in items]],
    ).fetchall()
    by_id = {row[0]: row for row in products}
    number = _next_number(conn, shop_id=shop_id, kind="order", today=today)

    price_lines = [
        PriceLine(by_id[item.product_id][3], item.quantity, by_id[item.product_id][4])
        for item in items
    ]
    price_lines.append(PriceLine(t["shipping_fee"], 1, t["shipping_vat_rate"]))
    totals = compute_totals(price_lines, prices_include_vat=t["prices_include_vat"])

    order = dict(t["order"])
    order.update(
        number=number,
        customer_id=customer_id,
        email=details.email.lower(),
        first_name=details.first_name,
        last_name=details.last_name,
        billing_name=details.billing.name,
        delivery_name=details.delivery_address.name,
        total_net=totals.net,
        total_vat=totals.vat,
        total_gross=totals.gross,
        item_count=sum(item.quantity for item in items),
        created_at=now,
        updated_at=now,
    )
    order_id = conn.execute(
        _insert_sql("orders_order", list(order), 1, returning=True), list(order.values())
    ).fetchone()[0]

    line_rows = []
    for position, (item, amounts) in enumerate(zip(items, totals.lines, strict=False), start=1):
        product = by_id[item.product_id]
        line = dict(t["line"])
        line.update(
            position=position,
            product_id=product[0],
            sku=product[1],
            name=product[2],
            unit_price=product[3],
            vat_rate=product[4],
            quantity=item.quantity,
            total_net=amounts.net,
            total_gross=amounts.gross,
        )
        line_rows.append({"order_id": order_id, **line})
    line_ids = [
        row[0]
        for row in conn.execute(
            _insert_sql("orders_orderline", list(line_rows[0]), len(line_rows), returning=True),
            [value for line in line_rows for value in line.values()],
        ).fetchall()
    ]

    tracked = [item for item in items if by_id[item.product_id][5]]
    if tracked:
        movement_rows = []
        for item in tracked:
            movement = dict(t["movement"])
            movement.update(
                product_id=item.product_id,
                quantity=-item.quantity,
                reference=number,
                created_at=now,
            )
            movement_rows.append(movement)
        conn.execute(
            _insert_sql("catalog_stockmovement", list(movement_rows[0]), len(movement_rows)),
            [value for row in movement_rows for value in row.values()],
        )
        conn.execute(
            "UPDATE catalog_product p SET stock_level = p.stock_level + v.delta"
            " FROM unnest(%s::bigint[], %s::int[]) AS v(id, delta) WHERE p.id = v.id",
            [[item.product_id for item in tracked], [-item.quantity for item in tracked]],
        )

    # The order's invoice: its number from the invoice series (same counter lock), the invoice
    # row with the parties and totals copied, its lines (the order's lines and shipping).
    invoice_number = _next_number(conn, shop_id=shop_id, kind="invoice", today=today)
    invoice = dict(t["invoice"])
    invoice.update(
        number=invoice_number,
        order_id=order_id,
        order_number=number,
        issued_on=today,
        customer_name=details.billing.name,
        customer_contact=f"{details.first_name} {details.last_name}",
        customer_email=details.email.lower(),
        total_net=totals.net,
        total_vat=totals.vat,
        total_gross=totals.gross,
        created_at=now,
    )
    invoice["vat_breakdown"] = Jsonb(
        [
            {"rate": str(row.rate), "net": str(row.net), "vat": str(row.vat)}
            for row in totals.vat_breakdown
        ]
    )
    invoice_id = conn.execute(
        _insert_sql("invoices_invoice", list(invoice), 1, returning=True), list(invoice.values())
    ).fetchone()[0]
    invoice_rows = []
    for position, (line, amounts) in enumerate(
        zip([*line_rows, None], totals.lines, strict=True), start=1
    ):
        invoice_line = dict(t["invoice_line"])
        invoice_line.update(
            invoice_id=invoice_id,
            position=position,
            order_line_id=line_ids[position - 1] if line else None,
            is_shipping=line is None,
            sku=line["sku"] if line else "",
            description=line["name"] if line else "Shipping",
            quantity=line["quantity"] if line else 1,
            unit_price=line["unit_price"] if line else t["shipping_fee"],
            vat_rate=line["vat_rate"] if line else t["shipping_vat_rate"],
            total_net=amounts.net,
            total_gross=amounts.gross,
        )
        invoice_rows.append(invoice_line)
    conn.execute(
        _insert_sql("invoices_invoiceline", list(invoice_rows[0]), len(invoice_rows)),
        [value for row in invoice_rows for value in row.values()],
    )

    event = dict(t["event"])
    event.update(order_id=order_id, actor_label=details.email.lower(), created_at=now)
    event["data"] = Jsonb(
        {
            "number": number,
            "total": str(totals.gross),
            "items": order["item_count"],
            "invoice": invoice_number,
        }
    )
    conn.execute(_insert_sql("orders_orderevent", list(event), 1), list(event.values()))
    message = dict(t["message"])
    message.update(
        order_id=order_id,
        customer_id=customer_id,
        to=details.email.lower(),
        next_attempt_at=now,
        created_at=now,
    )
    message["data"] = Jsonb({})
    conn.execute(_insert_sql("messaging_message", list(message), 1), list(message.values()))
    conn.commit()


# --- measuring -------------------------------------------------------------------------------


def _worker(kind, setup, url, worker, count, barrier, results):
    try:
        _run_worker(kind, setup, url, worker, count, barrier, results)
    except BaseException as error:
        barrier.abort()
        results.put(("error", repr(error), 0))
        raise


def _run_worker(kind, setup, url, worker, count, barrier, results):
    if kind == "django":

        def place(i):
            _place_django(setup, worker=worker, i=i)

    else:
        import psycopg

        conn = psycopg.connect(**psycopg_kwargs(url))

        def place(i):
            _place_raw(conn, setup, worker=worker, i=i)

    for i in range(WARM_UP):
        place(i)
    barrier.wait()
    started = time.perf_counter()
    for i in range(count):
        place(i)
    results.put((started, time.perf_counter(), count))


def _measure(kind: str, setup: dict, url: str, *, workers: int, orders: int) -> float:
    context = multiprocessing.get_context("fork")  # each child opens its own connection
    barrier = context.Barrier(workers)
    results = context.Queue()
    shares = [orders // workers + (1 if w < orders % workers else 0) for w in range(workers)]
    processes = [
        context.Process(target=_worker, args=(kind, setup, url, w, shares[w], barrier, results))
        for w in range(workers)
    ]
    for process in processes:
        process.start()
    figures = [results.get(timeout=600) for _ in processes]
    errors = [message for start, message, _n in figures if start == "error"]
    if errors:
        raise SystemExit(f"a {kind} worker failed: {errors[0]}")
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise SystemExit(f"a {kind} worker failed (exit code {process.exitcode})")
    elapsed = max(end for _s, end, _n in figures) - min(start for start, _e, _n in figures)
    return sum(n for _s, _e, n in figures) / elapsed


if __name__ == "__main__":
    main()
