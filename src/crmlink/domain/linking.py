"""Multi-select lookups written through a record body, and the linking modules' own records.

A linking module's records are the links of its multi-select lookup's relation (spec schema
§4.3): ``GET/POST/PUT/DELETE /crm/{v}/<LinkingModule>[/{id}]`` list, create, re-point and
remove links. Every write goes through ``domain/relations.py`` (``relate``/``delink``), so a
link made here shows in both related lists and writes its change events, exactly as one made
through a related list or a record body does. The linking record's id is kept in the link's
data (``msl_values.link_data``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crmlink.domain import relations as rel
from crmlink.domain.auth import Actor
from crmlink.domain.catalog import Catalog, FieldDef, ModuleDef, RelationDef
from crmlink.domain.clock import iso, iso_seconds, now_us
from crmlink.domain.ids import IdGenerator, parse_id
from crmlink.domain.msl_values import MslChange, link_data, linking_id_of
from crmlink.domain.orgs import user_refs
from crmlink.domain.records import Page, success
from crmlink.domain.rendering import display_names
from crmlink.errors import CRMError, DuplicateData, InvalidData, MandatoryNotFound
from crmlink.storage import links as link_store
from crmlink.storage import records as record_store
from crmlink.storage.connection import Connection
from crmlink.storage.links import StoredLink

INVALID_ID = "the id given seems to be invalid"


def is_linking(module: ModuleDef) -> bool:
    return module.generated_type == "linking"


@dataclass(frozen=True, slots=True)
class Linking:
    """A linking module seen through its multi-select lookup field (on module A, to B)."""

    module: ModuleDef  # the linking module
    owner: ModuleDef  # A
    field: FieldDef  # A's multi-select lookup field
    connected: ModuleDef  # B
    relation: RelationDef

    @property
    def lookup(self) -> str:  # the linking module's field pointing at A
        assert self.field.msl is not None
        return self.field.msl.lookup_apiname

    @property
    def connected_lookup(self) -> str:  # ... and at B
        assert self.field.msl is not None
        return self.field.msl.connectedlookup_apiname

    def target(self, catalog: Catalog) -> rel.Target:
        """A's related list of the field: relate and delink take A's side."""
        assert self.field.msl is not None
        rl = rel.find_related_list(catalog, self.owner, self.field.msl.list_api_name)
        return rel.target_for(catalog, self.owner, rl)


def linking_of(catalog: Catalog, module: ModuleDef) -> Linking:
    for owner in catalog.modules:
        for f in owner.fields:
            if f.msl is not None and f.msl.linking_module == module.api_name:
                return Linking(
                    module,
                    owner,
                    f,
                    catalog.module_map[f.msl.connected_module],
                    catalog.relation_map[f.msl.relation_name],
                )
    raise AssertionError(f"{module.api_name}: a linking module without its field")


# --- a record body's multi-select lookup fields --------------------------------------------


def write_body_changes(
    conn: Connection,
    catalog: Catalog,
    ids: IdGenerator | None,
    actor: Actor,
    module: ModuleDef,
    writes: Sequence[tuple[int, list[MslChange]]],
) -> None:
    """Apply the (checked) changes of record bodies: links removed, then added."""
    for record_id, changes in writes:
        for change in changes:
            assert change.field.msl is not None
            rl = rel.find_related_list(catalog, module, change.field.msl.list_api_name)
            target = rel.target_for(catalog, module, rl)
            if change.remove_others:
                rel.delink(conn, actor, target, record_id, list(dict.fromkeys(change.remove_others)))
            if change.adds:
                if ids is None:
                    raise InvalidData(details={"api_name": change.field.api_name})
                items = [{"id": str(b)} for b in dict.fromkeys(change.adds)]
                rel.relate(conn, actor, target, record_id, items, ids=ids)


# --- the linking module's records -------------------------------------------------------------


def _render(
    conn: Connection, catalog: Catalog, org_id: int, link: Linking, rows: Sequence[StoredLink], reader: Actor
) -> list[dict[str, Any]]:
    names = display_names(
        conn, catalog, org_id, {r.left_id for r in rows} | {r.right_id for r in rows}, reader
    )
    users = user_refs(conn, org_id, {r.created_by for r in rows} | {r.modified_by for r in rows})
    return [
        {
            link.lookup: {"name": names.get(r.left_id), "id": str(r.left_id)},
            link.connected_lookup: {"name": names.get(r.right_id), "id": str(r.right_id)},
            "Created_Time": iso_seconds(r.created_at // 1_000_000),
            "Modified_Time": iso_seconds(r.modified_at // 1_000_000),
            "Created_By": users.get(r.created_by),
            "Modified_By": users.get(r.modified_by),
            "id": linking_id_of(r.data),
        }
        for r in rows
    ]


def list_page(
    conn: Connection, catalog: Catalog, actor: Actor, link: Linking, *, page: int, per_page: int
) -> Page:
    """A page of the linking module's records, oldest first."""
    rows = link_store.links_page(
        conn, actor.org_id, link.relation.name, limit=per_page + 1, offset=(page - 1) * per_page
    )
    return Page(
        _render(conn, catalog, actor.org_id, link, rows[:per_page], actor),
        page,
        per_page,
        len(rows) > per_page,
    )


