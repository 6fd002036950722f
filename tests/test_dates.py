"""Dates in Dutch are written in lower case ("11 okt. 2026"); one named format for every page."""

import datetime
import re
from pathlib import Path

from django.urls import reverse
from django.utils import formats, timezone, translation

from kantoor.orders.models import Order

ROOT = Path(__file__).resolve().parents[1]
DATE = datetime.date(2026, 10, 11)


def test_the_medium_date_is_lowercase_in_dutch_and_abbreviated_in_english():
    with translation.override("nl"):
        nl = formats.date_format(DATE, "MEDIUM_DATE_FORMAT")
        assert re.fullmatch(r"11 okt\.? 2026", nl), nl
        assert formats.date_format(datetime.date(2026, 3, 2), "MEDIUM_DATE_FORMAT").startswith(
            "2 mrt"
        )
    with translation.override("en"):
        assert formats.date_format(DATE, "MEDIUM_DATE_FORMAT") == "11 Oct 2026"


def test_no_template_formats_a_date_with_a_capitalised_month_of_its_own():
    """Pages use the named formats; "M" in a template would show "Okt" in Dutch."""
    offenders = []
    for path in (ROOT / "kantoor").rglob("*.html"):
        for match in re.finditer(r"""\|date:["']([^"']+)["']""", path.read_text()):
            if "_FORMAT" not in match.group(1) and re.search(r"(?<!\\)[MbN]", match.group(1)):
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert offenders == []


def test_the_order_list_in_dutch_writes_months_in_lower_case(
    client, shop, products, make_order, make_staff
):
    order = make_order(shop, products[:1])
    at = timezone.make_aware(datetime.datetime(2026, 10, 11, 12, 0))
    Order.objects.filter(pk=order.pk).update(created_at=at)
    client.force_login(make_staff(shop))
    html = client.get(
        reverse("backoffice:orders", kwargs={"shop_slug": shop.slug}), HTTP_ACCEPT_LANGUAGE="nl"
    ).text
    assert re.search(r">11 okt\.? 2026<", html), html
    assert "Okt" not in html
