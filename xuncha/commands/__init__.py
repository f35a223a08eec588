"""CLI commands, one module per area; registered in :data:`xuncha.cli.COMMANDS`."""
