from django.urls import include, path

from . import views, views_email, views_notifications, views_password

urlpatterns = [
    path("accounts/login/", views.sign_in, name="login"),
    path("accounts/demo-login/", views.demo_sign_in, name="demo_login"),
    path("accounts/logout/", views.sign_out, name="logout"),
    path("accounts/invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("accounts/password-reset/", views.password_reset, name="password_reset"),
    path("accounts/password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views_password.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", views_password.password_reset_complete, name="password_reset_complete"),
    path("settings/email/", views_email.email_change, name="email_change"),
    path("settings/notifications/", views_notifications.notifications, name="notifications"),
    path(
        "settings/email/confirm/<str:token>/", views_email.email_change_confirm, name="email_change_confirm"
    ),
    path("", include("accord.accounts.urls_tokens")),
]
