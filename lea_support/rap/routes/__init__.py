"""The Raising Achievement Plans blueprint."""
from flask import Blueprint

bp = Blueprint("rap", __name__, template_folder="../templates")

# The route modules register their views on `bp`, so they are imported once it exists.
from . import dashboard, monitoring, plan, team  # noqa: E402,F401
