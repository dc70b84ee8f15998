"""Schemas in and out: the captured folder (what an org answers to ``/settings/modules``,
``/settings/fields?module=`` and ``/settings/related_lists?module=``), read into a
``SchemaDoc`` and written from an org's catalog.

Folder layout (``crmlink schema capture`` writes it, ``crmlink schema export`` too)::

    modules.json                 {"modules": [...]}        GET /settings/modules
    fields/<api_name>.json       {"fields": [...]}         GET /settings/fields?module=<api_name>
    related_lists/<api_name>.json {"related_lists": [...]} GET /settings/related_lists?module=...

Reading keeps what crmlink models and says what it leaves out (``Captured.notes``): modules
of a kind it does not serve (subform, web), standard modules its catalog lacks, fields of data
types it does not model. Linking modules are not read as modules: each multi-select lookup
field makes its own again. Related lists are derived from the fields (lookups and multi-select
lookups), so the related_lists files are only checked for lists crmlink would not make.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import msgspec

from crmlink.domain.catalog import SYSTEM_FIELDS, Catalog
from crmlink.domain.metadata import render_fields, render_module, render_related_lists
from crmlink.domain.schema import (
    CUSTOM_TYPES,
    AutoNumberSpec,
    FieldSpec,
    FormulaSpec,
    LookupSpec,
    ModuleSpec,
    MslSpec,
    SchemaDoc,
    SchemaError,
    doc_from_object,
)

_LINKING_OR_UNSERVED = frozenset({"linking", "subform", "web"})


@dataclass(slots=True)
class Captured:
    doc: SchemaDoc
    notes: list[str] = field(default_factory=list)


def _name(value: Any) -> str | None:
    """A module named as a string (v2.1) or as ``{"api_name": ...}`` (v7)."""
    if isinstance(value, dict):
        value = value.get("api_name")
    return value if isinstance(value, str) and value else None


def _external_type(raw: Any) -> str | None:
    """Zoho's ``external`` attribute (``{"show", "type", ...}`` or null) as its type."""
    kind = raw.get("type") if isinstance(raw, dict) else None
    return kind if isinstance(kind, str) else None


def spec_from_field(f: Mapping[str, Any]) -> FieldSpec:
    """A field of ``/settings/fields`` as a doc entry."""
    kind = str(f.get("data_type"))
    lookup = None
    raw_lookup = f.get("lookup") or {}
    if kind == "lookup" and raw_lookup:
        target = _name(raw_lookup.get("module"))
        if target is None:
            raise SchemaError(f"{f.get('api_name')}: lookup without module")
        lookup = LookupSpec(target, raw_lookup.get("api_name"), raw_lookup.get("display_label"))
    auto = f.get("auto_number") or {}
    formula = f.get("formula") or {}
    msl_raw = f.get("multiselectlookup") or {}
    msl = None
    if kind == "multiselectlookup" and msl_raw:
        connected = _name(msl_raw.get("connected_module"))
        if connected is None:
            raise SchemaError(f"{f.get('api_name')}: multiselectlookup without connected_module")
        msl = MslSpec(
            connected_module=connected,
            linking_module=_name(msl_raw.get("linking_module")),
            lookup_apiname=msl_raw.get("lookup_apiname"),
            connectedlookup_apiname=msl_raw.get("connectedlookup_apiname"),
            api_name=msl_raw.get("api_name"),
            display_label=msl_raw.get("display_label"),
            id=msl_raw.get("id"),
        )
    picklist = [str(v.get("display_value")) for v in f.get("pick_list_values") or [] if isinstance(v, dict)]
    return FieldSpec(
        api_name=str(f.get("api_name")),
        data_type=kind,
        field_label=f.get("field_label"),
        length=f.get("length") if isinstance(f.get("length"), int) else None,
        decimal_place=f.get("decimal_place"),
        pick_list_values=picklist or None,
        unique=bool(f.get("unique")),
        read_only=bool(f.get("read_only")) and kind not in {"autonumber", "formula"},
        system_mandatory=bool(f.get("system_mandatory")),
        custom_field=bool(f.get("custom_field")),
        lookup=lookup,
        auto_number=AutoNumberSpec(
            str(auto.get("prefix") or ""), int(auto.get("start_number") or 1), str(auto.get("suffix") or "")
        )
        if kind == "autonumber" and auto
        else None,
        formula=FormulaSpec(str(formula.get("return_type") or "text"), str(formula.get("expression") or ""))
        if kind == "formula" and formula
        else None,
        multiselectlookup=msl,
        external=_external_type(f.get("external")) if f.get("custom_field") else None,
        id=f.get("id") if isinstance(f.get("id"), str) else None,
    )


