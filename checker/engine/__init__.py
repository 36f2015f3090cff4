"""The engine connection: where the engine is, the wire, the GET-only client, the helper client."""
