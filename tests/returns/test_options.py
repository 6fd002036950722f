"""Return reasons and actions: labels required, orderable, deactivatable, deleted only unused."""

import pytest
from django.core.exceptions import ValidationError

from kantoor.core.actors import Actor
from kantoor.returns import selectors, services
from kantoor.returns.models import ReturnAction, ReturnReason, ReturnSource
from kantoor.returns.services import RequestedLine, request_return
from kantoor.shops.models import SettingsChange


def add(shop, list_name="reasons", nl="Kapot", en="Damaged"):
    return services.add_return_option(
        shop=shop, user=None, list_name=list_name, label_nl=nl, label_en=en
    )


def labels(shop, list_name="reasons", **kw):
    return [o.label_en for o in selectors.return_options(shop=shop, list_name=list_name, **kw)]


def test_reasons_and_actions_are_separate_lists_per_shop(shop, other_shop):
    add(shop)
    add(shop, "actions", "Ruilen", "Exchange")
    add(other_shop, nl="Te laat", en="Too late")
    assert labels(shop) == ["Damaged"]
    assert labels(shop, "actions") == ["Exchange"]
    assert labels(other_shop) == ["Too late"]
    assert ReturnAction.objects.get().label_for("nl") == "Ruilen"


@pytest.mark.parametrize(("nl", "en"), [("", "Damaged"), ("Kapot", "  "), ("", "")])
def test_both_labels_are_required(shop, nl, en):
    with pytest.raises(ValidationError):
        add(shop, nl=nl, en=en)
    assert not ReturnReason.objects.exists()
    assert not SettingsChange.objects.exists()


def test_moving_swaps_with_the_neighbour_and_stops_at_the_ends(shop):
    a, b, c = add(shop, en="A"), add(shop, en="B"), add(shop, en="C")
    services.move_return_option(shop=shop, user=None, list_name="reasons", pk=c.pk, direction="up")
    assert labels(shop) == ["A", "C", "B"]
    services.move_return_option(shop=shop, user=None, list_name="reasons", pk=a.pk, direction="up")
    services.move_return_option(
        shop=shop, user=None, list_name="reasons", pk=b.pk, direction="down"
    )
    assert labels(shop) == ["A", "C", "B"]


def test_a_deactivated_entry_is_kept_but_not_offered(shop):
    reason = add(shop)
    services.set_return_option_active(
        shop=shop, user=None, list_name="reasons", pk=reason.pk, active=False
    )
    assert labels(shop) == ["Damaged"]
    assert labels(shop, active_only=True) == []
    assert SettingsChange.objects.filter(field=f"reasons.{reason.pk}.active").get().after is False


def test_an_entry_a_return_uses_cannot_be_deleted(shop, delivered_order, reasons, actions):
    line = delivered_order.lines.first()
    request_return(
        shop=shop,
        order=delivered_order,
        lines=[RequestedLine(line.pk, 1, reasons[0].pk, actions[0].pk)],
        source=ReturnSource.ACCOUNT,
        actor=Actor.customer(delivered_order.email),
    )
    for list_name, used in (("reasons", reasons[0]), ("actions", actions[0])):
        with pytest.raises(services.OptionInUse, match="deactivate it instead"):
            services.delete_return_option(shop=shop, user=None, list_name=list_name, pk=used.pk)
    assert ReturnReason.objects.filter(pk=reasons[0].pk).exists()
    services.delete_return_option(shop=shop, user=None, list_name="reasons", pk=reasons[1].pk)
    assert not ReturnReason.objects.filter(pk=reasons[1].pk).exists()


def test_an_unused_entry_is_deleted_and_the_deletion_recorded(shop, owner):
    reason = add(shop)
    services.delete_return_option(shop=shop, user=owner, list_name="reasons", pk=reason.pk)
    assert not ReturnReason.objects.exists()
    change = SettingsChange.objects.get(field=f"reasons.{reason.pk}.label_en", after__isnull=True)
    assert change.before == "Damaged" and change.user == owner


def test_another_shops_entry_cannot_be_changed(shop, other_shop):
    theirs = add(other_shop)
    with pytest.raises(ReturnReason.DoesNotExist):
        services.delete_return_option(shop=shop, user=None, list_name="reasons", pk=theirs.pk)
    with pytest.raises(ReturnReason.DoesNotExist):
        services.move_return_option(
            shop=shop, user=None, list_name="reasons", pk=theirs.pk, direction="up"
        )
