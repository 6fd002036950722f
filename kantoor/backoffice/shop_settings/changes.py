"""Settings changes in the shop owner's words ("Order status Shipped: background colour")."""

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from kantoor.numbering.models import DocumentKind
from kantoor.shops.contrast import is_hex_colour
from kantoor.shops.document_statuses import StatusKind, status_for
from kantoor.shops.models import SettingsChange, WorkflowSettings

SECTION_LABELS = {
    "statuses": lambda: _("Statuses"),
    "numbers": lambda: _("Numbers"),
    "returns": lambda: _("Returns"),
    "modules": lambda: _("Modules"),
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
    return _("%(kind)s status “%(status)s”: %(what)s") % {
        "kind": StatusKind(kind).label,
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


def _returns_option_field(field: str) -> str:
    list_name, _pk, attr = field.split(".")
    what = {
        "label_nl": _("label (Dutch)"),
        "label_en": _("label (English)"),
        "active": _("active"),
        "position": _("position"),
    }.get(attr, attr)
    if list_name == "reasons":
        return _("Return reason: %(what)s") % {"what": what}
    return _("Return action: %(what)s") % {"what": what}


def describe(change: SettingsChange) -> str:
    field = change.field
    try:
        if change.section == "statuses":
            return _status_field(field)
        if change.section == "numbers" and "." in field:
            return _numbers_field(field)
        if change.section == "returns" and field.count(".") == 2:
            return _returns_option_field(field)
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


def change_lines(changes) -> list[ChangeLine]:
    return [
        ChangeLine(
            change=change,
            section=SECTION_LABELS.get(change.section, lambda c=change: c.section)(),
            what=describe(change),
            before=_display(change.before),
            after=_display(change.after),
            before_colour=isinstance(change.before, str) and is_hex_colour(change.before),
            after_colour=isinstance(change.after, str) and is_hex_colour(change.after),
        )
        for change in changes
    ]
