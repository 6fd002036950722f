from django.db.models import QuerySet
from django.http import Http404

from kantoor.returns.models import ReturnAction, ReturnReason
from kantoor.shops.models import Shop

OPTION_MODELS = {"reasons": ReturnReason, "actions": ReturnAction}


def return_options(*, shop: Shop, list_name: str, active_only: bool = False) -> QuerySet:
    """A shop's return reasons or actions (``list_name`` "reasons" / "actions"), in order."""
    options = OPTION_MODELS[list_name].objects.filter(shop=shop)
    if active_only:
        options = options.filter(active=True)
    return options.order_by("position", "pk")


def return_option(*, shop: Shop, list_name: str, pk: int):
    """One reason or action of this shop; 404 for another shop's (or an unknown) entry."""
    model = OPTION_MODELS.get(list_name)
    option = model.objects.filter(shop=shop, pk=pk).first() if model else None
    if option is None:
        raise Http404("No such entry.")
    return option


def return_option_in_use(option) -> bool:
    """Whether a return line uses this reason or action (then it can only be deactivated).

    Seam for the returns issue: there is no ReturnLine yet, so nothing is in use. When
    ReturnLine exists (with ``reason`` and ``action`` foreign keys, on_delete=PROTECT), check
    ``ReturnLine.objects.filter(reason=option).exists()`` (or ``action=``) here.
    """
    return False
