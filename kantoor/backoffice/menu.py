"""The back-office menu as data: one entry per area, grouped as the shop owner sees them.

Templates and URLs are driven by this list. An entry whose feature is not built yet has
``available=False``: its URL opens an honest "coming soon" page (see views.coming_soon), so the
menu never links to a page that does not exist. When an area is built, give it its own view in
urls.py and flip ``available``.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuEntry:
    key: str
    label: Promise
    icon: str  # a lucide icon name
    url_name: str  # in the "backoffice" namespace; takes the shop_slug argument
    available: bool
    path: str = ""  # URL path below /backoffice/<shop>/ ("" for the overview)
    description: Promise | str = ""  # one sentence: what the area is for (coming-soon page)
    # A module the shop can switch off (WorkflowSettings.<module>_enabled); hidden when off.
    module: str = ""


@dataclass(frozen=True)
class MenuGroup:
    key: str
    label: Promise
    entries: tuple[MenuEntry, ...]
    show_label: bool = True


OVERVIEW = MenuEntry(
    key="overview",
    label=_("Overview"),
    icon="house",
    url_name="backoffice:overview",
    available=True,
)

MENU: tuple[MenuGroup, ...] = (
    MenuGroup(
        key="home",
        label=_("Home"),
        show_label=False,
        entries=(OVERVIEW,),
    ),
    MenuGroup(
        key="my_orders",
        label=_("My orders"),
        entries=(
            MenuEntry(
                key="orders",
                label=_("Orders"),
                icon="package",
                url_name="backoffice:orders",
                available=True,
                path="orders",
                description=_(
                    "Find, filter and open your orders, change their status and edit them."
                ),
            ),
            MenuEntry(
                key="customers",
                label=_("Customers"),
                icon="users",
                url_name="backoffice:customers",
                available=True,
                path="customers",
                description=_("Your customers, their details and the orders they placed."),
            ),
            MenuEntry(
                key="invoices",
                label=_("Invoices"),
                icon="receipt-text",
                url_name="backoffice:invoices",
                available=True,
                path="invoices",
                description=_(
                    "All invoices and credit invoices of your orders, with whether they are "
                    "paid, as PDF and UBL."
                ),
            ),
            MenuEntry(
                key="quotes",
                label=_("Quotes"),
                icon="file-pen-line",
                url_name="backoffice:quotes",
                available=True,
                path="quotes",
                module="quotes",
                description=_(
                    "Write quotes, send them to your customers and turn accepted quotes "
                    "into orders."
                ),
            ),
            MenuEntry(
                key="returns",
                label=_("Returns"),
                icon="undo-2",
                url_name="backoffice:returns",
                available=True,
                path="returns",
                module="returns",
                description=_(
                    "Handle the returns your customers ask for: approve them, receive the "
                    "goods and refund."
                ),
            ),
            MenuEntry(
                key="payments",
                label=_("Payments"),
                icon="credit-card",
                url_name="backoffice:payments",
                available=True,
                path="payments",
                description=_(
                    "Every payment your customers made, and the payment links you sent them."
                ),
            ),
            MenuEntry(
                key="statistics",
                label=_("Statistics"),
                icon="chart-column",
                url_name="backoffice:statistics",
                available=True,
                path="statistics",
                description=_("Revenue, orders and best-selling products over time."),
            ),
            MenuEntry(
                key="export",
                label=_("Export"),
                icon="download",
                url_name="backoffice:export",
                available=True,
                path="export",
                description=_(
                    "Orders, invoices, payments, customers and products as a spreadsheet."
                ),
            ),
        ),
    ),
    MenuGroup(
        key="settings",
        label=_("Settings"),
        show_label=False,
        entries=(
            MenuEntry(
                key="settings",
                label=_("Settings"),
                icon="settings",
                url_name="backoffice:settings",
                available=True,
                path="settings",
                description=_(
                    "Your shop's details, workflow, document numbers, status colours and "
                    "e-mail templates."
                ),
            ),
        ),
    ),
)


def all_entries() -> list[MenuEntry]:
    return [entry for group in MENU for entry in group.entries]


def entry_by_key(key: str) -> MenuEntry:
    for entry in all_entries():
        if entry.key == key:
            return entry
    raise KeyError(key)
