from billing import selectors
from billing.api.v1 import schema as docs
from billing.api.v1.serializers import BalanceSerializer
from config.api.v1.responses import ApiResponse
from config.api.v1.views import PlatformAPIView

# Output-only serializers are stateless once built; reusing one skips re-copying its fields.
BALANCE_OUTPUT = BalanceSerializer()


class BalanceView(PlatformAPIView):
    required_right = "Balance.Read"

    @docs.balance
    def post(self, request):
        balance = selectors.balance_for_company(company=self.company)
        return ApiResponse(BALANCE_OUTPUT.to_representation(balance), message="Successful!")
