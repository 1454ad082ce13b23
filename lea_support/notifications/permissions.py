"""Who may see and change which notifications."""
from __future__ import annotations

from typing import Any

from ..auth.models import Role
from ..auth.permissions import _signed_in
from .models import Notification


def can_see_notifications(user: Any) -> bool:
    """Everyone signed in has their own notifications and chooses how to hear of them."""
    return _signed_in(user)


def can_open_notification(user: Any, notification: Notification) -> bool:
    return _signed_in(user) and notification.user_id == user.id


def can_view_failed_emails(user: Any) -> bool:
    """Administrators see the e-mails that could not be sent, to tell the people another way."""
    return _signed_in(user) and user.role == Role.ADMIN
