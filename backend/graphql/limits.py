"""Limits that keep one request from exhausting the server: depth, cost, introspection.

They run after GraphQL's own validation rules (see ``view.py``), so they only ever see
documents that are valid: no unknown fields, no fragment cycles.

Cost counts every field a query would resolve, multiplying what sits under a list by
the number of items it may return: ``first``/``last`` where given, the page-size cap for
connections without them, and a fixed estimate for plain lists. Each fragment is
measured once (memoised), a fragment spread twice in one selection counts once (that is
how GraphQL executes it), and every figure saturates just above its limit, so a document
built to multiply itself costs no more to measure than its own length.
"""

import time

from django.conf import settings
from django.utils.translation import gettext as _
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    InlineFragmentNode,
    IntValueNode,
    OperationType,
    ValidationRule,
    get_named_type,
    get_nullable_type,
)
from graphql_relay import cursor_to_offset

from backend.error_codes import CommonErrorCode

PLAIN_LIST_ESTIMATE = 5  # events of a batch, inputs of an event…: a handful each
MAX_SELECTIONS = 150  # fields (with aliases) in one selection set
INTROSPECTION_FIELDS = ("__schema", "__type")
INTROSPECTION_COST = 5_000  # a whole schema description: allowed, but not by the dozen


def _items(node: FieldNode, field_type) -> int:
    """How many items a field may return (1 for a single object)."""
    if node.name.value == "edges":
        return 1  # the page of a connection, already counted on the connection
    for argument in node.arguments or ():
        if argument.name.value in ("first", "last"):
            if isinstance(argument.value, IntValueNode):
                return max(1, min(int(argument.value.value), settings.GRAPHQL_MAX_PAGE_SIZE))
            return settings.GRAPHQL_MAX_PAGE_SIZE  # a variable: assume the cap
    named = get_named_type(field_type)
    if named.name.endswith("Connection"):
        return settings.GRAPHQL_MAX_PAGE_SIZE
    if isinstance(get_nullable_type(field_type), GraphQLList):
        return PLAIN_LIST_ESTIMATE
    return 1


class _Measure:
    """Depth and cost of one document's selections, each fragment measured once."""

    def __init__(self, context, max_depth: int, max_cost: int):
        self.context = context
        self.max_depth, self.max_cost = max_depth, max_cost
        self.fragments: dict[str, tuple[int, int]] = {}

    def selections(self, selection_set, parent_type) -> tuple[int, int]:
        """(depth, cost) of a selection set, both capped just above their limits."""
        depth = cost = 0
        seen_fragments: set[str] = set()
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                part = self._field(selection, parent_type)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.context.schema.get_type(condition.name.value) if condition else None
                part = self.selections(selection.selection_set, target or parent_type)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in seen_fragments:
                    continue
                seen_fragments.add(name)
                part = self._fragment(name)
            depth, cost = max(depth, part[0]), self._capped_cost(cost + part[1])
        return depth, cost

    def _field(self, node: FieldNode, parent_type) -> tuple[int, int]:
        if node.name.value in INTROSPECTION_FIELDS:
            return 0, INTROSPECTION_COST  # allowed or refused as a whole, by setting
        if node.name.value.startswith("__"):
            return 0, 0  # __typename
        field = getattr(parent_type, "fields", {}).get(node.name.value)
        if field is None or node.selection_set is None:
            return 0, 1
        depth, cost = self.selections(node.selection_set, get_named_type(field.type))
        depth = min(depth + 1, self.max_depth + 1)
        return depth, self._capped_cost(1 + _items(node, field.type) * cost)

    def _fragment(self, name: str) -> tuple[int, int]:
        if name not in self.fragments:
            self.fragments[name] = (self.max_depth + 1, self.max_cost + 1)  # guards a cycle
            fragment = self.context.get_fragment(name)
            target = self.context.schema.get_type(fragment.type_condition.name.value)
            self.fragments[name] = self.selections(fragment.selection_set, target)
        return self.fragments[name]

    def _capped_cost(self, cost: int) -> int:
        return min(cost, self.max_cost + 1)


