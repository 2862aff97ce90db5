from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from registry.caching import CountRememberingPaginator


class RegistryPagination(PageNumberPagination):
    """`page` and `page_size` (1–500); an out-of-range page size is an error, not a surprise.
    Beside the `next` and `previous` links, `next_page` and `previous_page` give their page
    numbers, for a client that builds its own requests."""

    django_paginator_class = CountRememberingPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"Enter a whole number from 1 to {self.max_page_size}."]}
            )
        return size

    def get_paginated_response(self, data):
        page = self.page
        return Response(
            {
                "count": page.paginator.count,
                "next": self.get_next_link(),
                "next_page": page.next_page_number() if page.has_next() else None,
                "previous": self.get_previous_link(),
                "previous_page": page.previous_page_number() if page.has_previous() else None,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        properties = answer["properties"]
        page_number = {"type": "integer", "nullable": True, "example": 2}
        answer["properties"] = {
            "count": {**properties["count"], "description": "How many match, on every page."},
            "next": {**properties["next"], "description": "The next page's URL; null on the last."},
            "next_page": {
                **page_number,
                "description": "The next page's number; null on the last.",
            },
            "previous": {
                **properties["previous"],
                "description": "The previous page's URL; null on the first.",
            },
            "previous_page": {
                **page_number,
                "example": 1,
                "description": "The previous page's number; null on the first.",
            },
            "results": properties["results"],
        }
        answer["required"] = ["count", "next", "next_page", "previous", "previous_page", "results"]
        return answer
