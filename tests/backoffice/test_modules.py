"""A module switched off (Settings > Modules) is gone: its pages and its tab answer 404."""

import pytest
from django.urls import URLResolver, get_resolver, reverse

from kantoor.shops.modules import MODULES, module_required
from kantoor.shops.services import update_workflow_settings


@pytest.fixture
def staff_client(client, shop, make_staff):
    client.force_login(make_staff(shop))
    return client


def switch(shop, module, on):
    update_workflow_settings(
        shop=shop, user=None, section="modules", values={f"{module}_enabled": on}
    )


def module_urls(shop, module):
    """Every URL of the back office and storefront whose view belongs to ``module``."""
    found = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                namespace = f"{pattern.namespace}:" if pattern.namespace else prefix
                walk(pattern.url_patterns, namespace)
            # Pages of one object (an order's return …) need that object; the module's own
            # pages (its list, the guest page) take only the shop.
            elif getattr(pattern.callback, "kantoor_module", None) == module and set(
                pattern.pattern.converters
            ) <= {"shop_slug"}:
                found.append(f"{prefix}{pattern.name}")

    walk(get_resolver().url_patterns)
    return [reverse(name, kwargs={"shop_slug": shop.slug}) for name in found]


@pytest.mark.parametrize("module", MODULES)
def test_a_switched_off_module_answers_404_on_every_page_of_it(staff_client, shop, module):
    urls = module_urls(shop, module)
    assert urls, f"no view is marked as part of {module}"
    # A form's target (a bulk action) takes only POST: it is asked by POST (nothing chosen).
    ask = {
        target: staff_client.post
        if staff_client.get(target).status_code == 405
        else staff_client.get
        for target in urls
    }
    # On: each page answers (the guest return form sends a visitor without an order to the
    # page that finds it).
    for target in urls:
        assert ask[target](target).status_code in (200, 302), target
    switch(shop, module, False)
    for target in urls:
        assert ask[target](target).status_code == 404, target
    switch(shop, module, True)
    for target in urls:
        assert ask[target](target).status_code in (200, 302), target


@pytest.mark.parametrize("module", MODULES)
def test_a_switched_off_module_leaves_the_menu(staff_client, shop, module):
    url = reverse(f"backoffice:{module}", kwargs={"shop_slug": shop.slug})
    overview = reverse("backoffice:overview", kwargs={"shop_slug": shop.slug})
    assert f'href="{url}"' in staff_client.get(overview).text
    switch(shop, module, False)
    assert f'href="{url}"' not in staff_client.get(overview).text


def test_the_returns_tab_of_an_order_is_gone_with_the_returns_module(
    staff_client, shop, products, make_order
):
    order = make_order(shop, products[:1])
    page = reverse("backoffice:order", kwargs={"shop_slug": shop.slug, "number": order.number})
    assert f'href="{page}?tab=returns"' in staff_client.get(page).text
    assert staff_client.get(f"{page}?tab=returns").status_code == 200
    switch(shop, "returns", False)
    assert f'href="{page}?tab=returns"' not in staff_client.get(page).text
    assert staff_client.get(f"{page}?tab=returns").status_code == 404
    assert staff_client.get(page).status_code == 200
    switch(shop, "quotes", False)  # another module leaves the returns tab alone
    switch(shop, "returns", True)
    assert staff_client.get(f"{page}?tab=returns").status_code == 200


def test_only_known_modules_can_be_required():
    with pytest.raises(ValueError):
        module_required("statistics")
