"""MDF REST API: proofs (filled in by the MDF work of issue 10)."""


def register(router) -> None:
    pass
