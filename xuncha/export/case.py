"""The picture of a case: the evidence graph of :func:`xuncha.queries.related.related`.

``build_case(store, ref)`` runs ``related`` for the seed (an issue, lead,
cadre or unit) and keeps what its answer rests on:

- the seed, the people it names, and every related issue or lead, each
  with its unit;
- every node and edge on the reasons' evidence paths (``Reason.hops``: real
  edges of the graph, so the people, their posts and their ties);
- one *link* per related case (seed → case), labelled with its signals,
  tier and score: drawn by the html page as the reason edge.

The selection is then every stored edge among those nodes.  Context that
would swamp the picture (rectification actions, rounds, teams, categories)
is not drawn; :func:`context_counts` gives each drawn node the number of
such neighbours it has, which the page shows in its panel.

Invariant: every link's ``signals`` and ``score`` are exactly those of the
``related`` result it stands for; every evidence edge is a stored edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..graph.schema import EDGE_KINDS, NODE_KINDS

# Node kinds drawn as counts, not nodes, in the pictures (html, dot).
CONTEXT_KINDS = frozenset({"action", "round", "team", "category"})
CASE_LIMIT = 12


@dataclass
class Case:
    seed: str
    nodes: set[str] = field(default_factory=set)
    links: list[dict] = field(default_factory=list)


def _units_of(store, item: str) -> list[str]:
    out = []
    for _, v, d in store.out_edges(item):
        if d.get("kind") in ("FOUND_IN", "CONCERNS_UNIT"):
            out.append(v)
    return out


def build_case(store, ref: str, limit: int | None = CASE_LIMIT, min_tier: str = "moderate") -> Case:
    """The evidence graph of ``related(store, ref)``: nodes and reason links."""
    from ..queries.related import SEED_KINDS, SIGNALS, related
    from .base import ExportError

    seed = store.resolve(ref)
    if store.kind(seed) not in SEED_KINDS:
        raise ExportError(f"--case takes an issue, lead, cadre or unit (问题、线索、人员或单位); "
                          f"{seed} is a {store.kind(seed)}: use --around {seed} for its neighbourhood")
    results = related(store, seed, limit=limit, min_tier=min_tier)
    case = Case(seed, {seed})
    if store.kind(seed) in ("issue", "lead"):
        case.nodes.update(_units_of(store, seed))
        # the people the seed names (涉及人员 / 被反映人), related elsewhere or not
        case.nodes.update(v for _, v, d in store.out_edges(seed)
                          if d.get("kind") in ("IMPLICATES", "CONCERNS"))
    for r in results:
        case.nodes.add(r.id)
        case.nodes.update(_units_of(store, r.id))
        for reason in r.reasons:
            case.nodes.update(reason.path)
            for hop in reason.hops or ():
                case.nodes.add(hop["source"])
                case.nodes.add(hop["target"])
        sigs = list(dict.fromkeys(x.signal for x in r.reasons))
        case.links.append({
            "from": seed, "to": r.id, "score": r.score, "tier": r.tier, "signals": sigs,
            "zh": [SIGNALS[s].zh if s in SIGNALS else s for s in sigs],
            "texts": [x.text for x in r.reasons],
        })
    return case


def context_counts(store, nodes, collapse=CONTEXT_KINDS) -> tuple[dict[str, dict[str, int]],
                                                                 dict[str, int]]:
    """Per drawn node, how many neighbours of each collapsed kind it has (through any
    edge); and per kind, how many distinct such neighbours the whole picture has."""
    out: dict[str, dict[str, int]] = {}
    total: dict[str, set[str]] = {}
    for n in nodes:
        if store.kind(n) in collapse:
            continue
        seen: dict[str, set[str]] = {}
        for m in [v for _, v, _d in store.out_edges(n)] + [u for u, _, _d in store.in_edges(n)]:
            k = store.kind(m)
            if k in collapse:
                seen.setdefault(k, set()).add(m)
        for k, ms in seen.items():
            total.setdefault(k, set()).update(ms)
        if seen:
            out[n] = {k: len(v) for k, v in sorted(seen.items())}
    return out, {k: len(v) for k, v in sorted(total.items())}


def kind_names() -> dict[str, str]:
    """Chinese names of node and edge kinds, for captions."""
    return {**{k: v.zh for k, v in NODE_KINDS.items()}, **{k: v.zh for k, v in EDGE_KINDS.items()}}
