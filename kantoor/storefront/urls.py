from django.urls import path

from kantoor.storefront.views import (
    account,
    auth,
    cart,
    catalog,
    checkout,
    invoices,
    quotes,
    returns,
)

app_name = "storefront"

urlpatterns = [
    path("", catalog.product_list, name="home"),
    path("p/<str:sku>/", catalog.product_detail, name="product"),
    path("cart/", cart.cart_detail, name="cart"),
    path("cart/add/", cart.cart_add, name="cart_add"),
    path("cart/update/", cart.cart_update, name="cart_update"),
    path("cart/remove/", cart.cart_remove, name="cart_remove"),
    path("cart/quote/", cart.quote_request, name="quote_request"),
    path("checkout/", checkout.checkout, name="checkout"),
    path("checkout/summary/", checkout.checkout_summary, name="checkout_summary"),
    path("order/<str:token>/", checkout.confirmation, name="confirmation"),
    path("account/", account.account, name="account"),
    path("account/orders/<str:number>/", account.order_detail, name="order"),
    path("account/orders/<str:number>/reorder/", account.reorder, name="reorder"),
    path("account/orders/<str:number>/return/", returns.account_return, name="account_return"),
    path("returns/", returns.guest_returns, name="guest_returns"),
    path("returns/new/", returns.guest_return_form, name="guest_return_form"),
    path("returns/<str:token>/", returns.return_page, name="return_page"),
    path("returns/<str:token>/slip.pdf", returns.return_slip, name="return_slip"),
    path(
        "returns/<str:token>/photos/<str:photo_id>/",
        returns.return_photo,
        name="return_photo",
    ),
    path("quotes/<str:token>/", quotes.quote_page, name="quote_page"),
    path("quotes/<str:token>/accept/", quotes.quote_accept, name="quote_accept"),
    path("quotes/<str:token>/decline/", quotes.quote_decline, name="quote_decline"),
    path("quotes/<str:token>/quote.pdf", quotes.quote_pdf, name="quote_pdf"),
    path(
        "account/invoices/<str:number>/<str:fmt>/",
        invoices.invoice_download,
        name="invoice_download",
    ),
    path("account/login/", auth.login, name="login"),
    path("account/logout/", auth.logout, name="logout"),
    path("account/signup/", auth.signup, name="signup"),
    path("account/password/", auth.password_reset, name="password_reset"),
    path("account/password/<str:uidb64>/<str:token>/", auth.password_set, name="password_set"),
]
