"""The bench server's URLconf: the product's URLs plus two bench-only views (never in product URLs)."""

from django.urls import path

from petcommunity.urls import urlpatterns as product_urlpatterns

from . import views

urlpatterns = [
    path("bench/naive/", views.naive_feed, name="bench_naive_feed"),
    path("bench/trivial/", views.trivial, name="bench_trivial"),
    *product_urlpatterns,
]
