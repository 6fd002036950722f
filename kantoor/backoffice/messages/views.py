"""Settings > E-mails (the shop's templates, e-mails on status changes) and an order's messages.

Thin: parse the form, call a messaging service or selector, render.
"""

import contextlib

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kantoor.backoffice.access import shop_staff_required
from kantoor.backoffice.menu import entry_by_key
from kantoor.backoffice.messages.forms import MessageTemplateForm, StatusMessagesForm
from kantoor.backoffice.views import render_in_shop
from kantoor.core.actors import Actor
from kantoor.messaging import selectors
from kantoor.messaging.errors import TemplateNotRendered
from kantoor.messaging.models import MessageKind, MessageState
from kantoor.messaging.rendering import (
    KIND_HELP,
    ORDER_VARIABLES,
    TemplateText,
    render_message,
)
from kantoor.messaging.services import (
    MessagingError,
    choose_status_messages,
    resend_message,
    reset_message_template,
    save_message_template,
)
from kantoor.orders.notifications import example_context, order_context
from kantoor.orders.selectors import latest_order, order_by_number
from kantoor.shops.models import Language


def _kind_and_language(kind: str, language: str) -> tuple[MessageKind, str]:
    if kind not in MessageKind.values or language not in Language.values:
        raise Http404("No such template.")
    return MessageKind(kind), language


def _settings_page(request: HttpRequest, context: dict, *, status: int = 200) -> HttpResponse:
    shop = request.shop
    response = render_in_shop(
        request,
        "backoffice/messages/settings.html",
        {
            "rows": selectors.template_overview(shop=shop),
            "status_form": context.pop("status_form", None)
            or StatusMessagesForm(
                initial={"statuses": sorted(selectors.status_message_statuses(shop=shop))}
            ),
            "failed": selectors.failed_messages(shop=shop),
            **context,
        },
        active=entry_by_key("settings"),
    )
    response.status_code = status
    return response


@require_GET
@shop_staff_required
def email_settings(request: HttpRequest, shop_slug: str) -> HttpResponse:
    return _settings_page(request, {})


@require_POST
@shop_staff_required
def email_status_messages(request: HttpRequest, shop_slug: str) -> HttpResponse:
    form = StatusMessagesForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, {"status_form": form}, status=400)
    choose_status_messages(shop=request.shop, statuses=set(form.cleaned_data["statuses"]))
    flash.success(request, _("E-mails on status changes saved."))
    return redirect("backoffice:settings_emails", shop_slug=shop_slug)


def _preview(request: HttpRequest, *, kind: str, language: str, subject: str, body: str):
    """The template rendered with the shop's latest order (or made-up values)."""
    shop = request.shop
    order = latest_order(shop=shop)
    if order is not None:
        data = {"before": 1, "after": order.status} if kind == MessageKind.STATUS_CHANGED else {}
        context = order_context(
            order=order, lines=list(order.lines.all()), shop=shop, language=language, data=data
        )
    else:
        context = example_context(shop=shop, language=language)
    rendered = render_message(
        template=TemplateText(subject=subject, body=body),
        context=context,
        shop_name=shop.name,
        language=language,
    )
    return rendered, order


def _checked_preview(request: HttpRequest, form: MessageTemplateForm, *, kind, language):
    """The preview of a valid form, or None with the limit it breaks as the body's error."""
    try:
        return _preview(
            request,
            kind=kind,
            language=language,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
        )
    except TemplateNotRendered as error:
        form.add_error("body", error.message)
        return None, None


@require_http_methods(["GET", "POST"])
@shop_staff_required
def email_template(request: HttpRequest, shop_slug: str, kind: str, language: str):
    kind, language = _kind_and_language(kind, language)
    shop = request.shop
    current, is_custom = selectors.template_for(shop=shop, kind=kind, language=language)
    status = 200
    if request.method == "POST":
        form = MessageTemplateForm(request.POST)
        # A template is saved only if it renders within the limits for the latest order.
        if form.is_valid() and _checked_preview(request, form, kind=kind, language=language)[0]:
            try:
                save_message_template(
                    shop=shop,
                    kind=kind,
                    language=language,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    user=request.user,
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                flash.success(
                    request,
                    _("The e-mail “%(kind)s” (%(language)s) is saved.")
                    % {"kind": kind.label, "language": Language(language).label},
                )
                return redirect("backoffice:settings_emails", shop_slug=shop_slug)
        status = 400
    else:
        form = MessageTemplateForm(initial={"subject": current.subject, "body": current.body})
    preview = preview_order = None
    if not form.is_bound:
        with contextlib.suppress(TemplateNotRendered):  # a saved template an order outgrew
            preview, preview_order = _preview(
                request, kind=kind, language=language, subject=current.subject, body=current.body
            )
    response = render_in_shop(
        request,
        "backoffice/messages/template_edit.html",
        {
            "form": form,
            "kind": kind,
            "kind_help": KIND_HELP[kind],
            "language": language,
            "language_label": Language(language).label,
            "is_custom": is_custom,
            "variables": ORDER_VARIABLES,
            "preview": preview,
            "preview_order": preview_order,
        },
        active=entry_by_key("settings"),
    )
    response.status_code = status
    return response


@require_POST
@shop_staff_required
def email_template_preview(request: HttpRequest, shop_slug: str, kind: str, language: str):
    """The preview of what is in the form now (htmx), without saving it."""
    kind, language = _kind_and_language(kind, language)
    form = MessageTemplateForm(request.POST)
    context = {"form": form, "preview": None, "preview_order": None}
    if form.is_valid():
        context["preview"], context["preview_order"] = _checked_preview(
            request, form, kind=kind, language=language
        )
    return TemplateResponse(request, "backoffice/messages/_preview.html", context)


@require_POST
@shop_staff_required
def email_template_reset(request: HttpRequest, shop_slug: str, kind: str, language: str):
    kind, language = _kind_and_language(kind, language)
    reset_message_template(shop=request.shop, kind=kind, language=language)
    flash.success(
        request,
        _("The e-mail “%(kind)s” (%(language)s) uses Kantoor's text again.")
        % {"kind": kind.label, "language": Language(language).label},
    )
    return redirect("backoffice:settings_emails", shop_slug=shop_slug)


@require_GET
@shop_staff_required
def order_message(request: HttpRequest, shop_slug: str, number: str, message_id: int):
    order = order_by_number(shop=request.shop, number=number)
    message = selectors.message_of_order(shop=request.shop, order=order, message_id=message_id)
    return render_in_shop(
        request,
        "backoffice/messages/message_detail.html",
        {"order": order, "message": message},
        active=entry_by_key("orders"),
    )


@require_POST
@shop_staff_required
def order_message_resend(request: HttpRequest, shop_slug: str, number: str, message_id: int):
    order = order_by_number(shop=request.shop, number=number)
    message = selectors.message_of_order(shop=request.shop, order=order, message_id=message_id)
    try:
        copy = resend_message(
            shop=request.shop, message_id=message.pk, actor=Actor.staff(request.user)
        )
    except MessagingError as error:
        flash.error(request, str(error))
    else:
        copy.refresh_from_db()
        if copy.state == MessageState.SENT:
            flash.success(request, _("The e-mail is sent again to %(to)s.") % {"to": copy.to})
        else:
            flash.success(
                request,
                _(
                    "The e-mail to %(to)s is queued again; Kantoor keeps trying until the "
                    "mail server accepts it."
                )
                % {"to": copy.to},
            )
    url = reverse("backoffice:order", kwargs={"shop_slug": shop_slug, "number": order.number})
    return redirect(f"{url}?tab=messages")
