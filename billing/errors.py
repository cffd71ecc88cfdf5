from config.errors import InvalidInput, RuleViolation


class InvalidAmount(InvalidInput):
    default_message = "Amount must be a non-zero value in pence."


class InsufficientBalance(InvalidInput):
    default_message = "Insufficient balance."


class UnsupportedOption(RuleViolation):
    """A print option the catalogue does not offer for the format; the message lists what it does."""

    label = "option"

    def __init__(self, accepted: list[str]):
        self.accepted = accepted
        super().__init__(f"Supported {self.label} values: {', '.join(accepted)}")


class UnsupportedStockWeight(UnsupportedOption):
    label = "StockWeight"


class UnsupportedMailClass(UnsupportedOption):
    label = "Mail Class"


class UnsupportedDuplex(UnsupportedOption):
    label = "Duplex"


class UnsupportedAdmail(UnsupportedOption):
    label = "Admail"


class UnsupportedConfidential(UnsupportedOption):
    label = "Confidential"
