"""What other areas' routes need of the register: the school a URL names."""
from __future__ import annotations

from sqlalchemy import select

from ..core.web import first_or_404
from .models import School


def school_or_404(urn: int) -> School:
    """The school with this URN (404 if there is none); the route still checks who may see it."""
    return first_or_404(select(School).where(School.urn == urn))
