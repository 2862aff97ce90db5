from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer


class DownloadNegotiation(BaseContentNegotiation):
    """For downloads: `?format=` picks the file (csv, xlsx, json), and errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = JSONRenderer()
        return renderer, renderer.media_type
