"""E-mail texts: the defaults shipped with Kantoor, the shop's own templates, safe rendering.

A template is rendered with a Django template engine of its own (no loaders, no ``{% load %}``,
only the tags in template_library) from a context of plain values: strings, numbers and lists of
dicts, never model instances. So a template can show the documented variables and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from functools import cache, lru_cache
from pathlib import Path

from django.conf import settings
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import Lexer, TokenType
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from kantoor.messaging.errors import TemplateNotRendered
from kantoor.messaging.models import MessageKind

# The longest e-mail text a template may produce (a long order's lines fit many times over).
MAX_MESSAGE_CHARS = 200_000
# The longest template a shop may save.
MAX_TEMPLATE_CHARS = 20_000

DEFAULTS_DIR = Path(__file__).resolve().parent / "templates" / "messaging" / "defaults"


class _SafeEngine(Engine):
    # Not Django's defaults (they include {% include %}, {% load %}, {% debug %} …).
    default_builtins: list[str] = []


SAFE_ENGINE = _SafeEngine(
    dirs=[],
    app_dirs=False,
    loaders=[],
    libraries={},
    builtins=["kantoor.messaging.template_library"],
    autoescape=False,  # plain text; the HTML version escapes the rendered text
    debug=False,
    string_if_invalid="",
)


@dataclass(frozen=True)
class Variable:
    name: str
    help: object  # a lazy string
    example: str


# The documented variables (the edit page lists them). Every message about an order has these.
ORDER_VARIABLES: tuple[Variable, ...] = (
    Variable("shop_name", _("Your shop's name"), "Fietsen Jansen"),
    Variable("shop_email", _("Your shop's e-mail address"), "winkel@example.nl"),
    Variable("shop_phone", _("Your shop's phone number"), "030 123 45 67"),
    Variable("customer_name", _("The customer's full name"), "Jan Jansen"),
    Variable("first_name", _("The customer's first name"), "Jan"),
    Variable("company", _("The customer's company (may be empty)"), ""),
    Variable("order_number", _("The order number"), "ORD2026-0042"),
    Variable("order_date", _("The date the order was placed"), "26-11-2026"),
    Variable("status", _("The order's status now"), "Verzonden"),
    Variable("previous_status", _("The status before the change (status e-mails)"), "Nieuw"),
    Variable("total", _("The order total incl. VAT"), "€ 42,50"),
    Variable("total_vat", _("The VAT in the total"), "€ 7,38"),
    Variable("shipping_method", _("Delivery or pick-up"), "Bezorgen"),
    Variable("shipping_cost", _("The shipping cost"), "€ 6,95"),
    Variable("delivery_address", _("The delivery address (several lines)"), "Oudegracht 1 …"),
    Variable("billing_address", _("The billing address (several lines)"), "Oudegracht 1 …"),
    Variable("note", _("The customer's note with the order (may be empty)"), ""),
    Variable(
        "lines",
        _("The order lines; each has name, sku, quantity, unit_price and total"),
        "{% for line in lines %}…{% endfor %}",
    ),
    Variable(
        "invoice_number", _("The invoice's number (order confirmation, invoice)"), "INV2026-0042"
    ),
    Variable("invoice_total", _("The invoice's total incl. VAT"), "€ 42,50"),
    Variable(
        "payment_link",
        _("The address where the customer pays the invoice (empty once it is paid)"),
        "https://…/pay/…",
    ),
    Variable("payment_amount", _("The amount received (payment e-mails)"), "€ 42,50"),
    Variable(
        "document_number",
        _("The invoice, quote or return number (e-mails about those documents)"),
        "INV2026-0042",
    ),
    Variable(
        "return_lines",
        _("The lines of the return (return e-mails); each has name, quantity, reason and action"),
        "{% for line in return_lines %}…{% endfor %}",
    ),
    Variable(
        "return_note",
        _("Your message to the customer about the return (may be empty)"),
        "",
    ),
    Variable(
        "return_link",
        _("The page where the customer follows the return (return e-mails)"),
        "https://…/returns/…",
    ),
    Variable("shop_address", _("Your shop's address (several lines)"), "Oudegracht 1 …"),
    Variable(
        "quote_link",
        _("The page where the customer views and accepts the quote (quote e-mails)"),
        "https://…/quotes/…",
    ),
    Variable("quote_total", _("The quote's total incl. VAT (quote e-mails)"), "€ 1.250,00"),
    Variable(
        "valid_until",
        _("The last day the quote can be accepted (quote e-mails)"),
        "31 december 2026",
    ),
    Variable(
        "quote_note",
        _("Your note on the quote, or the customer's reason to decline (quote e-mails)"),
        "",
    ),
    Variable(
        "customer_email",
        _("The customer's e-mail address (quote e-mails to you)"),
        "jan@example.nl",
    ),
    Variable("accepted_name", _("The name the customer accepted the quote with"), "Jan Jansen"),
)

KIND_HELP = {
    MessageKind.ORDER_CONFIRMATION: _("Sent when a customer places an order."),
    MessageKind.STATUS_CHANGED: _(
        "Sent when an order moves into a status you chose below (“E-mails on status changes”)."
    ),
    MessageKind.INVOICE: _("Sent with an invoice."),
    MessageKind.QUOTE: _("Sent with a quote: its PDF and the link to view and accept it."),
    MessageKind.QUOTE_REMINDER: _(
        "Sent some days before a sent quote expires (Workflow > Quotes)."
    ),
    MessageKind.QUOTE_ACCEPTED: _("Sent to your shop's address when a customer accepts a quote."),
    MessageKind.QUOTE_DECLINED: _("Sent to your shop's address when a customer declines a quote."),
    MessageKind.QUOTE_REQUESTED: _("Sent to your shop's address when a customer asks for a quote."),
    MessageKind.RETURN_REQUESTED: _("Sent when a customer (or you, for them) asks for a return."),
    MessageKind.RETURN_APPROVED: _("Sent when you approve a return: where to send the goods."),
    MessageKind.RETURN_REJECTED: _("Sent when you reject a return, with your message."),
    MessageKind.RETURN_RECEIVED: _("Sent when a return has arrived."),
    MessageKind.RETURN_PROCESSED: _("Sent when a return has been handled."),
    MessageKind.PAYMENT_RECEIVED: _("Sent when a payment has come in."),
}


@dataclass(frozen=True)
class TemplateText:
    subject: str
    body: str


@cache
def default_template(kind: str, language: str) -> TemplateText:
    """The text Kantoor ships for this kind and language (files under templates/…/defaults)."""
    language = language if (DEFAULTS_DIR / language).is_dir() else settings.LANGUAGE_CODE
    subject = (DEFAULTS_DIR / language / f"{kind}.subject.txt").read_text(encoding="utf-8")
    body = (DEFAULTS_DIR / language / f"{kind}.body.txt").read_text(encoding="utf-8")
    return TemplateText(subject=subject.strip(), body=body)


def check_template(source: str) -> None:
    """Raise TemplateSyntaxError when ``source`` is not a valid template for e-mails.

    Besides Django's own errors, a ``{{`` or ``{%`` that is never closed is an error (Django
    would print it as text, which is never what the shop owner meant)."""
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.TEXT and (
            "{{" in token.contents or "{%" in token.contents
        ):
            opened = "{{" if "{{" in token.contents else "{%"
            closing = "}}" if opened == "{{" else "%}"
            raise TemplateSyntaxError(
                _("“%(opened)s” on line %(line)s is not closed with “%(closing)s”.")
                % {"opened": opened, "closing": closing, "line": token.lineno}
            )
    SAFE_ENGINE.from_string(source)


@lru_cache(maxsize=256)
def _compiled(source: str):
    return SAFE_ENGINE.from_string(source)


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


def _render(source: str, context: dict) -> str:
    """One template rendered, within the limits (TemplateNotRendered when it breaks one)."""
    try:
        text = _compiled(source).render(Context(context, autoescape=False))
    except TemplateNotRendered:
        raise
    except Exception as error:  # the shop's own template code: any filter may refuse a value
        raise TemplateNotRendered(
            _("The template cannot be rendered: %(error)s"), {"error": error}
        ) from error
    if len(text) > MAX_MESSAGE_CHARS:
        raise TemplateNotRendered(
            _("The e-mail would be longer than %(max)s characters."),
            {"max": MAX_MESSAGE_CHARS},
        )
    return text


def render_message(
    *, template: TemplateText, context: dict, shop_name: str, language: str
) -> RenderedMessage:
    """Subject, text and HTML of a message from a template and a plain-value context.
    Raises TemplateNotRendered for a template beyond the limits (template_library)."""
    with translation.override(language):
        subject = " ".join(_render(template.subject, context).split())
        text = _render(template.body, context).strip() + "\n"
        html = render_to_string(
            "messaging/email.html",
            {"text": text, "shop_name": shop_name, "subject": subject, "language": language},
        )
    return RenderedMessage(subject=subject[:300], text=text, html=html)


def template_error(source: str) -> str | None:
    """The syntax error of a template as a sentence, or None when it is fine."""
    try:
        check_template(source)
    except TemplateSyntaxError as error:
        return str(error)
    return None


def sender_for(shop) -> tuple[str, list[str]]:
    """From (the shop's name with the platform's address) and Reply-To (the shop's address)."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((shop.name, address)), [shop.email] if shop.email else []
