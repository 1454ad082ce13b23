"""Users, their schools, their server-side sessions and failed sign-ins."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.limits import SHORT_TEXT, length_check
from ..core.models import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..schools.models import School

# The longest e-mail address that can be delivered (RFC 5321 with its erratum).
EMAIL_LENGTH = 254


class Role(StrEnum):
    """A person's role. The value is what the `users.role` column holds; a Role compares equal to
    its value, so `user.role == Role.SIA` holds whether the column was read as text or set here."""

    ADMIN = "admin"
    LINK_ADVISER = "link_adviser"
    SIA = "sia"
    PROJECT_TEAM = "project_team"
    CONSULTANT = "consultant"
    SCHOOL_LEADER = "school_leader"
    GOVERNOR = "governor"

    @property
    def label(self) -> str:
        return ROLES[self]


ROLES: dict[str, str] = {
    Role.ADMIN: "Administrator",
    Role.LINK_ADVISER: "Link adviser",
    Role.SIA: "School Improvement Adviser",
    Role.PROJECT_TEAM: "Project team member",
    Role.CONSULTANT: "LA consultant",
    Role.SCHOOL_LEADER: "School leader",
    Role.GOVERNOR: "Governor",
}


def name_and_role(name: str, role: str) -> str:
    """A person with their role, as a list of people shows them: "Sam Improvement, School
    Improvement Adviser" (never nested brackets like "Sam (SIA (lead))")."""
    return f"{name}, {role}" if role else name


# Roles whose members belong to particular schools and see only those.
SCHOOL_ROLES = frozenset({Role.SCHOOL_LEADER, Role.GOVERNOR})
# Roles of the authority's own staff.
LA_ROLES = frozenset({Role.ADMIN, Role.LINK_ADVISER, Role.SIA, Role.PROJECT_TEAM, Role.CONSULTANT})

# What an LA consultant is deployed for (enhanced support: "support for specific purposes").
SPECIALISMS: dict[str, str] = {
    "literacy": "Literacy",
    "numeracy": "Numeracy",
    "ict": "ICT",
    "science": "Science",
    "early_years": "Early years",
    "other": "Other",
}

_role_list = ", ".join(f"'{r.value}'" for r in Role)
_specialism_list = ", ".join(f"'{s}'" for s in SPECIALISMS)

user_schools = Table(
    "user_schools",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({_role_list})", name="role_known"),
        CheckConstraint(f"specialism IS NULL OR specialism IN ({_specialism_list})", name="specialism_known"),
        # Only a consultant has a specialism, and every consultant has one.
        CheckConstraint("(role = 'consultant') = (specialism IS NOT NULL)", name="specialism_for_consultants"),
        length_check("name", SHORT_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(SHORT_TEXT))
    role: Mapped[str] = mapped_column(String(20))
    specialism: Mapped[str | None] = mapped_column(String(20))  # SPECIALISMS; consultants only
    password_hash: Mapped[str] = mapped_column(String(255))
    is_disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The sign-in before the last: "published since your last visit" counts from here.
    previous_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optimistic lock for administrators editing the account through a form (core/locking.py).
    edit_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # SHA-256 of the secret in the adviser's calendar feed URL; None when no feed is issued.
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    schools: Mapped[list["School"]] = relationship(secondary=user_schools)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return not self.is_disabled

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def specialism_name(self) -> str:
        return SPECIALISMS.get(self.specialism or "", "")

    @property
    def name_and_role(self) -> str:
        return name_and_role(self.name, self.role_name)

    @property
    def is_la_staff(self) -> bool:
        return self.role in LA_ROLES

    @property
    def school_ids(self) -> set[int]:
        return {s.id for s in self.schools}

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class UserSession(db.Model):
    """A signed-in session, kept on the server so that sign-out and disabling a user end it."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(String(45))

    user: Mapped[User] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id}>"


class FailedSignIns(db.Model):
    """The run of failed sign-ins for one e-mail address, known to the service or not: the same
    row, the same counting and the same answers either way, so that sign-in never tells whether an
    account exists. Requests for one address queue on this row (auth/services.py)."""

    __tablename__ = "failed_sign_ins"
    __table_args__ = (CheckConstraint("failures >= 0", name="failures_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # Failures in the current run: forgotten once the last is LOGIN_FAILURE_MINUTES old, or the
    # lock they earned has ended, or the right password is given.
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<FailedSignIns {self.email} {self.failures} locked_until={self.locked_until}>"


# --- a second factor, and password resets (auth/mfa.py, auth/password_reset.py) --------------

class TotpCredential(db.Model):
    """A user's authenticator app: the shared secret (encrypted with a key derived from SECRET_KEY,
    never shown again once confirmed) and the last time step whose code was accepted, so that a
    code seen over someone's shoulder cannot be used a second time."""

    __tablename__ = "totp_credentials"
    __table_args__ = (CheckConstraint("last_used_step >= 0", name="last_used_step_not_negative"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret_encrypted: Mapped[str] = mapped_column(String(255))
    last_used_step: Mapped[int] = mapped_column(Integer)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<TotpCredential user={self.user_id} enrolled_at={self.enrolled_at}>"


class RecoveryCode(db.Model):
    """One of the single-use codes a user is given when they set up an authenticator app, for the
    day they do not have it. Only a salted hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    salt: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id} user={self.user_id} used_at={self.used_at}>"


class PasswordReset(db.Model):
    """A link e-mailed to set a new password: the SHA-256 of its secret, until when it works, and
    when it was used (each works once)."""

    __tablename__ = "password_resets"
    __table_args__ = (CheckConstraint("expires_at > created_at", name="expires_after_creation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<PasswordReset {self.id} user={self.user_id} expires_at={self.expires_at} used_at={self.used_at}>"
