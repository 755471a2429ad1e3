from django.urls import path

from . import views_password, views_tokens

urlpatterns = [
    path("settings/tokens/", views_tokens.api_tokens, name="api_tokens"),
    path("settings/tokens/<int:pk>/revoke/", views_tokens.api_token_revoke, name="api_token_revoke"),
    path("settings/tokens/revoke-all/", views_tokens.api_tokens_revoke_all, name="api_tokens_revoke_all"),
    path("settings/password/", views_password.password_change, name="password_change"),
    path("settings/password/done/", views_password.password_change_done, name="password_change_done"),
]
