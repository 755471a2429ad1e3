from django.urls import path

from . import views as views_results

urlpatterns = [
    path("pulse/results/", views_results.results, name="pulse_results"),
    path("pulse/results/heatmap/", views_results.heatmap, name="pulse_heatmap"),
    path("pulse/results/trends/", views_results.trends, name="pulse_trends"),
    path(
        "pulse/results/comments/<uuid:comment_id>/reply/",
        views_results.comment_reply,
        name="pulse_comment_reply",
    ),
]
