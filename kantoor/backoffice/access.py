"""The one gate of the shop area: every view under /backoffice/<shop_slug>/ uses it."""

from functools import wraps

from django.contrib.auth.decorators import login_required

from kantoor.shops.selectors import membership_for


def shop_staff_required(view):
    """Let only members of the shop in the URL in; everyone else gets a 404.

    Anonymous visitors are sent to the log-in page first. A shop the user is no member of
    answers 404 exactly like a shop that does not exist (no existence leaks). Sets
    ``request.shop`` and ``request.membership`` for the view.
    """

    @wraps(view)
    def wrapper(request, *args, shop_slug: str, **kwargs):
        membership = membership_for(user=request.user, slug=shop_slug)
        request.membership = membership
        request.shop = membership.shop
        return view(request, *args, shop_slug=shop_slug, **kwargs)

    return login_required(wrapper)
