"""An org's schema as data: its custom fields, custom modules and multi-select lookups.

Every org starts from Zoho's standard catalog (``catalog_data.CATALOG``, immutable, in code).
What an org adds or changes is a ``SchemaDoc``: custom modules, and per module the fields it
adds (or the standard fields whose label or pick list it changes). The doc is what the
database stores (one row per module and per field, ``storage/schema.py``), what
``crmlink schema import`` builds from a captured org, and the hand-written JSON/YAML form
(docs/org-schema.md). ``build_catalog`` layers a doc over the standard catalog; modules the doc
does not touch stay the very same objects, so an org with a few custom fields costs nothing on
the modules it left alone.

Derived, never stored: the related list each custom lookup makes on its target module, the
linking module and related lists of each multi-select lookup, and a custom module's default
fields (``Name``, ``Owner``, ``Email``...) when a hand-written doc leaves them out.

``plan_change`` compares two catalogs for an org that holds records: it lists what changes and
refuses a change that would make a stored value invalid (a type narrowed, a length shortened),
given the stored values of the fields whose definition narrows (read by the caller: no SQL
here). A field that leaves the schema keeps its stored values (hidden, as Zoho keeps a deleted
field's data until it is purged); a pick list that loses an option keeps the records holding
it, as Zoho does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import msgspec

from crmlink.domain.catalog import (
    EXTERNAL_TYPES,
    SE_MODULE,
    SYSTEM_FIELDS,
    AutoNumber,
    Catalog,
    FieldDef,
    Formula,
    ListKind,
    ModuleDef,
    MultiSelectLookup,
    RelatedListDef,
    RelationDef,
    stable_id,
)
from crmlink.domain.values import BadValue, check_value

# The data types an org may give its own fields (the spec's §2.2 less the ones crmlink does not
# model: subform, multiuserlookup, multimodulelookup, consent_lookup and the activity types).
CUSTOM_TYPES = frozenset(
    {
        "text",
        "textarea",
        "email",
        "phone",
        "website",
        "autonumber",
        "integer",
        "bigint",
        "double",
        "percent",
        "currency",
        "boolean",
        "date",
        "datetime",
        "picklist",
        "multiselectpicklist",
        "lookup",
        "userlookup",
        "multiselectlookup",
        "formula",
        "fileupload",
        "imageupload",
    }
)

# Zoho's lengths when a field does not name one (fileupload/imageupload: the most files).
DEFAULT_LENGTHS: Mapping[str, int] = {
    "text": 255,
    "textarea": 2000,
    "email": 100,
    "phone": 30,
    "website": 255,
    "autonumber": 255,
    "integer": 9,
    "bigint": 18,
    "double": 16,
    "percent": 16,
    "currency": 16,
    "boolean": 5,
    "date": 20,
    "datetime": 120,
    "picklist": 120,
    "multiselectpicklist": 1000,
    "lookup": 120,
    "userlookup": 120,
    "multiselectlookup": 2000,
    "formula": 255,
    "fileupload": 5,
    "imageupload": 1,
}
DECIMAL_TYPES = frozenset({"double", "percent", "currency"})

_API_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
CUSTOM_SCOPE = "custom"  # ZohoCRM.modules.custom.* covers every custom and linking module


class SchemaError(Exception):
    """A schema that cannot be applied: the message says what and where."""


# --------------------------------------------------------------------- the document


class LookupSpec(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    module: str
    api_name: str | None = None  # the related list made on ``module``
    display_label: str | None = None
    id: str | None = None


class AutoNumberSpec(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    prefix: str = ""
    start_number: int = 1
    suffix: str = ""


class FormulaSpec(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    return_type: str = "text"
    expression: str = ""


class MslSpec(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    connected_module: str
    linking_module: str | None = None
    lookup_apiname: str | None = None
    connectedlookup_apiname: str | None = None
    api_name: str | None = None  # the related list on the field's module
    display_label: str | None = None
    id: str | None = None


class FieldSpec(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    """One field as written by hand or imported; only ``api_name`` and ``data_type`` needed."""

    api_name: str
    data_type: str
    field_label: str | None = None
    length: int | None = None
    decimal_place: int | None = None
    pick_list_values: list[str] | None = None
    unique: bool = False
    read_only: bool = False
    system_mandatory: bool = False
    custom_field: bool = True
    lookup: LookupSpec | None = None
    auto_number: AutoNumberSpec | None = None
    formula: FormulaSpec | None = None
    multiselectlookup: MslSpec | None = None
    #: Zoho's external-id field (``external.type``): ``"org"`` or ``"user"``; a text field.
    external: str | None = None
    id: str | None = None


class ModuleSpec(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    """A custom module. ``fields`` lists all its fields (defaults added when left out)."""

    api_name: str
    singular_label: str | None = None
    plural_label: str | None = None
    module_name: str | None = None  # Zoho's internal CustomModule<N>
    display_field: str = "Name"
    id: str | None = None
    fields: list[FieldSpec] = []


class SchemaDoc(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    """An org's additions to the standard catalog: the hand-written and the stored form."""

    modules: list[ModuleSpec] = []
    fields: dict[str, list[FieldSpec]] = {}

    def is_empty(self) -> bool:
        return not self.modules and not any(self.fields.values())


