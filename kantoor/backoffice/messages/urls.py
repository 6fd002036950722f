"""Back-office area: messages (views, forms, urls of the same shape as the other areas)."""

# URL patterns below /backoffice/<slug:shop_slug>/ ; names live in the "backoffice" namespace.
from django.urls import path

from kantoor.backoffice.messages import views

urlpatterns: list = [
    path("settings/emails/", views.email_settings, name="settings_emails"),
    path(
        "settings/emails/status-changes/",
        views.email_status_messages,
        name="settings_emails_statuses",
    ),
    path(
        "settings/emails/<slug:kind>/<slug:language>/",
        views.email_template,
        name="settings_email_template",
    ),
    path(
        "settings/emails/<slug:kind>/<slug:language>/preview/",
        views.email_template_preview,
        name="settings_email_template_preview",
    ),
    path(
        "settings/emails/<slug:kind>/<slug:language>/reset/",
        views.email_template_reset,
        name="settings_email_template_reset",
    ),
    path(
        "orders/<str:number>/messages/<int:message_id>/",
        views.order_message,
        name="order_message",
    ),
    path(
        "orders/<str:number>/messages/<int:message_id>/resend/",
        views.order_message_resend,
        name="order_message_resend",
    ),
]
