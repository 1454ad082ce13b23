"""Forms of the second factor and of the password reset."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo

from ..core.forms import MaxLength
from ..core.limits import SHORT_TEXT
from .models import EMAIL_LENGTH

CODE_LENGTH = 40  # a 6-digit code or a recovery code, with whatever spaces a person types


class SignInCodeForm(FlaskForm):
    """The second step of signing in: a code from the app, or a recovery code."""

    code = StringField("Code", widget=GovTextInput(),
                       description="The 6-digit code your authenticator app shows for LEA Support, "
                                   "or one of your recovery codes",
                       validators=[DataRequired("Enter the code from your authenticator app, or a recovery code"),
                                   MaxLength(CODE_LENGTH)])
    submit = SubmitField("Continue", widget=GovSubmitInput())


class SetUpAuthenticatorForm(FlaskForm):
    code = StringField("Code from the app", widget=GovTextInput(),
                       description="The 6-digit code the app shows for LEA Support once you have added it",
                       validators=[DataRequired("Enter the 6-digit code your authenticator app shows"),
                                   MaxLength(CODE_LENGTH)])
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class TurnOffAuthenticatorForm(FlaskForm):
    code = StringField("Code", widget=GovTextInput(),
                       description="A code from your authenticator app, or one of your recovery codes, "
                                   "to show it is you",
                       validators=[DataRequired("Enter a code from your authenticator app, or a recovery code"),
                                   MaxLength(CODE_LENGTH)])
    submit = SubmitField("Stop using a second factor", widget=GovSubmitInput())


class ForgottenPasswordForm(FlaskForm):
    email = StringField("Email address", widget=GovTextInput(),
                        validators=[DataRequired("Enter your email address"),
                                    Email("Enter an email address in the correct format, like name@example.org",
                                          check_deliverability=False),
                                    MaxLength(EMAIL_LENGTH)])
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", widget=GovPasswordInput(),
                             description="12 characters or more; not a common password, nor your name or email address",
                             validators=[DataRequired("Enter a new password"), MaxLength(SHORT_TEXT)])
    confirm = PasswordField("Type the new password again", widget=GovPasswordInput(),
                            validators=[DataRequired("Type the new password again"),
                                        EqualTo("password", "The two passwords are not the same: type them again")])
    submit = SubmitField("Set my new password", widget=GovSubmitInput())
