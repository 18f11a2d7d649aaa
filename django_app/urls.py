"""Routes of API.md: no trailing slashes; path ids are parsed by the views, so bad ones are 404."""

from __future__ import annotations

from django.urls import path

from django_app import handlers, views

urlpatterns = [
    path("health", views.HealthView.as_view()),
    path("openapi.json", views.OpenApiView.as_view()),
    path("auth/register", views.RegisterView.as_view()),
    path("auth/login", views.LoginView.as_view()),
    path("products", views.ProductListView.as_view()),
    path("products/<str:pk>", views.ProductDetailView.as_view()),
    path("orders", views.OrderCreateView.as_view()),
    path("orders/<str:pk>", views.OrderDetailView.as_view()),
]

handler400 = handlers.bad_request_page
handler404 = handlers.not_found_page
handler500 = handlers.server_error_page
