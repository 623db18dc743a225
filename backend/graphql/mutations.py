"""The base of every mutation: authentication, one transaction, typed errors.

Subclasses declare ``class Arguments: input = SomeInput(required=True)``, their output
fields, ``perform(info, data) -> dict``, which calls services, and ``error_type`` (their
app's, from ``errors.error_type``), whose code enum ``errors`` lists. The same ``perform``
serves the ``sync`` mutation, so an operation sent offline follows exactly the same rules.
"""

from contextlib import nullcontext
from dataclasses import replace

import graphene
from django.db import transaction
from graphene.utils.str_converters import to_camel_case

from backend.graphql.errors import Error, Refusal, refusals_as, sign_in_required


class ServiceMutation(graphene.Mutation):
    error_type = Error
    login_required = True
    atomic = True  # False where the service must commit something even when it refuses

    class Meta:
        abstract = True

    @classmethod
    def __init_subclass_with_meta__(cls, **options):
        cls.errors = graphene.List(graphene.NonNull(cls.error_type), required=True)
        super().__init_subclass_with_meta__(**options)

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
            refusals = refusals_as(cls.error_type, error)
            return {"errors": [cls._on_input_field(refusal) for refusal in refusals]}

    @classmethod
    def _on_input_field(cls, refusal: Refusal) -> Refusal:
        """Name the input field the app sent: the services say ``plots`` or ``product``
        where the input has ``plotIds`` or ``productId``, so the app can mark the field."""
        argument = cls._meta.arguments.get("input")
        if refusal.field is None or argument is None:
            return refusal
        sent = {to_camel_case(name) for name in argument.get_type()._meta.fields}
        field = refusal.field
        one = field.removesuffix("es") if field.endswith("ches") else field.removesuffix("s")
        for name in (field, f"{field}Id", f"{one}Ids"):
            if name in sent:
                return replace(refusal, field=name)
        return refusal

    @classmethod
    def mutate(cls, root, info, input=None, **kwargs):
        return cls(**cls.run(info, dict(input or kwargs)))


def given(data: dict) -> dict:
    """The input fields the client actually sent (GraphQL leaves the others as None)."""
    return {key: value for key, value in data.items() if value is not None}


def app_mutation(error_kind) -> type[ServiceMutation]:
    """The base of one app's mutations: they refuse with ``error_kind``'s codes (an
    ``errors.error_type``)."""
    meta = type("Meta", (), {"abstract": True})
    name = error_kind.__name__.removesuffix("Error") + "Mutation"
    return type(name, (ServiceMutation,), {"error_type": error_kind, "Meta": meta})
