"""Page cursors at the edges of the calendar: an edited link shows the first page, never a 500."""

import urllib.parse

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

EDGES = [
    "9999-12-31T23:59:59-14:00~1",  # UTC is in the year 10000
    "0001-01-01T00:00:00+14:00~1",  # UTC is in the year 0
    "9999-12-31T23:59:59+00:00~1",
    "2026-01-01T00:00:00+00:00~99999999999999999999",
    "~1",
    "2026-13-01~1",
]


@pytest.mark.parametrize("area", ["orders", "invoices", "payments", "returns"])
@pytest.mark.parametrize("direction", ["after", "before"])
def test_an_edited_cursor_gives_the_first_page(area, direction, shop, owner):
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    for cursor in EDGES:
        query = urllib.parse.urlencode({direction: cursor})
        response = client.get(f"/backoffice/{shop.slug}/{area}/?{query}")
        assert response.status_code == 200, (cursor, response.status_code)
