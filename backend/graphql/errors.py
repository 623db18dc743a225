"""Mutations never raise at the app: they return the object and a typed list of errors.

A service's ValidationError becomes one Error per message, with the field (in the API's
camelCase), a stable code to branch on, and a message in the request's language.
"""

import logging
from dataclasses import dataclass
from enum import StrEnum

import graphene
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from graphene import relay
from graphene.utils.str_converters import to_camel_case
from graphql import GraphQLError
from graphql_relay import from_global_id

from backend.error_codes import CommonErrorCode
from backend.errors import SignInRequired, field_error

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refusal:
    """One reason a mutation was refused, answered through its app's error type."""

    field: str | None
    code: str
    message: str


def error_type(name: str, *enums: type[StrEnum]) -> type[graphene.ObjectType]:
    """A GraphQL error type whose ``code`` is an enum of the common codes and ``enums``'
    (an app's own, and those of the apps its services call). Codes keep their spelling
    (``pre_harvest_interval``), the same as in a refused query's ``extensions.code``."""
    enums = (CommonErrorCode, *enums)
    codes = sorted({code.value for enum in enums for code in enum})
    code_enum = graphene.Enum(
        f"{name}Code", [(code, code) for code in codes], description="What was refused."
    )
    return type(
        name,
        (graphene.ObjectType,),
        {
            "__doc__": "Why a change was refused: the field at fault, a code, a message.",
            "enums": enums,
            "codes": frozenset(codes),
            "field": graphene.String(
                description="The input field at fault, or null for the whole request."
            ),
            "code": code_enum(required=True, description="A stable code to branch on."),
            "message": graphene.String(
                required=True, description="Readable, in the request's language."
            ),
        },
    )


Error = error_type("Error")  # the toolkit's own refusals: the common codes only


def errors_from(error: Exception) -> list[Refusal]:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return [
                Refusal(
                    None if field == "__all__" else to_camel_case(field),
                    item.code or CommonErrorCode.INVALID,
                    " ".join(item.messages),
                )
                for field, items in error.error_dict.items()
                for item in items
            ]
        return [
            Refusal(None, item.code or CommonErrorCode.INVALID, " ".join(item.messages))
            for item in error.error_list
        ]
    if isinstance(error, SignInRequired):
        return [Refusal(None, CommonErrorCode.SIGN_IN_REQUIRED, str(error))]
    if isinstance(error, PermissionDenied):
        message = str(error) or _("You may not do this.")
        return [Refusal(None, CommonErrorCode.PERMISSION_DENIED, message)]
    if isinstance(error, ObjectDoesNotExist):
        return [Refusal(None, CommonErrorCode.NOT_FOUND, _("Not found."))]
    if isinstance(error, IntegrityError):  # a race the services did not foresee; no SQL shown
        message = _("This conflicts with data saved meanwhile: try again.")
        return [Refusal(None, CommonErrorCode.CONFLICT, message)]
    # A bug of ours: logged for us, a plain typed error for the app, no internals shown.
    logger.exception("Unexpected error in a mutation")
    message = _("Something went wrong on our side; nothing was saved.")
    return [Refusal(None, CommonErrorCode.INTERNAL_ERROR, message)]


def refusals_as(error_kind, error: Exception) -> list[Refusal]:
    """``error``'s refusals with codes ``error_kind`` (an ``error_type``) can carry: a code
    it lacks is our mistake, logged and answered as ``invalid``."""
    refusals = []
    for refusal in errors_from(error):
        code = str(refusal.code)
        if code not in error_kind.codes:
            logger.error("Error code %r is not one of %s's codes", code, error_kind.__name__)
            code = CommonErrorCode.INVALID.value
        refusals.append(Refusal(refusal.field, code, refusal.message))
    return refusals


def not_found(field: str) -> ValidationError:
    return field_error(field, _("Not found."), CommonErrorCode.NOT_FOUND)


def sign_in_required() -> PermissionDenied:
    return SignInRequired(_("Please sign in."))


def query_error(error: Exception) -> GraphQLError:
    """A query's refusal, with the code, field and message a mutation would give (in the
    error's ``extensions``)."""
    first = errors_from(error)[0]
    return GraphQLError(first.message, extensions={"code": str(first.code), "field": first.field})


class QueryRefusals:
    """Graphene middleware: a query's resolver may raise the services' ValidationError or
    PermissionDenied, and the app receives the same code, field and message as from a
    mutation (mutations catch their own: see mutations.ServiceMutation). Anything else
    unexpected is logged for us and reaches the app as ``internal_error``, never as
    Python's own words."""

    def resolve(self, next, root, info, **args):
        try:
            return next(root, info, **args)
        except GraphQLError:
            raise
        except Exception as error:  # errors_from logs what it does not expect
            raise query_error(error) from error


def node_by_id(info, global_id: str):
    """What a Relay global id names, through its type's own ``get_node`` (which applies
    who may see what); a malformed or unknown id is a typed ``not_found``, never Relay's
    or Python's words."""
    try:
        kind, pk = from_global_id(global_id)
    except (ValueError, TypeError, UnicodeDecodeError):
        kind, pk = "", ""
    graphene_type = getattr(info.schema.get_type(kind), "graphene_type", None) if kind else None
    if graphene_type is None or relay.Node not in graphene_type._meta.interfaces:
        raise query_error(not_found("id"))
    try:
        return graphene_type.get_node(info, pk)
    except (ValueError, TypeError, ValidationError) as error:  # an id of the wrong shape
        raise query_error(not_found("id")) from error