def decode_doc(raw: bytes | str) -> SchemaDoc:
    try:
        return msgspec.json.decode(raw, type=SchemaDoc)
    except msgspec.ValidationError as exc:
        raise SchemaError(f"schema document: {exc}") from None


def doc_from_object(obj: Any) -> SchemaDoc:
    """A doc from decoded JSON or YAML."""
    try:
        return msgspec.convert(obj, type=SchemaDoc)
    except msgspec.ValidationError as exc:
        raise SchemaError(f"schema document: {exc}") from None


def encode_doc(doc: SchemaDoc) -> bytes:
    return msgspec.json.format(msgspec.json.encode(doc), indent=2)


# ------------------------------------------------------------- doc -> catalog


def label_of(api_name: str) -> str:
    return api_name.replace("_", " ")


def _check_api_name(name: str, where: str) -> None:
    if not _API_NAME.match(name) or "__" in name or name.endswith("_"):
        raise SchemaError(f"{where}: api_name {name!r} is not valid (letters, digits, single underscores)")


def field_def(spec: FieldSpec, holder: str) -> FieldDef:
    """The catalog field for ``spec`` on module ``holder`` (``SchemaError`` when it cannot be)."""
    where = f"{holder}.{spec.api_name}"
    _check_api_name(spec.api_name, where)
    kind = spec.data_type
    if spec.custom_field and kind not in CUSTOM_TYPES:
        raise SchemaError(f"{where}: data_type {kind!r} is not supported for custom fields")
    picklist = tuple(spec.pick_list_values or ())
    if kind in {"picklist", "multiselectpicklist"} and not picklist:
        raise SchemaError(f"{where}: a {kind} needs pick_list_values")
    if len(set(picklist)) != len(picklist):
        raise SchemaError(f"{where}: pick_list_values repeat a value")
    lookup_module = None
    if kind == "lookup":
        if spec.lookup is None or not spec.lookup.module:
            raise SchemaError(f"{where}: a lookup needs lookup.module")
        lookup_module = spec.lookup.module
    msl = None
    if kind == "multiselectlookup":
        m = spec.multiselectlookup
        if m is None or not m.connected_module:
            raise SchemaError(f"{where}: a multiselectlookup needs multiselectlookup.connected_module")
        b = m.connected_module
        lookup_api = m.lookup_apiname or holder
        connected_api = m.connectedlookup_apiname or (b if b != lookup_api else f"{b}1")
        msl = MultiSelectLookup(
            connected_module=b,
            linking_module=m.linking_module or f"{holder}X{b}",
            lookup_apiname=lookup_api,
            connectedlookup_apiname=connected_api,
            list_api_name=m.api_name or spec.api_name,
            list_label=m.display_label or spec.field_label or label_of(spec.api_name),
            id=m.id or stable_id("msl", holder, spec.api_name),
        )
        _check_api_name(msl.linking_module, where)
    if spec.external is not None and (spec.external not in EXTERNAL_TYPES or kind != "text"):
        raise SchemaError(f'{where}: external is "org" or "user", on a text field')
    auto = None
    if kind == "autonumber":
        a = spec.auto_number or AutoNumberSpec()
        auto = AutoNumber(a.prefix, a.start_number, a.suffix)
    decimal = spec.decimal_place
    if decimal is None and kind in DECIMAL_TYPES:
        decimal = 2
    if kind == "formula" and spec.formula is not None and spec.formula.return_type in DECIMAL_TYPES:
        decimal = 2 if decimal is None else decimal
    return FieldDef(
        api_name=spec.api_name,
        label=spec.field_label or label_of(spec.api_name),
        data_type=kind,
        mandatory=spec.system_mandatory,
        length=spec.length if spec.length is not None else DEFAULT_LENGTHS.get(kind, 255),
        picklist=picklist,
        lookup_module=lookup_module,
        read_only=spec.read_only or kind in {"autonumber", "formula"},
        decimal_place=decimal,
        unique=spec.unique,
        custom=spec.custom_field,
        field_id=spec.id,
        lookup_list=(spec.lookup.api_name or f"{spec.api_name}_{holder}") if spec.lookup else None,
        lookup_label=(
            (spec.lookup.display_label or f"{spec.field_label or label_of(spec.api_name)} {holder}")
            if spec.lookup
            else None
        ),
        auto_number=auto,
        formula=Formula(spec.formula.return_type, spec.formula.expression) if spec.formula else None,
        msl=msl,
        external=spec.external,
    )


