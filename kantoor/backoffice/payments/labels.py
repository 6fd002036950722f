"""Payment methods in the shop owner's words (the providers report ids such as "creditcard")."""

from django.utils.translation import gettext_lazy as _

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
