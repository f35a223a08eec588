"""Many offices' ledgers from one generated dataset, with identity ground truth.

:func:`split_offices` post-processes the ledgers of a generated dataset (it
reads the files through the ordinary loader, never the generator's internals)
into N datasets, one per inspection office (a county, or a city for a
province), each with its own ids, as offices really keep them:

- units are split by region (an office's units are those of its county or
  city) and renumbered ``U00001``…, so unit ids collide across offices; a
  reference to another office's unit is written ``OFFICE/U00042``;
- rounds, teams, team members and assignments go to the office of the team's
  home region; issues, leads and actions to the office of their round;
- a person appears in every office that records them: the office of each unit
  they held a post in (those posts), their *home* office (the office of their
  latest post: the full career, posts elsewhere by cross-office reference),
  the office of each team they served on, of each issue, lead or action that
  names them, and of each social relation (recorded in the home office of
  its first person).  Cadre ids are renumbered ``C00001``… per office;
- copies outside the home office carry planted variations: traditional
  characters (張志強), a pinyin homophone typo (周志墙 for 周志强), a 某 mask
  (张某强, 张某), a missing 身份证号, the full birth date instead of the month
  (or the year only), a missing gender or native place;
- planted namesakes: pairs of different people given the same name, gender
  and birth year (different month and ID number);
- planted cross-office conflicts: an inspector's spouse who is the principal
  of a unit the inspector's team inspects, with the marriage recorded only in
  the inspector's home office, under that office's own id for the spouse.

``identity_truth.json`` records who is who (``people``: each original person
and their records ``OFFICE/Cxxxxx``), the namesakes, the variations of each
record, and the planted conflicts in the combined workspace's node ids.

Invariant: merging exactly the records of each person in ``people`` gives back
the original dataset's people, posts and relations (plus the planted ones);
every office's ledgers load without errors when loaded together.
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import XunchaError

TRUTH_FILE = "identity_truth.json"

# Probabilities of each variation on a copy outside the person's home office.
P_TRADITIONAL = 0.10
P_HOMOPHONE = 0.08
P_MASK = 0.05
P_NO_ID = 0.30
P_FULL_BIRTH = 0.30
P_YEAR_ONLY = 0.05
P_NO_GENDER = 0.08
P_NO_NATIVE = 0.15
NAMESAKE_SHARE = 0.01  # of people, paired with a namesake in another office

# Common characters, grouped by toneless pinyin for homophone typos.
COMMON_CHARS = (
    "伟维威薇玮为唯卫委微位味围尾未魏强墙蔷抢枪羌磊蕾雷垒军均君俊峻骏郡勇涌永泳咏杰洁结捷节"
    "涛滔桃陶韬淘斌彬滨宾缤超潮朝巢明名鸣铭茗命刚钢纲岗港平萍评屏瓶辉晖灰徽挥鹏朋蓬彭棚华化"
    "桦划滑画飞菲非啡妃鑫新欣心馨辛薪波博柏伯泊宁凝浩豪好号郝凯楷铠慨健建剑键见坚旭序绪叙蓄"
    "宇雨语羽玉余鱼于林琳霖临淋麟文闻雯纹稳国果郭志智治致至芝之峰锋丰风枫封海亥骇东冬栋懂洞"
    "亮量谅凉良梁粮成诚程城承乘春纯淳椿龙隆笼珑洪红宏鸿虹弘庆青清晴卿情荣容蓉融熔云芸运韵匀"
    "德得正政证征兵冰宾丙晨辰臣沉尘阳洋扬杨羊毅义艺亿意易忠中钟终众民敏闽珉江疆姜将蒋芳方"
    "放房坊娜纳拿静敬境竞镜丽立利力莉历艳燕雁彦颜娟涓鹃捐霞夏侠峡英樱鹰莹营秀绣袖兰蓝岚澜"
    "梅美玫媚枚玲灵铃零凌婷庭亭廷停雪学慧惠会汇倩茜谦颖影盈丹单担琴勤芹秦晶京经精菁婧璐路露"
    "鹿佳家嘉加悦越月岳跃怡宜仪颐薇蕾晓小笑孝凤奉锦金今津进生声升胜盛")


class OfficesError(XunchaError):
    """Bad arguments for the multi-office split."""


@dataclass
class OfficesSummary:
    directory: Path
    offices: list[dict] = field(default_factory=list)
    people: int = 0
    records: int = 0
    namesakes: int = 0
    conflicts: int = 0

    def as_dict(self) -> dict:
        return {"directory": str(self.directory), "offices": self.offices, "people": self.people,
                "records": self.records, "namesakes": self.namesakes,
                "planted_conflicts": self.conflicts}


def _homophones() -> dict[str, list[str]]:
    from ..identity.names import char_pinyin

    groups: dict[str, list[str]] = {}
    for ch in dict.fromkeys(COMMON_CHARS):
        groups.setdefault(char_pinyin(ch), []).append(ch)
    out: dict[str, list[str]] = {}
    for chars in groups.values():
        for ch in chars:
            others = [c for c in chars if c != ch]
            if others:
                out[ch] = others
    return out


def _id_number(region: str, birth: str, seq: int, male: bool) -> str:
    from ..identity.idnumber import check_char

    seq = seq % 500 * 2 + (1 if male else 0)
    first = f"{region[:6]:0<6}{birth.replace('-', '')}{seq:03d}"
    return first + check_char(first)


def _office_groups(records: dict, n: int) -> tuple[dict[str, int], list[str]]:
    """unit id -> office index, and office names, from the region tree."""
    regions = {r["id"]: r for r in records.get("regions", [])}
    units = records.get("units", [])

    def ancestors(rid):
        seen = []
        while rid and rid in regions and rid not in seen:
            seen.append(rid)
            rid = regions[rid].get("parent_id")
        return seen

    chains = {u["id"]: ancestors(u.get("region_id")) for u in units}
    level_of = {rid: r.get("level") for rid, r in regions.items()}
    chosen = None
    # The finest level with enough groups: people move between counties far
    # more than between cities, and offices are county offices.
    for level in ("county", "city", "province"):
        keys = {next((a for a in ch if level_of.get(a) == level), None) for ch in chains.values()}
        if len(keys - {None}) >= n:
            chosen = level
            break
    chosen = chosen or "county"
    group_of: dict[str, str] = {}
    for uid, ch in chains.items():
        key = next((a for a in ch if level_of.get(a) == chosen), None)
        group_of[uid] = key or (ch[0] if ch else "")
    sizes: dict[str, int] = {}
    for g in group_of.values():
        sizes[g] = sizes.get(g, 0) + 1
    order = sorted(sizes, key=lambda g: (-sizes[g], g))
    if len(order) < n:
        raise OfficesError(f"--offices {n}: the dataset has only {len(order)} regions with units "
                           f"(区划不足); generate a larger scale or ask for fewer offices")
    office_of_group: dict[str, int] = {}
    load = [0] * n
    names: list[str] = []
    for g in order:
        if len(names) < n:
            i = len(names)
            names.append(regions.get(g, {}).get("name") or g or f"office{i + 1}")
        else:
            i = min(range(n), key=lambda k: load[k])
        office_of_group[g] = i
        load[i] += sizes[g]
    # Distinct folder names.
    seen: dict[str, int] = {}
    for i, nm in enumerate(names):
        if nm in seen:
            names[i] = f"{nm}{i + 1}"
        seen[names[i]] = i
    return {uid: office_of_group[g] for uid, g in group_of.items()}, names


def split_offices(source: str | Path, out: str | Path, n: int, seed: int = 1,
                  conflicts: int | None = None,
                  progress: Callable[[str, float], None] | None = None) -> OfficesSummary:
    """Split the generated dataset in ``source`` into ``n`` office datasets
    under ``out`` (one folder each, named after the office), plus
    ``identity_truth.json``.  See the module docstring."""
    from ..loaders.dataset import load_dataset
    from ..identity import names as nm

    if n < 2:
        raise OfficesError(f"--offices {n}: at least 2 offices (至少两个巡察办)")
    ds = load_dataset(source)
    if ds.errors:
        raise OfficesError(f"{source}: the dataset has {len(ds.errors)} errors; generate it again")
    rec = ds.records
    ds.rows.clear()
    if progress:
        progress("offices 拆分", 0.1)
    rng = random.Random(seed * 7919 + n)
    unit_office, office_names = _office_groups(rec, n)
    regions = {r["id"]: r for r in rec.get("regions", [])}

    def region_office(rid):
        # The office of a region: that of any unit in it or below it.
        return region_index.get(rid)

    region_index: dict[str, int] = {}
    for u in rec.get("units", []):
        rid = u.get("region_id")
        while rid and rid in regions:
            region_index.setdefault(rid, unit_office[u["id"]])
            rid = regions[rid].get("parent_id")
    team_office = {t["id"]: (region_office(t.get("home_region_id")) or 0) for t in rec.get("teams", [])}
    round_office = {r["id"]: (region_office(r.get("committee_region_id")) or 0)
                    for r in rec.get("rounds", [])}
    cadres = {c["id"]: dict(c) for c in rec.get("cadres", [])}
    positions = rec.get("positions", [])
    by_cadre_pos: dict[str, list[dict]] = {}
    for p in positions:
        by_cadre_pos.setdefault(p["cadre_id"], []).append(p)
    home: dict[str, int] = {}
    for cid, ps in by_cadre_pos.items():
        latest = max(ps, key=lambda p: (p.get("start") or "", p["unit_id"]))
        home[cid] = unit_office[latest["unit_id"]]
    for tm in rec.get("team_members", []):
        home.setdefault(tm["cadre_id"], team_office.get(tm["team_id"], 0))
    # Offices of issues, leads, actions.
    issue_office = {i["id"]: round_office.get(i["round_id"], unit_office.get(i["unit_id"], 0))
                    for i in rec.get("issues", [])}
    lead_office = {}
    for l in rec.get("leads", []):
        if l.get("round_id"):
            lead_office[l["id"]] = round_office.get(l["round_id"], 0)
        elif l.get("unit_id"):
            lead_office[l["id"]] = unit_office.get(l["unit_id"], 0)
        else:
            lead_office[l["id"]] = 0
    action_office = {}
    for a in rec.get("actions", []):
        if a.get("issue_id"):
            action_office[a["id"]] = issue_office.get(a["issue_id"], 0)
        elif a.get("lead_id"):
            action_office[a["id"]] = lead_office.get(a["lead_id"], 0)
        else:
            action_office[a["id"]] = unit_office.get(a.get("owner_unit_id"), 0)
    relations = [dict(r) for r in rec.get("relations", [])]
    for r in relations:
        home.setdefault(r["cadre_id"], home.get(r["other_id"], 0))
        home.setdefault(r["other_id"], home.get(r["cadre_id"], 0))
    for cid in cadres:
        home.setdefault(cid, 0)

    # -- planted namesakes: same name, gender, birth year; different people ----
    ids = sorted(cadres)
    namesakes: list[list[str]] = []
    n_names = max(2, int(len(ids) * NAMESAKE_SHARE))
    used: set[str] = set()
    tries = 0
    while len(namesakes) < n_names and tries < n_names * 20:
        tries += 1
        x, y = rng.choice(ids), rng.choice(ids)
        if x == y or x in used or y in used or home[x] == home[y]:
            continue
        cx, cy = cadres[x], cadres[y]
        if cx.get("gender") != cy.get("gender") or not cx.get("birth_date") or not cy.get("birth_date"):
            continue
        year = cx["birth_date"][:4]
        month = cy["birth_date"][5:7] or "06"
        if month == cx["birth_date"][5:7]:
            month = f"{int(month) % 12 + 1:02d}"
        cy["name"] = cx["name"]
        cy["birth_date"] = f"{year}-{month}-01"
        if cy.get("id_number"):
            cy["id_number"] = _id_number(cy["id_number"], f"{year}-{month}-15", rng.randrange(500),
                                         cy.get("gender") == "male")
        used.update((x, y))
        namesakes.append([x, y])

    # -- planted cross-office conflicts: an inspector's spouse ------------------
    planted: list[dict] = []
    want = conflicts if conflicts is not None else max(5, n)
    principals: dict[str, list[dict]] = {}
    for p in positions:
        if p.get("is_principal"):
            principals.setdefault(p["unit_id"], []).append(p)
    members: dict[tuple[str, str], list[str]] = {}
    for tm in rec.get("team_members", []):
        members.setdefault((tm["round_id"], tm["team_id"]), []).append(tm["cadre_id"])
    rounds = {r["id"]: r for r in rec.get("rounds", [])}
    related = {(r["cadre_id"], r["other_id"]) for r in relations}
    related |= {(b, a) for a, b in related}
    assignments = sorted(rec.get("assignments", []), key=lambda a: (a["round_id"], a["team_id"], a["unit_id"]))
    rng.shuffle(assignments)
    taken: set[str] = set()
    for a in assignments:
        if len(planted) >= want:
            break
        uo, to = unit_office[a["unit_id"]], team_office.get(a["team_id"], 0)
        if uo == to:
            continue
        ref = a.get("start") or rounds.get(a["round_id"], {}).get("start")
        if not ref:
            continue
        heads = [p["cadre_id"] for p in principals.get(a["unit_id"], [])
                 if p["start"] <= ref and (not p.get("end") or p["end"] >= ref)]
        cands = [m for m in members.get((a["round_id"], a["team_id"]), []) if m not in taken]
        for m in cands:
            if home[m] == uo:
                continue
            ps = [p for p in heads if p != m and p not in taken and (m, p) not in related
                  and home[p] != home[m] and cadres[p].get("gender") != cadres[m].get("gender")]
            if not ps:
                continue
            p = ps[0]
            relations.append({"cadre_id": m, "other_id": p, "relation_kind": "spouse",
                              "note": "planted cross-office spouse"})
            related |= {(m, p), (p, m)}
            taken.update((m, p))
            planted.append({"round": a["round_id"], "team": a["team_id"], "unit": a["unit_id"],
                            "member": m, "spouse": p, "ref_date": ref})
            break
    if progress:
        progress("offices 拆分", 0.3)

    # -- who appears where --------------------------------------------------------
    present: list[dict[str, None]] = [dict() for _ in range(n)]  # office -> ordered cadre ids

    def need(o, cid):
        present[o].setdefault(cid, None)

    for cid in sorted(cadres, key=lambda c: c):
        need(home[cid], cid)
    pos_rows: list[list[dict]] = [[] for _ in range(n)]
    for p in positions:
        uo = unit_office[p["unit_id"]]
        need(uo, p["cadre_id"])
        pos_rows[uo].append(p)
        if home[p["cadre_id"]] != uo:
            pos_rows[home[p["cadre_id"]]].append(p)  # the full career in the home office
    rel_rows: list[list[dict]] = [[] for _ in range(n)]
    for r in relations:
        o = home[r["cadre_id"]]
        need(o, r["cadre_id"])
        need(o, r["other_id"])
        rel_rows[o].append(r)
    for tm in rec.get("team_members", []):
        need(team_office.get(tm["team_id"], 0), tm["cadre_id"])
    for i in rec.get("issues", []):
        for c in i.get("cadre_ids") or ():
            need(issue_office[i["id"]], c)
    for l in rec.get("leads", []):
        for c in l.get("subject_ids") or ():
            need(lead_office[l["id"]], c)
    for a in rec.get("actions", []):
        if a.get("owner_cadre_id"):
            need(action_office[a["id"]], a["owner_cadre_id"])

    # -- ids per office -----------------------------------------------------------
    unit_new: dict[str, str] = {}
    counters = [0] * n
    for u in rec.get("units", []):
        o = unit_office[u["id"]]
        counters[o] += 1
        unit_new[u["id"]] = f"U{counters[o]:05d}"
    cadre_new: list[dict[str, str]] = []
    for o in range(n):
        cadre_new.append({cid: f"C{k + 1:05d}" for k, cid in enumerate(present[o])})

    def unit_ref(o, uid):
        if uid is None:
            return None
        uo = unit_office[uid]
        return unit_new[uid] if uo == o else f"{office_names[uo]}/{unit_new[uid]}"

    def other_ref(o, owner_office, rid):
        if rid is None:
            return None
        return rid if owner_office == o else f"{office_names[owner_office]}/{rid}"

    # -- variations -----------------------------------------------------------------
    homo = _homophones()
    variations: dict[str, list[str]] = {}

    # A marriage is recorded with the spouse's full name (干部社会关系登记):
    # the planted spouses' copies are never masked nor cut to a birth year.
    spouses = {c["spouse"] for c in planted}

    def copy_of(cid, o) -> dict:
        c = dict(cadres[cid])
        rid = f"{office_names[o]}/{cadre_new[o][cid]}"
        c["id"] = cadre_new[o][cid]
        bd = c.get("birth_date")
        if bd and bd.endswith("-01") and cadres[cid].get("birth_month", True):
            c["birth_date"] = bd[:7]  # the ledgers give the birth month (出生年月)
        if o == home[cid]:
            return c
        v: list[str] = []
        name = c.get("name") or ""
        r = rng.random()
        sur = nm.surname(name)
        given = name[len(sur):]
        if r < P_TRADITIONAL and nm.traditional(name) != name:
            c["name"] = nm.traditional(name)
            v.append("traditional")
        elif r < P_TRADITIONAL + P_HOMOPHONE and any(ch in homo for ch in given):
            idx = [k for k, ch in enumerate(given) if ch in homo]
            k = rng.choice(idx)
            given = given[:k] + rng.choice(homo[given[k]]) + given[k + 1:]
            c["name"] = sur + given
            v.append("homophone")
        elif r < P_TRADITIONAL + P_HOMOPHONE + P_MASK and given and cid not in spouses:
            c["name"] = sur + ("某" + given[1:] if len(given) == 2 and rng.random() < 0.6 else "某")
            v.append("mask")
        if c.get("id_number") and rng.random() < P_NO_ID:
            del c["id_number"]
            v.append("no_id_number")
        r = rng.random()
        if bd and r < P_FULL_BIRTH and cadres[cid].get("id_number"):
            idn = cadres[cid]["id_number"]
            c["birth_date"] = f"{idn[6:10]}-{idn[10:12]}-{idn[12:14]}"
            v.append("full_birth_date")
        elif bd and r < P_FULL_BIRTH + P_YEAR_ONLY and cid not in spouses:
            c["birth_date"] = bd[:4]
            v.append("birth_year_only")
        if c.get("gender") and rng.random() < P_NO_GENDER:
            del c["gender"]
            v.append("no_gender")
        if c.get("native_region_id") and rng.random() < P_NO_NATIVE:
            del c["native_region_id"]
            v.append("no_native_place")
        if v:
            variations[rid] = v
        return c

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    offices = []
    for o in range(n):
        name = office_names[o]
        cn = cadre_new[o]
        led: dict[str, list[dict]] = {}
        led["regions"] = [dict(r) for r in rec.get("regions", [])]
        led["units"] = []
        for u in rec.get("units", []):
            if unit_office[u["id"]] != o:
                continue
            d = dict(u)
            d["id"] = unit_new[u["id"]]
            d["parent_id"] = unit_ref(o, u.get("parent_id"))
            led["units"].append(d)
        led["cadres"] = [copy_of(cid, o) for cid in present[o]]
        led["positions"] = [{**p, "cadre_id": cn[p["cadre_id"]], "unit_id": unit_ref(o, p["unit_id"])}
                            for p in pos_rows[o]]
        led["relations"] = [{**r, "cadre_id": cn[r["cadre_id"]], "other_id": cn[r["other_id"]]}
                            for r in rel_rows[o]]
        led["rounds"] = [dict(r) for r in rec.get("rounds", []) if round_office[r["id"]] == o]
        led["teams"] = [dict(t) for t in rec.get("teams", []) if team_office[t["id"]] == o]
        led["team_members"] = [
            {**tm, "round_id": other_ref(o, round_office[tm["round_id"]], tm["round_id"]),
             "cadre_id": cn[tm["cadre_id"]]}
            for tm in rec.get("team_members", []) if team_office[tm["team_id"]] == o]
        led["assignments"] = [
            {**a, "round_id": other_ref(o, round_office[a["round_id"]], a["round_id"]),
             "unit_id": unit_ref(o, a["unit_id"])}
            for a in rec.get("assignments", []) if team_office[a["team_id"]] == o]
        led["issues"] = [
            {**i, "unit_id": unit_ref(o, i["unit_id"]),
             "team_id": other_ref(o, team_office.get(i.get("team_id"), o), i.get("team_id")),
             "cadre_ids": [cn[c] for c in i.get("cadre_ids") or ()]}
            for i in rec.get("issues", []) if issue_office[i["id"]] == o]
        led["leads"] = [
            {**l, "unit_id": unit_ref(o, l.get("unit_id")),
             "issue_ids": [other_ref(o, issue_office[x], x) for x in l.get("issue_ids") or ()],
             "subject_ids": [cn[c] for c in l.get("subject_ids") or ()]}
            for l in rec.get("leads", []) if lead_office[l["id"]] == o]
        led["actions"] = [
            {**a, "issue_id": other_ref(o, issue_office.get(a.get("issue_id"), o), a.get("issue_id")),
             "lead_id": other_ref(o, lead_office.get(a.get("lead_id"), o), a.get("lead_id")),
             "owner_unit_id": unit_ref(o, a.get("owner_unit_id")),
             "owner_cadre_id": cn.get(a.get("owner_cadre_id")) if a.get("owner_cadre_id") else None,
             "verified_by_team_id": other_ref(o, team_office.get(a.get("verified_by_team_id"), o),
                                              a.get("verified_by_team_id"))}
            for a in rec.get("actions", []) if action_office[a["id"]] == o]
        _write_office(out / name, led)
        offices.append({"name": name, "units": len(led["units"]), "cadres": len(led["cadres"])})
        if progress:
            progress("offices 拆分", 0.3 + 0.6 * (o + 1) / n)

    people = {cid: [f"{office_names[o]}/{cadre_new[o][cid]}" for o in range(n) if cid in cadre_new[o]]
              for cid in sorted(cadres)}
    # The home record first.
    for cid, recs in people.items():
        h = f"{office_names[home[cid]]}/{cadre_new[home[cid]][cid]}"
        recs.remove(h)
        recs.insert(0, h)

    def ns(kind, o, rid):
        return f"{kind}:{office_names[o]}/{rid}"

    conflicts_out = []
    for c in planted:
        to, uo = team_office[c["team"]], unit_office[c["unit"]]
        conflicts_out.append({
            "ground": "kinship", "relation": "spouse", "ref_date": c["ref_date"],
            "round": ns("round", round_office[c["round"]], c["round"]),
            "team": ns("team", to, c["team"]), "unit": ns("unit", uo, unit_new[c["unit"]]),
            "member": ns("cadre", to, cadre_new[to][c["member"]]),
            "member_person": c["member"], "spouse_person": c["spouse"],
            "spouse_records": [f"cadre:{r}" for r in people[c["spouse"]]],
            "relation_recorded_in": office_names[home[c["member"]]],
        })
    truth = {
        "format": "xuncha-identity-truth", "version": 1, "seed": seed, "source": str(source),
        "definitions": {
            "people": "original person id -> their records OFFICE/Cxxxxx (home office first); "
                      "two records are the same person iff they are listed under one person",
            "namesakes": "pairs of original person ids given the same name, gender and birth year",
            "variations": "record -> planted variations of that copy",
            "conflicts": "planted kinship conflicts whose evidence spans offices: the member's team "
                         "inspects a unit whose principal is the member's spouse, the marriage "
                         "recorded only in the member's home office",
        },
        "offices": offices,
        "people": people,
        "namesakes": namesakes,
        "variations": variations,
        "conflicts": conflicts_out,
    }
    (out / TRUTH_FILE).write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    if progress:
        progress("offices 拆分", 1.0)
    return OfficesSummary(out, offices, people=len(people),
                          records=sum(len(v) for v in people.values()),
                          namesakes=len(namesakes), conflicts=len(conflicts_out))


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return ";".join(str(x) for x in v)
    return str(v)


def _write_office(folder: Path, ledgers: dict[str, list[dict]]) -> None:
    from ..graph.schema import LEDGERS

    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in ledgers.items():
        ledger = LEDGERS[name]
        cols = [f for f in ledger.fields if any(r.get(f.key) not in (None, "", []) for r in rows)]
        if not cols:
            cols = [f for f in ledger.fields if f.required]
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow([f.name for f in cols])
            for r in rows:
                w.writerow([_cell(r.get(f.key)) for f in cols])
    _ = _dt
