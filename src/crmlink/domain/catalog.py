"""The module catalog: modules, their fields, related lists and the many-to-many relations.

The catalog is data (``catalog_data.py``); this module holds its types and the lookups the
rest of the code uses. Everything here is immutable and built once per process.

Vocabulary, as Zoho uses it:

* a *module* is a record type (``Leads``, ``Price_Books``);
* a *field* has an ``api_name`` and a ``data_type`` from Zoho's vocabulary (the official SDKs
  crash on an unknown ``data_type``, see ``DATA_TYPES``);
* a *related list* is what ``/{module}/{id}/{related_list}`` addresses. It is backed either by a
  many-to-many *relation* (a link row, relatable with PUT and delinkable with DELETE) or by a
  *lookup* field of the related module pointing back at the parent (read-only here, e.g. Notes).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

# The data types Zoho's official SDKs know (``Utility.fill_data_type``). Nothing else may be served.
DATA_TYPES = frozenset(
    {
        "text",
        "textarea",
        "website",
        "email",
        "phone",
        "mediumtext",
        "profileimage",
        "autonumber",
        "integer",
        "long",
        "bigint",
        "double",
        "percent",
        "currency",
        "boolean",
        "date",
        "datetime",
        "event_reminder",
        "picklist",
        "multiselectpicklist",
        "lookup",
        "ownerlookup",
        "userlookup",
        "multiuserlookup",
        "multimodulelookup",
        "multiselectlookup",
        "subform",
        "fileupload",
        "imageupload",
        "multireminder",
        "consent_lookup",
        "linetax",
        "ALARM",
        "RRULE",
        "formula",
    }
)

# The ``lookup.module`` Zoho serves for a lookup whose target module is named per record by
# ``$se_module`` (Notes.Parent_Id). The official SDKs special-case it (``Constants.SE_MODULE``):
# the value is a Record and no target module's fields are fetched.
SE_MODULE = "se_module"

# Zoho's external-id field types (spec records-more §12): one value per record for the org, or
# one per user.
EXTERNAL_TYPES = frozenset({"org", "user"})

# The data types a unique (duplicate-check) field may have (Zoho: single line, email, phone,
# number, long integer, URL).
UNIQUE_TYPES = frozenset({"text", "email", "phone", "integer", "bigint", "long", "website"})

# Fields every record carries, maintained by the server and never accepted from clients.
SYSTEM_FIELDS = frozenset({"id", "Created_Time", "Modified_Time", "Created_By", "Modified_By"})


def stable_id(*parts: str) -> str:
    """A deterministic 19-digit id for a catalog entry (module, field, related list).

    Catalog ids must not change between processes or releases, because the official SDKs cache
    metadata on disk; a CRC of the names gives that without storing anything.
    """
    crc = zlib.crc32("/".join(parts).encode())
    return str(4_150_868_000_000_000_000 + crc)


@dataclass(frozen=True, slots=True)
class AutoNumber:
    prefix: str = ""
    start_number: int = 1
    suffix: str = ""


@dataclass(frozen=True, slots=True)
class Formula:
    return_type: str = "text"
    expression: str = ""


@dataclass(frozen=True, slots=True)
class MultiSelectLookup:
    """A multi-select lookup (MxN) field of module A pointing at ``connected_module`` B.

    Zoho makes a linking module whose records are the associations, with a lookup back to A
    (``lookup_apiname``) and one to B (``connectedlookup_apiname``); here the associations are
    the link rows of the relation named ``relation_name`` (A left, B right), served through A's
    related list ``list_api_name`` like the built-in many-to-many relations.
    """

    connected_module: str
    linking_module: str
    lookup_apiname: str
    connectedlookup_apiname: str
    list_api_name: str
    list_label: str
    id: str = ""

    @property
    def relation_name(self) -> str:
        return f"msl:{self.linking_module}"


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One field of a module (or of a relation), described with Zoho's metadata keys."""

    api_name: str
    label: str
    data_type: str
    mandatory: bool = False
    length: int | None = None
    picklist: tuple[str, ...] = ()
    lookup_module: str | None = None
    read_only: bool = False
    decimal_place: int | None = None
    #: "Do not allow duplicate values" (Zoho's user-defined unique field): a duplicate-check key
    #: of upsert, after the module's system-defined ones (``ModuleDef.system_unique``).
    unique: bool = False
    # Set on an org's own fields (catalog overlay, ``domain/schema.py``); standard fields keep
    # the defaults and their ids are ``stable_id("field", module, api_name)``.
    custom: bool = False
    field_id: str | None = None
    lookup_list: str | None = None  # api_name of the related list a custom lookup makes on its target
    lookup_label: str | None = None
    auto_number: AutoNumber | None = None
    formula: Formula | None = None
    msl: MultiSelectLookup | None = None
    subform_module: str | None = None  # for data_type "subform": the module of its rows
    #: An external-id field (Zoho's ``external.type``): ``"org"`` (one value per record, unique
    #: in the org) or ``"user"`` (each user keeps their own value). Addressable with X-EXTERNAL
    #: and checked by upsert like a unique field. ``None``: an ordinary field.
    external: str | None = None

    def __post_init__(self) -> None:
        if self.external is not None and (self.external not in EXTERNAL_TYPES or self.data_type != "text"):
            raise ValueError(f"{self.api_name}: an external field is a text field of type org or user")
        if self.data_type not in DATA_TYPES:
            raise ValueError(f"{self.api_name}: data_type {self.data_type!r} is not Zoho's")
        if self.data_type == "lookup" and not self.lookup_module:
            raise ValueError(f"{self.api_name}: a lookup needs lookup_module")
        if self.data_type == "subform" and not self.subform_module:
            raise ValueError(f"{self.api_name}: a subform needs subform_module")
        if self.data_type in {"picklist", "multiselectpicklist"} and not self.picklist:
            raise ValueError(f"{self.api_name}: a picklist needs values")
        if self.data_type == "multiselectlookup" and self.msl is None:
            raise ValueError(f"{self.api_name}: a multi-select lookup needs its linking module")

    def id_in(self, module: str) -> str:
        return self.field_id or stable_id("field", module, self.api_name)


