"""Exchange adapters: the protocol, the paper venue and the ccxt adapter."""
