"""Own the marshmallow schemas that shape API bodies and the OpenAPI document."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from ideagora.organizations.models import OrganizationKind, Role

KINDS = [kind.value for kind in OrganizationKind]
ROLES = [role.value for role in Role]


class ErrorSchema(ma.Schema):
    code = fields.String(metadata={"description": "Machine-readable error code"})
    message = fields.String(metadata={"description": "A sentence for people"})
    field_messages = fields.Dict(
        data_key="fields", metadata={"description": "Messages for individual fields"}
    )


class ErrorEnvelopeSchema(ma.Schema):
    error = fields.Nested(ErrorSchema)


class UserSchema(ma.Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    created_at = fields.DateTime()


class OrganizationSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.Enum(OrganizationKind, by_value=True)
    created_at = fields.DateTime()


class NewOrganizationSchema(ma.Schema):
    name = fields.String(required=True, validate=validate.Length(max=1000))
    kind = fields.String(required=True, metadata={"enum": KINDS})


class RegisterSchema(ma.Schema):
    email = fields.String(required=True, validate=validate.Length(max=1000))
    password = fields.String(required=True, validate=validate.Length(max=1000), load_only=True)
    name = fields.String(required=True, validate=validate.Length(max=1000))
    organization = fields.Nested(NewOrganizationSchema, required=True)


class RegisteredSchema(ma.Schema):
    user = fields.Nested(UserSchema)
    organization = fields.Nested(OrganizationSchema)
    token = fields.String()


class CredentialsSchema(ma.Schema):
    email = fields.String(required=True, validate=validate.Length(max=1000))
    password = fields.String(required=True, validate=validate.Length(max=1000), load_only=True)


class TokenSchema(ma.Schema):
    token = fields.String()
    expires_at = fields.DateTime()


class MeSchema(ma.Schema):
    user = fields.Nested(UserSchema)
    organization = fields.Nested(OrganizationSchema, allow_none=True)
    role = fields.String(allow_none=True, metadata={"enum": ROLES})


class PasswordChangeSchema(ma.Schema):
    current_password = fields.String(required=True, validate=validate.Length(max=1000))
    new_password = fields.String(required=True, validate=validate.Length(max=1000))


class PasswordResetRequestSchema(ma.Schema):
    email = fields.String(required=True, validate=validate.Length(max=1000))


class MemberSchema(ma.Schema):
    user = fields.Nested(UserSchema)
    role = fields.Enum(Role, by_value=True)
    joined_at = fields.DateTime(attribute="created_at")


class InvitationSchema(ma.Schema):
    id = fields.Integer()
    email = fields.String()
    role = fields.Enum(Role, by_value=True)
    expires_at = fields.DateTime()


class OrganizationDetailSchema(OrganizationSchema):
    published_challenges = fields.Integer(
        metadata={"description": "Published challenges posted under its own name"}
    )
    published_assets = fields.Integer(metadata={"description": "Published IP offers"})
    members = fields.List(fields.Nested(MemberSchema))
    invitations = fields.List(fields.Nested(InvitationSchema))


class InviteSchema(ma.Schema):
    email = fields.String(required=True, validate=validate.Length(max=1000))
    role = fields.String(load_default=Role.MEMBER.value, metadata={"enum": ROLES})


class RoleChangeSchema(ma.Schema):
    role = fields.String(required=True, metadata={"enum": ROLES})
