"""``xuncha completion SHELL``: print the shell completion script (click's own)."""

from __future__ import annotations

import click

INSTALL = {
    "bash": 'eval "$(xuncha completion bash)"          # in ~/.bashrc',
    "zsh": 'eval "$(xuncha completion zsh)"           # in ~/.zshrc',
    "fish": "xuncha completion fish > ~/.config/fish/completions/xuncha.fish",
}


@click.command(epilog="Install 安装:\n\n\b\n" + "\n".join(f"  {v}" for v in INSTALL.values()))
@click.argument("shell", type=click.Choice(list(INSTALL)))
def completion(shell):
    """Print the completion script for SHELL (bash, zsh or fish) 命令补全.

    Commands, options and choices (formats, --by groups, patterns…) complete
    with Tab once the script is loaded.
    """
    from click.shell_completion import get_completion_class

    from ..cli import main

    cls = get_completion_class(shell)
    comp = cls(main, {}, "xuncha", "_XUNCHA_COMPLETE")
    click.echo(comp.source())
