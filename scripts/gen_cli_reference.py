"""Generate docs/cli.md from the real ``trialmatch`` Typer app.

Usage (from the repository root):

    .venv/bin/python scripts/gen_cli_reference.py          # write docs/cli.md
    .venv/bin/python scripts/gen_cli_reference.py --check  # exit 1 if docs/cli.md is stale

The page is built only from the command objects (names, help texts, parameters with their
types, defaults, ranges, environment variables), so it cannot drift from the code:
``tests/docs/test_docs.py`` regenerates it in memory and compares.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

__all__ = ["OUT", "command_tree", "main", "render"]

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "cli.md"
PROG = "trialmatch"


def _root_command() -> Any:
    import typer.main

    from trialmatch.cli.main import app

    return typer.main.get_command(app)


def _context(cmd: Any, name: str, parent: Any = None) -> Any:
    """A click (or Typer's vendored click) context for introspection, without parsing args."""
    ctx_cls = type(parent) if parent is not None else None
    if ctx_cls is None:
        try:
            from typer._click import Context as ctx_cls  # typer >= 0.25 vendors click
        except ImportError:  # pragma: no cover - older typer on real click
            from click import Context as ctx_cls
    return ctx_cls(cmd, info_name=name, parent=parent)


def _subcommands(cmd: Any, ctx: Any) -> list[tuple[str, Any]]:
    if not hasattr(cmd, "list_commands"):
        return []
    out = []
    for name in cmd.list_commands(ctx):
        sub = cmd.get_command(ctx, name)
        if sub is not None and not getattr(sub, "hidden", False):
            out.append((name, sub))
    return out


def command_tree() -> list[tuple[str, Any, Any]]:
    """Every command as (full name without the program, command, context), depth first,
    groups before their sub-commands; the root is ``""``."""
    root = _root_command()
    root_ctx = _context(root, PROG)
    out: list[tuple[str, Any, Any]] = [("", root, root_ctx)]

    def walk(cmd: Any, ctx: Any, prefix: str) -> None:
        for name, sub in _subcommands(cmd, ctx):
            full = f"{prefix} {name}".strip()
            sub_ctx = _context(sub, name, ctx)
            out.append((full, sub, sub_ctx))
            walk(sub, sub_ctx, full)

    walk(root, root_ctx, "")
    return out


def _clean(text: str | None) -> str:
    """Help text as Markdown: docstring paragraphs kept, lines inside a paragraph joined,
    ``double-backtick`` literals turned into Markdown code."""
    if not text:
        return ""
    text = text.split("\f")[0]
    paras = [" ".join(line.strip() for line in p.splitlines()) for p in text.strip().split("\n\n")]
    return "\n\n".join(p for p in paras if p).replace("``", "`")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _row(*cells: str) -> str:
    return " | ".join(_cell(c) for c in cells)


def _first_line(text: str | None) -> str:
    return _clean(text).split("\n\n")[0]


def _type_label(param: Any, ctx: Any) -> str:
    if getattr(param, "is_flag", False) and not getattr(param, "count", False):
        return "flag"
    if hasattr(param, "display_type"):
        label = str(param.display_type(ctx)).strip("<>")
    else:  # plain click
        label = getattr(getattr(param, "type", None), "name", "") or ""
    label = label.replace(" range", "")
    lo, hi = getattr(param, "min", None), getattr(param, "max", None)
    if lo is not None and hi is not None:
        label += f" ({lo}–{hi})"
    elif lo is not None:
        label += f" (≥ {lo})"
    elif hi is not None:
        label += f" (≤ {hi})"
    many = getattr(param, "multiple", False) or getattr(param, "nargs", 1) != 1
    if label.startswith("list[") and label.endswith("]"):
        label, many = label[5:-1], True
    if label == "Path":
        label = "path"
    if many:
        label += "…" if _is_argument(param) else ", repeatable"
    return label


def _default_label(param: Any) -> str:
    if getattr(param, "required", False):
        return "required"
    if getattr(param, "show_default", True) is False:
        return ""
    default = getattr(param, "default", None)
    if callable(default):
        return ""
    if getattr(param, "is_flag", False):
        if default is None:
            return ""
        secondary = list(getattr(param, "secondary_opts", []) or [])
        if secondary:
            return f"`{param.opts[0] if default else secondary[0]}`"
        return "on" if default else "off"
    if default is None or default == "" or default == [] or default == ():
        return ""
    if isinstance(default, (list, tuple)):
        return ", ".join(f"`{d}`" for d in default)
    return f"`{default}`"


def _is_argument(param: Any) -> bool:
    kind = getattr(param, "param_type_name", None)
    if kind is not None:
        return bool(kind == "argument")
    return type(param).__name__.endswith("Argument")


def _params_table(cmd: Any, ctx: Any) -> list[str]:
    params = [p for p in cmd.get_params(ctx) if not getattr(p, "hidden", False) and p.name != "help"]
    args = [p for p in params if _is_argument(p)]
    opts = [p for p in params if not _is_argument(p)]
    lines: list[str] = []
    if args:
        lines += ["| Argument | Type | Default | Description |", "|---|---|---|---|"]
        for p in args:
            name = p.name.upper() + ("…" if getattr(p, "nargs", 1) != 1 else "")
            help_text = _clean(getattr(p, "help", ""))
            lines.append(f"| `{name}` | {_row(_type_label(p, ctx), _default_label(p), help_text)} |")
        lines.append("")
    if opts:
        lines += ["| Option | Type | Default | Description |", "|---|---|---|---|"]
        for p in opts:
            names = ", ".join(f"`{o}`" for o in sorted(p.opts, key=lambda o: (not o.startswith("--"), o)))
            secondary = getattr(p, "secondary_opts", None) or []
            if secondary:
                names += " / " + ", ".join(f"`{o}`" for o in secondary)
            desc = _clean(getattr(p, "help", ""))
            env = getattr(p, "envvar", None)
            if env:
                env_str = ", ".join(env) if isinstance(env, (list, tuple)) else env
                desc = f"{desc} (env: `${env_str}`)".strip()
            lines.append(f"| {names} | {_row(_type_label(p, ctx), _default_label(p), desc)} |")
        lines.append("")
    return lines


def _usage(full: str, cmd: Any, ctx: Any) -> str:
    try:
        pieces = cmd.collect_usage_pieces(ctx)
    except Exception:  # usage is decoration only
        pieces = ["[OPTIONS]"]
    return " ".join([PROG, *([full] if full else []), *pieces])


def _anchor(full: str) -> str:
    return ("trialmatch-" + full.replace(" ", "-")) if full else "trialmatch"


def render() -> str:
    """The whole of docs/cli.md."""
    tree = command_tree()
    root = tree[0][1]
    lines = [
        "# `trialmatch` command reference",
        "",
        "<!-- Generated by scripts/gen_cli_reference.py from trialmatch.cli.main.app — do not edit by hand;",
        "     run `.venv/bin/python scripts/gen_cli_reference.py` after changing a command. -->",
        "",
        _clean(root.help),
        "",
        "Every command also takes `--help`. Commands that read or write trials take `--db`: a SQLite "
        "file path or a SQLAlchemy URL (`postgresql+psycopg://…`); the default is `$TRIALMATCH_DB`, "
        "else a per-user data directory.",
        "",
        "| Command | What it does |",
        "|---|---|",
    ]
    for full, cmd, _ctx in tree[1:]:
        summary = _cell(_first_line(cmd.help or cmd.short_help))
        lines.append(f"| [`{PROG} {full}`](#{_anchor(full)}) | {summary} |")
    lines.append("")
    for full, cmd, ctx in tree:
        title = f"{PROG} {full}".strip()
        lines += [f"## `{title}`", ""]
        if full:
            lines += [_clean(cmd.help or cmd.short_help), ""]
        lines += ["```", _usage(full, cmd, ctx), "```", ""]
        lines += _params_table(cmd, ctx)
        subs = _subcommands(cmd, ctx)
        if subs and full:
            lines += ["| Sub-command | What it does |", "|---|---|"]
            for name, sub in subs:
                anchor = _anchor(f"{full} {name}")
                lines.append(f"| [`{name}`](#{anchor}) | {_cell(_first_line(sub.help))} |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in argv:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(
                f"{OUT.relative_to(ROOT)} is out of date: run .venv/bin/python scripts/gen_cli_reference.py"
            )
            return 1
        print(f"{OUT.relative_to(ROOT)} is up to date")
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(command_tree()) - 1} commands)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
