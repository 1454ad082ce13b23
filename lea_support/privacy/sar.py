"""Subject access: every record that names a person, as JSON per kind (table), the stored PDFs of
the notes and plans they wrote, and an index of what was written. The kinds are found from the
schema itself (every column that refers to a user, and the copies of their name or e-mail kept as
text), so a table added later is included without anyone remembering to."""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import LargeBinary, Table, or_, select

from ..auth.models import User
from ..core.audit import to_json_ready
from ..core.errors import DomainError
from ..core.models import utcnow
from ..extensions import db
from ..pdf.models import StoredDocument

# Columns never written out: secrets of the account, not information about the person.
SECRET_COLUMNS = frozenset({"password_hash", "calendar_token_hash", "token_hash"})
# Text columns that hold a copy of a person's name or e-mail where no account is linked.
NAME_COLUMNS = {"visit_actions": ("owner",), "project_team_members": ("name",), "review_team_members": ("name",)}
EMAIL_COLUMNS = {"failed_sign_ins": ("email",)}
# Whose PDFs are the person's: the notes they wrote and the plans they drafted.
AUTHORED = {"note_of_visit": ("notes_of_visit", "adviser_id"), "plan": ("raising_achievement_plans", "drafted_by_id")}


@dataclass
class SubjectAccessExport:
    email: str
    directory: Path
    counts: dict[str, int] = field(default_factory=dict)
    files: list[dict[str, Any]] = field(default_factory=list)


def _conditions(table: Table, user: User) -> list[Any]:
    found = [column == user.id for column in table.columns
             if any(fk.column.table.name == "users" for fk in column.foreign_keys)]
    if table.name == "users":
        found.append(table.c.id == user.id)
    found += [table.c[name] == user.name for name in NAME_COLUMNS.get(table.name, ())]
    found += [table.c[name] == user.email for name in EMAIL_COLUMNS.get(table.name, ())]
    return found


def _rows(table: Table, user: User) -> list[dict[str, Any]]:
    conditions = _conditions(table, user)
    if not conditions:
        return []
    columns = [c for c in table.columns if c.name not in SECRET_COLUMNS and not isinstance(c.type, LargeBinary)]
    order = list(table.primary_key.columns)
    result = db.session.execute(select(*columns).where(or_(*conditions)).order_by(*order))
    return [to_json_ready(dict(row._mapping)) for row in result]


def export_subject_access(email: str, directory: Path) -> SubjectAccessExport:
    """Write everything held about the person with this e-mail address into `directory`."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise DomainError(f"No one has the e-mail address {email}")
    directory.mkdir(parents=True, exist_ok=True)
    export = SubjectAccessExport(email=user.email, directory=directory)
    for table in db.metadata.sorted_tables:
        rows = _rows(table, user)
        if not rows:
            continue
        name = f"{table.name}.json"
        (directory / name).write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")
        export.counts[table.name] = len(rows)
        export.files.append({"file": name, "kind": table.name, "records": len(rows)})
    _write_pdfs(user, export)
    _write_index(user, export)
    return export


def _write_pdfs(user: User, export: SubjectAccessExport) -> None:
    pdf_dir = export.directory / "pdf"
    for kind, (table_name, column) in AUTHORED.items():
        table = db.metadata.tables[table_name]
        ids = select(table.c.id).where(table.c[column] == user.id).scalar_subquery()
        documents = db.session.execute(select(StoredDocument.kind, StoredDocument.object_id, StoredDocument.pdf)
                                       .where(StoredDocument.kind == kind, StoredDocument.object_id.in_(ids))
                                       .order_by(StoredDocument.object_id))
        for document in documents:
            pdf_dir.mkdir(exist_ok=True)
            name = f"pdf/{kind}-{document.object_id}.pdf"
            (export.directory / name).write_bytes(document.pdf)
            export.files.append({"file": name, "kind": f"{kind}_pdf", "records": 1})
            export.counts[f"{kind}_pdf"] = export.counts.get(f"{kind}_pdf", 0) + 1


def _write_index(user: User, export: SubjectAccessExport) -> None:
    made_at = utcnow().isoformat()
    index = {"subject": {"id": user.id, "name": user.name, "email": user.email}, "made_at": made_at,
             "counts": export.counts, "files": export.files}
    (export.directory / "index.json").write_text(json.dumps(index, indent=2, ensure_ascii=False), encoding="utf-8")
    rows = "\n".join(f"<tr><td><a href=\"{html.escape(f['file'])}\">{html.escape(f['file'])}</a></td>"
                     f"<td>{html.escape(f['kind'])}</td><td>{f['records']}</td></tr>" for f in export.files)
    (export.directory / "index.html").write_text(
        "<!doctype html><html lang=\"en-GB\"><meta charset=\"utf-8\">"
        f"<title>Subject access: {html.escape(user.name)}</title>"
        f"<h1>Records naming {html.escape(user.name)} ({html.escape(user.email)})</h1>"
        f"<p>Made {html.escape(made_at)}.</p>"
        "<table><thead><tr><th>File</th><th>Kind of record</th><th>Records</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></html>\n", encoding="utf-8")
