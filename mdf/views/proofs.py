"""Portal pages of MDF: proofs (filled in by the MDF work of issue 10)."""

urlpatterns: list = []
