"""The boundary's parsing (kantoor/core/parsing.py) and the NUL-byte guard, unit by unit and
through the real HTTP stack."""

import datetime

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from kantoor.core.parsing import MAX_ID, CalendarDateField, parse_id, safe_next_url


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1", 1),
        (" 42 ", 42),
        (7, 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),  # over a bigint column
        ("9" * 5000, None),  # over int()'s 4,300-digit limit
        ("²", None),  # str.isdigit() says yes, int() raises
        ("١٢", None),  # Arabic-Indic digits: int() reads them, an id is ASCII
        ("0", None),
        ("-1", None),
        ("1.0", None),
        ("", None),
        (None, None),
        ("12abc", None),
    ],
)
def test_parse_id_takes_only_ascii_ids_a_column_can_hold(text, expected):
    assert parse_id(text) == expected


@pytest.mark.parametrize(
    "next_value, expected",
    [
        ("/shop/x/account/", "/shop/x/account/"),
        ("/backoffice/s/orders/?q=1", "/backoffice/s/orders/?q=1"),
        ("0", "/fallback/"),  # redirect("0") would look for a view called "0"
        ("orders", "/fallback/"),
        ("https://evil.example/", "/fallback/"),
        ("//evil.example/", "/fallback/"),
        ("/\\evil.example/", "/fallback/"),
        ("javascript:alert(1)", "/fallback/"),
        ("", "/fallback/"),
        ("/" + "a" * 3000, "/fallback/"),
    ],
)
def test_safe_next_url_is_a_path_on_this_site_or_the_fallback(next_value, expected):
    request = RequestFactory().post("/x/", {"next": next_value})
    assert safe_next_url(request, "/fallback/") == expected


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31", "1899-12-31", "3000-01-01"])
def test_a_date_at_the_calendars_edge_is_a_form_error(text):
    field = CalendarDateField(required=False)
    with pytest.raises(Exception, match="between") as raised:
        field.clean(text)
    assert raised.value.code == "date_out_of_range"


def test_a_date_a_shop_means_is_read():
    field = CalendarDateField(required=False)
    assert field.clean("2026-12-02") == datetime.date(2026, 12, 2)
    assert field.clean("2999-12-31") == datetime.date(2999, 12, 31)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/backoffice/{slug}/orders/%00/",
        "/backoffice/{slug}/orders/?q=a%00b",
        "/backoffice/{slug}/orders/?a%00=1",
    ],
)
def test_a_nul_byte_in_the_path_or_the_query_is_a_400_with_a_reason(client, owner, shop, path):
    client.force_login(owner)
    response = client.get(path.format(slug=shop.slug))
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"

    html = client.get(path.format(slug=shop.slug), HTTP_ACCEPT="text/html")
    assert html.status_code == 400 and "NUL" in html.text


@pytest.mark.django_db
def test_a_nul_byte_in_a_webhook_or_a_form_is_refused_before_any_view(client, shop):
    webhook = client.post("/payments/webhook/mollie/", {"id": "tr_\x00"})
    assert webhook.status_code == 400
    assert webhook.json() == {
        "error": "The request contains a NUL character; remove it and try again.",
        "code": "nul_character",
    }
    login = client.post(
        reverse("storefront:login", kwargs={"shop_slug": shop.slug}),
        {"email": "a@example.test", "password": "x\x00"},
    )
    assert login.status_code == 400


@pytest.mark.django_db
def test_the_nul_message_is_in_the_readers_language(client, shop):
    response = client.get("/payments/webhook/mollie/?x=%00", HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 400
    assert "NUL-teken" in response.json()["error"]
