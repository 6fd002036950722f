"""Seeding a shop with many orders fast: ``seed_demo`` makes a few thousand realistic ones (the
originals), then SQL copies them (``INSERT … SELECT … CROSS JOIN generate_series``) until the
shop has the orders wanted.

A copy is copy number ``k`` of an original: its order, order lines, invoices (debit, credit and
corrections, each with its lines) and payments, with every number suffixed ``-C<k>`` (order,
invoice and order numbers, the payment's provider id), the same customer, and every date and
time moved back by the copy's shift in whole days: 0, 1 or 2 years (half of the copies in the
last year, a third the year before, a sixth the one before that: a growing shop over three
years) plus 0–10 days. A copy's credit invoice is dated a few days after its order (the
originals' credits are all dated the day ``seed_demo`` ran). Order events, returns, quotes and
messages are not copied: the statistics are computed from the raw tables, and
``rebuild_statistics`` sets the watermark a refresh reads the events after.

Copies get ids from the tables' own sequences, numbered in the order of their new ``created_at``
(as a shop that had them placed one by one would have them). Which copies exist is read from
their numbers, so a second run with the same ``orders`` adds none and an interrupted run goes on
where it stopped. The invoice triggers (``kantoor.invoices.guard``) let INSERTs through; the
check ``invoice_sign_matches_kind`` holds because amounts are copied as they are.
"""

from __future__ import annotations

import time

COPY_MARK = "-C"
CHUNK = 100_000  # copies of orders per transaction
# The years a copy is moved back, by copy number (k % 6).
YEARS = (0, 0, 0, 1, 1, 2)
JITTER_DAYS = 11
TEMP_TABLES = (
    "bench_copy",
    "bench_map_order",
    "bench_chunk",
    "bench_map_line",
    "bench_map_invoice",
)


def seed_scaled(*, slug: str, orders: int, base: int) -> dict:
    """The shop ``slug`` brought to ``orders`` orders: ``seed_demo`` to ``base`` orders (it
    creates the shop), then copies.

    Returns {"orders", "originals", "copied", "seed_demo_s", "copy_s", "seconds"}."""
    from django.core.management import call_command
    from django.db import connection

    from kantoor.orders.models import Order
    from kantoor.shops.models import Shop

    started = time.monotonic()
    call_command("seed_demo", shop=slug, orders=min(base, orders))
    seed_demo_s = time.monotonic() - started
    shop = Shop.objects.get(slug=slug)
    have = Order.objects.filter(shop=shop).count()
    copied = 0
    copy_started = time.monotonic()
    if have < orders:
        with connection.cursor() as cursor:
            copied = _copy(cursor, shop, wanted=orders - have)
    copy_s = time.monotonic() - copy_started
    originals = Order.objects.filter(shop=shop).exclude(number__contains=COPY_MARK).count()
    return {
        "orders": Order.objects.filter(shop=shop).count(),
        "originals": originals,
        "copied": copied,
        "seed_demo_s": round(seed_demo_s, 1),
        "copy_s": round(copy_s, 1),
        "seconds": round(time.monotonic() - started, 1),
    }


def _columns(model) -> list[str]:
    return [field.column for field in model._meta.concrete_fields]


def _select_list(model, overrides: dict[str, str], *, skip=()) -> tuple[str, str]:
    """(the INSERT's column list, the SELECT's expressions): every concrete column of
    ``model``, copied from ``src`` unless ``overrides`` says otherwise; DateTimeFields and
    DateFields moved back by ``m.shift`` days."""
    from django.db import models

    columns, values = [], []
    for field in model._meta.concrete_fields:
        column = field.column
        if column in skip:
            continue
        columns.append(f'"{column}"')
        if column in overrides:
            values.append(overrides[column])
        elif isinstance(field, models.DateTimeField):
            values.append(f'src."{column}" - make_interval(days => m.shift)')
        elif isinstance(field, models.DateField):
            values.append(f'src."{column}" - m.shift')
        else:
            values.append(f'src."{column}"')
    return ", ".join(columns), ", ".join(values)


def _sequence(cursor, table: str) -> str:
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    return cursor.fetchone()[0]


def _reserve_ids(cursor, table: str, count: int) -> int:
    """The first of ``count`` consecutive ids taken from ``table``'s sequence."""
    sequence = _sequence(cursor, table)
    cursor.execute("SELECT nextval(%s)", [sequence])
    first = cursor.fetchone()[0]
    if count > 1:
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first


