"""Plays pages, mounted under /t/<tenant_slug>/."""

from django.urls import path

from plays import views

app_name = "plays"

urlpatterns = [
    path("plays/", views.PlayListView.as_view(), name="play_list"),
    path("plays/<int:play_id>/", views.PlayDetailView.as_view(), name="play_detail"),
    path("plays/<int:play_id>/edit/", views.PlayUpdateView.as_view(), name="play_update"),
    path("packages/", views.PackageListView.as_view(), name="package_list"),
    path(
        "packages/<int:activation_package_id>/",
        views.PackageDetailView.as_view(),
        name="package_detail",
    ),
    path(
        "packages/<int:activation_package_id>/versions/new/",
        views.PackageVersionCreateView.as_view(),
        name="package_version_create",
    ),
    path(
        "packages/<int:activation_package_id>/override/",
        views.PackageOverrideSetView.as_view(),
        name="package_override_set",
    ),
    path(
        "components/<int:package_component_id>/edit/",
        views.PackageComponentUpdateView.as_view(),
        name="package_component_update",
    ),
    path(
        "overrides/<int:package_component_id>/clear/",
        views.PackageOverrideClearView.as_view(),
        name="package_override_clear",
    ),
]
