import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kantoor.core.errors import KantoorError
from kantoor.numbering.formatting import InvalidPrefix, validate_prefix
from kantoor.numbering.models import NumberSeries
from kantoor.numbering.selectors import COLLISION_LOOKAHEAD, numbers_in_use, preview_numbers
from kantoor.numbering.services import ensure_default_number_series
from kantoor.shops.audit import record_changes
from kantoor.shops.contrast import MIN_CONTRAST, contrast_ratio, is_hex_colour
from kantoor.shops.document_statuses import status_for
from kantoor.shops.models import (
    Membership,
    Role,
    Shop,
    StatusAppearance,
    User,
    WorkflowSettings,
)


class ShopAlreadyExists(KantoorError):
    code = "shop_exists"


@transaction.atomic
def create_shop(
    *, slug: str, name: str, owner_email: str, owner_password: str | None, **details
) -> Shop:
    """Create a shop with its number series and its owner (a new or an existing user)."""
    if Shop.objects.filter(slug=slug).exists():
        raise ShopAlreadyExists(slug)
    shop = Shop(slug=slug, name=name, **details)
    # The slug's uniqueness is checked above and, against a shop created since, by the
    # database: two create_shop calls at once give one shop and one ShopAlreadyExists.
    shop.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            shop.save()
    except IntegrityError:
        raise ShopAlreadyExists(slug) from None
    ensure_default_number_series(shop=shop)
    owner = User.objects.filter(email__iexact=owner_email).first()
    if owner is None:
        owner = User.objects.create_user(owner_email, owner_password)
    Membership.objects.create(shop=shop, user=owner, role=Role.OWNER)
    return shop


# --- Workflow settings (issue 4) --------------------------------------------------------------

# The fields each section of the workflow settings may change (a service refuses the others).
WORKFLOW_FIELDS: dict[str, tuple[str, ...]] = {
    "modules": ("quotes_enabled", "returns_enabled"),
    "numbers": ("credit_invoices_share_invoice_series",),
    "payments": ("status_when_paid",),
    "quotes": (
        "quote_validity_days",
        "quote_reminder_days",
        "quotes_convert_on_acceptance",
        "quotes_from_cart",
        "quote_terms_nl",
        "quote_terms_en",
    ),
    "returns": (
        "returns_enabled",
        "returns_self_service",
        "returns_for_guests",
        "return_period_days",
        "return_refunds_shipping",
        "return_restocking_fee_percent",
        "returns_intro_nl",
        "returns_intro_en",
    ),
}


def _locked_workflow_settings(shop: Shop) -> WorkflowSettings:
    WorkflowSettings.objects.bulk_create([WorkflowSettings(shop=shop)], ignore_conflicts=True)
    return WorkflowSettings.objects.select_for_update().get(shop=shop)


@transaction.atomic
def update_workflow_settings(
    *, shop: Shop, user: User | None, section: str, values: dict
) -> WorkflowSettings:
    """Change some of a shop's workflow settings and record who changed what."""
    allowed = WORKFLOW_FIELDS[section]
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"Not a {section} setting: {sorted(unknown)}")
    settings = _locked_workflow_settings(shop)
    before = {name: getattr(settings, name) for name in values}
    for name, value in values.items():
        setattr(settings, name, value)
    settings.full_clean()
    settings.save()
    record_changes(shop=shop, user=user, section=section, before=before, after=values)
    return settings


@dataclass(frozen=True)
class StatusLook:
    background: str
    text: str
    label_nl: str = ""
    label_en: str = ""


STATUS_LOOK_FIELDS = ("background", "text", "label_nl", "label_en")


