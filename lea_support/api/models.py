"""Personal access tokens: a person's credential for the JSON API, stored as a hash only."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.limits import SHORT_TEXT, length_check
from ..core.models import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User


class PersonalAccessToken(db.Model):
    """A token made by a person on their account page: named, limited to some scopes, expiring,
    revocable. Only the SHA-256 of the secret is kept; `display_prefix` (the token's first
    characters) tells the person which token is which."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
        CheckConstraint("scopes <> ''", name="some_scope"),
        length_check("name", SHORT_TEXT),
        # A person's tokens, newest first (their account page).
        Index("ix_api_tokens_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(SHORT_TEXT))
    # Space-separated, as OAuth writes scopes ("schools:read plans:read").
    scopes: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    display_prefix: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped["User"] = relationship(lazy="raise")

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now

    def __repr__(self) -> str:
        return f"<PersonalAccessToken {self.id} user={self.user_id} {self.display_prefix}>"