def _copy(cursor, shop, *, wanted: int) -> int:
    """Copies of the shop's originals until ``wanted`` more orders exist; the number added."""
    from django.conf import settings

    cursor.execute("SHOW TimeZone")
    session_zone = cursor.fetchone()[0]
    cursor.execute("SET synchronous_commit TO off")
    cursor.execute("SET TIME ZONE %s", [settings.TIME_ZONE])  # whole days in local time
    try:
        return _copy_in_local_time(cursor, shop, wanted=wanted)
    finally:
        for table in TEMP_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute("RESET synchronous_commit")
        cursor.execute("SET TIME ZONE %s", [session_zone])


def _copy_in_local_time(cursor, shop, *, wanted: int) -> int:
    from django.db import transaction

    from kantoor.invoices.models import Invoice, InvoiceLine
    from kantoor.orders.models import Order, OrderLine
    from kantoor.payments.models import Payment

    for model in (Order, OrderLine, Invoice, InvoiceLine, Payment):
        cursor.execute(f"ANALYZE {model._meta.db_table}")
    cursor.execute(
        "SELECT count(*) FROM orders_order WHERE shop_id = %s AND number NOT LIKE %s",
        [shop.pk, f"%{COPY_MARK}%"],
    )
    originals = cursor.fetchone()[0]
    if not originals:
        return 0
    cursor.execute("SELECT count(*) FROM orders_order WHERE shop_id = %s", [shop.pk])
    # Every copy still missing, up to ``wanted``, first by copy number; then numbered by the
    # time it is placed at.
    copies_max = (cursor.fetchone()[0] + wanted) // originals + 2
    cursor.execute("DROP TABLE IF EXISTS bench_copy")
    cursor.execute(
        """
        CREATE TEMP TABLE bench_copy AS
        SELECT o.id AS old_id, k.k, o.number || %(mark)s || k.k AS number,
               365 * (%(years)s::int[])[k.k %% 6 + 1]
                   + ((o.id * 7919 + k.k * 104729) %% %(jitter)s)::int AS shift,
               o.created_at
        FROM orders_order o
        CROSS JOIN generate_series(1, %(copies)s) AS k(k)
        WHERE o.shop_id = %(shop)s AND o.number NOT LIKE %(like)s
          AND NOT EXISTS (
              SELECT 1 FROM orders_order c
              WHERE c.shop_id = %(shop)s AND c.number = o.number || %(mark)s || k.k
          )
        ORDER BY k.k, o.id
        LIMIT %(wanted)s
        """,
        {
            "mark": COPY_MARK,
            "years": list(YEARS),
            "jitter": JITTER_DAYS,
            "copies": copies_max,
            "shop": shop.pk,
            "like": f"%{COPY_MARK}%",
            "wanted": wanted,
        },
    )
    cursor.execute("SELECT count(*) FROM bench_copy")
    total = cursor.fetchone()[0]
    if not total:
        return 0
    first = _reserve_ids(cursor, "orders_order", total)
    cursor.execute("DROP TABLE IF EXISTS bench_map_order")
    cursor.execute(
        """
        CREATE TEMP TABLE bench_map_order AS
        SELECT old_id, k, number, shift,
               %s + row_number() OVER (ORDER BY created_at - make_interval(days => shift),
                                        k, old_id) - 1 AS new_id
        FROM bench_copy
        """,
        [first],
    )
    cursor.execute("CREATE INDEX ON bench_map_order (new_id)")
    cursor.execute("ANALYZE bench_map_order")
    cursor.execute("DROP TABLE bench_copy")

    order_cols, order_vals = _select_list(
        Order,
        {"id": "m.new_id", "number": "m.number", "checkout_token": "''"},
    )
    line_cols, line_vals = _select_list(OrderLine, {"id": "ml.new_id", "order_id": "m.new_id"})
    invoice_cols, invoice_vals = _select_list(
        Invoice,
        {
            "id": "mi.new_id",
            "order_id": "m.new_id",
            "number": f"src.number || '{COPY_MARK}' || m.k",
            "order_number": "m.number",
            "issued_on": "mi.issued_on",
            "corrects_id": "COALESCE(mc.new_id, src.corrects_id)",
        },
    )
    invoice_line_cols, invoice_line_vals = _select_list(
        InvoiceLine,
        {"invoice_id": "mi.new_id", "order_line_id": "COALESCE(ml.new_id, src.order_line_id)"},
        skip=("id",),
    )
    payment_cols, payment_vals = _select_list(
        Payment,
        {
            "order_id": "m.new_id",
            "invoice_id": "mi.new_id",
            "provider_payment_id": f"src.provider_payment_id || '{COPY_MARK}' || m.k",
        },
        skip=("id",),
    )
    done = 0
    started = time.monotonic()
    for low in range(first, first + total, CHUNK):
        high = min(low + CHUNK, first + total)
        with transaction.atomic():
            cursor.execute("DROP TABLE IF EXISTS bench_chunk")
            cursor.execute(
                "CREATE TEMP TABLE bench_chunk AS SELECT * FROM bench_map_order"
                " WHERE new_id >= %s AND new_id < %s",
                [low, high],
            )
            cursor.execute("CREATE INDEX ON bench_chunk (old_id, k)")
            cursor.execute("ANALYZE bench_chunk")
            cursor.execute(
                f"INSERT INTO orders_order ({order_cols}) SELECT {order_vals}"
                " FROM bench_chunk m JOIN orders_order src ON src.id = m.old_id"
                " ORDER BY m.new_id"
            )
            # Order lines, invoices: ids in the order of the copied orders.
            cursor.execute(
                "SELECT count(*) FROM bench_chunk m JOIN orders_orderline src"
                " ON src.order_id = m.old_id"
            )
            line_first = _reserve_ids(cursor, "orders_orderline", cursor.fetchone()[0])
            cursor.execute("DROP TABLE IF EXISTS bench_map_line")
            cursor.execute(
                """
                CREATE TEMP TABLE bench_map_line AS
                SELECT src.id AS old_id, m.k,
                       %s + row_number() OVER (ORDER BY m.new_id, src.id) - 1 AS new_id
                FROM bench_chunk m JOIN orders_orderline src ON src.order_id = m.old_id
                """,
                [line_first],
            )
            cursor.execute("CREATE INDEX ON bench_map_line (old_id, k)")
            cursor.execute("ANALYZE bench_map_line")
            cursor.execute(
                f"INSERT INTO orders_orderline ({line_cols}) SELECT {line_vals}"
                " FROM bench_chunk m JOIN orders_orderline src ON src.order_id = m.old_id"
                " JOIN bench_map_line ml ON ml.old_id = src.id AND ml.k = m.k"
                " ORDER BY ml.new_id"
            )
            cursor.execute(
                "SELECT count(*) FROM bench_chunk m JOIN invoices_invoice src"
                " ON src.order_id = m.old_id"
            )
            invoice_first = _reserve_ids(cursor, "invoices_invoice", cursor.fetchone()[0])
            # A debit invoice keeps its distance to the order; a credit invoice is dated 0-20
            # days after the copied order (never after today's date moved back by the shift).
            cursor.execute("DROP TABLE IF EXISTS bench_map_invoice")
            cursor.execute(
                """
                CREATE TEMP TABLE bench_map_invoice AS
                SELECT src.id AS old_id, m.k,
                       %s + row_number() OVER (ORDER BY m.new_id, src.id) - 1 AS new_id,
                       CASE WHEN src.kind = 'credit' THEN LEAST(
                           ((o.created_at - make_interval(days => m.shift))
                               AT TIME ZONE current_setting('TimeZone'))::date
                               + ((src.id + m.k) %% 21)::int,
                           src.issued_on - m.shift)
                       ELSE src.issued_on - m.shift END AS issued_on
                FROM bench_chunk m
                JOIN invoices_invoice src ON src.order_id = m.old_id
                JOIN orders_order o ON o.id = m.old_id
                """,
                [invoice_first],
            )
            cursor.execute("CREATE INDEX ON bench_map_invoice (old_id, k)")
            cursor.execute("ANALYZE bench_map_invoice")
            cursor.execute(
                f"INSERT INTO invoices_invoice ({invoice_cols}) SELECT {invoice_vals}"
                " FROM bench_chunk m JOIN invoices_invoice src ON src.order_id = m.old_id"
                " JOIN bench_map_invoice mi ON mi.old_id = src.id AND mi.k = m.k"
                " LEFT JOIN bench_map_invoice mc ON mc.old_id = src.corrects_id AND mc.k = m.k"
                " ORDER BY mi.new_id"
            )
            cursor.execute(
                f"INSERT INTO invoices_invoiceline ({invoice_line_cols})"
                f" SELECT {invoice_line_vals}"
                " FROM bench_chunk m JOIN invoices_invoice i ON i.order_id = m.old_id"
                " JOIN bench_map_invoice mi ON mi.old_id = i.id AND mi.k = m.k"
                " JOIN invoices_invoiceline src ON src.invoice_id = i.id"
                " LEFT JOIN bench_map_line ml ON ml.old_id = src.order_line_id AND ml.k = m.k"
                " ORDER BY mi.new_id, src.position"
            )
            cursor.execute(
                f"INSERT INTO payments_payment ({payment_cols}) SELECT {payment_vals}"
                " FROM bench_chunk m JOIN payments_payment src ON src.order_id = m.old_id"
                " JOIN bench_map_invoice mi ON mi.old_id = src.invoice_id AND mi.k = m.k"
                " ORDER BY mi.new_id, src.id"
            )
        done += high - low
        print(
            f"copied {done:,} of {total:,} orders in {time.monotonic() - started:.1f} s",
            flush=True,
        )
    return done