class UnreadableStatusColours(KantoorError):
    """Badge colours that contrast less than WCAG AA's 4.5:1; ``errors`` maps (kind, code) → why."""

    code = "status_colours_unreadable"

    def __init__(self, errors: dict[tuple[str, str], str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def unreadable_colours_message(text: str, background: str) -> str | None:
    """Why a badge in these colours cannot be read, or None when it can (4.5:1 or more)."""
    ratio = contrast_ratio(text, background)
    if ratio >= MIN_CONTRAST:
        return None
    # Round down, so that 4.48 never reads as "4.5:1" beside "needs 4.5:1".
    shown = formats.number_format(int(ratio * 10) / 10, decimal_pos=1)
    return _(
        "Hard to read: %(ratio)s:1. Choose a text colour that contrasts at least 4.5:1 with "
        "the background."
    ) % {"ratio": shown}


@transaction.atomic
def update_status_appearances(
    *, shop: Shop, user: User | None, looks: dict[tuple[str, str], StatusLook]
) -> int:
    """Give statuses the shop's own colours (and labels where a label is not fixed).

    ``looks`` maps (document kind, status code) to how the status should look. A status that
    looks exactly like its default keeps no row. Returns the number of changed fields.
    """
    errors = {}
    for (kind, code), look in looks.items():
        default = status_for(kind, code)  # KeyError: not a status; the lists are fixed
        for colour in (look.background, look.text):
            if not is_hex_colour(colour):
                errors[f"{kind}.{code}"] = _("Use a colour like #1e3a8a.")
        if default.label_fixed and (look.label_nl or look.label_en):
            errors[f"{kind}.{code}"] = _("This status keeps its label.")
    if errors:
        raise ValidationError(errors)
    unreadable = {
        key: message
        for key, look in looks.items()
        if (message := unreadable_colours_message(look.text, look.background))
    }
    if unreadable:
        raise UnreadableStatusColours(unreadable)
    existing = {
        (row.kind, row.code): row
        for row in StatusAppearance.objects.select_for_update().filter(shop=shop)
    }
    before, after = {}, {}
    to_delete, to_save = [], []
    for (kind, code), look in looks.items():
        default = status_for(kind, code)
        row = existing.get((kind, code))
        current = (
            StatusLook(row.background, row.text, row.label_nl, row.label_en)
            if row
            else StatusLook(default.background, default.text)
        )
        look = StatusLook(
            look.background.lower(), look.text.lower(), look.label_nl.strip(), look.label_en.strip()
        )
        if look == current:
            continue
        for name in STATUS_LOOK_FIELDS:
            if getattr(look, name) != getattr(current, name):
                before[f"{kind}.{code}.{name}"] = getattr(current, name)
                after[f"{kind}.{code}.{name}"] = getattr(look, name)
        if look == StatusLook(default.background, default.text):
            if row:
                to_delete.append(row.pk)
            continue
        row = row or StatusAppearance(shop=shop, kind=kind, code=code)
        for name in STATUS_LOOK_FIELDS:
            setattr(row, name, getattr(look, name))
        to_save.append(row)
    if to_delete:
        StatusAppearance.objects.filter(pk__in=to_delete).delete()
    for row in to_save:
        row.save()
    return len(record_changes(shop=shop, user=user, section="statuses", before=before, after=after))


def remember_menu_collapsed(*, user: User, collapsed: bool) -> None:
    """A back-office layout preference of one user: one UPDATE of one column."""
    User.objects.filter(pk=user.pk).update(menu_collapsed=collapsed)
    user.menu_collapsed = collapsed


# --- Numbers tab of the workflow settings -----------------------------------------------------
# Numbering itself (kantoor.numbering) sits below shops and knows a shop only by its id; changing
# a shop's series is a workflow setting (it writes the settings log and may switch the shop's
# credit-invoice series), so it lives here.


MAX_PADDING = 12


class NumberingError(KantoorError):
    """A numbering change the shop cannot make; ``errors`` maps kind → message."""

    code = "numbering_refused"

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class SeriesSettings:
    prefix: str
    padding: int
    yearly_restart: bool


@transaction.atomic
def change_numbering(
    *,
    shop,
    user,
    series: dict[str, SeriesSettings],
    credit_invoices_share_invoice_series: bool | None = None,
    on: datetime.date | None = None,
) -> None:
    """Change how new documents are numbered. Existing documents keep their numbers.

    A change that would give a new document a number an existing document of that kind already
    has (checked for the next ``COLLISION_LOOKAHEAD`` numbers) is refused, as is a prefix with an
    unknown placeholder. All or nothing: one refused series changes nothing.
    """
    on = on or timezone.localdate()
    rows = {
        row.kind: row
        for row in NumberSeries.objects.select_for_update().filter(shop=shop, kind__in=series)
    }
    errors: dict[str, str] = {}
    before, after = {}, {}
    for kind, wanted in series.items():
        row = rows[kind]
        try:
            validate_prefix(wanted.prefix, yearly_restart=wanted.yearly_restart)
        except InvalidPrefix as error:
            errors[kind] = str(error)
            continue
        if not 0 <= wanted.padding <= MAX_PADDING:
            errors[kind] = _("Padding is a number from 0 to %(max)s.") % {"max": MAX_PADDING}
            continue
        current = SeriesSettings(row.prefix, row.padding, row.yearly_restart)
        if wanted == current:
            continue
        upcoming = preview_numbers(
            shop=shop,
            kind=kind,
            prefix=wanted.prefix,
            padding=wanted.padding,
            yearly_restart=wanted.yearly_restart,
            count=COLLISION_LOOKAHEAD,
            on=on,
        )
        taken = numbers_in_use(shop=shop, kind=kind, numbers=upcoming)
        if taken:
            errors[kind] = _(
                "A new document would get number %(number)s, which an existing document "
                "already has. Choose another prefix; existing numbers never change."
            ) % {"number": taken[0]}
            continue
        for name in ("prefix", "padding", "yearly_restart"):
            if getattr(wanted, name) != getattr(current, name):
                before[f"{kind}.{name}"] = getattr(current, name)
                after[f"{kind}.{name}"] = getattr(wanted, name)
        row.prefix, row.padding, row.yearly_restart = (
            wanted.prefix,
            wanted.padding,
            wanted.yearly_restart,
        )
    if errors:
        raise NumberingError(errors)
    changed = [row for row in rows.values() if any(k.startswith(f"{row.kind}.") for k in after)]
    if changed:
        NumberSeries.objects.bulk_update(changed, ["prefix", "padding", "yearly_restart"])
        record_changes(shop=shop, user=user, section="numbers", before=before, after=after)
    if credit_invoices_share_invoice_series is not None:
        update_workflow_settings(
            shop=shop,
            user=user,
            section="numbers",
            values={"credit_invoices_share_invoice_series": credit_invoices_share_invoice_series},
        )
