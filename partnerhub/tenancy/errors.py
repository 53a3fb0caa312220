class ServiceError(Exception):
    """A business rule refused the change. The message is shown to the user as is.

    `field` names the input at fault when there is one, so forms and the API can attach it there.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