def default_module_fields(plural: str) -> list[FieldSpec]:
    """A custom module's standard fields (spec §3.1: Name, Owner and the e-mail fields)."""
    singular = plural.rstrip("s") or plural
    return [
        FieldSpec("Owner", "ownerlookup", field_label=f"{singular} Owner", custom_field=False, length=120),
        FieldSpec(
            "Name",
            "text",
            field_label=f"{singular} Name",
            custom_field=False,
            length=120,
            system_mandatory=True,
        ),
        FieldSpec("Email", "email", field_label="Email", custom_field=False, length=100),
        FieldSpec("Secondary_Email", "email", field_label="Secondary Email", custom_field=False, length=100),
        FieldSpec("Email_Opt_Out", "boolean", field_label="Email Opt Out", custom_field=False, length=5),
    ]


def _custom_module(spec: ModuleSpec, sequence: int) -> ModuleDef:
    _check_api_name(spec.api_name, spec.api_name)
    plural = spec.plural_label or label_of(spec.api_name)
    singular = spec.singular_label or plural
    given = {f.api_name for f in spec.fields}
    defaults = [f for f in default_module_fields(singular + "s") if f.api_name not in given]
    if "Name" in given or "Owner" in given:
        defaults = []
    fields: list[FieldDef] = []
    for f in [*defaults, *spec.fields]:
        if f.api_name in SYSTEM_FIELDS:
            continue
        if f.data_type == "ownerlookup" and not f.custom_field:
            fields.append(FieldDef(f.api_name, f.field_label or "Owner", "ownerlookup", length=120))
            continue
        fields.append(field_def(f, spec.api_name))
    names = [f.api_name for f in fields]
    if len(set(names)) != len(names):
        raise SchemaError(f"{spec.api_name}: a field api_name repeats")
    if spec.display_field not in names:
        raise SchemaError(f"{spec.api_name}: display_field {spec.display_field} is not one of its fields")
    return ModuleDef(
        api_name=spec.api_name,
        singular_label=singular,
        plural_label=plural,
        scope_name=CUSTOM_SCOPE,
        display_field=spec.display_field,
        fields=tuple(fields),
        related_lists=(
            RelatedListDef("Notes", "Notes", "Notes", ListKind.LOOKUP, lookup_field="Parent_Id"),
            RelatedListDef("Attachments", "Attachments", "Attachments", ListKind.UNSERVED),
        ),
        sequence_number=sequence,
        module_name=spec.module_name or f"CustomModule{sequence}",
        generated_type="custom",
        module_id=spec.id,
    )


def _override(standard: FieldDef, spec: FieldSpec, holder: str) -> FieldDef:
    """A standard field changed by the org: its label, pick list and length only (Zoho lets
    neither a standard field's type nor its api_name change)."""
    if spec.data_type != standard.data_type:
        raise SchemaError(
            f"{holder}.{spec.api_name}: a standard field's data_type cannot change "
            f"({standard.data_type} -> {spec.data_type})"
        )
    return replace(
        standard,
        label=spec.field_label or standard.label,
        picklist=tuple(spec.pick_list_values) if spec.pick_list_values else standard.picklist,
        length=spec.length if spec.length is not None else standard.length,
    )


