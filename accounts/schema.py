"""Signing up, in and out from the app; who am I."""

import graphene

from accounts import services
from accounts.error_codes import AccountsErrorCode
from backend.graphql.errors import error_type
from backend.graphql.mutations import app_mutation
from farms.schema_access import signed_in_user

AccountsMutation = app_mutation(error_type("AccountsError", AccountsErrorCode))


class UserType(graphene.ObjectType):
    phone = graphene.String(required=True)
    full_name = graphene.String(required=True)
    preferred_language = graphene.String(required=True)


class TokensType(graphene.ObjectType):
    access_token = graphene.String(required=True)
    refresh_token = graphene.String(required=True)
    access_expires_at = graphene.DateTime(required=True)
    refresh_expires_at = graphene.DateTime(required=True)


def _tokens(tokens: services.Tokens) -> dict:
    return {
        "tokens": TokensType(
            tokens.access_token,
            tokens.refresh_token,
            tokens.access_expires_at,
            tokens.refresh_expires_at,
        ),
        "user": tokens.user,
    }


class TokenMutation(AccountsMutation):
    """Mutations that open (or renew) an app session and return its tokens."""

    login_required = False
    user = graphene.Field(UserType)
    tokens = graphene.Field(TokensType)

    class Meta:
        abstract = True


class SignUpInput(graphene.InputObjectType):
    phone = graphene.String(required=True)
    password = graphene.String(required=True)
    full_name = graphene.String(required=True)
    language = graphene.String(default_value="vi")


class SignUp(AccountsMutation):
    """Start an account: a code is sent by text message to the phone; send it back with
    `confirmSignUp`. The answer is the same whether or not the number has an account."""

    login_required = False
    atomic = False  # the service counts codes sent in the shared cache, refused or not
    code_expires_at = graphene.DateTime()

    class Arguments:
        input = SignUpInput(required=True)

    @classmethod
    def perform(cls, info, data):
        expires_at = services.request_sign_up(
            info.context, data["phone"], data["password"], data["full_name"], data["language"]
        )
        return {"code_expires_at": expires_at}


class ConfirmSignUpInput(graphene.InputObjectType):
    phone = graphene.String(required=True)
    code = graphene.String(required=True, description="The code received by text message.")
    device = graphene.String(default_value="")


class ConfirmSignUp(TokenMutation):
    """Open the account with the code received by text message, and sign in."""

    atomic = False  # a wrong code counts against the code's tries even though it is refused

    class Arguments:
        input = ConfirmSignUpInput(required=True)

    @classmethod
    def perform(cls, info, data):
        return _tokens(
            services.confirm_sign_up(info.context, data["phone"], data["code"], data["device"])
        )


class SignInInput(graphene.InputObjectType):
    phone = graphene.String(required=True)
    password = graphene.String(required=True)
    device = graphene.String(default_value="")


class SignIn(TokenMutation):
    """Sign in with a phone number (any common way of writing it) and password."""

    atomic = False  # a failure is recorded (django-axes) even though the call is refused

    class Arguments:
        input = SignInInput(required=True)

    @classmethod
    def perform(cls, info, data):
        return _tokens(
            services.sign_in(info.context, data["phone"], data["password"], data["device"])
        )


class RefreshTokensInput(graphene.InputObjectType):
    refresh_token = graphene.String(required=True)


class RefreshTokens(TokenMutation):
    """Trade a refresh token for new tokens (the old ones stop working)."""

    atomic = False  # a replayed token ends its session even though the call is refused

    class Arguments:
        input = RefreshTokensInput(required=True)

    @classmethod
    def perform(cls, info, data):
        return _tokens(services.refresh(data["refresh_token"]))


class SignOut(AccountsMutation):
    """End this app session: its tokens stop working at once."""

    ok = graphene.Boolean()

    @classmethod
    def perform(cls, info, data):
        services.sign_out(info.context.api_session)
        return {"ok": True}


class Query(graphene.ObjectType):
    me = graphene.Field(UserType, description="The signed-in user.")

    def resolve_me(root, info):
        return signed_in_user(info)


class Mutation(graphene.ObjectType):
    sign_up = SignUp.Field()
    confirm_sign_up = ConfirmSignUp.Field()
    sign_in = SignIn.Field()
    refresh_tokens = RefreshTokens.Field()
    sign_out = SignOut.Field()
