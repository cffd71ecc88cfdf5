from config.errors import InvalidInput


class InvalidAmount(InvalidInput):
    default_message = "Amount must be a non-zero value in pence."


class InsufficientBalance(InvalidInput):
    default_message = "Insufficient balance."