class ListKind(StrEnum):
    """How a related list is backed."""

    LINK = "link"  # a many-to-many relation: GET, PUT, DELETE
    LOOKUP = "lookup"  # records of the related module whose lookup field names the parent: GET
    ATTACHMENTS = "attachments"  # the record's files and links (api/attachments.py)
    UNSERVED = "unserved"  # shown in metadata with href null: nothing served


@dataclass(frozen=True, slots=True)
class RelationDef:
    """A many-to-many relation between two modules, with the relation fields it carries.

    ``left`` and ``right`` fix the orientation of the stored link rows; the relation is the same
    seen from either side.
    """

    name: str
    left: str
    right: str
    fields: tuple[FieldDef, ...] = ()

    def other(self, module: str) -> str:
        return self.right if module == self.left else self.left

    @property
    def linking(self) -> bool:
        """A multi-select lookup's relation: its links are a linking module's records."""
        return self.name.startswith("msl:")

    @cached_property
    def field_map(self) -> Mapping[str, FieldDef]:
        return {f.api_name: f for f in self.fields}


@dataclass(frozen=True, slots=True)
class RelatedListDef:
    """One entry of ``settings/related_lists`` for a module."""

    api_name: str
    module: str  # the related module's api_name (a string, as the v2.1 SDKs need)
    label: str
    kind: ListKind
    relation: str | None = None  # RelationDef.name, for LINK lists
    lookup_field: str | None = None  # field of ``module`` pointing at the parent, for LOOKUP lists
    type: str = "default"  # "multiselectlookup" for the list of a multi-select lookup
    connected_module: str | None = None  # multi-select lookup: the module B it links to
    linking_module: str | None = None  # multi-select lookup: the linking module's api_name
    list_id: str | None = None  # kept from an imported schema; else a stable id


@dataclass(frozen=True)
class ModuleDef:
    """One module: labels, fields and related lists."""

    api_name: str
    singular_label: str
    plural_label: str
    scope_name: str  # the lower-case name in OAuth scopes: leads, pricebooks, ...
    display_field: str  # the field whose value is a lookup's ``name``
    fields: tuple[FieldDef, ...]
    related_lists: tuple[RelatedListDef, ...] = ()
    sequence_number: int = 0
    module_name: str | None = None  # Zoho's internal name where it differs (Deals -> Potentials)
    generated_type: str = "default"  # default, custom (an org's own), linking (MSL), subform (line items)
    module_id: str | None = None  # kept from an imported schema; else a stable id
    api_supported: bool = True
    parent_module: str | None = None  # for a subform module: the module whose records hold its rows
    #: Zoho's system-defined duplicate-check fields (Leads: Email); empty where the module has no
    #: upsert (Notes).
    system_unique: tuple[str, ...] = ()

    @cached_property
    def id(self) -> str:
        return self.module_id or stable_id("module", self.api_name)

    @cached_property
    def field_map(self) -> Mapping[str, FieldDef]:
        return {f.api_name: f for f in self.fields}

    @cached_property
    def mandatory_fields(self) -> tuple[FieldDef, ...]:
        return tuple(f for f in self.fields if f.mandatory)

    @cached_property
    def user_unique(self) -> tuple[FieldDef, ...]:
        """User-defined unique fields and external fields, in field order (upsert keys too)."""
        system = set(self.system_unique)
        return tuple(
            f for f in self.fields if (f.unique or f.external is not None) and f.api_name not in system
        )

    @cached_property
    def key_fields(self) -> tuple[FieldDef, ...]:
        """Every field that upsert may check: the system-defined ones, then the user's."""
        return (*(self.field_map[n] for n in self.system_unique), *self.user_unique)

    @cached_property
    def msl_fields(self) -> tuple[FieldDef, ...]:
        """Multi-select lookup fields (their values are links: domain/msl_values.py)."""
        return tuple(f for f in self.fields if f.msl is not None)

    @cached_property
    def external_fields(self) -> Mapping[str, FieldDef]:
        return {f.api_name: f for f in self.fields if f.external is not None}

    @cached_property
    def related_list_map(self) -> Mapping[str, RelatedListDef]:
        """Related lists by lower-cased api_name (Zoho matches them case-insensitively)."""
        return {rl.api_name.lower(): rl for rl in self.related_lists}


