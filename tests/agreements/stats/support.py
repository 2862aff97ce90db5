"""Reading the statistics as the API gives them."""

from tests.support import api_client


def get_stats(user=None, **params) -> dict:
    """`stats/` as `user` (anonymous when None) with the list's filters `params`."""
    response = api_client(user).get("/api/v1/stats/", params)
    assert response.status_code == 200, response.content
    return response.json()
