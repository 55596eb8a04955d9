"""Tools for people working with Trường Số: the reference kiosk (kiosk_simulator.py)."""
