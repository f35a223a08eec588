"""The graph: registry of kinds (schema), building, the store and the workspace."""
