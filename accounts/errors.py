from config.errors import DomainError, InvalidInput, NotAuthenticated


class InvalidApiKey(NotAuthenticated):
    default_message = "Invalid or expired API key"


class InvalidRefreshToken(NotAuthenticated):
    default_message = "Invalid or expired refresh token"


class NotStaff(DomainError):
    default_message = "Only staff can change API access."


class UserWithoutCompany(InvalidInput):
    default_message = "Only a company user can hold an API key."
