"""An executable reference model of the patched VM; imports no tooling."""
