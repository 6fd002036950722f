"""Workflow settings as services: statuses, modules, numbering; every change recorded."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from kantoor.core.statuses import OrderStatus
from kantoor.numbering.models import DocumentKind, NumberSeries
from kantoor.numbering.selectors import preview_numbers, register_numbered_document
from kantoor.numbering.services import allocate_number
from kantoor.orders.templatetags.order_status import render_status_badge
from kantoor.shops.contrast import contrast_ratio, is_hex_colour, is_readable, relative_luminance
from kantoor.shops.document_statuses import STATUSES, StatusKind, all_statuses
from kantoor.shops.models import SettingsChange, StatusAppearance, WorkflowSettings
from kantoor.shops.selectors import status_appearances_for, workflow_settings_for
from kantoor.shops.services import (
    NumberingError,
    SeriesSettings,
    StatusLook,
    UnreadableStatusColours,
    change_numbering,
    update_status_appearances,
    update_workflow_settings,
)
from kantoor.shops.status_colours import status_colours_css
from tests.shops.helpers import order_with_number

SHIPPED = (StatusKind.ORDER, "shipped")


# --- contrast (pure) ---------------------------------------------------------------------------


def test_contrast_of_black_on_white_is_21_and_of_a_colour_on_itself_1():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#1e3a8a", "#1e3a8a") == pytest.approx(1.0)


def test_contrast_matches_known_wcag_values():
    # Known values from WebAIM's contrast checker.
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert not is_readable("#777777", "#ffffff")
    assert is_readable("#767676", "#ffffff")
    assert relative_luminance("#FFFFFF") == pytest.approx(1.0)


@pytest.mark.parametrize("value", ["red", "#fff", "#12345g", "", "1e3a8a", "#1e3a8a ", None])
def test_only_rrggbb_is_a_colour(value):
    assert not is_hex_colour(value)
    if value:
        with pytest.raises(ValueError):
            relative_luminance(value)


def test_every_default_status_colour_is_readable():
    for status in all_statuses():
        assert is_readable(status.text, status.background), status


def test_the_status_lists_are_the_fixed_lists_of_design_md():
    assert [s.code for s in STATUSES[StatusKind.ORDER]] == [s.code for s in OrderStatus]
    # DESIGN.md: "invoice: unpaid, paid, credited (refunded)": the states an Invoice can be in.
    invoice_codes = [s.code for s in STATUSES[StatusKind.INVOICE]]
    assert invoice_codes == ["unpaid", "paid", "credited", "refunded"]
    assert len(STATUSES[StatusKind.QUOTE]) == 7
    returns = {s.code: s.label_fixed for s in STATUSES[StatusKind.RETURN]}
    assert [code for code, fixed in returns.items() if not fixed] == [
        "custom_1",
        "custom_2",
        "custom_3",
    ]
    orders = {s.code: s.label_fixed for s in STATUSES[StatusKind.ORDER]}
    assert {code for code, fixed in orders.items() if fixed} == {"new", "completed", "cancelled"}


# --- statuses ------------------------------------------------------------------------------------


def test_a_shop_colours_a_status_and_the_change_is_recorded(shop, other_shop, owner):
    changed = update_status_appearances(
        shop=shop,
        user=owner,
        looks={SHIPPED: StatusLook("#000000", "#FFFFFF", label_en="On its way")},
    )

    assert changed == 3
    badge = status_appearances_for(shop=shop).badge(*SHIPPED, language="en")
    assert (badge.background, badge.text, badge.label) == ("#000000", "#ffffff", "On its way")
    assert status_appearances_for(shop=shop).badge(*SHIPPED, language="nl").label == "Shipped"
    # Another shop still sees the defaults.
    other = status_appearances_for(shop=other_shop).badge(*SHIPPED)
    assert other.background == "#cffafe"
    change = SettingsChange.objects.get(shop=shop, field="order.shipped.background")
    assert (change.before, change.after, change.user, change.section) == (
        "#cffafe",
        "#000000",
        owner,
        "statuses",
    )


def test_back_to_the_default_look_removes_the_row(shop, owner):
    update_status_appearances(
        shop=shop, user=owner, looks={SHIPPED: StatusLook("#000000", "#fff000")}
    )
    update_status_appearances(
        shop=shop, user=owner, looks={SHIPPED: StatusLook("#cffafe", "#164e63")}
    )
    assert not StatusAppearance.objects.filter(shop=shop).exists()
    assert SettingsChange.objects.filter(shop=shop).count() == 4


def test_saving_the_same_look_records_nothing(shop, owner):
    update_status_appearances(
        shop=shop, user=owner, looks={SHIPPED: StatusLook("#cffafe", "#164e63")}
    )
    assert not SettingsChange.objects.exists()


def test_an_invalid_colour_or_a_fixed_label_changes_nothing(shop, owner):
    with pytest.raises(ValidationError):
        update_status_appearances(
            shop=shop,
            user=owner,
            looks={
                (StatusKind.ORDER, "in_process"): StatusLook("#000000", "#ffffff"),
                SHIPPED: StatusLook("blue", "#ffffff"),
            },
        )
    with pytest.raises(ValidationError):
        update_status_appearances(
            shop=shop,
            user=owner,
            looks={(StatusKind.ORDER, "new"): StatusLook("#000000", "#ffffff", label_en="Fresh")},
        )
    assert not StatusAppearance.objects.exists()
    assert not SettingsChange.objects.exists()


@pytest.mark.parametrize(
    ("background", "text"),
    [
        ("#fef08a", "#fde047"),
        ("#ffffff", "#eeeeee"),
        ("#ffffff", "#777777"),
        ("#000000", "#3a3a3a"),
    ],
)
def test_colours_that_are_hard_to_read_are_refused_and_change_nothing(
    shop, owner, background, text
):
    """WCAG AA: text and background of a badge contrast at least 4.5:1 (#777 on white is 4.48)."""
    readable = (StatusKind.ORDER, "in_process")
    with pytest.raises(UnreadableStatusColours) as refused:
        update_status_appearances(
            shop=shop,
            user=owner,
            looks={
                readable: StatusLook("#000000", "#ffffff"),
                SHIPPED: StatusLook(background, text),
            },
        )
    assert set(refused.value.errors) == {SHIPPED}
    assert "4.5:1" in refused.value.errors[SHIPPED]
    assert not StatusAppearance.objects.exists()
    assert not SettingsChange.objects.exists()


def test_the_badge_draws_the_shops_colours_and_escapes_the_label(shop, owner):
    update_status_appearances(
        shop=shop,
        user=owner,
        looks={
            (StatusKind.RETURN, "custom_1"): StatusLook(
                "#000000", "#ffffff", label_en="<b>Waiting</b>"
            )
        },
    )
    html = render_status_badge(
        "custom_1", kind=StatusKind.RETURN, appearances=status_appearances_for(shop=shop)
    )
    # The colours are the shop's stylesheet's (no inline style: the Content-Security-Policy).
    assert 'data-status="return-custom_1"' in html and "style=" not in html
    assert "&lt;b&gt;Waiting&lt;/b&gt;" in html
    css = status_colours_css(status_appearances_for(shop=shop))
    assert '[data-status="return-custom_1"]{background-color:#000000;color:#ffffff}' in css
    assert '[data-status="order-shipped"]{background-color:#cffafe;' in css
    assert 'data-status="order-shipped"' in render_status_badge(OrderStatus.SHIPPED)


# --- workflow settings ----------------------------------------------------------------------


def test_settings_are_made_on_demand_and_changes_are_recorded(shop, owner):
    assert workflow_settings_for(shop=shop).pk is None  # defaults, nothing written on read
    assert not WorkflowSettings.objects.exists()

    update_workflow_settings(
        shop=shop, user=owner, section="modules", values={"quotes_enabled": False}
    )

    assert WorkflowSettings.objects.get(shop=shop).quotes_enabled is False
    change = SettingsChange.objects.get()
    assert (change.field, change.before, change.after) == ("quotes_enabled", True, False)


def test_a_section_changes_only_its_own_fields(shop, owner):
    with pytest.raises(ValueError):
        update_workflow_settings(
            shop=shop, user=owner, section="modules", values={"return_period_days": 30}
        )


def test_a_return_period_over_a_year_is_refused(shop, owner):
    with pytest.raises(ValidationError):
        update_workflow_settings(
            shop=shop, user=owner, section="returns", values={"return_period_days": 366}
        )
    assert not SettingsChange.objects.exists()


# --- numbering ------------------------------------------------------------------------------

D = datetime.date(2026, 5, 4)


def series_settings(shop, **overrides):
    row = NumberSeries.objects.get(shop=shop, kind=DocumentKind.ORDER)
    values = {"prefix": row.prefix, "padding": row.padding, "yearly_restart": row.yearly_restart}
    return {DocumentKind.ORDER: SeriesSettings(**{**values, **overrides})}


def test_a_new_prefix_numbers_new_orders_only(shop, owner, products, make_order):
    first = make_order(shop, products[2:])
    change_numbering(
        shop=shop, user=owner, series=series_settings(shop, prefix="WEB{year}{month}-")
    )
    second = make_order(shop, products[2:])

    first.refresh_from_db()
    assert first.number.startswith("ORD")
    year_month = second.created_at.astimezone().strftime("%Y%m")
    assert second.number == f"WEB{year_month}-0002"
    change = SettingsChange.objects.get(field="order.prefix")
    assert (change.before, change.after) == ("ORD{year}-", "WEB{year}{month}-")


def test_a_prefix_that_would_repeat_an_existing_number_is_refused(shop, owner):
    with transaction.atomic():
        for _ in range(3):
            allocate_number(shop=shop, kind=DocumentKind.ORDER, on=D)
    # An older order numbered like the new series would number its next orders: 2026-0004 …
    order_with_number(shop, "2026-0010")
    with pytest.raises(NumberingError) as info:
        change_numbering(
            shop=shop, user=owner, series=series_settings(shop, prefix="{year}-"), on=D
        )
    assert "2026-0010" in info.value.errors[DocumentKind.ORDER]
    assert NumberSeries.objects.get(shop=shop, kind=DocumentKind.ORDER).prefix == "ORD{year}-"
    assert not SettingsChange.objects.exists()


def test_switching_off_the_yearly_restart_is_checked_too(shop, owner):
    order_with_number(shop, "ORD2026-0001")
    with pytest.raises(NumberingError):
        change_numbering(
            shop=shop,
            user=owner,
            series=series_settings(shop, prefix="ORD2026-", yearly_restart=False),
            on=D,
        )


def test_an_unknown_placeholder_is_refused_and_nothing_changes(shop, owner):
    with pytest.raises(NumberingError) as info:
        change_numbering(
            shop=shop,
            user=owner,
            series=series_settings(shop, prefix="ORD{day}-"),
            credit_invoices_share_invoice_series=True,
        )
    assert "{day}" in info.value.errors[DocumentKind.ORDER]
    assert workflow_settings_for(shop=shop).credit_invoices_share_invoice_series is False
    assert not SettingsChange.objects.exists()


def test_registered_document_kinds_take_part_in_the_collision_check(shop, owner, monkeypatch):
    from kantoor.numbering import selectors

    monkeypatch.setattr(
        selectors,
        "NUMBERED_DOCUMENTS",
        {k: list(v) for k, v in selectors.NUMBERED_DOCUMENTS.items()},
    )
    register_numbered_document(DocumentKind.QUOTE, "orders.Order")  # stand-in model with numbers

    order_with_number(shop, "Q0001")
    with pytest.raises(NumberingError):
        change_numbering(
            shop=shop,
            user=owner,
            series={DocumentKind.QUOTE: SeriesSettings("Q", 4, False)},
        )


def test_preview_numbers_uses_unsaved_settings(shop):
    with transaction.atomic():
        allocate_number(shop=shop, kind=DocumentKind.ORDER, on=D)
    assert preview_numbers(
        shop=shop,
        kind=DocumentKind.ORDER,
        prefix="W{month}/",
        padding=2,
        yearly_restart=True,
        count=2,
        on=D,
    ) == ["W05/02", "W05/03"]
