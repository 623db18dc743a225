"""Which fields a query asks for, so resolvers prefetch exactly what will be read."""

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode


def requested_paths(info) -> set[str]:
    """Dotted paths below the current field, e.g. {"edges", "edges.node.events", ...}."""
    paths: set[str] = set()

    def walk(selection_set, prefix: str) -> None:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                path = f"{prefix}{selection.name.value}"
                paths.add(path)
                walk(selection.selection_set, path + ".")
            elif isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set, prefix)
            elif isinstance(selection, FragmentSpreadNode):
                walk(info.fragments[selection.name.value].selection_set, prefix)

    for node in info.field_nodes:
        walk(node.selection_set, "")
    return paths
