"""The links a GS1-conformant resolver knows for an identified item, and their linkset.

An item has levels, most specific first (a serial, its lot, its GTIN); each level has an
anchor (its Digital Link URI) and links typed with the GS1 Web Vocabulary. A request asks
for one link type, for all of them (a linkset, RFC 9264 as GS1 profiles it), or for the
default link of the most specific level.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

WEB_VOCABULARY = "https://ref.gs1.org/voc/"
# Other spellings of the vocabulary's namespace that clients send.
_NAMESPACE_ALIASES = ("gs1:", "https://gs1.org/voc/", "https://www.gs1.org/voc/", WEB_VOCABULARY)
DEFAULT_LINK = "defaultLink"
LINKSET_MEDIA_TYPE = "application/linkset+json"


def link_type_name(value: str) -> str:
    """``gs1:pip`` or any of its URIs → ``pip`` (a name outside GS1's vocabulary stays as is,
    so that it matches nothing)."""
    for namespace in _NAMESPACE_ALIASES:
        if value.startswith(namespace):
            return value[len(namespace) :]
    return value


@dataclass(frozen=True)
class Link:
    link_type: str  # a GS1 Web Vocabulary term: "pip", "traceability"…
    href: str
    title: str
    media_type: str = "text/html"
    languages: tuple[str, ...] = ("vi", "en")

    def as_linkset_entry(self) -> dict:
        return {
            "href": self.href,
            "title": self.title,
            "type": self.media_type,
            "hreflang": list(self.languages),
        }


@dataclass(frozen=True)
class Level:
    anchor: str
    description: str
    default: Link
    links: list[Link] = field(default_factory=list)

    def all_links(self) -> Iterator[Link]:
        yield from self.links
        yield Link(DEFAULT_LINK, self.default.href, self.default.title, self.default.media_type)


@dataclass(frozen=True)
class Resolution:
    levels: list[Level]  # most specific first

    @property
    def default(self) -> Link:
        return self.levels[0].default

    def find(self, link_type: str) -> Link | None:
        """The requested link type at the most specific level that has it."""
        name = link_type_name(link_type)
        for level in self.levels:
            for link in level.all_links():
                if link.link_type == name:
                    return link
        return None

    def linkset(self) -> dict:
        items = []
        for level in self.levels:
            item: dict = {"anchor": level.anchor, "itemDescription": level.description}
            for link in level.all_links():
                relation = WEB_VOCABULARY + link.link_type
                item.setdefault(relation, []).append(link.as_linkset_entry())
            items.append(item)
        return {"linkset": items}
