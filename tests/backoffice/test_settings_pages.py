"""Settings pages through the HTTP stack: access, each tab, bad input, colours everywhere."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from kantoor.core.statuses import OrderStatus
from kantoor.numbering.models import DocumentKind, NumberSeries
from kantoor.returns.models import ReturnAction, ReturnReason
from kantoor.returns.services import add_return_option
from kantoor.shops.document_statuses import STATUSES
from kantoor.shops.models import SettingsChange, StatusAppearance, WorkflowSettings
from kantoor.shops.services import StatusLook, update_status_appearances
from tests.conftest import PASSWORD
from tests.shops.helpers import order_with_number

TABS = ["statuses", "numbers", "returns", "modules"]


def landing_url(shop):
    return reverse("backoffice:settings", kwargs={"shop_slug": shop.slug})


def workflow_url(shop, tab=None):
    url = reverse("backoffice:settings_workflow", kwargs={"shop_slug": shop.slug})
    return f"{url}?tab={tab}" if tab else url


def option_url(shop, list_name, pk=None):
    if pk is None:
        return reverse(
            "backoffice:settings_return_option_add",
            kwargs={"shop_slug": shop.slug, "list_name": list_name},
        )
    return reverse(
        "backoffice:settings_return_option",
        kwargs={"shop_slug": shop.slug, "list_name": list_name, "pk": pk},
    )


def statuses_data(**overrides):
    """A full POST of the Statuses tab with every status at its default look."""
    data = {}
    for kind, statuses in STATUSES.items():
        for status in statuses:
            key = f"{kind}__{status.code}"
            data[f"{key}__background"] = status.background
            data[f"{key}__text"] = status.text
            if not status.label_fixed:
                data[f"{key}__label_nl"] = ""
                data[f"{key}__label_en"] = ""
    data.update(overrides)
    return data


def numbers_data(shop, **overrides):
    data = {"credit_invoices_share_invoice_series": ""}
    for row in NumberSeries.objects.filter(shop=shop):
        data[f"{row.kind}__prefix"] = row.prefix
        data[f"{row.kind}__padding"] = row.padding
        if row.yearly_restart:
            data[f"{row.kind}__yearly_restart"] = "on"
    data.update(overrides)
    return data


RETURNS_DATA = {
    "returns_enabled": "on",
    "returns_self_service": "on",
    "return_period_days": "30",
    "returns_intro_nl": "Stuur het binnen 30 dagen terug.",
    "returns_intro_en": "Send it back within 30 days.",
}


@pytest.fixture
def staff_client(client, shop, make_staff):
    client.force_login(make_staff(shop))
    return client


def snapshot(shop):
    """Everything the settings pages can change, to assert that a refused input changed nothing."""
    return (
        list(StatusAppearance.objects.filter(shop=shop).values()),
        list(WorkflowSettings.objects.filter(shop=shop).values()),
        list(NumberSeries.objects.filter(shop=shop).order_by("kind").values()),
        list(ReturnReason.objects.filter(shop=shop).values()),
        list(ReturnAction.objects.filter(shop=shop).values()),
        SettingsChange.objects.filter(shop=shop).count(),
    )


# --- access ------------------------------------------------------------------------------------


def every_settings_url(shop, reason_pk):
    return [
        landing_url(shop),
        workflow_url(shop),
        *[workflow_url(shop, tab) for tab in TABS],
        option_url(shop, "reasons"),
        option_url(shop, "actions"),
        option_url(shop, "reasons", reason_pk),
    ]


def test_staff_of_another_shop_gets_404_for_every_settings_url(
    client, shop, other_shop, make_staff
):
    theirs = add_return_option(
        shop=other_shop, user=None, list_name="reasons", label_nl="Kapot", label_en="Broken"
    )
    before = snapshot(other_shop)
    client.force_login(make_staff(shop))
    for url in every_settings_url(other_shop, theirs.pk):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"action": "delete", **RETURNS_DATA}).status_code == 404, url
    assert snapshot(other_shop) == before


def test_another_shops_reason_is_not_found_through_ones_own_shop(staff_client, shop, other_shop):
    theirs = add_return_option(
        shop=other_shop, user=None, list_name="reasons", label_nl="Kapot", label_en="Broken"
    )
    url = option_url(shop, "reasons", theirs.pk)
    assert staff_client.post(url, {"action": "delete"}).status_code == 404
    assert staff_client.post(option_url(shop, "actions", theirs.pk)).status_code == 404
    assert staff_client.post(option_url(shop, "nonsense")).status_code == 404
    assert ReturnReason.objects.filter(pk=theirs.pk).exists()


def test_anonymous_visitors_are_sent_to_log_in(client, shop):
    for url in every_settings_url(shop, 1):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("backoffice:login"))


def test_every_tab_and_the_landing_page_open(staff_client, shop):
    landing = staff_client.get(landing_url(shop))
    assert landing.status_code == 200
    assert "Workflow" in landing.text
    assert workflow_url(shop) in landing.text
    for tab in TABS:
        response = staff_client.get(workflow_url(shop, tab))
        assert response.status_code == 200, tab
        assert 'aria-current="page"' in response.text
    statuses = staff_client.get(workflow_url(shop, "statuses")).text
    assert "The statuses are fixed so that reports, the API and integrations can rely on them" in (
        statuses
    )
    assert statuses.count("data-status-row=") == sum(len(s) for s in STATUSES.values())


def test_the_settings_menu_entry_opens_the_landing_page(staff_client, shop):
    page = staff_client.get(reverse("backoffice:overview", kwargs={"shop_slug": shop.slug})).text
    assert f'href="{landing_url(shop)}" data-menu-key="settings"' in page


# --- statuses ----------------------------------------------------------------------------------


def test_a_colour_shows_on_the_overview_and_the_customers_account_page(
    staff_client, shop, products, make_order
):
    from kantoor.customers.services import sign_up_customer

    customer = sign_up_customer(
        shop=shop,
        email="piet@example.test",
        password=PASSWORD,
        first_name="Piet",
        last_name="Pieters",
        language="en",
    )
    make_order(shop, products[2:], email=customer.email, account=customer)

    response = staff_client.post(
        workflow_url(shop, "statuses"),
        statuses_data(order__new__background="#111111", order__new__text="#fafafa"),
    )
    assert response.status_code == 302

    badge = 'data-status="order-new">New</span>'
    colours = Client().get(reverse("shops:status_colours", kwargs={"shop_slug": shop.slug}))
    assert colours["Content-Type"].startswith("text/css")
    assert '[data-status="order-new"]{background-color:#111111;color:#fafafa}' in colours.text
    overview = staff_client.get(reverse("backoffice:overview", kwargs={"shop_slug": shop.slug}))
    assert badge in overview.text
    customer_client = Client()
    customer_client.post(
        reverse("storefront:login", kwargs={"shop_slug": shop.slug}),
        {"email": customer.email, "password": PASSWORD},
    )
    account = customer_client.get(reverse("storefront:account", kwargs={"shop_slug": shop.slug}))
    assert badge in account.text
    stylesheet = reverse("shops:status_colours", kwargs={"shop_slug": shop.slug})
    assert stylesheet in overview.text and stylesheet in account.text
    assert SettingsChange.objects.filter(shop=shop, section="statuses").count() == 2


def test_a_label_shows_in_the_current_language(staff_client, shop):
    staff_client.post(
        workflow_url(shop, "statuses"),
        statuses_data(order__shipped__label_en="On its way", order__shipped__label_nl="Onderweg"),
    )
    page = staff_client.get(workflow_url(shop, "statuses"), headers={"accept-language": "en"})
    assert ">On its way</span>" in page.text
    page = staff_client.get(workflow_url(shop, "statuses"), headers={"accept-language": "nl"})
    assert ">Onderweg</span>" in page.text


def test_an_unreadable_colour_is_a_form_error_and_saves_nothing(staff_client, shop):
    before = snapshot(shop)
    response = staff_client.post(
        workflow_url(shop, "statuses"),
        statuses_data(
            order__shipped__background="#fef08a",
            order__shipped__text="#fde047",
        ),
    )
    assert response.status_code == 400
    assert "There is a problem; nothing was saved" in response.text
    assert "Text colour of Shipped: Hard to read: 1.1:1" in response.text
    row = response.text[response.text.index('data-status-row="order__shipped"') :]
    row = row[: row.index("</tr>")]
    # The warning beside the badge shows, and the text colour field says it is wrong.
    warning = re.search(r'<div class="kt-contrast-warning"([^>]*)>', row).group(1)
    assert "hidden" not in warning
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*order__shipped__text', row) or re.search(
        r'<input[^>]*order__shipped__text[^>]*aria-invalid="true"', row
    )
    assert 'value="#fde047"' in row  # what was typed is kept
    assert snapshot(shop) == before
    # A readable status has its warning hidden.
    row = response.text[response.text.index('data-status-row="order__new"') :]
    assert re.search(r'<div class="kt-contrast-warning" hidden', row[: row.index("</tr>")])


@pytest.mark.parametrize("colour", ["red", "#fff", "#12345g", "", "javascript:alert(1)"])
def test_an_invalid_colour_is_a_form_error_and_saves_nothing(staff_client, shop, colour):
    before = snapshot(shop)
    response = staff_client.post(
        workflow_url(shop, "statuses"),
        statuses_data(order__new__background="#000000", order__shipped__background=colour),
    )
    assert response.status_code == 400
    assert "There is a problem; nothing was saved" in response.text
    assert "Enter a colour as # and six hexadecimal digits" in response.text
    assert snapshot(shop) == before


def test_a_fixed_label_cannot_be_posted(staff_client, shop):
    staff_client.post(workflow_url(shop, "statuses"), statuses_data(order__new__label_en="Fresh"))
    assert not StatusAppearance.objects.filter(shop=shop).exists()


# --- numbers -----------------------------------------------------------------------------------


def test_a_new_prefix_leaves_existing_orders_and_numbers_the_next_one(
    staff_client, shop, products, make_order
):
    first = make_order(shop, products[2:])
    response = staff_client.post(
        workflow_url(shop, "numbers"),
        numbers_data(shop, order__prefix="WEB{year}-", order__padding=6),
    )
    assert response.status_code == 302
    year = first.created_at.astimezone().year
    page = staff_client.get(workflow_url(shop, "numbers")).text
    assert f"WEB{year}-000002" in page  # the preview of the next number

    second = make_order(shop, products[2:])
    first.refresh_from_db()
    assert first.number.startswith("ORD")
    assert second.number == f"WEB{year}-000002"
    assert SettingsChange.objects.filter(shop=shop, section="numbers").count() == 2


def test_a_colliding_prefix_is_refused_with_a_clear_message(staff_client, shop):
    order_with_number(shop, "OLD0001")
    before = snapshot(shop)
    response = staff_client.post(
        workflow_url(shop, "numbers"),
        numbers_data(shop, order__prefix="OLD", order__yearly_restart=""),
    )
    assert response.status_code == 400
    assert "A new document would get number OLD0001, which an existing document already" in (
        response.text
    )
    assert snapshot(shop) == before


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("ORD{day}-", "Unknown placeholder {day}"),
        ("ORD{year", "unmatched"),
        ("ORD-", "needs {year} in its prefix"),
    ],
)
def test_a_bad_prefix_is_a_form_error_and_saves_nothing(staff_client, shop, prefix, message):
    before = snapshot(shop)
    response = staff_client.post(
        workflow_url(shop, "numbers"),
        numbers_data(shop, order__prefix=prefix, credit_invoices_share_invoice_series="on"),
    )
    assert response.status_code == 400
    assert message in response.text
    assert snapshot(shop) == before


def test_credit_invoices_can_share_the_invoice_series(staff_client, shop):
    staff_client.post(
        workflow_url(shop, "numbers"),
        numbers_data(shop, credit_invoices_share_invoice_series="on"),
    )
    assert WorkflowSettings.objects.get(shop=shop).credit_invoices_share_invoice_series
    assert NumberSeries.objects.get(shop=shop, kind=DocumentKind.ORDER).prefix == "ORD{year}-"


# --- returns -----------------------------------------------------------------------------------


def test_return_settings_are_saved_and_recorded(staff_client, shop, owner):
    response = staff_client.post(workflow_url(shop, "returns"), RETURNS_DATA)
    assert response.status_code == 302
    settings = WorkflowSettings.objects.get(shop=shop)
    assert settings.return_period_days == 30
    assert settings.returns_for_guests is False
    assert settings.returns_intro_en == "Send it back within 30 days."
    fields = set(SettingsChange.objects.values_list("field", flat=True))
    assert fields == {
        "return_period_days",
        "returns_for_guests",
        "returns_intro_nl",
        "returns_intro_en",
    }
    landing = staff_client.get(landing_url(shop)).text
    assert "Changed by staff@example.test on" in landing
    assert "Return period in days" in landing


@pytest.mark.parametrize("period", ["366", "-1", "", "soon"])
def test_a_bad_return_period_saves_nothing(staff_client, shop, period):
    before = snapshot(shop)
    response = staff_client.post(
        workflow_url(shop, "returns"), {**RETURNS_DATA, "return_period_days": period}
    )
    assert response.status_code == 400
    assert "There is a problem; nothing was saved" in response.text
    assert snapshot(shop) == before


def test_reasons_are_added_renamed_moved_deactivated_and_deleted(staff_client, shop):
    for nl, en in [("Kapot", "Damaged"), ("Past niet", "Does not fit"), ("Verkeerd", "Wrong")]:
        response = staff_client.post(
            option_url(shop, "reasons"), {"reasons-add-label_nl": nl, "reasons-add-label_en": en}
        )
        assert response.status_code == 302
    damaged, fits, wrong = ReturnReason.objects.filter(shop=shop).order_by("position")

    staff_client.post(option_url(shop, "reasons", wrong.pk), {"action": "up"})
    assert list(
        ReturnReason.objects.filter(shop=shop).order_by("position").values_list("label_en", flat=1)
    ) == ["Damaged", "Wrong", "Does not fit"]

    staff_client.post(
        option_url(shop, "reasons", damaged.pk),
        {
            "action": "save",
            f"reasons-{damaged.pk}-label_nl": "Beschadigd",
            f"reasons-{damaged.pk}-label_en": "Damaged",
        },
    )
    staff_client.post(option_url(shop, "reasons", fits.pk), {"action": "deactivate"})
    staff_client.post(option_url(shop, "reasons", wrong.pk), {"action": "delete"})

    damaged.refresh_from_db()
    fits.refresh_from_db()
    assert damaged.label_nl == "Beschadigd"
    assert fits.active is False
    assert not ReturnReason.objects.filter(pk=wrong.pk).exists()
    page = staff_client.get(workflow_url(shop, "returns")).text
    assert "Inactive" in page and "Beschadigd" in page
    assert SettingsChange.objects.filter(shop=shop, section="returns").count() >= 7


@pytest.mark.parametrize("missing", ["label_nl", "label_en"])
def test_an_empty_reason_label_is_a_form_error_and_saves_nothing(staff_client, shop, missing):
    reason = add_return_option(
        shop=shop, user=None, list_name="reasons", label_nl="Kapot", label_en="Damaged"
    )
    before = snapshot(shop)
    data = {"reasons-add-label_nl": "Past niet", "reasons-add-label_en": "Does not fit"}
    data[f"reasons-add-{missing}"] = "  "
    response = staff_client.post(option_url(shop, "reasons"), data)
    assert response.status_code == 400
    assert "Enter the label in" in response.text
    assert "There is a problem; nothing was saved" in response.text
    assert 'value="Does not fit"' in response.text or 'value="Past niet"' in response.text

    rename = {
        "action": "save",
        f"reasons-{reason.pk}-label_nl": "Kapot",
        f"reasons-{reason.pk}-label_en": "Damaged",
    }
    rename[f"reasons-{reason.pk}-{missing}"] = ""
    response = staff_client.post(option_url(shop, "reasons", reason.pk), rename)
    assert response.status_code == 400
    assert "Enter the label in" in response.text
    assert snapshot(shop) == before


# --- modules -----------------------------------------------------------------------------------


def test_switching_a_module_off_hides_its_menu_entry(staff_client, shop, other_shop, make_staff):
    overview = reverse("backoffice:overview", kwargs={"shop_slug": shop.slug})
    assert 'data-menu-key="quotes"' in staff_client.get(overview).text

    response = staff_client.post(workflow_url(shop, "modules"), {"returns_enabled": "on"})
    assert response.status_code == 302

    page = staff_client.get(overview).text
    assert 'data-menu-key="quotes"' not in page
    assert 'data-menu-key="returns"' in page
    change = SettingsChange.objects.get(shop=shop)
    assert (change.field, change.before, change.after) == ("quotes_enabled", True, False)
    # The other shop keeps its menu.
    other = Client()
    other.force_login(make_staff(other_shop, email="other@example.test"))
    other_page = other.get(reverse("backoffice:overview", kwargs={"shop_slug": other_shop.slug}))
    assert 'data-menu-key="quotes"' in other_page.text


def test_status_colours_cost_one_query_per_page(staff_client, shop, django_assert_num_queries):
    update_status_appearances(
        shop=shop, user=None, looks={("order", "new"): StatusLook("#000000", "#ffffff")}
    )
    from kantoor.shops.context_processors import appearances_for_request

    class Request:
        shop = None

    request = Request()
    request.shop = shop
    with django_assert_num_queries(1):
        appearances_for_request(request)
        appearances_for_request(request).badge("order", OrderStatus.NEW.code)


QUOTES_DATA = {
    "quote_validity_days": "14",
    "quote_reminder_days": "3",
    "quotes_convert_on_acceptance": "on",
    "quote_terms_nl": "Prijzen geldig tot de datum op de offerte.",
    "quote_terms_en": "Prices valid until the date on the quote.",
}


def test_quote_settings_are_saved_and_recorded(staff_client, shop):
    page = staff_client.get(workflow_url(shop, "quotes"))
    assert page.status_code == 200 and 'id="quotes-form"' in page.text
    response = staff_client.post(workflow_url(shop, "quotes"), QUOTES_DATA)
    assert response.status_code == 302
    settings = WorkflowSettings.objects.get(shop=shop)
    assert settings.quote_validity_days == 14 and settings.quote_reminder_days == 3
    assert settings.quotes_convert_on_acceptance and not settings.quotes_from_cart
    assert settings.quote_terms_en == "Prices valid until the date on the quote."
    assert "quote_validity_days" in set(SettingsChange.objects.values_list("field", flat=True))


@pytest.mark.parametrize(
    ("name", "value"), [("quote_validity_days", "0"), ("quote_reminder_days", "61")]
)
def test_bad_quote_settings_save_nothing(staff_client, shop, name, value):
    before = snapshot(shop)
    response = staff_client.post(workflow_url(shop, "quotes"), {**QUOTES_DATA, name: value})
    assert response.status_code == 400
    assert "There is a problem; nothing was saved" in response.text
    assert snapshot(shop) == before
