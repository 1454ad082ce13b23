"""The Raising Achievement Plans blueprint."""
from flask import Blueprint

bp = Blueprint("rap", __name__, template_folder="../templates")

from . import (
    dashboard,  # noqa: E402,F401
    monitoring,  # noqa: E402,F401
    plan,  # noqa: E402,F401
    team,  # noqa: E402,F401
)
