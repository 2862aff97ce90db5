from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from registry.caching import CountRememberingPaginator


class RegistryPagination(PageNumberPagination):
    """`page` and `page_size` (1–500); an out-of-range page size is an error, not a surprise."""

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
                {
                    "page_size": [
                        _("Enter a whole number from 1 to %(largest)d.")
                        % {"largest": self.max_page_size}
                    ]
                }
            )
        return size
