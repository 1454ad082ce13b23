"""The read-only JSON API at /api/v1 and the personal access tokens that open it."""
