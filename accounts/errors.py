from config.errors import DomainError, NotAuthenticated


class InvalidApiKey(NotAuthenticated):
    default_message = "Invalid or expired API key"


class InvalidRefreshToken(NotAuthenticated):
    default_message = "Invalid or expired refresh token"


class NotStaff(DomainError):
    default_message = "Only staff can change API access."
