"""Portal pages of MDF: funds (filled in by the MDF work of issue 10)."""

urlpatterns: list = []
