"""The base of every platform API view: envelope, parsing, JWT auth, rights, rate limits, and the
company taken from the credential (never from the request)."""

from functools import cache

from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from accounts.principal import Principal
from config.api.idempotency import IdempotentWrites
from config.api.jwt import SessionJWTAuthentication
from config.api.parsers import FormParser, JSONParser, MultiPartParser, refuse_oversized_body
from config.api.permissions import HasRight
from config.api.throttles import CompanyRateThrottle, LoginRateThrottle
from config.api.v1 import messages
from config.api.v1.exceptions import exception_handler
from config.api.v1.renderers import EnvelopeRenderer
from config.api.v1.schema import PlatformAutoSchema


class PlatformAPIView(IdempotentWrites, APIView):
    renderer_classes = [EnvelopeRenderer]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    authentication_classes = [SessionJWTAuthentication]
    permission_classes = [HasRight]
    throttle_classes = [CompanyRateThrottle]
    schema = PlatformAutoSchema()

    required_right: str | None = None
    unauthenticated_message = messages.UNAUTHENTICATED
    permission_denied_message = messages.FORBIDDEN
    unexpected_message = messages.UNEXPECTED
    error_messages: dict = {}
    max_body_bytes: int | None = None

    principal = None  # accounts.principal.Principal: who is calling
    company = None  # the principal's company: every read and write is scoped to it

    def get_required_right(self) -> str | None:
        """The API right this request needs (views whose methods differ override this)."""
        return self.required_right

    def get_exception_handler(self):
        return exception_handler

    def get_authenticators(self):
        return _instances_of(tuple(self.authentication_classes))

    def initial(self, request, *args, **kwargs):
        refuse_oversized_body(request, self.max_body_bytes)
        super().initial(request, *args, **kwargs)
        if isinstance(request.auth, Principal):
            self.principal, self.company = request.auth, request.auth.company
        self.claim_idempotency_key(request)


@cache
def _instances_of(authentication_classes: tuple[type, ...]) -> list:
    """The authenticators, made once per list of classes rather than on every request (they
    keep no state of their own, and making the JWT one looks up the user model each time)."""
    return [authentication_class() for authentication_class in authentication_classes]


class PublicPlatformAPIView(PlatformAPIView):
    """Endpoints that take credentials in the body (login, refresh)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginRateThrottle]
