from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response


class JSONLDRenderer(JSONRenderer):
    """`?format=jsonld` (or `Accept: application/ld+json`): the view's JSON-LD document.

    Views that offer it build the document themselves (agreements/interchange/jsonld.py) from the
    same queryset as their JSON, so visibility is the same; errors are rendered as usual. (The
    OpenAPI schema describes its 2xx answers as JSON-LD documents: registry/api/schema.py.)
    """

    media_type = "application/ld+json"
    format = "jsonld"


def wants_jsonld(request) -> bool:
    renderer = getattr(request, "accepted_renderer", None)
    return renderer is not None and renderer.format == JSONLDRenderer.format


class JSONLDMixin:
    """Adds the JSON-LD renderer to a viewset's `list` and `retrieve` (after its defaults, so
    JSON stays the default and the browsable API stays)."""

    jsonld_actions = ("list", "retrieve")

    def get_renderers(self):
        renderers = super().get_renderers()
        if getattr(self, "action", None) in self.jsonld_actions:
            renderers.append(JSONLDRenderer())
        return renderers


def jsonld_page(view, nodes: list[dict]) -> Response:
    """A page of a list as a schema.org ItemList: `numberOfItems` is the whole list's size, and
    RFC 8288 `Link` headers point to the next and previous pages."""
    paginator = view.paginator
    document = {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "@id": view.request.build_absolute_uri(),
        "numberOfItems": paginator.page.paginator.count,
        "itemListElement": nodes,
    }
    neighbours = (("next", paginator.get_next_link()), ("prev", paginator.get_previous_link()))
    links = [f'<{url}>; rel="{rel}"' for rel, url in neighbours if url]
    return Response(document, headers={"Link": ", ".join(links)} if links else None)
