"""Import the DfE GIAS establishment file (edubasealldata CSV). Placeholder: being written."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy import select

from ..extensions import db
from .models import GiasImport


class GiasFileError(Exception):
    def __init__(self, headline: str, problems: list[str] | None = None):
        super().__init__(headline)
        self.headline = headline
        self.problems = problems or []


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, {self.skipped} skipped"


def import_gias(actor: Any, stream: IO[bytes], *, filename: str, la_codes: list[str] | None = None) -> ImportSummary:
    raise GiasFileError("Import not yet implemented")


def recent_imports(limit: int = 10) -> list[GiasImport]:
    return list(db.session.scalars(select(GiasImport).order_by(GiasImport.imported_at.desc()).limit(limit)))
