"""Life after deposit: integration follow-up, status sync, supplier actions, credential health."""
