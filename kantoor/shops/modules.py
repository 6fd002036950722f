"""The modules a shop can switch off (Settings > Modules: WorkflowSettings.<module>_enabled).

Switched off means gone, not only hidden: every view of a module is wrapped in
``module_required(<module>)`` (back office and storefront alike), which answers 404 while the
shop has the module off; the order page leaves out the module's tab and answers 404 for it.
"""

from __future__ import annotations

from functools import wraps

from django.http import Http404

from kantoor.shops.models import Shop
from kantoor.shops.selectors import workflow_settings_for

# Each has a WorkflowSettings.<module>_enabled field.
MODULES = ("quotes", "returns")


def module_enabled(*, shop: Shop, module: str) -> bool:
    if module not in MODULES:
        raise ValueError(f"Not a module: {module}")
    return workflow_settings_for(shop=shop).module_enabled(module)


def require_module(*, shop: Shop, module: str) -> None:
    """404 when the shop has switched ``module`` off."""
    if not module_enabled(shop=shop, module=module):
        raise Http404("This module is switched off.")


def module_required(module: str):
    """Decorate every view of ``module``: 404 while the shop (``request.shop``, set by the
    shop gate that runs first) has it switched off."""
    if module not in MODULES:
        raise ValueError(f"Not a module: {module}")

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            require_module(shop=request.shop, module=module)
            return view(request, *args, **kwargs)

        wrapper.kantoor_module = module
        return wrapper

    return decorate
