"""The order flow: feed intake into a durable inbox, ERP ingestion and start handling,
shopper cancellation requests, write-backs from the ERP and the reconcile sweep."""
