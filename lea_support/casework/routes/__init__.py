"""The casework blueprint. Its routes are split by subject: notes of visit, attachments and the
note's PDF, caseloads and the authority overview, calendar feeds."""
from flask import Blueprint

bp = Blueprint("casework", __name__, template_folder="../templates")

# Each module registers its routes on `bp`, so they are imported once it exists.
from . import calendar, caseload, documents, notes  # noqa: E402,F401
