"""The base of every campaign API v2 view: `X-API-Key`, plain JSON, {"error": ...} errors, rate
limits."""

from rest_framework.views import APIView

from accounts.principal import Principal
from accounts.roles import MESSAGE_CAMPAIGN_READ, MESSAGE_CAMPAIGN_WRITE
from config.api.idempotency import IdempotentWrites
from config.api.parsers import refuse_oversized_body
from config.api.permissions import HasRight
from config.api.throttles import SAFE_METHODS, CompanyRateThrottle
from config.api.v2.authentication import ApiKeyAuthentication
from config.api.v2.exceptions import exception_handler
from config.api.v2.parsers import JSONParser
from config.api.v2.renderers import V2Renderer
from config.api.v2.schema import V2AutoSchema

_AUTHENTICATORS = [ApiKeyAuthentication()]


class V2APIView(IdempotentWrites, APIView):
    renderer_classes = [V2Renderer]
    parser_classes = [JSONParser]
    permission_classes = [HasRight]
    throttle_classes = [CompanyRateThrottle]
    schema = V2AutoSchema()
    max_body_bytes: int | None = 1024 * 1024

    principal: Principal | None = None
    company = None

    def get_authenticators(self):
        return _AUTHENTICATORS

    def get_exception_handler(self):
        return exception_handler

    def get_required_right(self) -> str:
        return MESSAGE_CAMPAIGN_READ if self.request.method in SAFE_METHODS else MESSAGE_CAMPAIGN_WRITE

    def initial(self, request, *args, **kwargs):
        refuse_oversized_body(request, self.max_body_bytes)
        super().initial(request, *args, **kwargs)
        self.principal = request.auth
        self.company = self.principal.company
        self.claim_idempotency_key(request)
