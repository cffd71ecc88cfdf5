"""What billing services refuse: each error carries a code of BillingErrorCode (with params where a
surface needs data to word it); the API surfaces word it (config/errors_text.py for v1 and the
admin). A payment that cannot be taken or a voucher that cannot be used is an ordinary refusal
here; the v1 schedule and voucher endpoints answer it as "200, success true, data null"."""

from enum import StrEnum

from config.errors import Conflict, InvalidInput, RuleViolation


class BillingErrorCode(StrEnum):
    INVALID_AMOUNT = "invalid_amount"
    TOP_UP_NOT_POSITIVE = "top_up_not_positive"
    PAYMENT_NOT_POSITIVE = "payment_not_positive"
    PAYMENT_FAILED = "payment_failed"
    INSUFFICIENT_BALANCE = "insufficient_balance"
    BALANCE_LOCKED = "balance_locked"
    ALREADY_PAID = "already_paid"
    REASON_REQUIRED = "reason_required"
    REFUND_TOO_LARGE = "refund_too_large"
    REFUND_NOTHING_PAID = "refund_nothing_paid"
    # A print option the catalogue does not offer for the format (params: accepted).
    UNSUPPORTED_STOCK_WEIGHT = "unsupported_stock_weight"
    UNSUPPORTED_MAIL_CLASS = "unsupported_mail_class"
    UNSUPPORTED_DUPLEX = "unsupported_duplex"
    UNSUPPORTED_ADMAIL = "unsupported_admail"
    UNSUPPORTED_CONFIDENTIAL = "unsupported_confidential"
    VOUCHER_INVALID = "voucher_invalid"  # params: reason (which rule refused it)
    VOUCHER_CODE_REQUIRED = "voucher_code_required"
    # Dispatch dates.
    INVALID_DATE_RANGE = "invalid_date_range"
    DATE_RANGE_TOO_LONG = "date_range_too_long"  # params: max_days
    DATE_RANGE_IN_PAST = "date_range_in_past"
    DATE_RANGE_BEYOND_HORIZON = "date_range_beyond_horizon"  # params: max_days
    DATE_NOT_AVAILABLE = "date_not_available"  # params: day
    NO_AVAILABLE_DATES = "no_available_dates"  # params: day
    # Orders (provisional bookings).
    PROVISIONAL_BOOKING_NOT_ALLOWED = "provisional_booking_not_allowed"
    ORDER_ALREADY_PENDING = "order_already_pending"
    ORDER_NOT_PENDING = "order_not_pending"
    # Vouchers (staff).
    VOUCHER_IN_USE = "voucher_in_use"


class InvalidAmount(InvalidInput):
    code = BillingErrorCode.INVALID_AMOUNT


# ---- balance, ledger and payments ----------------------------------------------------------------


class PaymentFailed(RuleViolation):
    code = BillingErrorCode.PAYMENT_FAILED


class InsufficientBalance(PaymentFailed):
    code = BillingErrorCode.INSUFFICIENT_BALANCE


class BalanceLocked(PaymentFailed):
    code = BillingErrorCode.BALANCE_LOCKED


class UnsupportedOption(RuleViolation):
    """A print option the catalogue does not offer for the format; `accepted` lists what it does
    (the spec words it e.g. "Supported StockWeight values: 100UNCOAT, 120UNCOAT, 250SILK")."""

    def __init__(self, accepted: list[str]):
        super().__init__(accepted=accepted)
        self.accepted = accepted


class UnsupportedStockWeight(UnsupportedOption):
    code = BillingErrorCode.UNSUPPORTED_STOCK_WEIGHT


class UnsupportedMailClass(UnsupportedOption):
    code = BillingErrorCode.UNSUPPORTED_MAIL_CLASS


class UnsupportedDuplex(UnsupportedOption):
    code = BillingErrorCode.UNSUPPORTED_DUPLEX


class UnsupportedAdmail(UnsupportedOption):
    code = BillingErrorCode.UNSUPPORTED_ADMAIL


class UnsupportedConfidential(UnsupportedOption):
    code = BillingErrorCode.UNSUPPORTED_CONFIDENTIAL


class AlreadyPaid(Conflict):
    """A second payment for the same reference (campaign): the unique constraint's answer."""

    code = BillingErrorCode.ALREADY_PAID


class ReasonRequired(InvalidInput):
    code = BillingErrorCode.REASON_REQUIRED


class RefundTooLarge(RuleViolation):
    code = BillingErrorCode.REFUND_TOO_LARGE


# ---- vouchers ---------------------------------------------------------------------------------------


class VoucherInvalid(RuleViolation):
    """The code cannot be used now by this company; `reason` says which rule refused it (for logs,
    the admin and tests). Surfaces word every reason alike, as the spec does."""

    code = BillingErrorCode.VOUCHER_INVALID

    UNKNOWN = "unknown"
    INACTIVE = "inactive"
    NOT_STARTED = "not_started"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    COMPANY_LIMIT = "company_limit"
    NOT_FOR_COMPANY = "not_for_company"

    def __init__(self, reason: str):
        super().__init__(reason=reason)
        self.reason = reason


class VoucherCodeRequired(RuleViolation):
    code = BillingErrorCode.VOUCHER_CODE_REQUIRED


# ---- dispatch dates ---------------------------------------------------------------------------------
# The spec documents only the format errors of availableDates (the API edge parses dates); these
# are the range rules the service itself enforces.


class InvalidDateRange(RuleViolation):
    code = BillingErrorCode.INVALID_DATE_RANGE


class DateRangeTooLong(RuleViolation):
    code = BillingErrorCode.DATE_RANGE_TOO_LONG

    def __init__(self, max_days: int):
        super().__init__(max_days=max_days)
        self.max_days = max_days


class DateRangeInPast(RuleViolation):
    code = BillingErrorCode.DATE_RANGE_IN_PAST


class DateRangeBeyondHorizon(RuleViolation):
    """A range that starts after the last day that can be booked (dates.booking_horizon)."""

    code = BillingErrorCode.DATE_RANGE_BEYOND_HORIZON

    def __init__(self, max_days: int):
        super().__init__(max_days=max_days)
        self.max_days = max_days


class DateNotAvailable(RuleViolation):
    code = BillingErrorCode.DATE_NOT_AVAILABLE

    def __init__(self, day):
        super().__init__(day=day)
        self.day = day


class NoAvailableDates(RuleViolation):
    code = BillingErrorCode.NO_AVAILABLE_DATES

    def __init__(self, day):
        super().__init__(day=day)
        self.day = day


# ---- orders (provisional bookings) ------------------------------------------------------------------


class ProvisionalBookingNotAllowed(RuleViolation):
    code = BillingErrorCode.PROVISIONAL_BOOKING_NOT_ALLOWED


class OrderAlreadyPending(Conflict):
    code = BillingErrorCode.ORDER_ALREADY_PENDING


class OrderNotPending(RuleViolation):
    code = BillingErrorCode.ORDER_NOT_PENDING


class VoucherInUse(Conflict):
    """A voucher that a payment redeemed, or an order or a campaign refers to, is never deleted
    (deactivate it instead)."""

    code = BillingErrorCode.VOUCHER_IN_USE
