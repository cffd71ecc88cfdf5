"""The base of every messages export API view: its headers (config.api.export.authentication),
JSON bodies with case-insensitive keys, {"data": ...} answers and {"message": ...} errors, rights
and rate limits. `ip` is the caller's x-ip, which the services keep for the audit."""

from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from accounts.principal import Principal
from config.api.export.authentication import ExportAuthentication, client_address_of
from config.api.export.exceptions import exception_handler
from config.api.export.parsers import JSONParser
from config.api.export.renderers import ExportRenderer
from config.api.export.schema import ExportAutoSchema, PublicExportAutoSchema
from config.api.idempotency import IdempotentWrites
from config.api.parsers import refuse_oversized_body
from config.api.permissions import HasRight
from config.api.throttles import CompanyRateThrottle

# A request names a campaign, a page and a format: a few hundred bytes.
MAX_BODY_BYTES = 16 * 1024
# The rights a view names (those of the token's roles, as on the platform API).
CAMPAIGN_READ = "Campaign.Read"
CAMPAIGN_WRITE = "Campaign.Write"

_AUTHENTICATORS = [ExportAuthentication()]


class ExportAPIView(IdempotentWrites, APIView):
    renderer_classes = [ExportRenderer]
    parser_classes = [JSONParser]
    permission_classes = [HasRight]
    throttle_classes = [CompanyRateThrottle]
    schema = ExportAutoSchema()
    max_body_bytes: int | None = MAX_BODY_BYTES
    required_right: str = CAMPAIGN_READ

    principal: Principal | None = None
    company = None
    user = None
    ip: str | None = None

    def get_authenticators(self):
        return _AUTHENTICATORS

    def get_exception_handler(self):
        return exception_handler

    def get_required_right(self) -> str:
        return self.required_right

    def initial(self, request, *args, **kwargs):
        refuse_oversized_body(request, self.max_body_bytes)
        super().initial(request, *args, **kwargs)
        self.principal = request.auth
        self.company, self.user = self.principal.company, self.principal.user
        self.ip = client_address_of(request)
        self.claim_idempotency_key(request)


class PublicExportAPIView(APIView):
    """Endpoints whose credential is in the URL (a signed download link): no headers, and any
    Accept header, since what they answer is a file."""

    renderer_classes = [ExportRenderer]
    parser_classes = []
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    schema = PublicExportAutoSchema()

    def get_exception_handler(self):
        return exception_handler

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)
