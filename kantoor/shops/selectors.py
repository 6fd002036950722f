from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils import translation

from kantoor.core.statuses import OrderStatus
from kantoor.shops.contrast import MIN_CONTRAST, contrast_ratio
from kantoor.shops.document_statuses import (
    DocumentStatus,
    StatusKind,
    order_status_code,
    status_for,
)
from kantoor.shops.models import (
    Membership,
    SettingsChange,
    Shop,
    StatusAppearance,
    User,
    WorkflowSettings,
)


def shops_for_user(*, user: User) -> QuerySet[Shop]:
    """The shops whose back office this user may open, by name."""
    if not user.is_authenticated:
        return Shop.objects.none()
    return Shop.objects.filter(memberships__user=user).order_by("name")


def membership_for(*, user: User, slug: str) -> Membership:
    """The user's membership of the shop with this slug; 404 when there is none.

    A shop the user is no member of answers exactly like a shop that does not exist.
    """
    membership = (
        Membership.objects.select_related("shop", "shop__workflow_settings")
        .filter(user=user, shop__slug=slug)
        .first()
        if user.is_authenticated
        else None
    )
    if membership is None:
        raise Http404("No such shop.")
    return membership


def shop_by_slug(*, slug: str) -> Shop:
    # The workflow settings come along (one join): the storefront reads them on every page.
    shop = Shop.objects.select_related("workflow_settings").filter(slug=slug).first()
    if shop is None:
        raise Http404("No such shop.")
    return shop


# --- Workflow settings (issue 4) --------------------------------------------------------------


def workflow_settings_for(*, shop: Shop) -> WorkflowSettings:
    """The shop's workflow settings; the defaults (unsaved) when it never changed them.

    No query when the shop came from ``membership_for`` (it reads them along).
    """
    try:
        return shop.workflow_settings
    except WorkflowSettings.DoesNotExist:
        return WorkflowSettings(shop=shop)


@dataclass(frozen=True)
class Badge:
    """How one status looks in one shop and language."""

    label: str
    background: str
    text: str
    default: DocumentStatus

    @property
    def contrast(self) -> float:
        return contrast_ratio(self.text, self.background)

    @property
    def readable(self) -> bool:
        return self.contrast >= MIN_CONTRAST


class StatusAppearances:
    """A shop's status colours and labels, read once (one query) and then looked up in memory."""

    def __init__(self, rows=()):
        self._rows = {(row.kind, row.code): row for row in rows}

    def row(self, kind: str, code: str) -> StatusAppearance | None:
        return self._rows.get((kind, code))

    def badge(self, kind: str, code: str, language: str | None = None) -> Badge:
        default = status_for(kind, code)
        row = self._rows.get((kind, code))
        if row is None:
            return Badge(str(default.label), default.background, default.text, default)
        label = ""
        if not default.label_fixed:
            language = (language or translation.get_language() or "en")[:2]
            label = row.label_nl if language == "nl" else row.label_en
        return Badge(label or str(default.label), row.background, row.text, default)

    def order_status_label(self, status: int, language: str | None = None) -> str:
        """The shop's name of an order status (its own label where it renamed it), in
        ``language`` (default: the current one). Every page and message that names an order
        status to staff or a customer takes it from here."""
        return self.badge(StatusKind.ORDER, order_status_code(status), language).label

    def order_status_labels(self, language: str | None = None) -> dict[OrderStatus, str]:
        return {status: self.order_status_label(status, language) for status in OrderStatus}


DEFAULT_APPEARANCES = StatusAppearances()


def status_appearances_for(*, shop: Shop | int | None) -> StatusAppearances:
    if shop is None:
        return DEFAULT_APPEARANCES
    return StatusAppearances(StatusAppearance.objects.filter(shop=shop))


def order_status_label(*, shop: Shop | int, status: int, language: str | None = None) -> str:
    """One order status by the shop's name for it (one query; pages with many read
    ``status_appearances_for`` once)."""
    return status_appearances_for(shop=shop).order_status_label(status, language)


def recent_settings_changes(
    *, shop: Shop, sections: list[str] | None = None, limit: int = 10
) -> list[SettingsChange]:
    changes = SettingsChange.objects.filter(shop=shop)
    if sections:
        changes = changes.filter(section__in=sections)
    return list(changes.order_by("-created_at", "-pk")[:limit])