def _find(conn: Connection, org_id: int, link: Linking, linking_ids: Sequence[int]) -> dict[int, StoredLink]:
    stored = link_store.links_with_data(conn, org_id, link.relation.name, [link_data(i) for i in linking_ids])
    return {int(linking_id_of(s.data) or 0): s for s in stored}


def get_one(
    conn: Connection, catalog: Catalog, actor: Actor, link: Linking, linking_id: int
) -> dict[str, Any] | None:
    found = _find(conn, actor.org_id, link, [linking_id]).get(linking_id)
    return _render(conn, catalog, actor.org_id, link, [found], actor)[0] if found else None


def _ref(item: dict[str, Any], key: str, index: int, *, required: bool) -> int | CRMError | None:
    """The record id a lookup of the item names; ``None`` when absent and not required."""
    if key not in item or item[key] is None:
        if required:
            return MandatoryNotFound(details={"api_name": key, "json_path": f"$.data[{index}].{key}"})
        return None
    raw = item[key]
    found = parse_id(raw.get("id") if isinstance(raw, dict) else raw)
    if found is None:
        return InvalidData(
            details={"expected_data_type": "lookup", "api_name": key, "json_path": f"$.data[{index}].{key}"}
        )
    return found


def _check_pair(
    conn: Connection,
    link: Linking,
    actor: Actor,
    index: int,
    left: int,
    right: int,
    taken: dict[tuple[int, int], str | None],
) -> CRMError | None:
    """Both records exist in their modules and are readable; the pair is not linked yet."""
    found = record_store.record_modules(conn, actor.org_id, {left, right})
    for record_id, module, key in (
        (left, link.owner, link.lookup),
        (right, link.connected, link.connected_lookup),
    ):
        if found.get(record_id) != module.api_name or not actor.may_read(module.api_name, module.scope_name):
            return InvalidData(
                details={
                    "expected_data_type": "lookup",
                    "api_name": key,
                    "json_path": f"$.data[{index}].{key}",
                }
            )
    if (left, right) not in taken:
        stored = link_store.links_of(conn, actor.org_id, link.relation.name, left, True, {right})
        if right in stored:
            taken[(left, right)] = linking_id_of(stored[right])
    if (left, right) in taken:
        return DuplicateData(
            details={
                "api_name": link.connected_lookup,
                "json_path": f"$.data[{index}].{link.connected_lookup}",
                "duplicate_record": {
                    "module": {"api_name": link.module.api_name, "id": link.module.id},
                    "id": taken[(left, right)],
                },
            }
        )
    return None


def _details(actor: Actor, linking_id: int, created: int, modified: int) -> dict[str, Any]:
    by = {"name": actor.name, "id": str(actor.user_id)}
    return {
        "Modified_Time": iso(modified),
        "Modified_By": by,
        "Created_Time": iso(created),
        "id": str(linking_id),
        "Created_By": by,
    }


