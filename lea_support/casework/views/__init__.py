"""The casework blueprint. Its views are split by subject: notes of visit, attachments,
caseloads and the authority overview, calendar feeds."""
from flask import Blueprint

bp = Blueprint("casework", __name__, template_folder="../templates")

from . import calendar, caseload, documents, notes  # noqa: E402,F401  (registers its routes on bp)  # noqa: E402,F401