def build_catalog(base: Catalog, doc: SchemaDoc, modified_us: int = 0) -> Catalog:
    """The org's catalog: ``base`` with ``doc`` layered over it. ``SchemaError`` if invalid."""
    if doc.is_empty():
        return base if not modified_us else replace(base, modified_us=modified_us)
    modules: dict[str, ModuleDef] = {m.api_name: m for m in base.modules}
    known_lower = {name.lower() for name in modules} | {(m.module_name or "").lower() for m in base.modules}
    next_sequence = max((m.sequence_number for m in base.modules), default=0) + 1
    for spec in doc.modules:
        if spec.api_name.lower() in known_lower:
            raise SchemaError(f"module {spec.api_name}: the name is taken")
        known_lower.add(spec.api_name.lower())
        modules[spec.api_name] = _custom_module(spec, next_sequence)
        next_sequence += 1
    for holder, specs in doc.fields.items():
        module = modules.get(holder)
        if module is None:
            raise SchemaError(f"fields of {holder}: no such module")
        if module.generated_type == "custom":
            raise SchemaError(f"fields of {holder}: a custom module lists its fields in modules[]")
        fields = list(module.fields)
        index = {f.api_name: i for i, f in enumerate(fields)}
        for fspec in specs:
            at = index.get(fspec.api_name)
            if at is not None and not fields[at].custom:
                fields[at] = _override(fields[at], fspec, holder)
            elif at is not None:
                raise SchemaError(f"{holder}.{fspec.api_name}: the field is listed twice")
            else:
                if fspec.api_name in SYSTEM_FIELDS:
                    raise SchemaError(f"{holder}.{fspec.api_name}: the name is a system field")
                index[fspec.api_name] = len(fields)
                fields.append(field_def(fspec, holder))
        modules[holder] = replace(module, fields=tuple(fields))
    relations = list(base.relations)
    extra_lists: dict[str, list[RelatedListDef]] = {}
    linking: list[ModuleDef] = []
    for module in list(modules.values()):
        for f in module.fields:
            if not f.custom:
                continue
            if f.data_type == "lookup" and f.lookup_module and f.lookup_module != SE_MODULE:
                target = f.lookup_module
                if target not in modules:
                    raise SchemaError(f"{module.api_name}.{f.api_name}: lookup to unknown module {target}")
                extra_lists.setdefault(target, []).append(
                    RelatedListDef(
                        api_name=f.lookup_list or f"{f.api_name}_{module.api_name}",
                        module=module.api_name,
                        label=f.lookup_label or f"{f.label} {module.plural_label}",
                        kind=ListKind.LOOKUP,
                        lookup_field=f.api_name,
                    )
                )
            if f.msl is not None:
                m = f.msl
                if m.connected_module not in modules:
                    raise SchemaError(
                        f"{module.api_name}.{f.api_name}: multiselectlookup to unknown module "
                        f"{m.connected_module}"
                    )
                if m.linking_module.lower() in known_lower:
                    raise SchemaError(
                        f"{module.api_name}.{f.api_name}: linking module name {m.linking_module} is taken"
                    )
                known_lower.add(m.linking_module.lower())
                relations.append(RelationDef(m.relation_name, module.api_name, m.connected_module))
                extra_lists.setdefault(module.api_name, []).append(
                    RelatedListDef(
                        api_name=m.list_api_name,
                        module=m.connected_module,
                        label=m.list_label,
                        kind=ListKind.LINK,
                        relation=m.relation_name,
                        type="multiselectlookup",
                        connected_module=m.connected_module,
                        linking_module=m.linking_module,
                    )
                )
                other = modules[m.connected_module]
                extra_lists.setdefault(m.connected_module, []).append(
                    RelatedListDef(
                        api_name=m.linking_module,
                        module=module.api_name,
                        label=module.plural_label if other is not module else f"{m.list_label} of",
                        kind=ListKind.LINK,
                        relation=m.relation_name,
                        type="multiselectlookup",
                        connected_module=module.api_name,
                        linking_module=m.linking_module,
                    )
                )
                linking.append(_linking_module(module, other, m, next_sequence))
                next_sequence += 1
    for name, lists in extra_lists.items():
        module = modules[name]
        taken = {rl.api_name.lower() for rl in module.related_lists}
        for rl in lists:
            if rl.api_name.lower() in taken:
                raise SchemaError(f"{name}: related list {rl.api_name} is defined twice")
            taken.add(rl.api_name.lower())
        modules[name] = replace(module, related_lists=(*module.related_lists, *lists))
    for lm in linking:
        modules[lm.api_name] = lm
    try:
        return Catalog(
            modules=tuple(modules.values()),
            relations=tuple(relations),
            unsupported_modules=base.unsupported_modules,
            modified_us=modified_us,
            subform_modules=base.subform_modules,
        )
    except ValueError as exc:
        raise SchemaError(str(exc)) from None


