from django.urls import include, path

from kantoor.backoffice import layout_views, views
from kantoor.backoffice.menu import all_entries

app_name = "backoffice"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("<slug:shop_slug>/", views.overview, name="overview"),
    path("<slug:shop_slug>/menu/", layout_views.menu_collapse, name="menu_collapse"),
    # One include per area; each area's views take shop_slug and use shop_staff_required.
    path("<slug:shop_slug>/", include("kantoor.backoffice.orders.urls")),
    path("<slug:shop_slug>/", include("kantoor.backoffice.customers.urls")),
    path("<slug:shop_slug>/", include("kantoor.backoffice.shop_settings.urls")),
    path("<slug:shop_slug>/", include("kantoor.backoffice.messages.urls")),
    path("<slug:shop_slug>/", include("kantoor.backoffice.invoices.urls")),
    path("<slug:shop_slug>/", include("kantoor.backoffice.payments.urls")),
    path("<slug:shop_slug>/", include("kantoor.backoffice.returns.urls")),
    path("<slug:shop_slug>/", include("kantoor.backoffice.quotes.urls")),
    path("<slug:shop_slug>/", include("kantoor.backoffice.reports.urls")),
]

# Menu entries whose feature is not built yet: one generic "coming soon" page each.
urlpatterns += [
    path(
        f"<slug:shop_slug>/{entry.path}/",
        views.coming_soon_view(entry),
        {"entry_key": entry.key},
        name=entry.url_name.removeprefix(f"{app_name}:"),
    )
    for entry in all_entries()
    if not entry.available
]
