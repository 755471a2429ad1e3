from django.urls import path

from . import views

urlpatterns = [
    path("handoffs/", views.home, name="handoffs"),
    path("handoffs/chains/new/", views.chain_new, name="handoffs_chain_new"),
    path("handoffs/chains/<int:pk>/", views.chain, name="handoffs_chain"),
    path("handoffs/chains/<int:pk>/edit/", views.chain_edit, name="handoffs_chain_edit"),
    path("handoffs/chains/<int:pk>/write/", views.write, name="handoffs_write"),
    path("handoffs/<int:pk>/", views.handoff, name="handoffs_handoff"),
    path("handoffs/<int:pk>/acknowledge/", views.acknowledge_view, name="handoffs_acknowledge"),
    path("handoffs/items/<int:pk>/", views.item_update, name="handoffs_item"),
]
