"""Every page links the favicon; /favicon.ico does not 404."""

from django.contrib.staticfiles import finders
from django.urls import reverse


def test_the_favicon_is_a_static_file_linked_from_the_back_office_and_the_storefront(client, shop):
    assert finders.find("kantoor/favicon.svg")
    link = '<link rel="icon" href="/static/kantoor/favicon.svg" type="image/svg+xml">'
    assert link in client.get(reverse("backoffice:login")).text
    assert link in client.get(reverse("storefront:home", kwargs={"shop_slug": shop.slug})).text


def test_favicon_ico_leads_to_the_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/kantoor/favicon.svg"
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)
