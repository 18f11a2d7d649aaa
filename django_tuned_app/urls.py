"""Routes of API.md: no trailing slashes; path ids are parsed by the views, so bad ones are 404."""

from __future__ import annotations

from django.urls import path

from django_tuned_app import handlers, views

urlpatterns = [
    path("health", views.health_view),
    path("auth/register", views.register_view),
    path("auth/login", views.login_view),
    path("products", views.product_list_view),
    path("products/<str:pk>", views.product_detail_view),
    path("orders", views.order_create_view),
    path("orders/<str:pk>", views.order_detail_view),
    path("openapi.json", views.openapi_view),
]

handler400 = handlers.bad_request_page
handler404 = handlers.not_found_page
handler500 = handlers.server_error_page
