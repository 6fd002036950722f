"""Customer accounts: sign up, log in, log out, set a password through an e-mailed link."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kantoor.core.parsing import safe_next_url
from kantoor.core.throttle import Throttle, Throttled, check_all, client_ip, hit_all
from kantoor.customers.selectors import customer_by_email, customer_by_id
from kantoor.customers.services import (
    EmailTaken,
    authenticate_customer,
    record_customer_login,
    set_customer_password,
    sign_up_customer,
)
from kantoor.storefront import customer_session
from kantoor.storefront.forms import LogInForm, PasswordRequestForm, SetPasswordForm, SignUpForm
from kantoor.storefront.services import send_password_link
from kantoor.storefront.tokens import password_token_generator
from kantoor.storefront.views.common import (
    current_language,
    page,
    shop_url,
    shop_view,
)

# Wrong passwords per account and per IP address, in each shop (an account belongs to one shop);
# at the limit even the right password is refused until the window passes.
LOGIN_PER_ACCOUNT = Throttle("customer-login-account", limit=5, window=15 * 60)
LOGIN_PER_IP = Throttle("customer-login-ip", limit=20, window=15 * 60)


@require_http_methods(["GET", "POST"])
@shop_view
def login(request):
    next_url = safe_next_url(request, shop_url(request, "account"))
    if request.customer is not None:
        return redirect(next_url)
    form = LogInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        shop_id = request.shop.pk
        pairs = (
            (LOGIN_PER_ACCOUNT, f"{shop_id}:{email}"),
            (LOGIN_PER_IP, f"{shop_id}:{client_ip(request)}"),
        )
        customer = None
        try:
            check_all(*pairs)
        except Throttled as throttled:
            form.add_error(None, throttled.message)
            status = 429
        else:
            customer = authenticate_customer(
                shop=request.shop, email=email, password=form.cleaned_data["password"]
            )
            if customer is None:
                hit_all(*pairs)
                form.add_error(
                    None,
                    _("The e-mail address or password is not right. Check both and try again."),
                )
        if customer is not None:
            LOGIN_PER_ACCOUNT.clear(f"{shop_id}:{email}")
            record_customer_login(customer=customer)
            customer_session.log_in(request, shop=request.shop, customer=customer)
            messages.success(request, _("Welcome back, %(name)s.") % {"name": customer})
            return redirect(next_url)
    return page(request, "storefront/login.html", {"form": form, "next": next_url}, status=status)


@require_POST
@shop_view
def logout(request):
    customer_session.log_out(request, shop=request.shop)
    messages.success(request, _("You are logged out."))
    return redirect(shop_url(request, "home"))


@require_http_methods(["GET", "POST"])
@shop_view
def signup(request):
    next_url = safe_next_url(request, shop_url(request, "account"))
    if request.customer is not None:
        return redirect(next_url)
    form = SignUpForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            customer = sign_up_customer(
                shop=request.shop,
                email=data["email"],
                password=data["password"],
                first_name=data["first_name"].strip(),
                last_name=data["last_name"].strip(),
                language=current_language(),
            )
        except ValidationError as error:
            form.add_error("password", error)
        except EmailTaken as taken:
            # Never say that the address is known: its owner gets a link to set a password.
            send_password_link(request=request, shop=request.shop, customer=taken.customer)
            return page(request, "storefront/check_email.html", {"email": data["email"]})
        else:
            customer_session.log_in(request, shop=request.shop, customer=customer)
            messages.success(
                request, _("Your account is ready. Welcome, %(name)s.") % {"name": customer}
            )
            return redirect(next_url)
    return page(request, "storefront/signup.html", {"form": form, "next": next_url})


@require_http_methods(["GET", "POST"])
@shop_view
def password_reset(request):
    form = PasswordRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        customer = customer_by_email(shop=request.shop, email=email)
        if customer is not None:
            send_password_link(request=request, shop=request.shop, customer=customer)
        return page(request, "storefront/check_email.html", {"email": email})
    return page(request, "storefront/password_reset.html", {"form": form})


@require_http_methods(["GET", "POST"])
@shop_view
def password_set(request, uidb64: str, token: str):
    customer = _customer_from_link(request, uidb64, token)
    if customer is None:
        return page(request, "storefront/password_link_invalid.html", status=400)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            set_customer_password(customer=customer, password=form.cleaned_data["password"])
        except ValidationError as error:
            form.add_error("password", error)
        else:
            record_customer_login(customer=customer)
            customer_session.log_in(request, shop=request.shop, customer=customer)
            messages.success(request, _("Your new password is set and you are logged in."))
            return redirect(shop_url(request, "account"))
    return page(request, "storefront/password_set.html", {"form": form, "link_customer": customer})


def _customer_from_link(request, uidb64: str, token: str):
    try:
        customer_id = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    customer = customer_by_id(shop=request.shop, customer_id=customer_id)
    if customer is None or not password_token_generator.check_token(customer, token):
        return None
    return customer
