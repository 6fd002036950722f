from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView


class FaviconView(RedirectView):
    """/favicon.ico, which browsers ask for on their own: the SVG icon the pages link to."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("kantoor/favicon.svg")


urlpatterns = [
    path("", RedirectView.as_view(pattern_name="backoffice:home", permanent=False)),
    path("favicon.ico", FaviconView.as_view()),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("kantoor.shops.urls")),
    path("django-admin/", admin.site.urls),
    path("backoffice/", include("kantoor.backoffice.urls")),
    path("shop/<slug:shop_slug>/", include("kantoor.storefront.urls")),
    path("pay/", include("kantoor.storefront.pay_urls")),
    path("payments/", include("kantoor.payments.urls")),
]