def _importable(spec: FieldSpec) -> bool:
    return spec.data_type in CUSTOM_TYPES or (not spec.custom_field and spec.data_type == "ownerlookup")


def doc_from_capture(
    modules: Sequence[Mapping[str, Any]],
    fields: Mapping[str, Sequence[Mapping[str, Any]]],
    related_lists: Mapping[str, Sequence[Mapping[str, Any]]],
    base: Catalog,
) -> Captured:
    """The doc for a captured org over ``base``, with notes on what was left out."""
    out = Captured(SchemaDoc())
    note = out.notes.append
    linking = {
        m.get("api_name") for m in modules if m.get("generated_type") == "linking" and m.get("api_name")
    }
    for m in modules:
        api = m.get("api_name")
        kind = m.get("generated_type") or "default"
        if not isinstance(api, str):
            continue
        if kind in _LINKING_OR_UNSERVED:
            if kind != "linking":
                note(f"skipped module {api}: generated_type {kind} is not served")
            continue
        if api not in fields:
            if kind == "custom" or api in base.module_map:
                note(f"skipped module {api}: no fields/{api}.json")
            continue
        specs = []
        for raw in fields[api]:
            name = raw.get("api_name")
            if name in SYSTEM_FIELDS or not isinstance(name, str):
                continue
            spec = spec_from_field(raw)
            if not _importable(spec):
                note(f"skipped field {api}.{name}: data_type {spec.data_type} is not modelled")
                continue
            if spec.data_type == "lookup" and spec.lookup and spec.lookup.module in linking:
                continue
            specs.append(spec)
        standard = base.module_map.get(api)
        if kind == "custom" or standard is None:
            if kind != "custom":
                note(f"skipped module {api}: a standard module this crmlink's catalog does not have")
                continue
            out.doc.modules.append(
                ModuleSpec(
                    api_name=api,
                    singular_label=m.get("singular_label"),
                    plural_label=m.get("plural_label"),
                    module_name=m.get("module_name"),
                    display_field=_display_field(specs),
                    id=m.get("id") if isinstance(m.get("id"), str) else None,
                    fields=specs,
                )
            )
            continue
        changed = []
        for spec in specs:
            known = standard.field_map.get(spec.api_name)
            if known is None:
                changed.append(spec)
                continue
            picklist = tuple(spec.pick_list_values or ())
            if (
                (spec.field_label and spec.field_label != known.label)
                or (picklist and picklist != known.picklist)
                or (spec.length is not None and spec.length != known.length)
            ):
                changed.append(
                    FieldSpec(
                        spec.api_name,
                        known.data_type,
                        field_label=spec.field_label,
                        length=spec.length,
                        pick_list_values=list(picklist) or None,
                        custom_field=False,
                    )
                )
        if changed:
            out.doc.fields[api] = changed
    for module, lists in related_lists.items():
        for rl in lists:
            if rl.get("type") not in (None, "default", "multiselectlookup"):
                note(f"related list {module}/{rl.get('api_name')}: type {rl.get('type')} is not served")
    return out


