from django.urls import path

from . import views_tokens

urlpatterns = [
    path("settings/tokens/", views_tokens.api_tokens, name="api_tokens"),
    path("settings/tokens/<int:pk>/revoke/", views_tokens.api_token_revoke, name="api_token_revoke"),
]
