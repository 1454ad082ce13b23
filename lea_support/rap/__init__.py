"""Raising Achievement Plans, project teams and mid-point reviews (to be built: see issue 5)."""
