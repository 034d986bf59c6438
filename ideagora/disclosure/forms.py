"""Own the forms of the disclosure pages: accepting an NDA, and deciding on a request.

The forms carry the input only; whether a box left unticked or an empty name refuses the
acceptance is the services' rule, so pages and the API give the same messages.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ideagora.disclosure.models import REASON_MAX, SIGNER_NAME_MAX

# room for a mistyped, over-long name: the service says what is wrong with it
_TYPED_NAME_MAX = SIGNER_NAME_MAX * 4


class AcceptNdaForm(FlaskForm):
    """The NDA's hash as shown, the organisation bound, the assent, the typed name, a password."""

    sha256 = HiddenField()
    organization_id = HiddenField()
    # the label is the assent wording the services give for the signer's organisation
    assent = BooleanField("I have read and agree to this agreement.", default=False)
    signer_name = StringField(
        "Your full name",
        validators=[Length(max=_TYPED_NAME_MAX)],
        description="Type your name as you would sign it; it is kept as your signature.",
        render_kw={"autocomplete": "name", "maxlength": SIGNER_NAME_MAX},
    )
    password = PasswordField(
        "Your password",
        validators=[Optional(), Length(max=1024)],
        description="You logged in a while ago: enter your password to confirm it is you.",
        render_kw={"autocomplete": "current-password"},
    )

    def show(self, *, sha256: str, assent: str, organization_id: int | None) -> None:
        """Fill in the text being signed: its hash, its assent wording, the organisation."""
        self.sha256.data = sha256
        self.assent.label.text = assent
        if not self.organization_id.data and organization_id is not None:
            self.organization_id.data = str(organization_id)

    def organization(self) -> int | None:
        """Return the organisation the form says it binds, or None when it names none."""
        value = (self.organization_id.data or "").strip()
        if not value:
            return None
        # a value that is no id names no organisation of the signer's: the service refuses 0
        return int(value) if value.isascii() and value.isdigit() else 0


class ReasonForm(FlaskForm):
    """A reason for a decision that the requesting organisation reads."""

    reason = TextAreaField("Reason", validators=[Length(max=REASON_MAX * 4)])
