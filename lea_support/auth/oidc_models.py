"""Sign-in with the council's identity provider (OpenID Connect): which of its groups give which
role, which council account is whose, and the provider's ID token of each session it began."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import UTCDateTime, utcnow
from ..extensions import db
from .models import Role, User

# The roles a council group may give: the authority's own staff. School leaders and governors
# belong to schools, which no group says, and they sign in with a password.
GROUP_ROLES = (Role.ADMIN, Role.SIA, Role.LINK_ADVISER, Role.PROJECT_TEAM)  # most privileged first
# Group names or ids as providers send them: an Entra ID group is a 36-character GUID; names can be longer.
GROUP_LENGTH = 255
# An issuer is a URL; a subject is at most 255 ASCII characters (OpenID Connect Core 2).
ISSUER_LENGTH = 255
SUBJECT_LENGTH = 255

_group_role_list = ", ".join(f"'{r.value}'" for r in GROUP_ROLES)


class SignInGroup(db.Model):
    """A group of the council's identity provider whose members sign in with a role here."""

    __tablename__ = "sign_in_groups"
    __table_args__ = (CheckConstraint(f"role IN ({_group_role_list})", name="role_for_staff"),
                      CheckConstraint("length(group_name) >= 1", name="group_name_not_empty"))

    id: Mapped[int] = mapped_column(primary_key=True)
    group_name: Mapped[str] = mapped_column(String(GROUP_LENGTH), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SignInGroup {self.id} {self.group_name} -> {self.role}>"


class CouncilIdentity(db.Model):
    """The council account (issuer and subject) an account here is linked to: found by verified
    e-mail address on its first sign-in, by subject ever after. One per account per issuer."""

    __tablename__ = "council_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"), UniqueConstraint("user_id", "issuer"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    issuer: Mapped[str] = mapped_column(String(ISSUER_LENGTH))
    subject: Mapped[str] = mapped_column(String(SUBJECT_LENGTH))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<CouncilIdentity {self.id} user={self.user_id} {self.issuer} {self.subject}>"


class CouncilSession(db.Model):
    """The provider's ID token for a session begun by signing in with a council account, kept so
    that signing out here can offer the provider's sign-out (id_token_hint). Kept on the server:
    an ID token with a person's groups can outgrow a cookie. The session it began is unlinked when
    it ends; the row goes once the provider's sign-out is done, or SESSION_MAX_AGE later."""

    __tablename__ = "council_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_session_id: Mapped[int | None] = mapped_column(ForeignKey("user_sessions.id", ondelete="SET NULL"),
                                                        unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(ISSUER_LENGTH))
    id_token: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<CouncilSession {self.id} user={self.user_id} session={self.user_session_id}>"
