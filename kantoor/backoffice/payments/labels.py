"""Payment methods in the shop owner's words (the providers report ids such as "creditcard"),
and how an invoice was paid, from the codes stored with it (in the reader's language)."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kantoor.invoices.models import PaidNote
from kantoor.payments.models import Provider

METHOD_LABELS = {
    "ideal": "iDEAL",
    "creditcard": _("Credit card"),
    "bancontact": "Bancontact",
    "banktransfer": _("Bank transfer"),
    "bank_transfer": _("Bank transfer"),
    "paypal": "PayPal",
    "applepay": "Apple Pay",
    "googlepay": "Google Pay",
    "sofort": "SOFORT",
    "kbc": "KBC/CBC",
    "belfius": "Belfius",
    "eps": "EPS",
    "giropay": "giropay",
    "przelewy24": "Przelewy24",
    "klarna": "Klarna",
    "klarnapaylater": "Klarna",
    "in3": "iDEAL in3",
    "riverty": "Riverty",
    "giftcard": _("Gift card"),
    "voucher": _("Voucher"),
    "paysafecard": "paysafecard",
    "directdebit": _("Direct debit"),
    "trustly": "Trustly",
    "twint": "TWINT",
    "billie": "Billie",
}


def method_label(method: str) -> str:
    """The method as the owner knows it; an unknown id as it is, nothing for none."""
    if not method:
        return ""
    return str(METHOD_LABELS.get(method.lower(), method))


def _provider_label(code: str) -> str:
    try:
        return str(Provider(code).label)
    except ValueError:
        return str(code or "")


def paid_note_text(
    *, code: str = "", provider: str = "", reference: str = "", note: str = ""
) -> str:
    """How an invoice was paid, in the reader's language: what a person typed as typed, else
    the sentence of its code ("Paid via Mollie (tr_…)"); older rows have their text in ``note``."""
    if note:
        return str(note)
    values = {"provider": _provider_label(provider), "reference": reference}
    if code == PaidNote.PAID_ONLINE:
        return gettext("Paid via %(provider)s (%(reference)s)") % values
    if code == PaidNote.REFUNDED_ONLINE:
        return gettext("Refunded via %(provider)s (%(reference)s)") % values
    if code == PaidNote.BANK_TRANSFER:
        return gettext("Bank transfer")
    if code == PaidNote.NOTHING_TO_PAY:
        return gettext("Nothing to pay: the invoice comes to 0.00")
    return ""


def invoice_paid_note(invoice) -> str:
    """``paid_note_text`` of an invoice."""
    values = invoice.paid_note_values if isinstance(invoice.paid_note_values, dict) else {}
    return paid_note_text(
        code=invoice.paid_note_code,
        provider=str(values.get("provider", "")),
        reference=str(values.get("reference", "")),
        note=invoice.paid_note,
    )
