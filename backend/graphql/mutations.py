"""The base of every mutation: authentication, one transaction, typed errors.

Subclasses declare ``class Arguments: input = SomeInput(required=True)``, their output
fields, and ``perform(info, data) -> dict``, which calls services. The same ``perform`` serves the
``sync`` mutation, so an operation sent offline follows exactly the same rules.
"""

from contextlib import nullcontext

import graphene
from django.db import transaction

from backend.graphql.errors import Error, errors_from, sign_in_required


class ServiceMutation(graphene.Mutation):
    errors = graphene.List(graphene.NonNull(Error), required=True)

    login_required = True
    atomic = True  # False where the service must commit something even when it refuses

    class Meta:
        abstract = True

    @classmethod
    def perform(cls, info, data: dict) -> dict:
        raise NotImplementedError

    @classmethod
    def run(cls, info, data: dict) -> dict:
        """Apply the mutation in its own transaction; errors come back, never escape."""
        try:
            if cls.login_required and not info.context.user.is_authenticated:
                raise sign_in_required()
            with transaction.atomic() if cls.atomic else nullcontext():
                return {**cls.perform(info, data), "errors": []}
        except Exception as error:
            return {"errors": errors_from(error)}

    @classmethod
    def mutate(cls, root, info, input=None, **kwargs):
        return cls(**cls.run(info, dict(input or kwargs)))


def given(data: dict) -> dict:
    """The input fields the client actually sent (GraphQL leaves the others as None)."""
    return {key: value for key, value in data.items() if value is not None}
