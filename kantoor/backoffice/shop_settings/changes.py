"""Settings changes in the shop owner's words ("Order status Shipped: background colour")."""

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kantoor.core.parsing import parse_id
from kantoor.core.statuses import OrderStatus
from kantoor.numbering.models import DocumentKind
from kantoor.payments.models import Provider
from kantoor.returns.selectors import OPTION_MODELS
from kantoor.shops.contrast import is_hex_colour
from kantoor.shops.document_statuses import StatusKind, status_for
from kantoor.shops.models import SettingsChange, WorkflowSettings

SECTION_LABELS = {
    "statuses": lambda: _("Statuses"),
    "numbers": lambda: _("Numbers"),
    "quotes": lambda: _("Quotes"),
    "returns": lambda: _("Returns"),
    "modules": lambda: _("Modules"),
    "payments": lambda: _("Payments"),
    "payment_provider": lambda: _("Payment provider"),
}


@dataclass(frozen=True)
class ChangeLine:
    change: SettingsChange
    section: str
    what: str
    before: object
    after: object
    before_colour: bool
    after_colour: bool


def _status_field(field: str) -> str:
    kind, code, attr = field.split(".")
    status = status_for(kind, code)
    attrs = {
        "background": _("background colour"),
        "text": _("text colour"),
        "label_nl": _("label (Dutch)"),
        "label_en": _("label (English)"),
    }
    kinds = {
        StatusKind.ORDER: _("Order status"),
        StatusKind.INVOICE: _("Invoice status"),
        StatusKind.QUOTE: _("Quote status"),
        StatusKind.RETURN: _("Return status"),
    }
    return _("%(kind)s “%(status)s”: %(what)s") % {
        "kind": kinds[kind],
        "status": status.label,
        "what": attrs.get(attr, attr),
    }


def _numbers_field(field: str) -> str:
    kind, attr = field.split(".")
    attrs = {
        "prefix": _("prefix"),
        "padding": _("digits"),
        "yearly_restart": _("restart every year"),
    }
    return _("%(kind)s numbers: %(what)s") % {
        "kind": DocumentKind(kind).label,
        "what": attrs.get(attr, attr),
    }


def _returns_option_field(field: str, names: dict) -> str:
    list_name, pk, attr = field.split(".")
    name = names.get((list_name, int(pk)))
    what = {
        "label_nl": _("label (Dutch)"),
        "label_en": _("label (English)"),
        "active": _("active"),
        "position": _("position"),
    }.get(attr, attr)
    if name is None:  # deleted since
        if list_name == "reasons":
            return _("Return reason: %(what)s") % {"what": what}
        return _("Return action: %(what)s") % {"what": what}
    if list_name == "reasons":
        return _("Return reason “%(name)s”: %(what)s") % {"name": name, "what": what}
    return _("Return action “%(name)s”: %(what)s") % {"name": name, "what": what}


def describe(change: SettingsChange, names: dict | None = None) -> str:
    field = change.field
    try:
        if change.section == "statuses":
            return _status_field(field)
        if change.section == "numbers" and "." in field:
            return _numbers_field(field)
        if change.section == "returns" and field.count(".") == 2:
            return _returns_option_field(field, names or {})
        if change.section == "payment_provider":
            return {"provider": _("Payment provider"), "mollie_api_key": _("Mollie API key")}[field]
        return str(WorkflowSettings._meta.get_field(field).verbose_name).capitalize()
    except (KeyError, ValueError, FieldDoesNotExist):  # an unknown field: show it as it is
        return field


def _display(value):
    if value is True:
        return _("on")
    if value is False:
        return _("off")
    if value in (None, "", {}):
        return "—"
    return value


def _option_names(changes) -> dict:
    """The current labels of the return reasons and actions these changes mention (2 queries)."""
    wanted: dict[str, set[int]] = {}
    for change in changes:
        parts = change.field.split(".")
        option_id = parse_id(parts[1]) if len(parts) == 3 else None
        if change.section == "returns" and option_id is not None:
            wanted.setdefault(parts[0], set()).add(option_id)
    language = get_language() or "en"
    names = {}
    for list_name, pks in wanted.items():
        model = OPTION_MODELS.get(list_name)
        if model is not None:
            shop_id = changes[0].shop_id
            for option in model.objects.filter(shop_id=shop_id, pk__in=pks):
                names[(list_name, option.pk)] = option.label_for(language)
    return names


def _value(change: SettingsChange, value):
    """A value as the owner knows it: a status by its name, a provider by its name."""
    if change.field == "status_when_paid":
        if value in (None, ""):
            return _("keep the status")
        try:
            return str(OrderStatus(int(value)).label)
        except (TypeError, ValueError):
            return value
    if change.section == "payment_provider" and change.field == "provider" and value:
        try:
            return str(Provider(value).label)
        except ValueError:
            return value
    return _display(value)


def change_lines(changes) -> list[ChangeLine]:
    changes = list(changes)
    names = _option_names(changes)
    return [
        ChangeLine(
            change=change,
            section=SECTION_LABELS.get(change.section, lambda c=change: c.section)(),
            what=describe(change, names),
            before=_value(change, change.before),
            after=_value(change, change.after),
            before_colour=isinstance(change.before, str) and is_hex_colour(change.before),
            after_colour=isinstance(change.after, str) and is_hex_colour(change.after),
        )
        for change in changes
    ]
