"""The fixed status lists of every document kind, with their default colours (DESIGN.md).

Shops cannot add statuses: reports, the API and integrations rely on these codes. A shop may
give each status other colours and, where ``label_fixed`` is False, another label per language
(``StatusAppearance``). Order statuses come from ``kantoor.core.statuses`` (a pure module: the
one list of order statuses); the other kinds' lists live here until their apps exist, and those
apps read them from here.

Which labels are fixed: for orders the ones DESIGN.md names (new, completed, cancelled); invoice
and quote statuses carry a legal or contractual meaning (paid, credited, accepted …), so their
labels are fixed; of the return statuses only the three custom ones get the shop's own labels.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kantoor.core.statuses import DEFAULT_COLOURS, FIXED_LABEL_STATUSES, OrderStatus


class StatusKind(models.TextChoices):
    ORDER = "order", _("Orders")
    INVOICE = "invoice", _("Invoices")
    QUOTE = "quote", _("Quotes")
    RETURN = "return", _("Returns")


@dataclass(frozen=True)
class DocumentStatus:
    kind: str
    code: str
    label: Promise
    background: str
    text: str
    label_fixed: bool = True


def _order_statuses() -> tuple[DocumentStatus, ...]:
    return tuple(
        DocumentStatus(
            kind=StatusKind.ORDER,
            code=status.code,
            label=status.label,
            background=DEFAULT_COLOURS[status][0],
            text=DEFAULT_COLOURS[status][1],
            label_fixed=status in FIXED_LABEL_STATUSES,
        )
        for status in OrderStatus
    )


def _statuses(kind: str, rows) -> tuple[DocumentStatus, ...]:
    return tuple(DocumentStatus(kind, *row) for row in rows)


STATUSES: dict[str, tuple[DocumentStatus, ...]] = {
    StatusKind.ORDER: _order_statuses(),
    StatusKind.INVOICE: _statuses(
        StatusKind.INVOICE,
        [
            ("unpaid", _("Unpaid"), "#ffedd5", "#7c2d12"),
            ("paid", _("Paid"), "#dcfce7", "#14532d"),
            ("credited", _("Credited"), "#f3f4f6", "#374151"),
            ("refunded", _("Refunded"), "#e0e7ff", "#312e81"),
        ],
    ),
    StatusKind.QUOTE: _statuses(
        StatusKind.QUOTE,
        [
            ("concept", _("Concept"), "#f1f5f9", "#0f172a"),
            ("requested", _("Requested"), "#fef3c7", "#78350f"),
            ("sent", _("Sent"), "#dbeafe", "#1e3a8a"),
            ("accepted", _("Accepted"), "#dcfce7", "#14532d"),
            ("rejected", _("Rejected"), "#fee2e2", "#7f1d1d"),
            ("expired", _("Expired"), "#f3f4f6", "#374151"),
            ("converted", _("Converted to order"), "#ccfbf1", "#134e4a"),
        ],
    ),
    StatusKind.RETURN: _statuses(
        StatusKind.RETURN,
        [
            ("new", _("New"), "#dbeafe", "#1e3a8a", True),
            ("processing", _("Processing"), "#fef3c7", "#78350f", True),
            ("custom_1", _("Custom status 1"), "#ede9fe", "#4c1d95", False),
            ("custom_2", _("Custom status 2"), "#fae8ff", "#701a75", False),
            ("custom_3", _("Custom status 3"), "#e0e7ff", "#312e81", False),
            ("cancelled", _("Cancelled"), "#f3f4f6", "#374151", True),
            ("completed", _("Completed"), "#dcfce7", "#14532d", True),
            ("credited", _("Credited"), "#ccfbf1", "#134e4a", True),
        ],
    ),
}


def all_statuses() -> list[DocumentStatus]:
    return [status for statuses in STATUSES.values() for status in statuses]


def status_for(kind: str, code: str) -> DocumentStatus:
    for status in STATUSES[kind]:
        if status.code == code:
            return status
    raise KeyError(f"{kind}:{code}")


def order_status_code(status: int) -> str:
    return OrderStatus(int(status)).code
