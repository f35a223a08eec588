"""Graph servers (Neo4j, FalkorDB): push a workspace, pull it back, query in Cypher.

- :mod:`.base` – the server interface, URI parsing, :func:`connect`, errors;
- :mod:`.dialect` – every difference between Neo4j's and FalkorDB's Cypher;
- :mod:`.neo4j_backend`, :mod:`.falkordb_backend` – the two implementations;
- :mod:`.push`, :mod:`.pull` – workspace <-> server;
- :mod:`.queries` – the query commands' Cypher versions.

Drivers are imported only when a server is opened.
"""
