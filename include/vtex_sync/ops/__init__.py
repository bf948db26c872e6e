"""The operator's view: flow health, quarantine, waiting records, orders inbox, re-drive."""
