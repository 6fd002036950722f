"""Changes to a shop's return reasons and actions (workflow settings, Returns tab).

Each runs in one transaction and records a SettingsChange (section "returns", field
``reasons.<id>.<what>`` or ``actions.<id>.<what>``).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kantoor.core.errors import KantoorError
from kantoor.returns.selectors import OPTION_MODELS, return_option_in_use
from kantoor.shops.audit import record_changes
from kantoor.shops.models import Shop, User


class OptionInUse(KantoorError):
    """A reason or action that returns use cannot be deleted; deactivate it instead."""

    code = "option_in_use"


def _clean_labels(label_nl: str, label_en: str) -> tuple[str, str]:
    label_nl, label_en = (label_nl or "").strip(), (label_en or "").strip()
    errors = {}
    if not label_nl:
        errors["label_nl"] = _("Enter the label in Dutch.")
    if not label_en:
        errors["label_en"] = _("Enter the label in English.")
    if errors:
        raise ValidationError(errors)
    return label_nl, label_en


def _record(option, list_name: str, *, user, before: dict, after: dict) -> None:
    prefix = f"{list_name}.{option.pk}."
    record_changes(
        shop=option.shop,
        user=user,
        section="returns",
        before={prefix + k: v for k, v in before.items()},
        after={prefix + k: v for k, v in after.items()},
    )


def _locked(*, shop: Shop, list_name: str, pk: int):
    return OPTION_MODELS[list_name].objects.select_for_update().get(shop=shop, pk=pk)


@transaction.atomic
def add_return_option(
    *, shop: Shop, user: User | None, list_name: str, label_nl: str, label_en: str
):
    """Add a reason or action at the end of the list."""
    label_nl, label_en = _clean_labels(label_nl, label_en)
    model = OPTION_MODELS[list_name]
    last = model.objects.filter(shop=shop).aggregate(m=Max("position"))["m"]
    option = model.objects.create(
        shop=shop,
        label_nl=label_nl,
        label_en=label_en,
        position=0 if last is None else last + 1,
    )
    after = {"label_nl": label_nl, "label_en": label_en}
    _record(option, list_name, user=user, before={}, after=after)
    return option


@transaction.atomic
def rename_return_option(
    *, shop: Shop, user: User | None, list_name: str, pk: int, label_nl: str, label_en: str
):
    label_nl, label_en = _clean_labels(label_nl, label_en)
    option = _locked(shop=shop, list_name=list_name, pk=pk)
    before = {"label_nl": option.label_nl, "label_en": option.label_en}
    option.label_nl, option.label_en = label_nl, label_en
    option.save(update_fields=["label_nl", "label_en"])
    _record(
        option,
        list_name,
        user=user,
        before=before,
        after={**before, **{"label_nl": label_nl, "label_en": label_en}},
    )
    return option


@transaction.atomic
def set_return_option_active(
    *, shop: Shop, user: User | None, list_name: str, pk: int, active: bool
):
    """Deactivate (hide from the return form, keep for the returns that use it) or reactivate."""
    option = _locked(shop=shop, list_name=list_name, pk=pk)
    if option.active != active:
        before = {"active": option.active}
        option.active = active
        option.save(update_fields=["active"])
        _record(option, list_name, user=user, before=before, after={"active": active})
    return option


@transaction.atomic
def move_return_option(
    *, shop: Shop, user: User | None, list_name: str, pk: int, direction: str
) -> None:
    """Swap an entry with its neighbour above ("up") or below ("down")."""
    if direction not in {"up", "down"}:
        raise ValueError(direction)
    model = OPTION_MODELS[list_name]
    options = list(model.objects.select_for_update().filter(shop=shop).order_by("position", "pk"))
    index = next((i for i, o in enumerate(options) if o.pk == pk), None)
    if index is None:
        raise model.DoesNotExist
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(options):
        return
    options[index], options[other] = options[other], options[index]
    before = {o.pk: o.position for o in options}
    for position, option in enumerate(options):
        option.position = position
    changed = [o for o in options if before[o.pk] != o.position]
    model.objects.bulk_update(changed, ["position"])
    moved = options[other]
    _record(
        moved,
        list_name,
        user=user,
        before={"position": index + 1},
        after={"position": other + 1},
    )


@transaction.atomic
def delete_return_option(*, shop: Shop, user: User | None, list_name: str, pk: int) -> None:
    """Delete an entry that no return uses; one that is used can only be deactivated."""
    option = _locked(shop=shop, list_name=list_name, pk=pk)
    if return_option_in_use(option):
        raise OptionInUse(_("Returns use “%(label)s”: deactivate it instead.") % {"label": option})
    before = {"label_nl": option.label_nl, "label_en": option.label_en}
    _record(option, list_name, user=user, before=before, after={})
    option.delete()
