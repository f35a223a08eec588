"""``xuncha generate``: synthetic ledgers with planted ground truth."""

from __future__ import annotations

import sys

import click

from ..output import render

STEPS = ("units 单位", "careers 任职经历", "relations 社会关系", "rounds 巡察轮次", "issues 问题",
         "planting 植入模式", "truth 标准答案", "writing 写出台账")


@click.command()
@click.option("--scale", type=click.Choice(["county", "city", "province"]), default="county",
              show_default=True,
              help="Size 规模: county 县 (~50 units), city 市 (~1,000), province 省 (~10,000 units, "
                   "150,000+ cadres, 300,000+ issues).")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Random seed 随机种子: the same seed and version give byte-identical files.")
@click.option("-o", "--output", "out", type=click.Path(file_okay=False), required=True,
              help="Directory to write the ledgers and truth.json into (created if needed).")
@click.option("--units", type=int, default=None,
              help="Custom number of units 单位数 (overrides the scale's size).")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "xlsx"]), default="csv",
              show_default=True, help="Ledger file format 文件格式 (xlsx: one workbook, a sheet per ledger).")
@click.option("--headers", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="en: canonical English headers and codes (fastest to load); zh: Chinese "
                   "headers and values 中文表头, as an inspection office keeps them.")
@click.option("--no-truth", is_flag=True, help="Do not write truth.json (标准答案).")
@click.option("--force", is_flag=True,
              help="Write into OUTPUT even when it is not empty 覆盖非空目录 (files of the same "
                   "names are replaced; nothing else is removed).")
@click.option("--offices", type=click.IntRange(min=2), default=None, metavar="N",
              help="Split into N offices' datasets 多个巡察办 (one folder each, own ids, people "
                   "recorded by several offices with planted variations and namesakes) plus "
                   "identity_truth.json; load them with `xuncha load OUTPUT/*/`.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def generate(scale, seed, out, units, fmt, headers, no_truth, force, quiet, offices):
    """Generate a realistic synthetic inspection dataset (生成模拟台账).

    Writes the twelve ledgers (regions, units, cadres, positions, relations,
    rounds, teams, team_members, assignments, issues, leads, actions) into
    OUTPUT, loadable by `xuncha load OUTPUT` with no errors, plus truth.json:
    the world's facts (事实) that queries are scored against: planted stories
    of related cases 关联案件 (who did what, where, when, which findings and
    leads describe it), when each finding's conduct happened and who answered
    for it (被巡察期间, 责任人), social ties, near misses (namesakes 同名, a
    principal who arrived weeks before the team or left months before it),
    and the common problems 共性问题, recurrences 反复出现 and conflicted
    inspectors 回避 of the planner.  Names, ID numbers and places are invented.

    OUTPUT must be new or empty: a folder that already holds files (real
    ledgers, perhaps) is refused unless --force.

    Example: xuncha generate --scale city --seed 7 -o /tmp/city
    """
    from pathlib import Path

    from ..synth import generate as _generate

    target = Path(out)
    if target.is_dir() and not force:
        held = sorted(p.name for p in target.iterdir())
        if held:
            shown = ", ".join(held[:5]) + (f" … ({len(held)} entries)" if len(held) > 5 else "")
            raise click.UsageError(
                f"{target} is not empty (目录非空: {shown}); generate would overwrite its "
                f"ledgers. Choose a new folder, or pass --force to write into it anyway")

    if offices:
        return _generate_offices(scale, seed, out, units, offices, quiet)
    show = not quiet and sys.stderr.isatty()
    if show:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        prog = Progress(TextColumn("{task.description:<22}"), BarColumn(),
                        TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                        console=Console(stderr=True), transient=True)
        task = prog.add_task("generating 生成", total=len(STEPS))
        done = {s: 0.0 for s in STEPS}

        def step(name: str, frac: float) -> None:
            done[name] = frac
            prog.update(task, completed=sum(done.values()), description=name)

        with prog:
            summary = _generate(out, scale=scale, seed=seed, units=units, fmt=fmt,
                                headers=headers, truth=not no_truth, progress=step)
    else:
        summary = _generate(out, scale=scale, seed=seed, units=units, fmt=fmt, headers=headers,
                            truth=not no_truth)
    if not quiet:
        rows = [{"ledger": k, "rows": v} for k, v in summary.rows.items()]
        rows += [{"ledger": f"truth.{k}", "rows": v} for k, v in summary.truth.items()]
        click.echo(f"generated 已生成 {summary.scale} seed {seed} -> {summary.directory}", err=True)
        if sys.stdout.isatty():
            render(rows, "table", columns=["ledger", "rows"])
        else:
            render(summary.as_dict(), "json")


def _generate_offices(scale, seed, out, units, offices, quiet):
    """Generate one dataset (kept in OUTPUT/.single) and split it into offices."""
    from pathlib import Path

    from ..synth import generate as _generate
    from ..synth.offices import split_offices

    single = Path(out) / ".single"
    _generate(single, scale=scale, seed=seed, units=units)
    summary = split_offices(single, out, offices, seed=seed)
    if not quiet:
        click.echo(f"generated 已生成 {len(summary.offices)} offices 巡察办 from {scale} seed {seed} "
                   f"-> {out} ({summary.records:,} person records of {summary.people:,} people, "
                   f"{summary.namesakes} planted namesakes, {summary.conflicts} planted "
                   f"cross-office conflicts; identity_truth.json)", err=True)
        render(summary.offices if sys.stdout.isatty() else summary.as_dict(),
               "table" if sys.stdout.isatty() else "json")