def _linking_module(a: ModuleDef, b: ModuleDef, m: MultiSelectLookup, sequence: int) -> ModuleDef:
    """The linking module Zoho makes for a multi-select lookup: its records are the relation's
    links (domain/linking.py), served by the record routes and the related lists."""
    return ModuleDef(
        api_name=m.linking_module,
        singular_label=m.linking_module,
        plural_label=m.linking_module,
        scope_name=CUSTOM_SCOPE,
        display_field="id",
        fields=(
            FieldDef(
                m.lookup_apiname,
                a.singular_label,
                "lookup",
                length=120,
                lookup_module=a.api_name,
                custom=True,
                lookup_list=m.list_api_name,
            ),
            FieldDef(
                m.connectedlookup_apiname,
                b.singular_label,
                "lookup",
                length=120,
                lookup_module=b.api_name,
                custom=True,
                lookup_list=m.linking_module,
            ),
        ),
        sequence_number=sequence,
        module_name=f"LinkingModule{sequence}",
        generated_type="linking",
    )


# ------------------------------------------------------------- catalog -> doc


def field_spec(f: FieldDef, holder: str) -> FieldSpec:
    """The doc entry of a field (inverse of ``field_def`` up to defaults)."""
    lookup = None
    if f.data_type == "lookup" and f.lookup_module:
        lookup = LookupSpec(f.lookup_module, f.lookup_list, f.lookup_label)
    msl = None
    if f.msl is not None:
        m = f.msl
        msl = MslSpec(
            m.connected_module,
            m.linking_module,
            m.lookup_apiname,
            m.connectedlookup_apiname,
            m.list_api_name,
            m.list_label,
            m.id,
        )
    return FieldSpec(
        api_name=f.api_name,
        data_type=f.data_type,
        field_label=f.label,
        length=f.length,
        decimal_place=f.decimal_place,
        pick_list_values=list(f.picklist) or None,
        unique=f.unique,
        read_only=f.read_only and f.data_type not in {"autonumber", "formula"},
        system_mandatory=f.mandatory,
        custom_field=f.custom,
        lookup=lookup,
        auto_number=AutoNumberSpec(f.auto_number.prefix, f.auto_number.start_number, f.auto_number.suffix)
        if f.auto_number
        else None,
        formula=FormulaSpec(f.formula.return_type, f.formula.expression) if f.formula else None,
        multiselectlookup=msl,
        external=f.external if f.custom else None,
        id=f.field_id,
    )


# ------------------------------------------------------------ changing a schema


@dataclass(slots=True)
class ChangePlan:
    """What applying a new schema does, and the fields whose stored values must be checked."""

    changes: list[str] = field(default_factory=list)
    to_check: list[tuple[str, FieldDef, FieldDef]] = field(default_factory=list)  # module, old, new


def _narrows(old: FieldDef, new: FieldDef) -> bool:
    if old.data_type != new.data_type:
        return True
    return old.length is not None and new.length is not None and new.length < old.length


