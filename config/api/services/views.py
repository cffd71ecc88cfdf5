"""The base of every services API view: OAuth2 client credentials, the Error shape, rate limits,
and the workspace of the path (`serviceUuid`), which the authenticator finds with the token:
another company's workspace, or one the application is not bound to, is 404 like a missing one."""

from rest_framework.views import APIView

from accounts.errors import WorkspaceNotFound
from accounts.principal import Principal
from accounts.roles import MESSAGE_CAMPAIGN_READ, MESSAGE_CAMPAIGN_WRITE
from config.api.idempotency import IdempotentWrites
from config.api.parsers import JSONParser, refuse_oversized_body
from config.api.permissions import HasRight
from config.api.services.authentication import OAuthClientAuthentication
from config.api.services.exceptions import exception_handler
from config.api.services.renderers import ServicesRenderer
from config.api.services.schema import ServicesAutoSchema
from config.api.throttles import SAFE_METHODS, CompanyRateThrottle

_AUTHENTICATORS = [OAuthClientAuthentication()]


class ServicesAPIView(IdempotentWrites, APIView):
    renderer_classes = [ServicesRenderer]
    parser_classes = [JSONParser]
    permission_classes = [HasRight]
    throttle_classes = [CompanyRateThrottle]
    schema = ServicesAutoSchema()
    # A campaign is a few kilobytes; its largest fields are capped far below this.
    max_body_bytes: int | None = 1024 * 1024

    principal: Principal | None = None
    company = None
    workspace = None  # the path's workspace (the principal's)

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
        self.workspace = self.principal.workspace
        if self.workspace is None:
            raise WorkspaceNotFound()
        self.claim_idempotency_key(request)