def insert(
    conn: Connection, catalog: Catalog, ids: IdGenerator, actor: Actor, link: Linking, items: Sequence[Any]
) -> list[dict[str, Any]]:
    """Create links, one per item ``{"<A lookup>": {"id"}, "<B lookup>": {"id"}}``: ``record
    added`` with the linking record's id, or the item's error (a missing lookup
    ``MANDATORY_NOT_FOUND``, a wrong one ``INVALID_DATA``, a pair already linked, also earlier
    in the call, ``DUPLICATE_DATA`` naming its linking record)."""
    target = link.target(catalog)
    taken: dict[tuple[int, int], str | None] = {}
    results: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            results.append(
                InvalidData(
                    details={"expected_data_type": "jsonobject", "json_path": f"$.data[{index}]"}
                ).as_item()
            )
            continue
        left = _ref(item, link.lookup, index, required=True)
        right = _ref(item, link.connected_lookup, index, required=True)
        if not isinstance(left, int) or not isinstance(right, int):
            error = left if isinstance(left, CRMError) else right
            assert isinstance(error, CRMError)
            results.append(error.as_item())
            continue
        problem = _check_pair(conn, link, actor, index, left, right, taken)
        if problem is not None:
            results.append(problem.as_item())
            continue
        new_id = ids.next()
        rel.relate(conn, actor, target, left, [{"id": str(right)}], linking_ids={right: new_id})
        taken[(left, right)] = str(new_id)
        now = now_us()
        results.append(success("record added", _details(actor, new_id, now, now)))
    return results


def update(
    conn: Connection,
    catalog: Catalog,
    actor: Actor,
    link: Linking,
    items: Sequence[Any],
    path_id: int | None = None,
) -> list[dict[str, Any]]:
    """Re-point links: an item names the linking record (``id``, or the path's) and the lookup(s)
    to change. The link is removed and made again between the new pair, keeping its id (events
    ``removed`` then ``added``); an item that changes nothing answers ``record updated`` and
    writes nothing."""
    target = link.target(catalog)
    wanted = [
        path_id if path_id is not None else parse_id(i.get("id") if isinstance(i, dict) else None)
        for i in items
    ]
    stored = _find(conn, actor.org_id, link, [w for w in wanted if w is not None])
    taken: dict[tuple[int, int], str | None] = {}
    results: list[dict[str, Any]] = []
    for index, (item, linking_id) in enumerate(zip(items, wanted, strict=True)):
        current = stored.get(linking_id) if linking_id is not None else None
        if path_id is None and isinstance(item, dict) and "id" not in item:
            results.append(
                MandatoryNotFound(details={"api_name": "id", "json_path": f"$.data[{index}].id"}).as_item()
            )
            continue
        if not isinstance(item, dict) or current is None or linking_id is None:
            results.append(
                InvalidData(INVALID_ID, {"api_name": "id", "json_path": f"$.data[{index}].id"}).as_item()
            )
            continue
        left = _ref(item, link.lookup, index, required=False)
        right = _ref(item, link.connected_lookup, index, required=False)
        if isinstance(left, CRMError) or isinstance(right, CRMError):
            error = left if isinstance(left, CRMError) else right
            assert isinstance(error, CRMError)
            results.append(error.as_item())
            continue
        new_left = left if left is not None else current.left_id
        new_right = right if right is not None else current.right_id
        if (new_left, new_right) != (current.left_id, current.right_id):
            problem = _check_pair(conn, link, actor, index, new_left, new_right, taken)
            if problem is not None:
                results.append(problem.as_item())
                continue
            rel.delink(conn, actor, target, current.left_id, [current.right_id])
            rel.relate(
                conn, actor, target, new_left, [{"id": str(new_right)}], linking_ids={new_right: linking_id}
            )
            stored[linking_id] = current = StoredLink(
                new_left,
                new_right,
                current.data,
                current.created_by,
                actor.user_id,
                current.created_at,
                now_us(),
            )
            taken[(new_left, new_right)] = str(linking_id)
        results.append(
            success("record updated", _details(actor, linking_id, current.created_at, current.modified_at))
        )
    return results


def delete(
    conn: Connection, catalog: Catalog, actor: Actor, link: Linking, linking_ids: Sequence[int | None]
) -> list[dict[str, Any]]:
    """Remove links by linking record id: ``record deleted``, or ``INVALID_DATA`` for an id that
    is no link of this module (or was removed earlier in the call)."""
    target = link.target(catalog)
    stored = _find(conn, actor.org_id, link, [i for i in linking_ids if i is not None])
    results: list[dict[str, Any]] = []
    for linking_id in linking_ids:
        current = stored.pop(linking_id, None) if linking_id is not None else None
        if current is None:
            results.append(InvalidData(INVALID_ID, {"id": str(linking_id) if linking_id else None}).as_item())
            continue
        rel.delink(conn, actor, target, current.left_id, [current.right_id])
        results.append(success("record deleted", {"id": str(linking_id)}))
    return results
