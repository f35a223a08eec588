"""Errors a user can act on, and the exit status of every command.

The CLI prints these without a traceback and exits with the error's
``exit_code``.  Exit statuses (documented in ``xuncha --help`` and the
README):

====  ===============================================================
0     ok
1     findings: the command worked and found something to act on (a
      hard conflict of interest, validation errors, a load refused for
      them), or an error in the data or workspace (:class:`XunchaError`)
2     usage: the command line cannot be used as given (unknown option,
      bad value, missing file) (:class:`UsageError`, click's own)
3     infeasible: no plan satisfies the rules as set (:class:`Infeasible`)
====  ===============================================================
"""

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INFEASIBLE = 3

EXIT_CODES = {
    EXIT_OK: "ok 成功",
    EXIT_FINDINGS: "findings 发现问题: a hard conflict, validation errors, or an error in the data/workspace",
    EXIT_USAGE: "usage 用法错误: a bad option, value or file on the command line",
    EXIT_INFEASIBLE: "infeasible 无可行方案: no plan satisfies the rules as set",
}


class XunchaError(Exception):
    """Base class: the message is the whole story for the user."""

    exit_code = EXIT_FINDINGS


class UsageError(XunchaError):
    """The request cannot be carried out as given on the command line."""

    exit_code = EXIT_USAGE


class Infeasible(XunchaError):
    """No solution satisfies the constraints (e.g. an inspection plan)."""

    exit_code = EXIT_INFEASIBLE
