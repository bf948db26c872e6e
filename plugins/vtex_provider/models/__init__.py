"""Pydantic models of VTEX request and response bodies, one module per API."""