@dataclass(frozen=True)
class Catalog:
    """All modules and relations, with the lookups the API needs."""

    modules: tuple[ModuleDef, ...]
    relations: tuple[RelationDef, ...]
    # Names Zoho knows but does not serve over the API ("The given module is not supported in API").
    unsupported_modules: frozenset[str] = field(default_factory=frozenset)
    # When the org last changed its schema (microseconds; 0: never, the standard catalog).
    modified_us: int = 0
    # Modules whose records exist only as rows of a parent's subform field (Quotes' Quoted_Items):
    # described by the metadata endpoints, never addressed as ``/{module}`` by the records API.
    subform_modules: tuple[ModuleDef, ...] = ()

    def __post_init__(self) -> None:
        names = {m.api_name for m in self.modules}
        subforms = {m.api_name for m in self.subform_modules}
        for m in (*self.modules, *self.subform_modules):
            for f in m.fields:
                if f.subform_module and f.subform_module not in subforms:
                    raise ValueError(f"{m.api_name}.{f.api_name}: unknown subform {f.subform_module}")
        for m in self.subform_modules:
            if m.parent_module not in names:
                raise ValueError(f"{m.api_name}: unknown parent module {m.parent_module}")
            for f in m.fields:
                if f.lookup_module and f.lookup_module not in names:
                    raise ValueError(f"{m.api_name}.{f.api_name}: unknown module {f.lookup_module}")
        relations = {r.name: r for r in self.relations}
        for m in self.modules:
            for f in m.fields:
                if f.lookup_module and f.lookup_module not in names | {SE_MODULE}:
                    raise ValueError(f"{m.api_name}.{f.api_name}: unknown module {f.lookup_module}")
                if (f.unique or f.api_name in m.system_unique) and f.data_type not in UNIQUE_TYPES:
                    raise ValueError(f"{m.api_name}.{f.api_name}: {f.data_type} cannot be unique")
            for name in m.system_unique:
                if name not in m.field_map:
                    raise ValueError(f"{m.api_name}: unknown system unique field {name}")
            for rl in m.related_lists:
                if rl.kind is ListKind.LINK:
                    rel = relations.get(rl.relation or "")
                    if rel is None or m.api_name not in (rel.left, rel.right):
                        raise ValueError(f"{m.api_name}/{rl.api_name}: bad relation {rl.relation}")
                if rl.kind is ListKind.LOOKUP:
                    target = self.module_map.get(rl.module)
                    if target is None or rl.lookup_field not in target.field_map:
                        raise ValueError(f"{m.api_name}/{rl.api_name}: bad lookup {rl.lookup_field}")

    @cached_property
    def module_map(self) -> Mapping[str, ModuleDef]:
        return {m.api_name: m for m in self.modules}

    @cached_property
    def _module_by_lower(self) -> Mapping[str, ModuleDef]:
        lowered: dict[str, ModuleDef] = {m.api_name.lower(): m for m in self.modules}
        for m in self.modules:
            if m.module_name:
                lowered.setdefault(m.module_name.lower(), m)
        return lowered

    @cached_property
    def relation_map(self) -> Mapping[str, RelationDef]:
        return {r.name: r for r in self.relations}

    def find_module(self, name: str) -> ModuleDef | None:
        """The module called ``name`` (case-insensitive; old names such as Potentials too)."""
        return self.module_map.get(name) or self._module_by_lower.get(name.lower())

    @cached_property
    def _subform_by_lower(self) -> Mapping[str, ModuleDef]:
        return {m.api_name.lower(): m for m in self.subform_modules}

    def find_metadata_module(self, name: str) -> ModuleDef | None:
        """Like ``find_module``, and subform modules too (``settings/fields?module=Quoted_Items``)."""
        return self.find_module(name) or self._subform_by_lower.get(name.lower())

    def is_unsupported(self, name: str) -> bool:
        return name.lower() in {n.lower() for n in self.unsupported_modules}

    def scope_modules(self) -> Iterable[str]:
        return (m.scope_name for m in self.modules)