class QueryLimitsRule(ValidationRule):
    def enter_operation_definition(self, node, *_args):
        root = self.context.schema.get_root_type(node.operation)
        measure = _Measure(self.context, settings.GRAPHQL_MAX_DEPTH, settings.GRAPHQL_MAX_COST)
        depth, cost = measure.selections(node.selection_set, root)
        if depth > settings.GRAPHQL_MAX_DEPTH:
            self.report_error(
                GraphQLError(
                    _("This query is nested too deeply (more than %(max)d levels).")
                    % {"max": settings.GRAPHQL_MAX_DEPTH},
                    node,
                    extensions={"code": CommonErrorCode.QUERY_TOO_DEEP.value},
                )
            )
        elif cost > settings.GRAPHQL_MAX_COST:
            self.report_error(
                GraphQLError(
                    _("This query asks for too much (over %(max)d fields): ask for fewer items.")
                    % {"max": settings.GRAPHQL_MAX_COST},
                    node,
                    extensions={"code": CommonErrorCode.QUERY_TOO_COSTLY.value},
                )
            )


class NoIntrospection(ValidationRule):
    """Refuses the schema's description (``__schema``, ``__type``) but not
    ``__typename``, which clients such as Apollo add to every selection."""

    def enter_field(self, node: FieldNode, *_args):
        if node.name.value in INTROSPECTION_FIELDS:
            self.report_error(
                GraphQLError(
                    _("The schema cannot be introspected on this server."),
                    node,
                    extensions={"code": CommonErrorCode.INTROSPECTION_DISABLED.value},
                )
            )


def limit_rules() -> list:
    """The product's own rules, run once GraphQL's specified rules have passed."""
    rules = [QueryLimitsRule]
    if not settings.GRAPHQL_INTROSPECTION:
        rules.append(NoIntrospection)
    return rules


def check_width(document) -> list[GraphQLError]:
    """Before GraphQL's own rules (one of which compares the fields of a selection two
    by two): refuse a selection of more than MAX_SELECTIONS fields, which no screen
    needs and which would cost that rule seconds."""
    stack = [definition.selection_set for definition in document.definitions]
    while stack:
        selection_set = stack.pop()
        if selection_set is None:
            continue
        if len(selection_set.selections) > MAX_SELECTIONS:
            return [
                GraphQLError(
                    _("Ask for at most %(max)d fields in one selection.") % {"max": MAX_SELECTIONS},
                    extensions={"code": CommonErrorCode.QUERY_TOO_WIDE.value},
                )
            ]
        stack.extend(getattr(s, "selection_set", None) for s in selection_set.selections)
    return []


class RequestBounds:
    """Graphene middleware: stop resolving once the request's time is up, and refuse
    paging out of bounds (given in a variable, validation could not see it).

    In a mutation the time is checked only before each change starts: what a change
    saved is always answered, never replaced by "too long" (``sync`` checks the time
    between its items itself)."""

    def resolve(self, next, root, info, **args):
        mutating = info.operation.operation == OperationType.MUTATION
        if (not mutating or info.parent_type is info.schema.mutation_type) and past_deadline(info):
            raise GraphQLError(
                _("This request took too long: ask for fewer items."),
                extensions={"code": CommonErrorCode.REQUEST_TOO_LONG.value},
            )
        _check_page(args)
        return next(root, info, **args)


def past_deadline(info) -> bool:
    deadline = getattr(info.context, "graphql_deadline", None)
    return deadline is not None and time.monotonic() > deadline


MAX_OFFSET = 100_000  # further than anyone pages by hand; a cursor goes on from there


def _check_page(args: dict) -> None:
    """Paging arguments of a connection, checked before graphene-django asserts on them."""
    for size in (args.get("first"), args.get("last")):
        if isinstance(size, int) and not 0 <= size <= settings.GRAPHQL_MAX_PAGE_SIZE:
            raise GraphQLError(
                _("Ask for between 0 and %(max)d items at a time.")
                % {"max": settings.GRAPHQL_MAX_PAGE_SIZE},
                extensions={"code": CommonErrorCode.PAGE_TOO_LARGE.value},
            )
    for cursor in (args.get("after"), args.get("before")):
        position = cursor_to_offset(cursor) if isinstance(cursor, str) else None
        if cursor is not None and (position is None or not 0 <= position <= MAX_OFFSET):
            raise GraphQLError(
                _("This page cursor is not one we gave: start again from the first page."),
                extensions={"code": CommonErrorCode.INVALID_CURSOR.value},
            )
    offset = args.get("offset")
    if isinstance(offset, int) and not (0 <= offset <= MAX_OFFSET and args.get("before") is None):
        raise GraphQLError(
            _("Give an offset between 0 and %(max)d, and no “before” cursor with it.")
            % {"max": MAX_OFFSET},
            extensions={"code": CommonErrorCode.INVALID_OFFSET.value},
        )
