"""The silence monitor: devices that stopped sending, base stations that stopped reporting."""
