"""Portal pages of MDF: requests (filled in by the MDF work of issue 10)."""

urlpatterns: list = []
