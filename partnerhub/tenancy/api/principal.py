"""Who is calling the API. Imports nothing of DRF's views: the throttle, loaded while DRF builds
`APIView`, needs it too."""


def request_principal(request) -> str:
    """The API key, else the signed-in user: idempotency keys and rate limits are each caller's own."""
    api_key = getattr(request, "api_key", None)
    return f"apikey:{api_key.id}" if api_key is not None else f"user:{request.user.pk}"
