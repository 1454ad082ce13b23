"""Anonymising a member of staff who has left: the name and e-mail go, the records they made keep
their meaning (every foreign key stays; the copies of their name typed into owner fields follow)."""
from __future__ import annotations

from sqlalchemy import delete, update

from ..auth.models import LA_ROLES, FailedSignIns, User
from ..auth.services import end_all_sessions
from ..casework.models import AgreedAction
from ..core.audit import record_audit
from ..core.errors import DomainError
from ..extensions import db
from ..pdf.models import Letterhead
from ..rap.models import ProjectTeamMember
from ..reviews.models import ReviewTeamMember

# A password hash no password matches (argon2 refuses to read it), so the account cannot sign in.
UNUSABLE_PASSWORD = "!anonymised"
ANONYMISED_DOMAIN = "anonymised.invalid"


def former_staff_name(user: User) -> str:
    return f"Former member of staff {user.id}"


def is_anonymised(user: User) -> bool:
    return user.email.endswith("@" + ANONYMISED_DOMAIN)


def anonymise_user(actor: User | None, user: User) -> User:
    """Replace a departed member of staff's name and e-mail for good, make the account unusable,
    and rename the copies of their name kept beside their id. Audited, without the old name."""
    if actor is not None and actor.id == user.id:
        raise DomainError("You cannot anonymise your own account: ask another administrator")
    if user.role not in LA_ROLES:
        raise DomainError(f"Only the authority's staff are anonymised here: {user.name} is a {user.role_name}")
    if is_anonymised(user):
        raise DomainError(f"{user.name} is already anonymised")
    old_name, old_email = user.name, user.email
    new_name = former_staff_name(user)
    sync = {"synchronize_session": "fetch"}
    # Owner fields hold a copy of the name for people without an account: where the copy is of this
    # person's name and sits beside their id, it is theirs and goes too.
    db.session.execute(update(AgreedAction).where(AgreedAction.owner_id == user.id, AgreedAction.owner == old_name)
                       .values(owner=new_name), execution_options=sync)
    db.session.execute(update(ProjectTeamMember).where(ProjectTeamMember.user_id == user.id,
                                                       ProjectTeamMember.name == old_name)
                       .values(name=new_name), execution_options=sync)
    db.session.execute(update(ReviewTeamMember).where(ReviewTeamMember.user_id == user.id,
                                                      ReviewTeamMember.name == old_name)
                       .values(name=new_name), execution_options=sync)
    db.session.execute(update(Letterhead).where(Letterhead.signatory_name == old_name)
                       .values(signatory_name=new_name), execution_options=sync)
    db.session.execute(delete(FailedSignIns).where(FailedSignIns.email == old_email), execution_options=sync)
    user.name = new_name
    user.email = f"former-staff-{user.id}@{ANONYMISED_DOMAIN}"
    user.password_hash = UNUSABLE_PASSWORD
    user.is_disabled = True
    user.calendar_token_hash = None
    user.edit_version += 1
    end_all_sessions(user)
    record_audit(actor, "user.anonymise", "user", user.id, after={"name": new_name, "email": user.email})
    db.session.flush()
    return user
