"""Plans pages."""

urlpatterns: list = []
