from config.api.v1.errors import v1_wording
from config.api.v1.pagination import lenient_paging_params, paged_items
from config.api.v1.responses import ApiResponse
from config.api.v1.views import PlatformAPIView
from templates import selectors
from templates.api.v1 import schema as docs
from templates.errors import InvalidTemplateFilter
from templates.formats import format_by_code


def _stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def template_item(template) -> dict:
    fmt = format_by_code(template.format_code)
    return {
        "id": template.pk,
        "pageOrientation": fmt.orientation,
        "pageSize": fmt.page_size,
        "windowGummedCode": fmt.envelope,
        "name": template.name,
        "createdDate": _stamp(template.created_at),
        "updatedDate": _stamp(template.updated_at),
        # Beyond the documented fields:
        "pageCount": template.page_count,
        "isShared": template.is_shared,
    }


class TemplatesView(PlatformAPIView):
    required_right = "Template.Read"
    unexpected_message = "Unexpected server error"

    @docs.templates_list
    def get(self, request):
        offset, limit = lenient_paging_params(request.query_params)
        try:
            formats = selectors.formats_matching(
                {name: request.query_params.get(name) for name in selectors.FILTERS}
            )
        except InvalidTemplateFilter as exc:
            valid_key = selectors.FILTERS[exc.field][2]
            data = {"error": f"Invalid {exc.field}: '{exc.value}'.", valid_key: exc.valid}
            return ApiResponse(data, message=v1_wording(exc, self)[1], status=400)
        page = selectors.template_page(company=self.company, offset=offset, limit=limit, formats=formats)
        body = paged_items(page, [template_item(t) for t in page.items])
        return ApiResponse(body, message="Templates fetched successfully.")
