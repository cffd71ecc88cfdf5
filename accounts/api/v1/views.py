from accounts import services
from accounts.api.v1 import schema as docs
from accounts.api.v1.serializers import LoginRequestSerializer, RefreshRequestSerializer, jwt_response
from accounts.errors import InvalidRefreshToken
from config.api.jwt import mint_token_pair, read_refresh_token
from config.api.v1.responses import ApiResponse
from config.api.v1.views import PublicPlatformAPIView
from config.middleware import log_as_company


class LoginView(PublicPlatformAPIView):
    @docs.login
    def post(self, request):
        serializer = LoginRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        grant = services.api_session_start(api_key=serializer.validated_data["apiKey"])
        log_as_company(request, grant.user.company_id)
        return ApiResponse(jwt_response(mint_token_pair(grant)), message="Login successful")


class RefreshView(PublicPlatformAPIView):
    @docs.refresh
    def post(self, request):
        serializer = RefreshRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claims = read_refresh_token(serializer.validated_data["refreshToken"])
        if claims is None:
            raise InvalidRefreshToken()
        session_id, jti = claims
        grant = services.api_session_refresh(session_id=session_id, jti=jti)
        log_as_company(request, grant.user.company_id)
        return ApiResponse(jwt_response(mint_token_pair(grant)), message="Token refreshed successfully")
