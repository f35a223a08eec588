"""xuncha: Party inspection (巡察) ledgers as a knowledge graph.

Load a directory of ledgers, save a workspace, and ask the questions analysts
and planners ask.  Heavy modules (networkx, pydantic, openpyxl) are imported
where they are used, so ``import xuncha`` stays fast.
"""

__version__ = "0.1.0"
