"""“一件事一次办” bundles: several related items, one form, one set of materials, one submission.

Fields are merged by key (each asked once); materials are de-duplicated by name keeping the strictest
requirement, so one pile of papers satisfies every member: original over copy over electronic, the largest
count, required over optional, and waivable / pledgeable / shared only when every member says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.catalog import Catalog, CatalogItem, Fee, FormField, Material

_FORM_RANK = {"electronic": 0, "copy": 1, "original": 2}


class BundleError(ValueError):
    """A bundle whose members cannot be merged (a catalog mistake); the message names both items."""


@dataclass(frozen=True, slots=True)
class MergedBundle:
    bundle: CatalogItem
    members: tuple[CatalogItem, ...]
    item: CatalogItem  # the bundle with merged guide and fields: what the screens and the rules work on

    @property
    def member_codes(self) -> tuple[str, ...]:
        return tuple(m.code for m in self.members)


def merge_fields(sources: list[tuple[str, tuple[FormField, ...]]]) -> tuple[FormField, ...]:
    """Each field once, by key, in first-seen order; required when any member requires it."""
    merged: dict[str, FormField] = {}
    owner: dict[str, str] = {}
    for code, fields in sources:
        for field in fields:
            seen = merged.get(field.key)
            if seen is None:
                merged[field.key], owner[field.key] = field, code
                continue
            if (seen.type, seen.choices) != (field.type, field.choices):
                raise BundleError(f"field {field.key!r} is {seen.type} in {owner[field.key]} but {field.type} "
                                  f"in {code}; give the fields different keys or the same type and choices")
            if field.required and not seen.required:
                merged[field.key] = seen.model_copy(update={"required": True})
    return tuple(merged.values())


def _stricter(a: Material, b: Material) -> Material:
    form = a.form if _FORM_RANK[a.form] >= _FORM_RANK[b.form] else b.form
    required = a.required or b.required
    # Waivable only if every member that requires it allows the waiver; an optional side never blocks it.
    waivable = all(m.waivable for m in (a, b) if m.required) if required else False
    pledgeable = all(m.pledgeable for m in (a, b) if m.required) if required else False
    return a.model_copy(update={
        "form": form, "count": max(a.count, b.count), "required": required, "waivable": waivable,
        "pledgeable": pledgeable, "shared": a.shared and b.shared,
    })


def merge_materials(groups: list[tuple[Material, ...]]) -> tuple[Material, ...]:
    merged: dict[str, Material] = {}
    for materials in groups:
        for material in materials:
            seen = merged.get(material.name)
            merged[material.name] = material if seen is None else _stricter(seen, material)
    return tuple(merged.values())


def merge_bundle(catalog: Catalog, bundle: CatalogItem) -> MergedBundle:
    if bundle.kind != "bundle":
        raise BundleError(f"item {bundle.code} is {bundle.kind}, not a bundle")
    try:
        members = catalog.members(bundle)
    except KeyError as missing:
        raise BundleError(f"bundle {bundle.code}: member {missing.args[0]} is not in the catalog") from None
    parts = (bundle, *members)
    fields = merge_fields([(part.code, part.fields) for part in parts])
    materials = merge_materials([part.guide.materials for part in parts])
    fee_total = round(sum(part.guide.fee.amount_yuan for part in parts), 2)
    fee_basis = "；".join(part.guide.fee.basis for part in parts if not part.guide.fee.free)
    allows_pledge = all(m.guide.commitment_allowed for m in members)
    guide = bundle.guide.model_copy(update={
        "materials": materials,
        "legal_limit_days": max(part.guide.legal_limit_days for part in parts),
        "promised_limit_days": max(part.guide.promised_limit_days for part in parts),
        "fee": Fee(amount_yuan=fee_total, basis=fee_basis),
        # 告知承诺 for the bundle only when every member allows it, with every member's wording.
        "commitment_allowed": allows_pledge,
        "commitment_text": "\n".join(m.guide.commitment_text for m in members) if allows_pledge else "",
        "commitment_consequence": "\n".join(m.guide.commitment_consequence for m in members) if allows_pledge else "",
        # The shortest member deadline, so what is supplied in time is in time for every member.
        "waiver_supply_days": min(part.guide.waiver_supply_days for part in parts),
    })
    item = bundle.model_copy(update={"guide": guide, "fields": fields,
                                     "needs_online": any(m.needs_online for m in members)})
    return MergedBundle(bundle, members, item)


def effective_item(catalog: Catalog, code: str) -> CatalogItem:
    """The item as the citizen fills it in: a bundle merged from its members, any other item as it is."""
    item = catalog.item(code)
    return merge_bundle(catalog, item).item if item.kind == "bundle" else item
