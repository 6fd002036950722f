"""Settings pages: the landing page and the workflow settings (tabs). Thin: forms + services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from kantoor.backoffice.access import shop_staff_required
from kantoor.backoffice.menu import entry_by_key
from kantoor.backoffice.shop_settings.changes import change_lines
from kantoor.backoffice.shop_settings.forms import (
    ModulesForm,
    NumbersForm,
    PaymentProviderForm,
    PaymentWorkflowForm,
    QuotesSettingsForm,
    ReturnOptionForm,
    ReturnsSettingsForm,
    StatusesForm,
)
from kantoor.backoffice.shop_settings.sections import SECTIONS, grouped_sections
from kantoor.backoffice.views import render_in_shop
from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.numbering.selectors import number_series_for
from kantoor.payments.services import (
    SETTINGS_LOG_SECTION,
    PaymentError,
    configure_payment_provider,
    provider_settings,
)
from kantoor.returns import services as returns_services
from kantoor.returns.selectors import OPTION_MODELS, return_option, return_options
from kantoor.shops.context_processors import appearances_for_request
from kantoor.shops.document_statuses import StatusKind, order_status_code
from kantoor.shops.selectors import (
    recent_settings_changes,
    status_appearances_for,
    workflow_settings_for,
)
from kantoor.shops.services import (
    NumberingError,
    UnreadableStatusColours,
    change_numbering,
    update_status_appearances,
    update_workflow_settings,
)

TABS = (
    ("statuses", gettext_lazy("Statuses"), "palette"),
    ("numbers", gettext_lazy("Numbers"), "hash"),
    ("payments", gettext_lazy("Payments"), "credit-card"),
    ("quotes", gettext_lazy("Quotes"), "file-text"),
    ("returns", gettext_lazy("Returns"), "undo-2"),
    ("modules", gettext_lazy("Modules"), "blocks"),
)
TAB_KEYS = {key for key, _label, _icon in TABS}
LIST_NAMES = tuple(OPTION_MODELS)


def _settings_entry():
    return entry_by_key("settings")


def _status_labels(request: HttpRequest) -> dict[int, str]:
    """The shop's own names for the order statuses."""
    appearances = appearances_for_request(request)
    return {
        status: appearances.badge(StatusKind.ORDER, order_status_code(status)).label
        for status in OrderStatus
    }


@shop_staff_required
def landing(request: HttpRequest, shop_slug: str) -> HttpResponse:
    shop = request.shop
    audit = [name for section in SECTIONS for name in section.audit_sections]
    return render_in_shop(
        request,
        "backoffice/settings/landing.html",
        {
            "groups": grouped_sections(),
            "changes": change_lines(recent_settings_changes(shop=shop, sections=audit, limit=15)),
        },
        active=_settings_entry(),
    )


def _workflow_url(shop, tab: str, anchor: str = "") -> str:
    url = reverse("backoffice:settings_workflow", kwargs={"shop_slug": shop.slug})
    return f"{url}?tab={tab}" + (f"#{anchor}" if anchor else "")


def _tab_context(request, tab: str, *, form=None, option_forms=None) -> dict:
    """What a tab shows; ``form`` / ``option_forms`` are bound forms to show with their errors."""
    shop = request.shop
    workflow = workflow_settings_for(shop=shop)
    context: dict = {}
    if tab == "statuses":
        context["form"] = form or StatusesForm(appearances=status_appearances_for(shop=shop))
    elif tab == "numbers":
        series = number_series_for(shop=shop)
        context["form"] = form or NumbersForm(series=series, workflow=workflow)
    elif tab == "payments":
        context["form"] = form or PaymentWorkflowForm(
            instance=workflow, status_labels=_status_labels(request)
        )
    elif tab == "quotes":
        context["form"] = form or QuotesSettingsForm(instance=workflow)
    elif tab == "returns":
        option_forms = option_forms or {}
        context["form"] = form or ReturnsSettingsForm(instance=workflow)
        context["lists"] = [
            {
                "name": name,
                "title": _("Reasons") if name == "reasons" else _("Actions"),
                "help": (
                    _("Why a customer sends something back, e.g. damaged or does not fit.")
                    if name == "reasons"
                    else _("What a customer may ask for, e.g. exchange, refund or repair.")
                ),
                "options": [
                    {
                        "option": option,
                        "form": option_forms.get((name, option.pk))
                        or ReturnOptionForm(
                            initial={"label_nl": option.label_nl, "label_en": option.label_en},
                            prefix=f"{name}-{option.pk}",
                        ),
                    }
                    for option in return_options(shop=shop, list_name=name)
                ],
                "add_form": option_forms.get((name, "add"))
                or ReturnOptionForm(prefix=f"{name}-add"),
            }
            for name in LIST_NAMES
        ]
    else:
        context["form"] = form or ModulesForm(instance=workflow)
    return context


def _render_workflow(request, tab: str, status: int = 200, **forms) -> HttpResponse:
    shop = request.shop
    response = render_in_shop(
        request,
        "backoffice/settings/workflow.html",
        {
            "tab": tab,
            "tabs": TABS,
            "workflow": workflow_settings_for(shop=shop),
            "changes": change_lines(recent_settings_changes(shop=shop, sections=[tab], limit=8)),
            **_tab_context(request, tab, **forms),
        },
        active=_settings_entry(),
    )
    response.status_code = status
    return response


