"""Reconciliation: compare what VTEX holds with what the ERP says, report drift, repair it."""
