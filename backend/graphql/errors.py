"""Mutations never raise at the app: they return the object and a typed list of errors.

A service's ValidationError becomes one Error per message, with the field (in the API's
camelCase), a stable code to branch on, and a message in the request's language.
"""

import logging

import graphene
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from graphene import relay
from graphene.utils.str_converters import to_camel_case
from graphql import GraphQLError
from graphql_relay import from_global_id

from backend.errors import field_error

logger = logging.getLogger(__name__)


class Error(graphene.ObjectType):
    field = graphene.String(description="The input field at fault, or null for the whole request.")
    code = graphene.String(required=True, description="A stable code, e.g. `pre_harvest_interval`.")
    message = graphene.String(required=True, description="Readable, in the request's language.")


def errors_from(error: Exception) -> list[Error]:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return [
                Error(
                    field=None if field == "__all__" else to_camel_case(field),
                    code=item.code or "invalid",
                    message=" ".join(item.messages),
                )
                for field, items in error.error_dict.items()
                for item in items
            ]
        return [
            Error(field=None, code=item.code or "invalid", message=" ".join(item.messages))
            for item in error.error_list
        ]
    if isinstance(error, PermissionDenied):
        return [
            Error(
                field=None,
                code="permission_denied",
                message=str(error) or _("You may not do this."),
            )
        ]
    if isinstance(error, ObjectDoesNotExist):
        return [Error(field=None, code="not_found", message=_("Not found."))]
    if isinstance(error, IntegrityError):  # a race the services did not foresee; no SQL shown
        return [
            Error(
                field=None,
                code="conflict",
                message=_("This conflicts with data saved meanwhile: try again."),
            )
        ]
    # A bug of ours: logged for us, a plain typed error for the app, no internals shown.
    logger.exception("Unexpected error in a mutation")
    return [
        Error(
            field=None,
            code="internal_error",
            message=_("Something went wrong on our side; nothing was saved."),
        )
    ]


def not_found(field: str) -> ValidationError:
    return field_error(field, _("Not found."), "not_found")


def sign_in_required() -> PermissionDenied:
    return PermissionDenied(_("Please sign in."))


def query_error(error: Exception) -> GraphQLError:
    """A query's refusal, with the code, field and message a mutation would give (in the
    error's ``extensions``)."""
    first = errors_from(error)[0]
    return GraphQLError(first.message, extensions={"code": first.code, "field": first.field})


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
