"""The contract gate: compatibility (WIRE, CODEGEN, SEMANTIC, INTEROP), lint and docs."""
