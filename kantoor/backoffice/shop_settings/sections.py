"""The settings landing page as data: one entry per settings page, grouped as the owner sees them.

To add a settings page, add one ``SettingsSection`` here (its ``url_name`` in the "backoffice"
namespace takes ``shop_slug``); the landing page lists it. ``audit_sections`` are the
SettingsChange sections the page writes (its recent changes show on the landing page).
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class SettingsSection:
    key: str
    group: Promise
    label: Promise
    description: Promise
    icon: str  # a lucide icon name
    url_name: str
    audit_sections: tuple[str, ...] = ()


ORDER_PROCESS = _("Order process & stock")
COMMUNICATION = _("Customer communication")
PAYMENTS = _("Payments")

SECTIONS: tuple[SettingsSection, ...] = (
    SettingsSection(
        key="workflow",
        group=ORDER_PROCESS,
        label=_("Workflow"),
        description=_(
            "Status colours and labels, document numbers, quotes, returns and the modules you use."
        ),
        icon="workflow",
        url_name="backoffice:settings_workflow",
        audit_sections=("statuses", "numbers", "payments", "quotes", "returns", "modules"),
    ),
    SettingsSection(
        key="payments",
        group=PAYMENTS,
        label=_("Payments"),
        description=_(
            "How your customers pay: the demo provider (test mode) or Mollie, with its API key."
        ),
        icon="credit-card",
        url_name="backoffice:settings_payments",
        audit_sections=("payment_provider",),
    ),
    SettingsSection(
        key="emails",
        group=COMMUNICATION,
        label=_("E-mails"),
        description=_(
            "The e-mails your customers get (order confirmation, status changes …) and "
            "which status changes send one."
        ),
        icon="mail",
        url_name="backoffice:settings_emails",
    ),
)


def grouped_sections() -> list[tuple[Promise, list[SettingsSection]]]:
    groups: dict[str, tuple[Promise, list[SettingsSection]]] = {}
    for section in SECTIONS:
        groups.setdefault(str(section.group), (section.group, []))[1].append(section)
    return list(groups.values())
