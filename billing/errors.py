from config.errors import Conflict, Declined, InvalidInput, RuleViolation


class InvalidAmount(InvalidInput):
    default_message = "Amount must be a non-zero value in pence."


# ---- balance, ledger and payments ----------------------------------------------------------------
# A payment that cannot be taken is "declined": the schedule endpoint answers 200 with a message
# (spec: "Can not schedule campaign. ..."); each surface words it through its `error_messages`.


class PaymentFailed(Declined):
    default_message = "Can not schedule campaign. Something went wrong."


class InsufficientBalance(PaymentFailed):
    default_message = "Insufficient balance."


class UnsupportedOption(RuleViolation):
    """A print option the catalogue does not offer for the format; the message lists what it does.
    The spec's examples:
    - "Supported StockWeight values: 100UNCOAT, 120UNCOAT, 250SILK, 300GLOSS, 350SILK, 350UNCOAT"
    - "Supported Mail Class values: First, Second"
    - "Supported Admail values: true, false"
    - "Supported Confidential values: true, false"
    """

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


class BalanceLocked(PaymentFailed):
    default_message = "Can not schedule campaign. Company Balance is locked."


class AlreadyPaid(Conflict):
    """A second payment for the same reference (campaign): the unique constraint's answer."""

    default_message = "This campaign has already been paid for."
    default_errors = None


class ReasonRequired(InvalidInput):
    default_message = "Give a reason for the change."
    default_errors = None


class RefundTooLarge(RuleViolation):
    default_message = "A refund cannot exceed what was paid for this reference."


# ---- vouchers ---------------------------------------------------------------------------------------


class VoucherInvalid(Declined):
    """The code cannot be used now by this company. The message is the spec's, whatever the
    reason; `reason` says which rule refused it (for logs, the admin and tests)."""

    default_message = "Unsuccessful! Voucher code is not valid"

    UNKNOWN = "unknown"
    INACTIVE = "inactive"
    NOT_STARTED = "not_started"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    COMPANY_LIMIT = "company_limit"
    NOT_FOR_COMPANY = "not_for_company"

    def __init__(self, reason: str, message: str | None = None):
        super().__init__(message)
        self.reason = reason


class VoucherCodeRequired(RuleViolation):
    default_message = "Voucher code must be provide to apply the voucher."


# ---- dispatch dates ---------------------------------------------------------------------------------
# The spec documents only the format errors of availableDates (the API edge parses dates); these
# are the range rules the service itself enforces, worded in the same style.


class InvalidDateRange(RuleViolation):
    default_message = "Invalid date range. The end date must be on or after the start date."


class DateRangeTooLong(RuleViolation):
    def __init__(self, max_days: int):
        super().__init__(f"Invalid date range. At most {max_days} days can be requested at once.")
        self.max_days = max_days


class DateRangeInPast(RuleViolation):
    default_message = "Invalid date range. The end date is in the past."


class DateRangeBeyondHorizon(RuleViolation):
    """A range that starts after the last day that can be booked (dates.booking_horizon)."""

    def __init__(self, max_days: int):
        super().__init__(f"Invalid date range. Dates can be booked at most {max_days} days ahead.")
        self.max_days = max_days


class DateNotAvailable(RuleViolation):
    """e.g. "The selected date 2026-04-15 is not available for scheduling." """

    def __init__(self, day):
        super().__init__(f"The selected date {day:%Y-%m-%d} is not available for scheduling.")
        self.day = day


class NoAvailableDates(RuleViolation):
    """e.g. "No available dates found from 2026-04-15 onwards." """

    def __init__(self, day):
        super().__init__(f"No available dates found from {day:%Y-%m-%d} onwards.")
        self.day = day


# ---- orders (provisional bookings) ------------------------------------------------------------------


class ProvisionalBookingNotAllowed(RuleViolation):
    default_message = "Company does not have provisional booking permission."


class OrderAlreadyPending(Conflict):
    default_message = "A provisional booking is already awaiting payment for this campaign."
    default_errors = None


class OrderNotPending(RuleViolation):
    default_message = "Only a pending order can be approved or rejected."
