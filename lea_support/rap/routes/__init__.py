"""The Raising Achievement Plans blueprint."""
from flask import Blueprint

bp = Blueprint("rap", __name__, template_folder="../templates")

# The route modules register their views on `bp`, so they are imported once it exists.
from . import (  # noqa: E402
    dashboard,  # noqa: F401
    monitoring,  # noqa: F401
    plan,  # noqa: F401
    team,  # noqa: F401
)