@shop_staff_required
def workflow(request: HttpRequest, shop_slug: str) -> HttpResponse:
    tab = request.GET.get("tab", "statuses")
    if tab not in TAB_KEYS:
        tab = "statuses"
    if request.method != "POST":
        return _render_workflow(request, tab)
    shop, user = request.shop, request.user
    settings = workflow_settings_for(shop=shop)
    if tab == "statuses":
        form = StatusesForm(request.POST, appearances=status_appearances_for(shop=shop))
        if form.is_valid():
            try:
                update_status_appearances(shop=shop, user=user, looks=form.looks())
            except UnreadableStatusColours as error:
                form.add_service_errors(error.errors)
            else:
                messages.success(request, _("Status colours saved."))
                return redirect(_workflow_url(shop, tab))
    elif tab == "numbers":
        form = NumbersForm(request.POST, series=number_series_for(shop=shop), workflow=settings)
        if form.is_valid():
            try:
                change_numbering(
                    shop=shop,
                    user=user,
                    series=form.series_settings(),
                    credit_invoices_share_invoice_series=form.cleaned_data[
                        "credit_invoices_share_invoice_series"
                    ],
                )
            except NumberingError as error:
                for kind, message in error.errors.items():
                    form.add_error(f"{kind}__prefix", message)
            else:
                messages.success(request, _("Numbering saved. Existing numbers stay as they are."))
                return redirect(_workflow_url(shop, tab))
    else:
        form_class = {
            "returns": ReturnsSettingsForm,
            "payments": PaymentWorkflowForm,
            "quotes": QuotesSettingsForm,
        }.get(tab, ModulesForm)
        extra = {"status_labels": _status_labels(request)} if tab == "payments" else {}
        form = form_class(request.POST, instance=workflow_settings_for(shop=shop), **extra)
        if form.is_valid():
            # The services change the settings; the form only parsed and validated.
            update_workflow_settings(
                shop=shop,
                user=user,
                section=tab,
                values={name: form.cleaned_data[name] for name in form_class.Meta.fields},
            )
            saved = {
                "returns": _("Return settings saved."),
                "quotes": _("Quote settings saved."),
                "payments": _("Payment workflow saved."),
            }
            messages.success(request, saved.get(tab, _("Modules saved.")))
            return redirect(_workflow_url(shop, tab))
    return _render_workflow(request, tab, status=400, form=form)


def _list_name(list_name: str) -> str:
    if list_name not in LIST_NAMES:
        raise Http404("No such list.")
    return list_name


@shop_staff_required
@require_POST
def return_option_add(request: HttpRequest, shop_slug: str, list_name: str) -> HttpResponse:
    list_name = _list_name(list_name)
    form = ReturnOptionForm(request.POST, prefix=f"{list_name}-add")
    if form.is_valid():
        try:
            returns_services.add_return_option(
                shop=request.shop, user=request.user, list_name=list_name, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Added."))
            return redirect(_workflow_url(request.shop, "returns", list_name))
    return _render_workflow(request, "returns", status=400, option_forms={(list_name, "add"): form})


OPTION_ACTIONS = {"save", "up", "down", "deactivate", "activate", "delete"}


@shop_staff_required
@require_POST
def return_option_change(
    request: HttpRequest, shop_slug: str, list_name: str, pk: int
) -> HttpResponse:
    list_name = _list_name(list_name)
    option = return_option(shop=request.shop, list_name=list_name, pk=pk)
    action = request.POST.get("action", "save")
    if action not in OPTION_ACTIONS:
        raise Http404("No such action.")
    common = {"shop": request.shop, "user": request.user, "list_name": list_name, "pk": option.pk}
    if action == "save":
        form = ReturnOptionForm(request.POST, prefix=f"{list_name}-{option.pk}")
        if not form.is_valid():
            return _render_workflow(
                request, "returns", status=400, option_forms={(list_name, option.pk): form}
            )
        returns_services.rename_return_option(**common, **form.cleaned_data)
        messages.success(request, _("Saved."))
    elif action in {"up", "down"}:
        returns_services.move_return_option(**common, direction=action)
    elif action in {"deactivate", "activate"}:
        returns_services.set_return_option_active(**common, active=action == "activate")
        messages.success(
            request,
            _("Deactivated: customers no longer see it.")
            if action == "deactivate"
            else _("Activated: customers can choose it again."),
        )
    else:
        try:
            returns_services.delete_return_option(**common)
        except returns_services.OptionInUse as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Deleted."))
    return redirect(_workflow_url(request.shop, "returns", list_name))


# --- Settings > Payments: the provider and its key ---------------------------------------------


@require_http_methods(["GET", "POST"])
@shop_staff_required
def payments(request: HttpRequest, shop_slug: str) -> HttpResponse:
    shop = request.shop
    saved = provider_settings(shop=shop)
    if request.method == "POST":
        form = PaymentProviderForm(request.POST)
        if form.is_valid():
            try:
                api_key = form.cleaned_data["mollie_api_key"]
                configure_payment_provider(
                    shop=shop,
                    provider=form.cleaned_data["provider"],
                    credentials={"api_key": api_key} if api_key else {},
                    actor=Actor.staff(request.user),
                )
            except PaymentError as refused:
                form.add_error("mollie_api_key", str(refused))
            else:
                messages.success(request, _("Payment settings saved."))
                return redirect(
                    reverse("backoffice:settings_payments", kwargs={"shop_slug": shop_slug})
                )
        status = 400
    else:
        form = PaymentProviderForm(initial={"provider": saved["provider"]})
        status = 200
    if saved["mollie_api_key"]:
        form.fields["mollie_api_key"].widget.attrs["placeholder"] = _(
            "Leave empty to keep the saved key"
        )
    response = render_in_shop(
        request,
        "backoffice/settings/payments.html",
        {
            "form": form,
            "saved": saved,
            "key_end": saved["mollie_api_key"].rpartition("…")[2],
            "changes": change_lines(
                recent_settings_changes(shop=shop, sections=[SETTINGS_LOG_SECTION], limit=8)
            ),
        },
        active=_settings_entry(),
    )
    response.status_code = status
    return response
