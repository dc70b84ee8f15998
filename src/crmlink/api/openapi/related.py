"""The description of related-records routes, expanded per module and related list."""

from __future__ import annotations

from collections.abc import Iterable

from crmlink.api.openapi.operations import (
    FIELDS,
    IDS,
    IF_MODIFIED_SINCE,
    PAGE,
    PER_PAGE,
    VERSION,
    Operation,
    RouteDoc,
    empty_answer,
    json_body,
    json_content,
    make_op,
    path_param,
    with_errors,
)
from crmlink.api.openapi.records import delete_answers, write_answers
from crmlink.api.openapi.schemas import (
    ID_IN,
    Schema,
    data_body,
    field_in,
    field_out,
    record_list,
    record_out,
    record_single,
)
from crmlink.domain.catalog import Catalog, FieldDef, ListKind, ModuleDef, RelatedListDef


def served_lists(catalog: Catalog, *kinds: ListKind) -> Iterable[tuple[ModuleDef, RelatedListDef]]:
    for m in catalog.modules:
        for rl in m.related_lists:
            if rl.kind in kinds:
                yield m, rl


def _relation_fields(catalog: Catalog, rl: RelatedListDef) -> tuple[FieldDef, ...]:
    return catalog.relation_map[rl.relation].fields if rl.kind is ListKind.LINK and rl.relation else ()


def related_schema_name(m: ModuleDef, rl: RelatedListDef) -> str:
    return f"Related_{m.api_name}_{rl.api_name}"


def related_out(catalog: Catalog, m: ModuleDef, rl: RelatedListDef) -> Schema:
    """A related record: the related module's record plus the relation's fields (null unset)."""
    schema = record_out(catalog.module_map[rl.module])
    props = dict(schema["properties"])
    for f in _relation_fields(catalog, rl):
        props[f.api_name] = field_out(f) or {"nullable": True}
    return {
        **schema,
        "description": f"A record of {rl.module} related to a {m.singular_label}.",
        "properties": props,
    }


def relation_field_in(f: FieldDef) -> Schema:
    """Relation values are stricter than record values: numbers not negative, texts not blank."""
    schema = dict(field_in(f))
    if schema.get("type") in ("number", "integer"):
        schema.update(minimum=0, exclusiveMinimum=False)
    elif schema.get("type") == "string" and "enum" not in schema:
        schema["pattern"] = r"\S"
    return schema


def relate_item(catalog: Catalog, rl: RelatedListDef, *, with_id: bool) -> Schema:
    props: dict[str, Schema] = {f.api_name: relation_field_in(f) for f in _relation_fields(catalog, rl)}
    required: list[str] = []
    if with_id:
        props["id"] = {**ID_IN, "description": "The related record's id (a string or a number)."}
        required.append("id")
    return {
        "type": "object",
        "description": "Relation values: an absent key keeps the stored value, null clears it; "
        "other keys are ignored (as Zoho does)" + ("." if with_id else "; an ``id`` key is ignored."),
        "required": required,
        "additionalProperties": True,
        "properties": props,
    }


def _related_path(m: ModuleDef, rl: RelatedListDef) -> str:
    return f"/crm/{{version}}/{m.api_name}/{{record_id}}/{rl.api_name}"


_PARENT_ID = path_param("record_id", "The parent record's id (anything else: 400 INVALID_DATA).")
_RELATED_ID = path_param("related_id", "The related record's id.")


def _list_related(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m, rl in served_lists(catalog, ListKind.LINK, ListKind.LOOKUP):
        name = related_schema_name(m, rl)
        ok = {
            200: {"description": "A page of related records.", "content": json_content(record_list(name))},
            204: empty_answer(204, "No related records."),
            304: empty_answer(304, "Nothing modified since If-Modified-Since."),
        }
        params = [VERSION, _PARENT_ID, PAGE, PER_PAGE, FIELDS, IF_MODIFIED_SINCE]
        op_id = f"listRelated{m.api_name}{rl.api_name}"
        yield (
            _related_path(m, rl),
            make_op(op_id, f"{rl.label} of a {m.singular_label}", params, with_errors(ok, body=False)),
        )


def _get_related(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m, rl in served_lists(catalog, ListKind.LINK, ListKind.LOOKUP):
        ok = {
            200: {
                "description": "The related record.",
                "content": json_content(record_single(related_schema_name(m, rl))),
            },
            204: empty_answer(204, "Not related."),
            304: empty_answer(304, "Not modified since If-Modified-Since."),
        }
        params = [VERSION, _PARENT_ID, _RELATED_ID, FIELDS, IF_MODIFIED_SINCE]
        op_id = f"getRelated{m.api_name}{rl.api_name}"
        yield (
            _related_path(m, rl) + "/{related_id}",
            make_op(op_id, f"One of {rl.label}", params, with_errors(ok, body=False)),
        )


def _relate(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m, rl in served_lists(catalog, ListKind.LINK):
        body = json_body(data_body(relate_item(catalog, rl, with_id=True)), "1 to 100 related records.")
        op_id = f"relate{m.api_name}{rl.api_name}"
        summary = f"Relate {rl.label} to a {m.singular_label} (or update relation data)"
        yield (
            _related_path(m, rl),
            make_op(op_id, summary, [VERSION, _PARENT_ID], write_answers("All related."), requestBody=body),
        )


def _relate_one(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m, rl in served_lists(catalog, ListKind.LINK):
        body = json_body(data_body(relate_item(catalog, rl, with_id=False), max_items=1), "Exactly one item.")
        op_id = f"relateOne{m.api_name}{rl.api_name}"
        params = [VERSION, _PARENT_ID, _RELATED_ID]
        yield (
            _related_path(m, rl) + "/{related_id}",
            make_op(op_id, "Relate one", params, write_answers("Related."), requestBody=body),
        )


def _delink(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m, rl in served_lists(catalog, ListKind.LINK):
        op_id = f"delink{m.api_name}{rl.api_name}"
        yield (
            _related_path(m, rl),
            make_op(op_id, f"Delink {rl.label}", [VERSION, _PARENT_ID, IDS], delete_answers()),
        )


def _delink_one(catalog: Catalog) -> Iterable[tuple[str, Operation]]:
    for m, rl in served_lists(catalog, ListKind.LINK):
        op_id = f"delinkOne{m.api_name}{rl.api_name}"
        params = [VERSION, _PARENT_ID, _RELATED_ID]
        yield _related_path(m, rl) + "/{related_id}", make_op(op_id, "Delink one", params, delete_answers())


_RELATED_LIST = "/crm/{version}/{module}/{record_id}/{related_list}"
RELATED_ROUTE_DOCS: tuple[RouteDoc, ...] = (
    RouteDoc("GET", _RELATED_LIST, _list_related),
    RouteDoc("GET", _RELATED_LIST + "/{related_id}", _get_related),
    RouteDoc("PUT", _RELATED_LIST, _relate),
    RouteDoc("PUT", _RELATED_LIST + "/{related_id}", _relate_one),
    RouteDoc("DELETE", _RELATED_LIST, _delink),
    RouteDoc("DELETE", _RELATED_LIST + "/{related_id}", _delink_one),
)