def _display_field(specs: Sequence[FieldSpec]) -> str:
    names = [s.api_name for s in specs]
    return (
        "Name"
        if "Name" in names or not names
        else next((s.api_name for s in specs if s.data_type == "text"), "Name")
    )


# ---------------------------------------------------------------------- files


def _read_json(raw: bytes, where: str) -> Any:
    try:
        return msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise SchemaError(f"{where}: not JSON ({exc})") from None


def read_tree(path: Path) -> dict[str, bytes]:
    """The files of a folder or archive (.zip, .tar, .tar.gz), by path relative to the folder
    holding ``modules.json``."""
    files: dict[str, bytes] = {}
    if path.is_dir():
        for p in path.rglob("*.json"):
            files[p.relative_to(path).as_posix()] = p.read_bytes()
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.endswith(".json"):
                    files[name] = z.read(name)
    elif tarfile.is_tarfile(path):
        with tarfile.open(path) as t:
            for member in t.getmembers():
                if member.isfile() and member.name.endswith(".json"):
                    handle = t.extractfile(member)
                    if handle is not None:
                        files[member.name] = handle.read()
    else:
        raise SchemaError(f"{path}: not a folder or a .zip/.tar archive")
    root = next((PurePosixPath(n).parent for n in sorted(files, key=len) if n.endswith("modules.json")), None)
    if root is None:
        raise SchemaError(f"{path}: no modules.json")
    prefix = "" if str(root) == "." else f"{root}/"
    return {n[len(prefix) :]: b for n, b in files.items() if n.startswith(prefix)}


def read_captured(path: Path, base: Catalog) -> Captured:
    """A captured folder/archive, or a hand-written doc (a ``.json`` file), as a doc."""
    if path.is_file() and path.suffix == ".json":
        return Captured(doc_from_object(_read_json(path.read_bytes(), str(path))))
    files = read_tree(path)
    modules = _read_json(files["modules.json"], "modules.json").get("modules") or []
    fields: dict[str, list[Any]] = {}
    lists: dict[str, list[Any]] = {}
    for name, raw in files.items():
        p = PurePosixPath(name)
        if len(p.parts) != 2:
            continue
        if p.parts[0] == "fields":
            fields[p.stem] = _read_json(raw, name).get("fields") or []
        elif p.parts[0] == "related_lists":
            lists[p.stem] = _read_json(raw, name).get("related_lists") or []
    return doc_from_capture(modules, fields, lists, base)


def captured_files(catalog: Catalog, profiles: Sequence[dict[str, str]]) -> dict[str, bytes]:
    """The captured folder of an org's catalog, as crmlink itself answers the three calls."""
    described = [*catalog.modules, *catalog.subform_modules]  # as GET /settings/modules answers
    out = {
        "modules.json": _pretty({"modules": [render_module(m, profiles) for m in described]}),
    }
    for m in described:
        out[f"fields/{m.api_name}.json"] = _pretty({"fields": render_fields(m)})
    for m in catalog.modules:  # subform modules have no related lists to describe
        out[f"related_lists/{m.api_name}.json"] = _pretty({"related_lists": render_related_lists(m)})
    return out


def _pretty(obj: Any) -> bytes:
    return msgspec.json.format(msgspec.json.encode(obj), indent=2) + b"\n"


def write_tree(files: Mapping[str, bytes], path: Path) -> None:
    """Write ``files`` into a folder, or a .zip / .tar.gz archive by ``path``'s suffix."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, raw in sorted(files.items()):
                z.writestr(name, raw)
        return
    if path.name.endswith((".tar.gz", ".tgz", ".tar")):
        gz = path.name.endswith(("gz", "tgz"))
        with tarfile.open(path, "w:gz") if gz else tarfile.open(path, "w") as t:
            for name, raw in sorted(files.items()):
                info = tarfile.TarInfo(name)
                info.size = len(raw)
                t.addfile(info, io.BytesIO(raw))
        return
    for name, raw in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(raw)