def plan_change(old: Catalog, new: Catalog) -> ChangePlan:
    """The differences between two catalogs of one org, in words, and the fields to check."""
    plan = ChangePlan()
    say = plan.changes.append
    for m in new.modules:
        before = old.module_map.get(m.api_name)
        if before is None:
            say(f"added module {m.api_name} ({m.generated_type})")
            continue
        if before is m:
            continue
        for f in m.fields:
            prior = before.field_map.get(f.api_name)
            if prior is None:
                say(f"added field {m.api_name}.{f.api_name} ({f.data_type})")
                continue
            if prior.label != f.label:
                say(f"renamed {m.api_name}.{f.api_name}: label {prior.label!r} -> {f.label!r}")
            if prior.data_type != f.data_type:
                say(f"changed {m.api_name}.{f.api_name}: data_type {prior.data_type} -> {f.data_type}")
            if prior.picklist != f.picklist:
                gone = [v for v in prior.picklist if v not in f.picklist]
                added = [v for v in f.picklist if v not in prior.picklist]
                say(
                    f"changed {m.api_name}.{f.api_name} pick list: added {added}, removed {gone}"
                    + (" (records holding a removed value keep it)" if gone else "")
                )
            if prior.length != f.length and prior.data_type == f.data_type:
                say(f"changed {m.api_name}.{f.api_name}: length {prior.length} -> {f.length}")
            if _narrows(prior, f):
                plan.to_check.append((m.api_name, prior, f))
        for f in before.fields:
            if f.api_name not in m.field_map:
                say(f"removed field {m.api_name}.{f.api_name} (stored values kept, hidden)")
    for m in old.modules:
        if m.api_name not in new.module_map:
            say(f"removed module {m.api_name} (its records kept, hidden)")
    return plan


def refusals(
    to_check: Sequence[tuple[str, FieldDef, FieldDef]],
    stored: Callable[[str, str], Iterable[Any]],
) -> list[str]:
    """Why the change cannot be applied: fields whose stored values the new definition refuses.
    ``stored(module, field)`` yields the non-null stored values of a field."""
    out: list[str] = []
    for module, old, new in to_check:
        bad = 0
        for value in stored(module, new.api_name):
            try:
                check_value(replace(new, read_only=False), value)
            except BadValue:
                bad += 1
        if bad:
            out.append(
                f"refused: {module}.{new.api_name} {old.data_type}({old.length}) -> "
                f"{new.data_type}({new.length}) would lose {bad} stored value(s)"
            )
    return out


# ------------------------------------------------------------ stored form


def doc_from_rows(modules: Sequence[bytes], fields: Sequence[tuple[str, bytes]]) -> SchemaDoc:
    """The doc from its stored rows (``storage.schema.StoredSchema``)."""
    custom = [msgspec.json.decode(raw, type=ModuleSpec) for raw in modules]
    by_name = {m.api_name: m for m in custom}
    extra: dict[str, list[FieldSpec]] = {}
    for module, raw in fields:
        spec = msgspec.json.decode(raw, type=FieldSpec)
        owner = by_name.get(module)
        if owner is not None:
            owner.fields.append(spec)
        else:
            extra.setdefault(module, []).append(spec)
    return SchemaDoc(modules=custom, fields=extra)


def doc_rows(doc: SchemaDoc) -> tuple[list[tuple[str, bytes]], list[tuple[str, str, bytes]]]:
    """The rows that store ``doc``: (api_name, module spec) and (module, api_name, field spec)."""
    modules = [(m.api_name, msgspec.json.encode(msgspec.structs.replace(m, fields=[]))) for m in doc.modules]
    fields = [(m.api_name, f.api_name, msgspec.json.encode(f)) for m in doc.modules for f in m.fields]
    fields += [
        (module, f.api_name, msgspec.json.encode(f)) for module, specs in doc.fields.items() for f in specs
    ]
    return modules, fields


def doc_of(catalog: Catalog, base: Catalog) -> SchemaDoc:
    """The doc that ``build_catalog(base, doc)`` turns into ``catalog`` (export)."""
    modules: list[ModuleSpec] = []
    extra: dict[str, list[FieldSpec]] = {}
    for m in catalog.modules:
        if m.generated_type == "linking":
            continue
        standard = base.module_map.get(m.api_name)
        if standard is None:
            modules.append(
                ModuleSpec(
                    api_name=m.api_name,
                    singular_label=m.singular_label,
                    plural_label=m.plural_label,
                    module_name=m.module_name,
                    display_field=m.display_field,
                    id=m.module_id,
                    fields=[field_spec(f, m.api_name) for f in m.fields],
                )
            )
            continue
        if standard is m:
            continue
        specs = []
        for f in m.fields:
            before = standard.field_map.get(f.api_name)
            if before is None or before != f:
                specs.append(field_spec(f, m.api_name))
        if specs:
            extra[m.api_name] = specs
    return SchemaDoc(modules=modules, fields=extra)
